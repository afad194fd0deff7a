"""Real SPARQL clients against a running server (uvicorn on a free loopback port): SPARQLWrapper,
rdflib's SPARQLStore and curl.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TURTLE, XML, SPARQLWrapper

from tests.conftest import LiveServer

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines

SER = "https://data.ser.nl/"
CHAIRS = f"""PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?name WHERE {{ ?m <http://www.w3.org/ns/org#member> ?p ; <http://www.w3.org/ns/org#organization>
  <{SER}id/organisatie/ser> . ?p foaf:name ?name }} ORDER BY ?name"""
CHAIR_NAMES = ["Alexander Rinnooy Kan", "Kim Putters", "Mariëtte Hamer", "Wiebe Draijer"]
ABOUT_SER = f"CONSTRUCT WHERE {{ <{SER}id/organisatie/ser> ?p ?o }}"


def wrapper(live_server: LiveServer, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{live_server.url}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if method:
        sparql.setMethod(POST)
        sparql.setRequestMethod(method)
    return sparql


@pytest.mark.parametrize("method", [None, "urlencoded", POSTDIRECTLY])
def test_sparqlwrapper_select_json(live_server: LiveServer, method: str | None) -> None:
    result = wrapper(live_server, CHAIRS, JSON, method).queryAndConvert()
    assert [b["name"]["value"] for b in result["results"]["bindings"]] == CHAIR_NAMES  # type: ignore[index]


def test_sparqlwrapper_select_xml_and_csv(live_server: LiveServer) -> None:
    document = wrapper(live_server, CHAIRS, XML).queryAndConvert()
    names = [n.firstChild.data for n in document.getElementsByTagName("literal")]  # type: ignore[union-attr]
    assert names == CHAIR_NAMES
    text = wrapper(live_server, CHAIRS, CSV).queryAndConvert()
    rows = list(csv.reader(io.StringIO(text.decode())))  # type: ignore[union-attr]
    assert [r[0] for r in rows[1:]] == CHAIR_NAMES


def test_sparqlwrapper_ask_and_construct(live_server: LiveServer) -> None:
    ask = wrapper(live_server, f"ASK {{ <{SER}id/persoon/kim-putters> ?p ?o }}", JSON).queryAndConvert()
    assert ask["boolean"] is True  # type: ignore[index]
    turtle = wrapper(live_server, ABOUT_SER, TURTLE).queryAndConvert()
    graph = Graph().parse(data=turtle, format="turtle")
    assert (URIRef(f"{SER}id/organisatie/ser"), None, Literal("SER", lang="nl")) in graph


@pytest.mark.parametrize("query", [ABOUT_SER, f"DESCRIBE <{SER}id/organisatie/ser>",
                                   "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<id/organisatie/ser> AS ?s) ?s ?p ?o }"])
@pytest.mark.parametrize("fmt", [XML, RDFXML, JSONLD, N3, TURTLE])
def test_sparqlwrapper_in_its_default_mode_gets_graphs_in_every_format(live_server: LiveServer, query: str,
                                                                       fmt: str) -> None:
    """The default mode sends format=xml|rdf+xml|json-ld|n3 besides Accept (they were 406)."""
    sparql = wrapper(live_server, query, fmt)
    assert sparql.onlyConneg is False
    result = sparql.queryAndConvert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")  # type: ignore[arg-type]
    assert (URIRef(f"{SER}id/organisatie/ser"), None, Literal("SER", lang="nl")) in graph


def test_sparqlwrapper_in_its_default_mode_with_json_for_a_graph(live_server: LiveServer) -> None:
    sparql = wrapper(live_server, ABOUT_SER, JSON)
    with pytest.warns(RuntimeWarning, match="Accept header"):  # SPARQLWrapper's own: it asks for */*
        response = sparql.query()
    assert response.response.headers["content-type"].startswith("application/ld+json")
    graph = Graph().parse(data=response.response.read(), format="json-ld")
    assert (URIRef(f"{SER}id/organisatie/ser"), None, Literal("SER", lang="nl")) in graph


def test_sparqlwrapper_sees_syntax_errors_as_query_bad_format(live_server: LiveServer) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed, match="malformed"):
        wrapper(live_server, "SELECT * WHERE { ?s ?p }", JSON).queryAndConvert()


def test_rdflib_sparqlstore_select_ask_construct_and_triples(live_server: LiveServer) -> None:
    store = SPARQLStore(query_endpoint=f"{live_server.url}/sparql")
    graph = Graph(store=store)
    names = [str(row[0]) for row in graph.query(CHAIRS)]  # type: ignore[index]
    assert names == CHAIR_NAMES
    assert graph.query(f"ASK {{ <{SER}id/persoon/kim-putters> ?p ?o }}").askAnswer is True
    constructed = graph.query(ABOUT_SER).graph
    assert constructed is not None and len(constructed) == 6
    ser = URIRef(f"{SER}id/organisatie/ser")
    assert len(list(graph.triples((ser, None, None)))) == 6
    store.close()


def test_rdflib_sparqlstore_by_post(live_server: LiveServer) -> None:
    store = SPARQLStore(query_endpoint=f"{live_server.url}/sparql", method="POST")
    names = [str(row[0]) for row in Graph(store=store).query(CHAIRS)]  # type: ignore[index]
    assert names == CHAIR_NAMES
    store.close()


def curl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["curl", "--silent", "--show-error", "--max-time", "10", *args],
                          capture_output=True, text=True, check=True)


needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


@needs_curl
def test_curl_get_and_post(live_server: LiveServer) -> None:
    url = f"{live_server.url}/sparql"
    by_get = curl("--get", "--data-urlencode", f"query={CHAIRS}", "-H", "Accept: application/sparql-results+json", url)
    assert [b["name"]["value"] for b in json.loads(by_get.stdout)["results"]["bindings"]] == CHAIR_NAMES
    by_post = curl("--data-urlencode", f"query={CHAIRS}", "-H", "Accept: text/csv", url)
    assert by_post.stdout.splitlines()[1:] == CHAIR_NAMES
    direct = curl("-H", "Content-Type: application/sparql-query", "-H", "Accept: text/tab-separated-values",
                  "--data-binary", CHAIRS, url)
    assert direct.stdout.splitlines()[1] == '"Alexander Rinnooy Kan"'


@needs_curl
def test_curl_sees_status_and_headers(live_server: LiveServer) -> None:
    url = f"{live_server.url}/sparql"
    refused = curl("--include", "--data-urlencode", "update=CLEAR ALL", "-H", "Origin: https://elsewhere.example", url)
    assert refused.stdout.startswith("HTTP/1.1 403")
    assert "access-control-allow-origin: *" in refused.stdout.lower()
    description = curl("--include", "-H", "Accept: text/turtle", url)
    assert "sd:Service" in description.stdout
    assert "vary: accept" in description.stdout.lower()
