"""Search on the release built from the real sources: the full-text index is part of the release."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.app import create_app


@pytest.fixture(scope="module")
def client(settings: Settings, real_store: EmbeddedStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings.replace(base_iri=real_store.release.base_iri), real_store)) as test_client:
        yield test_client


def ids(client: TestClient, q: str) -> list[str]:
    response = client.get("/search", params={"q": q, "format": "json"})
    assert response.status_code == 200
    return [str(r["id"]).split("/id/", 1)[1] for r in response.json()["results"]]


def test_the_index_is_a_file_of_the_release(released: Path) -> None:
    manifest = json.loads((released / "manifest.json").read_text("utf-8"))
    listed = {f["name"]: f for f in manifest["files"]}
    assert listed["search.sqlite"]["media_type"] == "application/vnd.sqlite3"
    assert (released / "search.sqlite").stat().st_size == listed["search.sqlite"]["bytes"]


def test_hamer_ranks_mariette_hamer_above_any_kamer(client: TestClient) -> None:
    found = ids(client, "Hamer")
    assert "persoon/mariette-hamer" in found[:5]
    kamers = [i for i, iri in enumerate(found) if "kamer" in iri]
    assert all(found.index("persoon/mariette-hamer") < i for i in kamers)


@pytest.mark.parametrize(("query", "expected"), [
    ("Awf", "financiering/awf"),
    ("ondernemingsraad", "overlegvorm/ondernemingsraad"),
    ("ondernemingsraden", "wet/wet-op-de-ondernemingsraden-1950"),
    ("overlegeconomie", "begrippenkader/overlegniveau"),
    ("cao", "overlegvorm/cao-overleg"),
    ("WOR", "wet/wet-op-de-ondernemingsraden"),
    ("Labour Foundation", "organisatie/stichting-van-de-arbeid"),
    ("Stichting van de Arbeid", "organisatie/stichting-van-de-arbeid"),
    ("bankenconvenant", "convenant/bancaire-sector"),
])
def test_words_people_use_find_the_right_things(client: TestClient, query: str, expected: str) -> None:
    assert expected in ids(client, query)[:5]


def test_an_exact_alias_ranks_first(client: TestClient) -> None:
    assert ids(client, "SER")[0] == "organisatie/ser"
    assert ids(client, "FNV")[0] == "organisatie/fnv"
