"""SPARQL 1.1 Protocol §2.1 on /sparql: the three ways to send a query, the dataset parameters, content
negotiation and the format parameter, conditional requests and CORS.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines

SER = "https://data.ser.nl/"
ADVIEZEN = f"SELECT ?a WHERE {{ ?a a <{SER}def/Advies> }} ORDER BY ?a"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ABOUT_SER = f"CONSTRUCT WHERE {{ <{SER}id/organisatie/ser> ?p ?o }}"
JSON = "application/sparql-results+json"


def bindings(response) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    assert response.status_code == 200, response.text
    return json.loads(response.text)["results"]["bindings"]  # type: ignore[no-any-return]


def test_query_by_get(client: TestClient) -> None:
    rows = bindings(client.get("/sparql", params={"query": ADVIEZEN}))
    assert len(rows) == 5
    assert rows[0]["a"]["value"] == f"{SER}id/advies/diversiteit-in-de-top"


def test_query_by_post_form(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": ADVIEZEN})
    assert len(bindings(response)) == 5


def test_query_by_post_directly(client: TestClient) -> None:
    response = client.post("/sparql", content=ADVIEZEN.encode(),
                           headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    assert len(bindings(response)) == 5


def test_default_graph_is_the_union_of_the_release_graphs(client: TestClient) -> None:
    rows = bindings(client.get("/sparql", params={"query": COUNT}))
    assert rows[0]["n"]["value"] == "182"


@pytest.mark.parametrize("method", ["get", "post-form", "post-direct"])
def test_default_graph_uri_selects_graphs(client: TestClient, method: str) -> None:
    dataset = {"default-graph-uri": f"{SER}graph/ontology"}
    if method == "get":
        response = client.get("/sparql", params={"query": COUNT, **dataset})
    elif method == "post-form":
        response = client.post("/sparql", data={"query": COUNT, **dataset})
    else:
        response = client.post("/sparql", params=dataset, content=COUNT,
                               headers={"Content-Type": "application/sparql-query"})
    assert bindings(response)[0]["n"]["value"] == "18"


def test_named_graph_uri_limits_the_named_graphs(client: TestClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    params = [("query", query), ("named-graph-uri", f"{SER}graph/data"), ("named-graph-uri", f"{SER}graph/metadata")]
    rows = bindings(client.get("/sparql", params=params))
    assert sorted(r["g"]["value"] for r in rows) == [f"{SER}graph/data", f"{SER}graph/metadata"]


def test_from_in_the_query_sets_the_dataset(client: TestClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{SER}graph/ontology> WHERE {{ ?s ?p ?o }}"
    assert bindings(client.get("/sparql", params={"query": query}))[0]["n"]["value"] == "18"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.4, application/sparql-results+xml;q=0.6", "application/sparql-results+xml"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_select_results_are_negotiated(client: TestClient, accept: str, media_type: str) -> None:
    response = client.get("/sparql", params={"query": ADVIEZEN}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    assert "diversiteit-in-de-top" in response.text


def test_each_result_format_parses(client: TestClient) -> None:
    params = {"query": ADVIEZEN}
    xml_body = client.get("/sparql", params={**params, "format": "xml"}).content
    assert len(ET.fromstring(xml_body).findall(".//{http://www.w3.org/2005/sparql-results#}result")) == 5
    rows = list(csv.reader(io.StringIO(client.get("/sparql", params={**params, "format": "csv"}).text)))
    assert rows[0] == ["a"] and len(rows) == 6
    tsv = client.get("/sparql", params={**params, "format": "tsv"}).text.splitlines()
    assert tsv[0] == "?a" and tsv[1].startswith("<https://")


@pytest.mark.parametrize(("fmt", "media_type"), [
    ("turtle", "text/turtle"), ("ntriples", "application/n-triples"), ("jsonld", "application/ld+json"),
    ("rdfxml", "application/rdf+xml"), ("trig", "application/trig"), ("nquads", "application/n-quads"),
])
def test_construct_in_every_rdf_format(client: TestClient, fmt: str, media_type: str) -> None:
    by_param = client.get("/sparql", params={"query": ABOUT_SER, "format": fmt})
    by_accept = client.get("/sparql", params={"query": ABOUT_SER}, headers={"Accept": media_type})
    for response in (by_param, by_accept):
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media_type
        oxfmt = ox.RdfFormat.from_media_type(media_type)
        triples = list(ox.parse(response.content, format=oxfmt))
        assert len(triples) == 6


def test_describe_defaults_to_turtle(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": f"DESCRIBE <{SER}id/persoon/kim-putters>"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert "Kim Putters" in response.text


def test_ask_answers_boolean_in_json_and_xml(client: TestClient) -> None:
    query = f"ASK {{ <{SER}id/persoon/kim-putters> ?p ?o }}"
    assert client.get("/sparql", params={"query": query}).json() == {"head": {}, "boolean": True}
    xml_body = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"})
    assert "<boolean>true</boolean>" in xml_body.text


@pytest.mark.parametrize(("query", "accept"), [
    (ADVIEZEN, "text/turtle"),  # a graph format for SELECT
    (ABOUT_SER, "application/sparql-results+json"),  # a result format for CONSTRUCT
    (ADVIEZEN, "image/png"),
    (ADVIEZEN, "application/sparql-results+json;q=0, text/html;q=0"),
])
def test_nothing_acceptable_is_406_with_the_choices(client: TestClient, query: str, accept: str) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    assert "format=" in response.text


@pytest.mark.parametrize(("fmt", "accept", "expected"), [
    ("csv", None, "text/csv"),
    ("csv", "*/*", "text/csv"),
    ("csv", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/csv"),  # a browser
    ("csv", JSON, JSON),  # the header can be satisfied, and excludes CSV: the header wins
    ("csv", f"{JSON}, text/csv;q=0.5", "text/csv"),
    ("nonsense", JSON, JSON),
    ("csv", "image/png", "text/csv"),  # a header nothing satisfies: the parameter is all there is
])
def test_a_format_parameter_never_overrules_an_accept_header_that_can_be_satisfied(
        client: TestClient, fmt: str, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": ADVIEZEN, "format": fmt}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected


def test_a_format_that_the_answer_cannot_have_is_406(client: TestClient) -> None:
    assert client.get("/sparql", params={"query": ADVIEZEN, "format": "turtle"}).status_code == 406
    assert client.get("/sparql", params={"query": ABOUT_SER, "format": "csv"}).status_code == 406


@pytest.mark.parametrize("query", [ABOUT_SER, f"DESCRIBE <{SER}id/organisatie/ser>"])
@pytest.mark.parametrize(("names", "media_type"), [
    (["xml"], "application/rdf+xml"),
    (["rdf+xml", "application/rdf+xml"], "application/rdf+xml"),  # SPARQLWrapper sends both
    (["json-ld", "application/ld+json"], "application/ld+json"),
    (["json"], "application/ld+json"),
    (["n3"], "text/turtle"),  # Turtle is N3
    (["turtle"], "text/turtle"),
])
def test_the_format_names_clients_send_for_graphs_are_understood(client: TestClient, query: str, names: list[str],
                                                                 media_type: str) -> None:
    params = [("query", query), *(("format", n) for n in names), *(("output", n) for n in names)]
    response = client.get("/sparql", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    oxfmt = {"application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD,
             "text/turtle": ox.RdfFormat.TURTLE}[media_type]
    subjects = {str(t.subject.value) for t in ox.parse(response.content, format=oxfmt)}
    assert f"{SER}id/organisatie/ser" in subjects


def test_relative_iris_are_resolved_against_the_base_iri(client: TestClient) -> None:
    relative = "SELECT ?label WHERE { <id/organisatie/ser> <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
    labels = {row["label"]["value"] for row in bindings(client.get("/sparql", params={"query": relative}))}
    assert "Sociaal-Economische Raad" in labels
    own_base = f"BASE <{SER}id/organisatie/>\nASK {{ <ser> ?p ?o }}"
    assert json.loads(client.get("/sparql", params={"query": own_base}).text)["boolean"] is True
    elsewhere = "BASE <http://elsewhere.example/>\nASK { <id/organisatie/ser> ?p ?o }"
    assert json.loads(client.get("/sparql", params={"query": elsewhere}).text)["boolean"] is False


def test_syntax_errors_name_the_line_of_the_query_as_sent(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT *\nWHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "at line 2, column" in response.text


def test_query_content_type_construct_of_the_w3c_protocol_tests(client: TestClient) -> None:
    """W3C SPARQL 1.1 protocol test query_content_type_construct: relative IRIs, no Accept header."""
    response = client.post("/sparql", content=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
                           headers={"Content-Type": "application/sparql-query", "Accept": ""})
    assert 200 <= response.status_code < 400, response.text
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in ("application/rdf+xml", "application/rdf+json", "text/turtle")
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    assert [(str(t.subject.value), str(t.predicate.value)) for t in triples] == [(f"{SER}s", f"{SER}p")]


def test_get_answer_has_etag_and_conditional_get_is_304(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": ADVIEZEN})
    etag = first.headers["etag"]
    assert etag.startswith('"0.0.0-fixture-')
    again = client.get("/sparql", params={"query": ADVIEZEN}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/sparql", params={"query": ADVIEZEN, "format": "csv"})
    assert other.headers["etag"] != etag


def test_if_none_match_is_read_as_a_list_of_tags_not_searched_as_text(client: TestClient) -> None:
    """If-None-Match is ``*`` or a list of whole tags (RFC 9110 §13.1.2), for answers and the description."""
    etag = client.get("/sparql", params={"query": ADVIEZEN}).headers["etag"]
    for header, status in ((f'"other", W/{etag}', 304), ("*", 304), (f'"other"{etag}', 200), ('"other"', 200)):
        answer = client.get("/sparql", params={"query": ADVIEZEN}, headers={"If-None-Match": header})
        assert answer.status_code == status, header
    tag = client.get("/sparql", headers={"Accept": "text/turtle"}).headers["etag"]
    for header, status in (("*", 304), (f'"other"{tag}', 200)):
        described = client.get("/sparql", headers={"Accept": "text/turtle", "If-None-Match": header})
        assert described.status_code == status, header


def test_repeated_query_is_served_from_the_release_cache(client: TestClient) -> None:
    query = ADVIEZEN + " # cache probe"
    cache = client.app.context.cache  # type: ignore[attr-defined]
    hits = cache.hits
    first = client.get("/sparql", params={"query": query})
    second = client.get("/sparql", params={"query": query})
    assert first.content == second.content
    assert cache.hits == hits + 1


def test_cors_allows_any_origin_on_get_and_post(client: TestClient) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    for response in (client.get("/sparql", params={"query": ADVIEZEN}, headers=origin),
                     client.post("/sparql", data={"query": ADVIEZEN}, headers=origin),
                     client.get("/sparql", params={"query": "SELECT * {"}, headers=origin)):
        assert response.headers["access-control-allow-origin"] == "*"
        assert "SER-KG-Truncated" in response.headers["access-control-expose-headers"]


def test_cors_preflight_allows_post_with_sparql_query_body(client: TestClient) -> None:
    response = client.options("/sparql", headers={
        "Origin": "https://elsewhere.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    })
    assert response.status_code == 204
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == "content-type"
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", ""])
def test_post_with_another_body_type_is_415(client: TestClient, content_type: str) -> None:
    response = client.post("/sparql", content=ADVIEZEN, headers={"Content-Type": content_type})
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


def test_two_queries_are_a_protocol_error(client: TestClient) -> None:
    response = client.get("/sparql", params=[("query", ADVIEZEN), ("query", COUNT)])
    assert response.status_code == 400
    assert "exactly one" in response.text


def test_post_without_query_is_400(client: TestClient) -> None:
    response = client.post("/sparql", data={"format": "json"})
    assert response.status_code == 400


def test_result_headers_name_the_limit_and_release(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": ADVIEZEN})
    assert response.headers["ser-kg-truncated"] == "false"
    assert response.headers["ser-kg-result-limit"] == "10000"
    assert response.headers["ser-kg-release"] == "0.0.0-fixture"


def test_large_answer_arrives_whole_through_a_running_server(live_server) -> None:  # type: ignore[no-untyped-def]
    import httpx

    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 9000"  # about 2 MB of JSON from the worker
    with httpx.Client(base_url=live_server.url, timeout=30) as http:
        for _ in range(3):
            response = http.get("/sparql", params={"query": query + f" # {_}"})
            assert response.status_code == 200
            assert len(response.json()["results"]["bindings"]) == 9000


def test_identical_queries_at_once_run_once(client: TestClient) -> None:
    """Six clients send one query while it runs: it runs once and all six get its answer. The run is
    held until the other five wait for it, so nothing depends on how long the query takes."""
    import asyncio

    import httpx

    app = client.app
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # coalesced"
    pool = app.context.pool  # type: ignore[attr-defined]
    runs = 0
    real_run = pool.run
    release = asyncio.Event()

    async def held_run(job):  # type: ignore[no-untyped-def]
        nonlocal runs
        runs += 1
        await release.wait()
        return await real_run(job)

    async def scenario() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:

            async def coalesced() -> float:
                text = (await http.get("/-/metrics")).text
                found = re.search(r"^ser_kg_sparql_coalesced_total(?:\{[^}]*\})? ([0-9.e+]+)$", text, re.M)
                return float(found.group(1)) if found else 0.0

            before = await coalesced()
            requests = [asyncio.create_task(http.get("/sparql", params={"query": query})) for _ in range(6)]
            for _ in range(12000):  # a hang guard of about two minutes, not a speed test
                if await coalesced() - before >= 5:
                    break
                await asyncio.sleep(0.01)
            release.set()
            responses = await asyncio.gather(*requests)
        return [r.status_code for r in responses]

    pool.run = held_run
    try:
        statuses = asyncio.run(scenario())
    finally:
        del pool.run
    assert statuses == [200] * 6
    assert runs == 1
