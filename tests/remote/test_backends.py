"""Every backend gives the same answers: the SPARQL protocol, content negotiation, pages and downloads
through the embedded store and through each remote engine, byte for byte, with the same ETags.
"""

from __future__ import annotations

import json

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from tests.remote.conftest import RESULT_LIMIT, VERSION, Backend

SER = "https://data.ser.nl/"
JSON = "application/sparql-results+json"
COMPARED = ("content-type", "etag", "last-modified", "location", "vary", "ser-kg-truncated", "ser-kg-release")


def same(backend: Backend, embedded: Backend, path: str, **request: object):  # type: ignore[no-untyped-def]
    """The response of ``backend``, after checking it equals the embedded store's in status, headers and body."""
    method = str(request.pop("method", "GET"))
    for client in (backend.client, embedded.client):  # ?lang= sets a cookie: no request may see another's
        client.cookies.clear()
    ours = backend.client.request(method, path, **request)  # type: ignore[arg-type]
    theirs = embedded.client.request(method, path, **request)  # type: ignore[arg-type]
    assert ours.status_code == theirs.status_code, ours.text
    assert {h: ours.headers.get(h) for h in COMPARED} == {h: theirs.headers.get(h) for h in COMPARED}
    assert ours.content == theirs.content
    return ours


@pytest.fixture
def embedded(backends: dict[str, Backend]) -> Backend:
    return backends["embedded"]


QUERIES = {
    "ordered select": f"SELECT ?a ?label WHERE {{ ?a a <{SER}def/Advies> ; "
                      "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?a STR(?label) LANG(?label)",
    "count over the union": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "graphs by name": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "one graph by its public name": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SER}graph/ontology> {{ ?s ?p ?o }} }}",
    "one graph by a prefixed name": f"PREFIX g: <{SER}graph/> SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH g:data "
                                    "{ ?s ?p ?o } }",
    "from in the query": f"SELECT (COUNT(*) AS ?n) FROM <{SER}graph/metadata> WHERE {{ ?s ?p ?o }}",
    "ask": f"ASK {{ <{SER}id/organisatie/ser> ?p ?o }}",
    # Blank nodes left out: their labels are the engine's own. The order is one SPARQL defines (§15.1):
    # between language-tagged literals, or literals of different datatypes, it leaves the order to the
    # engine, and Virtuoso sorts on the language tag first where Oxigraph sorts on the text.
    # Virtuoso refuses a sort key over 1,900 bytes, and some descriptions are longer: the text is
    # compared on its first 400 characters, then on its length.
    "cut at the result limit": "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s) && !isBlank(?o)) } "
                               "ORDER BY ?s ?p SUBSTR(STR(?o), 1, 400) STRLEN(STR(?o)) LANG(?o) STR(DATATYPE(?o))",
    # No ORDER BY: every engine has its own order, so the server writes one canonical order.
    "unordered": f"SELECT ?p ?o WHERE {{ <{SER}id/organisatie/ser> ?p ?o FILTER(!isBlank(?o)) }}",
    "unordered distinct": "SELECT DISTINCT ?type WHERE { ?s a ?type }",
    # A graph variable holds the public name inside the query too: in a FILTER, a BIND, a VALUES, as data.
    "graph variable in a filter": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                                  f"FILTER(?g = <{SER}graph/ontology>) }}",
    "graph variable as text": "SELECT DISTINCT ?name WHERE { GRAPH ?g { ?s ?p ?o } BIND(STR(?g) AS ?name) } "
                              "ORDER BY ?name",
    "graph variable in values": f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ <{SER}graph/data> }} "
                                "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "graph variable in its own pattern": "SELECT DISTINCT ?g ?t WHERE { GRAPH ?g { ?x ?p ?o } "
                                         "GRAPH ?h { ?g a ?t } } ORDER BY ?g ?t",
    "graph names by an empty group": "SELECT ?g WHERE { GRAPH ?g { } } ORDER BY ?g",
    "graph names of a query dataset": f"SELECT ?g FROM NAMED <{SER}graph/data> WHERE {{ GRAPH ?g {{ }} }}",
    "select star over a graph": f"SELECT * WHERE {{ GRAPH ?g {{ <{SER}id/organisatie/ser> a ?t }} }} "
                                "ORDER BY ?t",
    # A dataset of one part: SPARQL makes the other part empty, where Virtuoso would use every graph.
    "from alone": f"SELECT (COUNT(*) AS ?n) FROM <{SER}graph/data> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "from named alone": f"SELECT (COUNT(*) AS ?n) FROM NAMED <{SER}graph/data> WHERE {{ ?s ?p ?o }}",
}


@pytest.mark.parametrize("name", QUERIES)
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_sparql_answers_are_identical_on_every_backend(backend: Backend, embedded: Backend, name: str,
                                                       fmt: str) -> None:
    response = same(backend, embedded, "/sparql", params={"query": QUERIES[name], "format": fmt})
    assert response.status_code == 200
    assert response.headers["etag"].startswith(f'"{VERSION}-')


def test_union_holds_the_release_and_nothing_else(backend: Backend) -> None:
    rows = backend.client.get("/sparql", params={"query": QUERIES["graphs by name"]},
                              headers={"Accept": JSON}).json()["results"]["bindings"]
    assert [r["g"]["value"] for r in rows] == [f"{SER}graph/data", f"{SER}graph/metadata", f"{SER}graph/ontology"]


def test_long_answer_is_cut_at_the_limit_and_flagged(backend: Backend) -> None:
    response = backend.client.get("/sparql", params={"query": QUERIES["cut at the result limit"]},
                                  headers={"Accept": JSON})
    assert response.headers["ser-kg-truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == RESULT_LIMIT


def test_a_dataset_of_one_part_leaves_the_other_part_empty(backend: Backend) -> None:
    for name in ("from alone", "from named alone"):
        rows = backend.client.get("/sparql", params={"query": QUERIES[name]},
                                  headers={"Accept": JSON}).json()["results"]["bindings"]
        assert rows[0]["n"]["value"] == "0", name


@pytest.mark.parametrize(("dataset", "expected_graphs"), [
    ({"default-graph-uri": f"{SER}graph/ontology"}, 0),
    ({"named-graph-uri": f"{SER}graph/data"}, 1),
    ({"default-graph-uri": f"{SER}graph/data", "named-graph-uri": f"{SER}graph/metadata"}, 1),
])
def test_protocol_dataset_is_honoured(backend: Backend, embedded: Backend, dataset: dict[str, str],
                                      expected_graphs: int) -> None:
    query = "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?g) AS ?graphs) WHERE { { ?s ?p ?o } UNION " \
            "{ GRAPH ?g { ?s ?p ?o } } }"
    response = same(backend, embedded, "/sparql", method="POST", data={"query": query, **dataset},
                    headers={"Accept": JSON})
    assert response.json()["results"]["bindings"][0]["graphs"]["value"] == str(expected_graphs)


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "rdfxml"])
def test_construct_gives_the_same_bytes(backend: Backend, embedded: Backend, fmt: str) -> None:
    """A graph has no order, so the server writes its triples in one canonical order."""
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?s = <{SER}id/organisatie/ser> || " \
            f"?o = <{SER}id/organisatie/ser>) FILTER(!isBlank(?o)) }}"
    response = same(backend, embedded, "/sparql", params={"query": query, "format": fmt})
    parse_as = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt]
    assert len(Graph().parse(data=response.content, format=parse_as)) > 50


def test_construct_with_blank_nodes_gives_the_same_graph(backend: Backend, embedded: Backend) -> None:
    """Blank node labels are each engine's own: the graphs are the same up to them."""
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }"
    ours, theirs = (b.client.get("/sparql", params={"query": query, "format": "ntriples"}) for b in (backend, embedded))
    graphs = [Graph().parse(data=r.content, format="nt") for r in (ours, theirs)]
    assert len(graphs[0]) > 10 and isomorphic(*graphs)


@pytest.mark.parametrize(("query", "status"), [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 400),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403),
    ("SELECT * FROM <http://127.0.0.1:9/evil.ttl> WHERE { ?s ?p ?o }", 400),
    (f"SELECT * FROM <{SER}graph/release> WHERE {{ ?s ?p ?o }}", 400),
    ("SELEC * WHERE { ?s ?p ?o }", 400),
])
def test_policy_refuses_the_same_queries(backend: Backend, embedded: Backend, query: str, status: int) -> None:
    assert same(backend, embedded, "/sparql", params={"query": query}).status_code == status


@pytest.mark.parametrize(("path", "accept"), [
    ("/id/organisatie/ser", "text/html"),
    ("/doc/organisatie/ser", "text/turtle"),
    ("/doc/organisatie/ser", "application/n-triples"),
    ("/doc/organisatie/ser", "application/ld+json"),
    ("/doc/organisatie/ser", "text/html"),
    ("/doc/organisatie/ser.ttl", "*/*"),
    ("/def/Advies", "text/turtle"),
    ("/id/organisatie/bestaat-niet", "text/html"),
    ("/", "text/html"),
    ("/doc/organisatie/ser?lang=en", "text/html"),
    ("/doc/organisatie/ser.rdf", "*/*"),
    ("/def/Advies", "text/html"),
    ("/def/ser", "text/turtle"),
    ("/doc/def/Datum", "text/turtle"),  # blank nodes (an owl:unionOf list), labelled canonically
    ("/classes/ser:Advies", "text/html"),
    ("/classes/ser:Advies?page=2", "text/html"),
    ("/search?q=energieakkoord", "text/html"),
    ("/search?q=energieakkoord", "application/json"),
    ("/reconcile", "application/json"),
    ("/reconcile/suggest/entity?prefix=soc", "application/json"),
    ("/sitemap.xml", "*/*"),
    ("/sparql", "text/turtle"),  # the Service Description
    ("/sparql", "text/html"),  # the query page
    ("/catalog", "text/turtle"),
    ("/.well-known/void", "text/turtle"),
    ("/downloads/", "text/html"),
    (f"/downloads/{VERSION}/ser.nt", "*/*"),
])
def test_documents_pages_and_downloads_are_identical(backend: Backend, embedded: Backend, path: str,
                                                     accept: str) -> None:
    response = same(backend, embedded, path, headers={"Accept": accept, "Accept-Language": "nl"})
    assert response.status_code in (200, 303, 404), path
    if response.status_code == 200 and (path, accept) != ("/sparql", "text/html"):  # the query page is no data
        assert response.headers["etag"]


@pytest.mark.parametrize(("method", "request_args"), [
    ("POST", {"data": {"query": QUERIES["ordered select"]}, "headers": {"Accept": JSON}}),
    ("POST", {"content": QUERIES["ordered select"].encode(),
              "headers": {"Content-Type": "application/sparql-query", "Accept": "text/csv"}}),
    ("GET", {"params": {"query": QUERIES["ask"]},
             "headers": {"Accept": "text/csv;q=0.5, application/sparql-results+xml;q=0.9"}}),
    ("GET", {"params": {"query": QUERIES["ordered select"]}, "headers": {"Accept": "image/png"}}),  # 406
    ("POST", {"data": {"query": "SELECT * WHERE { ?s ?p ?o }", "update": "DROP ALL"}}),
])
def test_protocol_and_negotiation_are_identical(backend: Backend, embedded: Backend, method: str,
                                                request_args: dict[str, object]) -> None:
    response = same(backend, embedded, "/sparql", method=method, **request_args)
    assert response.status_code in (200, 403, 406)


@pytest.mark.parametrize("query", [
    [{"query": "Sociaal-Economische Raad"}, {"query": "FNV", "type": "https://data.ser.nl/def/Organisatie"}],
])
def test_reconciliation_is_identical(backend: Backend, embedded: Backend, query: list[dict[str, str]]) -> None:
    queries = json.dumps({f"q{n}": q for n, q in enumerate(query)})
    response = same(backend, embedded, "/reconcile", method="POST", data={"queries": queries})
    assert response.status_code == 200 and response.json()["q0"]["result"]


def test_describe_holds_every_triple_of_the_thing_on_every_backend(backend: Backend) -> None:
    """What DESCRIBE adds beyond the thing's own triples is the engine's choice (SPARQL 1.1 Query §16.4)."""
    iri = f"{SER}id/organisatie/ser"
    own = backend.client.get("/sparql", params={"query": f"CONSTRUCT WHERE {{ <{iri}> ?p ?o }}", "format": "ntriples"})
    described = backend.client.get("/sparql", params={"query": f"DESCRIBE <{iri}>", "format": "ntriples"})
    assert described.status_code == 200
    graphs = [Graph().parse(data=r.content, format="nt") for r in (own, described)]
    assert len(graphs[0]) > 10 and set(graphs[0]) <= set(graphs[1])


def test_conditional_get_is_304_with_an_etag_from_any_backend(backend: Backend, embedded: Backend) -> None:
    etag = embedded.client.get("/doc/organisatie/ser", headers={"Accept": "text/turtle"}).headers["etag"]
    response = backend.client.get("/doc/organisatie/ser", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert response.status_code == 304


def test_health_names_the_release(backend: Backend) -> None:
    body = json.loads(backend.client.get("/-/health").text)
    assert body["release"] == VERSION and body["status"] == "ok"
