"""The endpoint on the open internet: read-only, no outbound requests, a hard time limit, a visible
result cap, bounded requests, and 4xx (never 5xx) for bad input. One test per case.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.errors import QueryTimeout
from server.rdf import sparql_policy
from server.web.sparql.endpoint import INLINE_POLICY_CHARS
from tests.conftest import LiveServer, Recorder

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?q ?r ?t }"
LOOKUP = "SELECT ?p ?o WHERE { <https://data.ser.nl/id/organisatie/ser> ?p ?o }"
ALL = "SELECT * WHERE { ?s ?p ?o }"


# Far above what any ordinary query needs, however loaded the machine: the tests that are not about
# the time limit never depend on how fast the machine is.
PATIENCE = 120.0


@pytest.fixture(scope="module")
def limited_app(make_app: Callable[..., FastAPI]) -> FastAPI:
    return make_app(query_timeout=PATIENCE, result_limit=5, max_query_length=300, max_body_bytes=1000)


@pytest.fixture
def limited(limited_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(limited_app) as test_client:
        yield test_client


@pytest.fixture
def timed(make_app: Callable[..., FastAPI]) -> Iterator[TestClient]:
    """A time limit that the runaway query, which would run for hours, always reaches."""
    with TestClient(make_app(query_timeout=1.0)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def limited_server(limited_app: FastAPI) -> Iterator[LiveServer]:
    with LiveServer(limited_app) as server:
        yield server


# --- read-only ------------------------------------------------------------------------------------

UPDATE = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(lambda c: c.get("/sparql", params={"update": UPDATE}), id="GET update="),
        pytest.param(lambda c: c.get("/sparql", params={"query": UPDATE}), id="GET query=INSERT"),
        pytest.param(lambda c: c.get("/sparql", params={"query": "LOAD <http://127.0.0.1:9/x>"}), id="GET LOAD"),
        pytest.param(lambda c: c.get("/sparql", params={"query": ALL, "update": "CLEAR ALL"}), id="GET both"),
        pytest.param(lambda c: c.post("/sparql", data={"update": UPDATE}), id="POST form update="),
        pytest.param(lambda c: c.post("/sparql", data={"query": "DROP ALL"}), id="POST form query=DROP"),
        pytest.param(lambda c: c.post("/sparql", content=UPDATE,
                                      headers={"Content-Type": "application/sparql-update"}), id="POST update body"),
        pytest.param(lambda c: c.post("/sparql", content="DELETE WHERE { ?s ?p ?o }",
                                      headers={"Content-Type": "application/sparql-query"}), id="POST query body"),
        pytest.param(lambda c: c.post("/sparql?update=CLEAR%20ALL", data={"query": ALL}), id="POST update in URL"),
    ],
)
def test_update_is_refused_through_every_parameter(client: TestClient, send) -> None:  # type: ignore[no-untyped-def]
    response = send(client)
    assert response.status_code == 403
    assert "read-only" in response.text
    count = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    assert count["results"]["bindings"][0]["n"]["value"] == "182"  # nothing changed


# --- no outbound request --------------------------------------------------------------------------


def _outbound_attempts(target: str) -> list[tuple[str, dict[str, str]]]:
    return [
        ("SERVICE", {"query": f"SELECT * WHERE {{ SERVICE <{target}sparql> {{ ?s ?p ?o }} }}"}),
        ("SERVICE SILENT", {"query": f"SELECT * WHERE {{ SERVICE SILENT <{target}sparql> {{ ?s ?p ?o }} }}"}),
        ("LOAD", {"query": f"LOAD <{target}data.ttl>"}),
        ("FROM", {"query": f"SELECT * FROM <{target}data.ttl> WHERE {{ ?s ?p ?o }}"}),
        ("FROM NAMED", {"query": f"SELECT * FROM NAMED <{target}g.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}),
        ("default-graph-uri", {"query": ALL, "default-graph-uri": f"{target}data.ttl"}),
        ("named-graph-uri", {"query": ALL, "named-graph-uri": f"{target}g.ttl"}),
    ]


def test_nothing_reaches_a_local_server_through_the_endpoint(live_server: LiveServer,
                                                             http_recorder: Recorder) -> None:
    with httpx.Client(base_url=live_server.url) as http:
        for name, params in _outbound_attempts(http_recorder.url):
            for response in (http.get("/sparql", params=params), http.post("/sparql", data=params)):
                assert response.status_code in (400, 403), name
                assert any(word in response.text for word in ("never", "read-only")), response.text
    time.sleep(0.2)
    assert http_recorder.requests == []


@pytest.mark.parametrize(("name", "expected"), [
    ("SERVICE", "SERVICE at 1:18 is not allowed: this endpoint never sends requests"),
    ("FROM", "only the graphs of this release can be named"),
    ("default-graph-uri", "default-graph-uri=http://127.0.0.1:9/data.ttl is not allowed"),
])
def test_outbound_refusals_say_why(client: TestClient, name: str, expected: str) -> None:
    params = dict(_outbound_attempts("http://127.0.0.1:9/"))[name]
    response = client.get("/sparql", params=params)
    assert response.status_code == 400
    assert expected in response.text



@pytest.mark.parametrize("padding", [0, 600])  # either side of the length inspected on the event loop
def test_the_policy_refuses_alike_short_and_long_queries(client: TestClient, padding: int) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }" + "\n#" + "x" * padding
    assert (len(query) > INLINE_POLICY_CHARS) == bool(padding)
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "SERVICE at 1:18 is not allowed" in response.text

# --- the time limit -------------------------------------------------------------------------------


def test_query_over_the_limit_gets_503_naming_the_setting(timed: TestClient) -> None:
    response = timed.get("/sparql", params={"query": RUNAWAY})
    assert response.status_code == 503
    assert "query_timeout" in response.text and "SER_KG_QUERY_TIMEOUT" in response.text
    assert timed.get("/sparql", params={"query": LOOKUP}).status_code == 200


def test_other_clients_are_served_while_a_runaway_query_is_stopped(limited_server: LiveServer) -> None:
    """The runaway really runs on the engine until the test lets it be stopped, as the time limit would
    stop it (the limit itself: the test above). Lookups are answered while it runs, while it is stopped
    and while its worker is replaced; nothing here depends on how fast the machine is."""
    pool = limited_server.app.context.pool
    real_run = pool.run
    running, release = threading.Event(), threading.Event()

    async def held_run(job):  # type: ignore[no-untyped-def]
        if RUNAWAY not in job.query:  # the endpoint may declare a BASE before it
            return await real_run(job)
        task = asyncio.create_task(real_run(job))
        running.set()
        while not release.is_set():
            await asyncio.sleep(0.01)
        task.cancel()  # kills the worker, as the time limit does
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise QueryTimeout("the query ran longer than the limit (setting query_timeout) and was stopped")

    runaway: dict[str, httpx.Response] = {}

    def send_runaway() -> None:
        with httpx.Client(base_url=limited_server.url, timeout=PATIENCE) as http:
            runaway["response"] = http.get("/sparql", params={"query": RUNAWAY})

    pool.run = held_run
    thread = threading.Thread(target=send_runaway)
    try:
        thread.start()
        assert running.wait(PATIENCE)
        with httpx.Client(base_url=limited_server.url, timeout=PATIENCE) as http:
            during = [http.get("/sparql", params={"query": LOOKUP + f" # {i}"}).status_code for i in range(10)]
            in_process = pool.cheap_jobs  # a lookup with a LIMIT is proven cheap: no worker needed
            cheap = [http.get("/sparql", params={"query": LOOKUP + f" LIMIT 5 # {i}"}).status_code for i in range(10)]
            assert pool.cheap_jobs - in_process == 10
            assert thread.is_alive()
            release.set()
            after = [http.get("/sparql", params={"query": LOOKUP + f" # after {i}"}).status_code
                     for i in range(10)]
        thread.join(PATIENCE)
    finally:
        release.set()
        del pool.run
    assert during == cheap == after == [200] * 10
    assert runaway["response"].status_code == 503


# --- the event loop -------------------------------------------------------------------------------


def test_health_answers_while_a_long_query_is_being_checked(make_app: Callable[..., FastAPI],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The policy's work grows with the query, so it runs off the event loop: while one query of the
    longest kind allowed is held in the check, /-/health (and so every other route) is answered."""
    checking, release = threading.Event(), threading.Event()
    released: list[bool] = []
    real_inspect = sparql_policy.inspect

    def held_inspect(query: str, graphs: Iterable[str]) -> sparql_policy.QueryShape:
        if "# held" in query:
            checking.set()
            released.append(release.wait(PATIENCE))  # False: nobody could answer /-/health meanwhile
        return real_inspect(query, graphs)

    monkeypatch.setattr(sparql_policy, "inspect", held_inspect)
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # held " + "a." * 9000
    with TestClient(make_app()) as client, ThreadPoolExecutor(1) as background:
        pending = background.submit(client.get, "/sparql", params={"query": query})
        assert checking.wait(PATIENCE)
        health = client.get("/-/health")
        release.set()
        answer = pending.result()
    assert health.status_code == 200
    assert released == [True]
    assert answer.status_code == 200


# --- the result cap -------------------------------------------------------------------------------


def test_answer_over_the_result_limit_is_cut_and_flagged(limited: TestClient) -> None:
    response = limited.get("/sparql", params={"query": ALL})
    assert response.status_code == 200
    assert response.headers["ser-kg-truncated"] == "true"
    assert response.headers["ser-kg-result-limit"] == "5"
    assert len(response.json()["results"]["bindings"]) == 5


def test_graph_over_the_result_limit_is_cut_and_flagged(limited: TestClient) -> None:
    response = limited.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "ntriples"})
    assert response.headers["ser-kg-truncated"] == "true"
    assert len(response.text.strip().splitlines()) == 5


def test_answer_at_the_limit_is_not_flagged(limited: TestClient) -> None:
    query = "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 } }"
    response = limited.get("/sparql", params={"query": query})
    assert response.headers["ser-kg-truncated"] == "false"
    assert len(response.json()["results"]["bindings"]) == 5


# --- request size ---------------------------------------------------------------------------------


def test_long_query_in_the_url_is_414(limited: TestClient) -> None:
    response = limited.get("/sparql", params={"query": ALL + " " * 300})
    assert response.status_code == 414
    assert "max_query_length" in response.text


def test_long_query_in_a_body_is_413(limited: TestClient) -> None:
    response = limited.post("/sparql", content=ALL + "#" * 400, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert "max_query_length" in response.text


def test_large_body_is_413(limited: TestClient) -> None:
    response = limited.post("/sparql", data={"query": ALL, "padding": "x" * 2000})
    assert response.status_code == 413
    assert "max_body_bytes" in response.text


def test_large_chunked_body_is_413(limited: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"query=" + b"x" * 100

    response = limited.post("/sparql", content=chunks(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


# --- bad input: 4xx with the parser's message, never 5xx ------------------------------------------


def test_malformed_query_is_400_with_the_position(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE {\n  ?s ?p\n}"})
    assert response.status_code == 400
    assert re.search(r"malformed at line 3, column \d+ \(3:\d+\): expected", response.text)
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(lambda c: c.get("/sparql", params={"query": ""}), id="empty query"),
        pytest.param(lambda c: c.get("/sparql", params={"query": "# only a comment"}), id="comment only"),
        pytest.param(lambda c: c.get("/sparql", params={"query": "SELECT * {\x00}"}), id="NUL"),
        pytest.param(lambda c: c.get("/sparql", params={"query": "SELECT * { ?s ?p 'unterminated }"}), id="quote"),
        pytest.param(lambda c: c.get("/sparql", params={"query": "SELECT * WHERE " + "{" * 190}), id="open braces"),
        pytest.param(lambda c: c.get("/sparql", params={"query": "SELECT * WHERE { FILTER(" + "(" * 3000 + ") }"}),
                     id="deep nesting"),
        pytest.param(lambda c: c.get("/sparql", params={"query": "SELECT * {} LIMIT 99999999999999999999999"}),
                     id="huge limit"),
        pytest.param(lambda c: c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o FILTER(REGEX(?o, '(')) }"}),
                     id="bad regex"),
        pytest.param(lambda c: c.get("/sparql", params={"query": "SELECT (<http://x/f>(1) AS ?x) {}"}),
                     id="unknown function"),
        pytest.param(lambda c: c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }", "format": "\x00"}),
                     id="odd format"),
        pytest.param(lambda c: c.get("/sparql", params={"query": ALL}, headers={"Accept": ";;;" * 5000}),
                     id="garbage accept"),
        pytest.param(lambda c: c.post("/sparql", content=b"query=%FF%FE", headers={
            "Content-Type": "application/x-www-form-urlencoded"}), id="bad percent-encoding"),
        pytest.param(lambda c: c.post("/sparql", content=b"SELECT \xff\xfe", headers={
            "Content-Type": "application/sparql-query"}), id="invalid UTF-8"),
        pytest.param(lambda c: c.post("/sparql", content="&".join(f"k{i}=v" for i in range(100)), headers={
            "Content-Type": "application/x-www-form-urlencoded"}), id="many fields"),
        pytest.param(lambda c: c.get("/sparql", params={"query": "SELECT * {}", "default-graph-uri": "not an iri"}),
                     id="bad graph"),
        pytest.param(lambda c: c.get("/sparql", params={"query": 'SELECT (STRDT("x", <http://www.w3.org/2001/'
                                                                 'XMLSchema#integer>) + 1 AS ?y) {}'}),
                     id="type error"),
    ],
)
def test_bad_input_never_gets_a_5xx(client: TestClient, send) -> None:  # type: ignore[no-untyped-def]
    response = send(client)
    assert response.status_code < 500, response.text
    assert response.status_code != 200 or json.loads(response.text)
