"""/search with a release's full-text index: its words first, then the name index's guesses."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.pipeline.releases import searchindex
from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.store.oxigraph.memory import MemoryDataset
from server.web.app import create_app

BASE = "https://data.ser.nl/"
COVENANT = BASE + "id/convenant/duurzame-kleding-en-textiel"


@pytest.fixture(scope="module")
def client(settings: Settings, tiny_release_dir: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("indexed") / "release"
    shutil.copytree(tiny_release_dir, folder)
    name, _, write = searchindex.stage(MemoryDataset((folder / "ser.nq").read_bytes()), BASE)
    write(folder / name)
    store = EmbeddedStore.open(folder, tmp_path_factory.mktemp("indexed-store"))
    with TestClient(create_app(settings, store)) as test_client:
        yield test_client
    store.close()


def found(client: TestClient, q: str, **params: str) -> list[dict[str, object]]:
    return client.get("/search", params={"q": q, "format": "json", **params}).json()["results"]  # type: ignore[no-any-return]


def test_a_stemmed_word_finds_its_thing(client: TestClient) -> None:
    results = found(client, "kleding convenanten")  # the name says "Convenant Duurzame Kleding en Textiel"
    assert results and results[0]["id"] == COVENANT


def test_an_exact_alias_comes_first_and_says_how_it_matched(client: TestClient) -> None:
    top = found(client, "SER")[0]
    assert top["id"] == BASE + "id/organisatie/ser" and top["matched"] == "SER"


def test_typing_errors_are_still_found_by_the_name_index(client: TestClient) -> None:
    assert found(client, "Mariëte Hamr")[0]["id"] == BASE + "id/persoon/mariette-hamer"


def test_the_type_filter_holds_for_full_text_hits(client: TestClient) -> None:
    people = found(client, "r", type="foaf:Person")
    assert people and all(t["id"] == "http://xmlns.com/foaf/0.1/Person" for r in people for t in r["types"])
