"""The identifier schemes of the link targets on the VoID page of the release built from the real sources:
each shown by its name, with its pattern, its examples by the names the dossier gives, and its source."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import VOID

from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.app import create_app
from server.web.runner import pool_for
from tests.release.test_home_and_views import visible


@pytest.fixture(scope="module")
def client(settings: Settings, real_store: EmbeddedStore) -> Iterator[TestClient]:
    changed = settings.replace(base_iri=real_store.release.base_iri, query_workers=1)
    with TestClient(create_app(changed, real_store, pool_for(changed, real_store))) as test_client:
        yield test_client


def void_page(client: TestClient, lang: str) -> str:
    response = client.get(f"/.well-known/void?lang={lang}", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    return html.unescape(visible(response.text))


@pytest.mark.parametrize(("lang", "names"), [
    ("nl", ["TOOI: ministeries", "TOOI: overige organisaties", "TOOI: gemeenten",
            "wetten.overheid.nl: JCI-verwijzingen naar artikelen", "derde partij"]),
    ("en", ["TOOI: ministries", "TOOI: other organisations", "TOOI: municipalities",
            "wetten.overheid.nl: persistent URIs of a version (toestand) of a regulation", "third party"]),
])
def test_the_void_page_names_each_scheme_in_the_readers_language(client: TestClient, lang: str,
                                                                names: list[str]) -> None:
    text = void_page(client, lang)
    assert [name for name in names if name not in text] == []


def test_the_void_page_names_the_examples_and_sources_not_their_addresses(client: TestClient) -> None:
    text = void_page(client, "en")
    # the examples by the dossier's names; a cited document by the data graph's name of its source
    # record, else by the page's rule for an unnamed address (host and last segment); the patterns as text
    for shown in ("KOOP", "Amsterdam", "BZK", "wetten-acc.overheid.nl: Article 93 of the Industrial Organisation Act",
                  "pypi.org: nl eli mcp", r"^https://identifier\.overheid\.nl/tooi/id/gemeente/gm[0-9]{4}$"):
        assert shown in text, shown
    assert "wetten-acc.overheid.nl: jci1.3" not in text  # the address is not the name


def test_the_served_void_links_the_release_to_both_targets_with_counted_links(client: TestClient) -> None:
    turtle = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).content
    void = Graph().parse(data=turtle, format="turtle")
    base = "https://data.ser.nl/"
    counts = {}
    for key in ("tooi", "wetten"):
        target = URIRef(f"{base}id/dataset/{key}")
        linkset = next(void.subjects(VOID.objectsTarget, target))
        counts[key] = int(void.value(linkset, VOID.triples))
        assert len(set(void.objects(target, VOID.subset))) == 3
    assert counts["tooi"] >= 8 and counts["wetten"] >= 4  # eight ministries; four laws of the dossier at least


@pytest.mark.parametrize(("path", "name"), [
    ("/doc/dataset/tooi/gemeente", "TOOI: municipalities"), ("/doc/dataset/wetten/toestand", "toestand"),
    ("/doc/dataset/wetten", "third party"),
])
def test_each_scheme_has_a_page_of_its_own_under_its_name(client: TestClient, path: str, name: str) -> None:
    response = client.get(f"{path}?lang=en", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    assert name in html.unescape(visible(response.text))

