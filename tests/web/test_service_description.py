"""The SPARQL 1.1 Service Description on a GET of /sparql without a query."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID, XSD

from server.rdf.formats import RDF_FORMATS, W3C_FORMATS
from server.rdf.namespaces import SD

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines

SER = "https://data.ser.nl/"
ENDPOINT = URIRef("https://data.ser.nl/sparql")  # the public URL (the base IRI), never the request's host


def description(client: TestClient, accept: str = "text/turtle") -> Graph:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    fmt = ox.RdfFormat.from_media_type(response.headers["content-type"].split(";")[0])
    assert fmt is not None
    # Parsed with Oxigraph, which reads every format alike, then handed to rdflib for the assertions.
    triples = ox.serialize(ox.parse(response.content, format=fmt), format=ox.RdfFormat.N_QUADS)
    return Graph().parse(data=triples, format="nt")


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=[f.name for f in RDF_FORMATS])
def test_description_comes_in_every_rdf_format(client: TestClient, fmt) -> None:  # type: ignore[no-untyped-def]
    graph = description(client, fmt.media_type)
    assert (ENDPOINT, RDF.type, SD.Service) in graph


def test_description_is_the_default_for_a_plain_get(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.headers["access-control-allow-origin"] == "*"


def test_description_declares_language_formats_and_features(client: TestClient) -> None:
    graph = description(client)
    assert (ENDPOINT, SD.endpoint, ENDPOINT) in graph
    assert (ENDPOINT, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (ENDPOINT, SD.supportedLanguage, SD.SPARQL11Update) not in graph
    assert (ENDPOINT, SD.feature, SD.UnionDefaultGraph) in graph
    assert (ENDPOINT, SD.feature, SD.BasicFederatedQuery) not in graph  # SERVICE is refused
    declared = {str(o) for o in graph.objects(ENDPOINT, SD.resultFormat)}
    assert declared == set(W3C_FORMATS.values())


def test_default_dataset_is_the_void_dataset_with_the_release_graphs(client: TestClient) -> None:
    graph = description(client)
    dataset = graph.value(ENDPOINT, SD.defaultDataset)
    assert dataset == URIRef(f"{SER}id/dataset/ser")  # the VoID description in the metadata graph
    assert (dataset, RDF.type, VOID.Dataset) in graph
    names = {str(graph.value(n, SD.name)) for n in graph.objects(dataset, SD.namedGraph)}
    assert names == {f"{SER}graph/ontology", f"{SER}graph/data", f"{SER}graph/metadata"}
    default = graph.value(dataset, SD.defaultGraph)
    assert graph.value(default, VOID.triples) == Literal(182, datatype=XSD.integer)


def test_description_states_the_limits(client: TestClient) -> None:
    graph = description(client)
    ser = lambda term: URIRef(f"{SER}def/{term}")  # noqa: E731
    timeout = graph.value(ENDPOINT, ser("queryTimeout"))
    assert isinstance(timeout, Literal) and timeout.datatype == XSD.decimal and timeout.toPython() == 10
    assert graph.value(ENDPOINT, ser("resultLimit")) == Literal(10000, datatype=XSD.integer)
    assert graph.value(ENDPOINT, ser("maxQueryLength")) == Literal(20000, datatype=XSD.integer)
    assert graph.value(ENDPOINT, ser("maxRequestBytes")) == Literal(65536, datatype=XSD.integer)
    assert str(graph.value(ENDPOINT, ser("truncationHeader"))) == "SER-KG-Truncated"


def test_description_format_parameter_and_406(client: TestClient) -> None:
    assert client.get("/sparql", params={"format": "jsonld"}).headers["content-type"] == "application/ld+json"
    assert client.get("/sparql", headers={"Accept": "application/sparql-results+json"}).status_code == 406


def test_graph_sizes_come_from_the_manifest_when_the_build_wrote_them(tmp_path, store) -> None:  # type: ignore[no-untyped-def]
    import dataclasses
    import json

    from server.web.sparql.service_description import graph_sizes

    manifest = {"graphs": {f"{SER}graph/data": 7}, "default_graph_triples": 6}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    release = dataclasses.replace(store.release, path=tmp_path)
    fake = type("FakeStore", (), {"release": release, "select": lambda self, q: []})()
    assert graph_sizes(fake) == ({f"{SER}graph/data": 7}, 6)
    sizes, union = graph_sizes(store)  # the fixture's manifest has neither: counted
    assert sizes[f"{SER}graph/ontology"] == 18
    assert union == 182


def test_the_default_graph_counts_a_triple_in_two_graphs_once(tmp_path, settings, store) -> None:  # type: ignore[no-untyped-def]
    import dataclasses
    import json

    from server.web.sparql.service_description import ServiceDescription

    # A release whose one triple is in both the data and the metadata graph: the union holds it once.
    graphs = {f"{SER}graph/data": 1, f"{SER}graph/metadata": 1}
    (tmp_path / "manifest.json").write_text(json.dumps({"graphs": graphs, "default_graph_triples": 1}))
    release = dataclasses.replace(store.release, path=tmp_path)
    fake = type("FakeStore", (), {"release": release, "select": lambda self, q: []})()
    graph = ServiceDescription(settings, fake).graph(str(ENDPOINT))
    default = graph.value(graph.value(ENDPOINT, SD.defaultDataset), SD.defaultGraph)
    assert graph.value(default, VOID.triples) == Literal(1, datatype=XSD.integer)


def test_description_carries_an_etag_of_its_bytes_and_answers_304(client: TestClient) -> None:
    turtle = client.get("/sparql", headers={"Accept": "text/turtle"})
    ntriples = client.get("/sparql", headers={"Accept": "application/n-triples"})
    release = client.get("/-/health").json()["release"]
    assert turtle.headers["etag"].startswith(f'"{release}-sd-')
    assert turtle.headers["etag"] != ntriples.headers["etag"]
    again = client.get("/sparql", headers={"Accept": "text/turtle", "If-None-Match": turtle.headers["etag"]})
    assert again.status_code == 304 and not again.content
