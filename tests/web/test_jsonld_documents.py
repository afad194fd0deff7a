"""JSON-LD documents: framed around their resource, against the published context, every triple kept."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from server.rdf import jsonld
from server.store.oxigraph.embedded import EmbeddedStore

BASE = "https://data.ser.nl/"
SER = BASE + "id/organisatie/ser"
CONTEXT_URL = BASE + "ns/context.jsonld"


def doc_paths(store: EmbeddedStore) -> list[str]:
    rows = store.select(f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s)
        && STRSTARTS(STR(?s), "{BASE}id/")) }} ORDER BY ?s""")
    # A fragment IRI (a period of a record) is described in its record's document.
    return ["/doc/" + str(r["s"])[len(BASE + "id/"):] for r in rows if "#" not in str(r["s"])]


def expanded_triples(client: TestClient, document: dict[str, Any]) -> Graph:
    context = client.get("/ns/context.jsonld").json()
    return Graph().parse(data=jsonld.to_nquads(document, {CONTEXT_URL: context}), format="nquads")


def test_expanding_every_document_gives_back_exactly_its_triples(client: TestClient, store: EmbeddedStore) -> None:
    paths = doc_paths(store)
    assert len(paths) > 20
    for path in [*paths, "/doc/def/ser"]:
        response = client.get(path + ".jsonld")
        assert response.status_code == 200, path
        triples = Graph().parse(data=client.get(path + ".nt").content, format="nt")
        assert isomorphic(Graph() + expanded_triples(client, response.json()), triples), path


def test_a_document_is_framed_around_its_resource_with_short_terms(client: TestClient) -> None:
    document = client.get("/doc/organisatie/ser.jsonld").json()
    assert document["@context"] == CONTEXT_URL
    assert document["id"] == SER
    assert "type" in document
    assert not any(key.startswith("http") for key in document)  # no full IRIs as keys
    assert document["prefLabel"]["nl"] == "Sociaal-Economische Raad"  # a language map
    raad = client.get("/doc/orgaan/raad.jsonld").json()
    assert raad["type"] == "OrganizationalUnit"
    assert raad["unitOf"] == {"id": SER, "prefLabel": {"nl": "Sociaal-Economische Raad",
                                                       "en": "Social and Economic Council"}}  # embedded
    incoming = {node["id"] for node in document["@included"]}
    assert BASE + "id/orgaan/raad" in incoming and SER not in incoming  # who links to it, beside it


def test_plain_json_is_json_ld_that_names_its_context(client: TestClient) -> None:
    as_json = client.get("/doc/organisatie/ser", headers={"Accept": "application/json"})
    assert as_json.status_code == 200
    assert as_json.headers["content-type"] == "application/json"
    assert f'<{CONTEXT_URL}>; rel="http://www.w3.org/ns/json-ld#context"' in as_json.headers["link"]
    as_ld = client.get("/doc/organisatie/ser", headers={"Accept": "application/ld+json"})
    assert as_json.json() == as_ld.json()
    assert as_json.headers["etag"] != as_ld.headers["etag"]
    assert "Accept" in as_json.headers["vary"]


def test_the_context_is_published_with_the_release_validators(client: TestClient) -> None:
    response = client.get("/ns/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    context = response.json()["@context"]
    assert context["id"] == "@id" and context["ser"] == BASE + "def/"
    assert context["prefLabel"] == {"@id": "http://www.w3.org/2004/02/skos/core#prefLabel", "@container": "@language"}
    again = client.get("/ns/context.jsonld", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
