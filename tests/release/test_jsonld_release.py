"""JSON-LD on the release built from the real sources: the dump and the documents share one context."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from server.rdf import jsonld
from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.app import create_app
from tests.rdf.test_jsonld import nodes_of


@pytest.fixture(scope="module")
def client(settings: Settings, real_store: EmbeddedStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings.replace(base_iri=real_store.release.base_iri), real_store)) as test_client:
        yield test_client


def test_the_dump_is_compacted_against_the_published_context(released: Path, client: TestClient) -> None:
    published = json.loads((released / "context.jsonld").read_text("utf-8"))
    assert client.get("/ns/context.jsonld").json() == published
    dump = json.loads((released / "ser.jsonld").read_bytes())
    assert dump["@context"] == published["@context"]
    assert {"Advies", "prefLabel", "aanvrager", "type", "id"} <= set(published["@context"])
    nodes = [node for graph in dump["@graph"] for node in graph["@graph"]]
    assert not any(key.startswith("http") for node in nodes for key in node)  # every key a term or CURIE
    expected = canonical(ox.parse((released / "ser.nq").read_bytes(), format=ox.RdfFormat.N_QUADS))
    assert canonical(ox.parse((released / "ser.jsonld").read_bytes(), format=ox.RdfFormat.JSON_LD)) == expected
    by_pyld = jsonld.to_nquads(dump, {}).encode()  # the context is inline: nothing to load
    assert canonical(ox.parse(by_pyld, format=ox.RdfFormat.N_QUADS)) == expected


def canonical(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def test_the_dumps_compactor_gives_what_pyld_gives_on_every_node_of_the_release(released: Path) -> None:
    nquads = (released / "ser.nq").read_bytes()
    context = json.loads((released / "context.jsonld").read_text("utf-8"))["@context"]
    nodes = nodes_of(nquads)
    compactor = jsonld.FlatCompactor(context)
    for start in range(0, len(nodes), 200):  # pyld's compaction of one long array grows faster than its length
        chunk = nodes[start:start + 200]
        assert [compactor.node(node) for node in chunk] == jsonld.compact(chunk, context)


def test_documents_of_every_class_expand_to_their_triples(client: TestClient, real_store: EmbeddedStore) -> None:
    base = real_store.release.base_iri
    rows = real_store.select(f"""SELECT ?c (MIN(STR(?s)) AS ?one) WHERE {{ ?s a ?c
        FILTER(STRSTARTS(STR(?s), "{base}id/") && !CONTAINS(STR(?s), "#")) }} GROUP BY ?c""")
    iris = {str(r["one"]) for r in rows} | {f"{base}id/organisatie/ser", f"{base}id/persoon/mariette-hamer"}
    assert len(iris) > 10
    context = client.get("/ns/context.jsonld").json()
    for iri in sorted(iris):
        path = "/doc/" + iri[len(base + "id/"):]
        document = client.get(path + ".jsonld").json()
        assert document["id"] == iri
        expanded = Graph().parse(data=jsonld.to_nquads(document, {document["@context"]: context}), format="nquads")
        triples = Graph().parse(data=client.get(path + ".nt").content, format="nt")
        assert isomorphic(Graph() + expanded, triples), iri
