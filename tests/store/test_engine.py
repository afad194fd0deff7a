"""One query to a remote engine and its answer, against a small fake engine on loopback: kept-alive
connections, a connection the engine closed, the deadline, the size cap, credentials and bad URLs.
Every case runs both ways a query travels (``server.store.remote.engine``): from a thread (the trusted queries
of pages) and on the event loop (the public endpoint's).
(The real engines are in tests/remote.)
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs

import pytest

from server.errors import EngineFailed, EngineUnreachable, QueryRejected, QueryTimeout, StoreError
from server.store.remote.engine import Connections, Engine, Parsed, Solutions, fetch, fetch_async

ANSWER = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [
    {"n": {"type": "literal", "value": "7", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}).encode()


class FakeEngine(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections alive unless told otherwise
    connections: ClassVar[list[tuple[str, int]]] = []  # one per connection opened
    forms: ClassVar[list[dict[str, list[str]]]] = []  # one per request
    authorizations: ClassVar[list[str]] = []  # the Authorization header of each request
    encodings: ClassVar[list[str]] = []  # the Accept-Encoding header of each request
    released: ClassVar[threading.Event] = threading.Event()  # /slow answers only once this is set

    def setup(self) -> None:
        super().setup()
        FakeEngine.connections.append(self.client_address)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeEngine.forms.append(parse_qs(body.decode()))
        FakeEngine.authorizations.append(self.headers.get("Authorization", ""))
        FakeEngine.encodings.append(self.headers.get("Accept-Encoding", ""))
        if self.path == "/slow":  # answers nothing: the client has given up by the time it is released
            FakeEngine.released.wait(120)
            self.close_connection = True
            return
        if self.path == "/syntax":
            return self._send(400, b"Parse error at line 1", "text/plain")
        if self.path == "/locked":
            challenge = 'Digest realm="engine", nonce="n0", qop="auth"'
            return self._send(401, b"", "text/plain", {"WWW-Authenticate": challenge})
        if self.path == "/large":
            return self._send(200, b" " * 5000 + ANSWER, "application/sparql-results+json")
        if self.path == "/anytime":  # Virtuoso at its own timeout: the rows so far, as a 200
            return self._send(200, ANSWER, "application/sparql-results+json", {"X-SQL-State": "S1TAT"})
        if self.path == "/partial":
            return self._send(206, ANSWER, "application/sparql-results+json")
        if self.path == "/broken":
            return self._send(500, b"Internal error: the disk is full", "text/plain")
        if self.path == "/estimated":  # Virtuoso at MaxQueryCostEstimationTime, before it starts
            return self._send(500, b"Virtuoso 42000 Error The estimated execution time 2303 (sec) exceeds the "
                                   b"limit of 400 (sec).", "text/plain")
        if self.path == "/capped":  # Virtuoso at its ResultSetMaxRows: that many rows, and a header
            return self._send(200, ANSWER, "application/sparql-results+json", {"X-SPARQL-MaxRows": "1"})
        if self.path == "/gzip":
            return self._send(200, ANSWER, "application/sparql-results+json", {"Content-Encoding": "gzip"})
        if self.path == "/moved":
            return self._send(302, b"", "text/plain", {"Location": "/query"})
        if self.path == "/turtle":
            return self._send(200, b"<a> <b> <c> .", "text/turtle")
        self._send(200, ANSWER, "application/sparql-results+json")
        if self.path == "/hang-up":  # closes the kept-alive connection without saying so, as a restart does
            self.close_connection = True

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def fake() -> Iterator[str]:
    FakeEngine.connections, FakeEngine.forms, FakeEngine.authorizations, FakeEngine.encodings = [], [], [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeEngine)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


QUERY, DATASET = "SELECT (7 AS ?n) {}", "default-graph-uri=urn%3Ag"


class Client:
    """Sends queries to one engine by one of the two paths, over one pool of connections."""

    def __init__(self, way: str, engine: Engine) -> None:
        self.way = way
        self.connections = Connections(engine)

    def fetch(self, query: str = QUERY, dataset: str = DATASET) -> Parsed:
        if self.way == "thread":
            return fetch(self.connections, query, dataset, triples=False)
        return asyncio.run(fetch_async(self.connections, query, dataset, triples=False))

    def close(self) -> None:
        self.connections.close()


@pytest.fixture(params=["thread", "event loop"])
def way(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def ask(way: str, url: str, timeout: float = 5, **engine: Any) -> object:
    client = Client(way, Engine(url, timeout, **engine))
    try:
        return client.fetch()
    finally:
        client.close()


def test_queries_share_one_kept_alive_connection_and_carry_the_dataset(fake: str, way: str) -> None:
    client = Client(way, Engine(f"{fake}/query", 5, timeout_parameter="timeout"))
    try:
        for _ in range(20):
            answer = client.fetch()
            assert isinstance(answer, Solutions) and answer.rows[0][0].value == "7"
    finally:
        client.close()
    assert len(FakeEngine.connections) == 1
    assert FakeEngine.forms[0] == {"query": [QUERY], "default-graph-uri": ["urn:g"], "timeout": ["5000"]}


def test_a_connection_the_engine_closed_is_retried_once_on_a_new_one(fake: str, way: str) -> None:
    client = Client(way, Engine(f"{fake}/hang-up", 5))
    try:
        for _ in range(3):
            assert isinstance(client.fetch(query=QUERY, dataset=""), Solutions)
    finally:
        client.close()
    assert len(FakeEngine.connections) == 3


def test_engine_past_the_deadline_is_a_timeout_naming_the_setting(fake: str, way: str) -> None:
    FakeEngine.released.clear()
    try:
        with pytest.raises(QueryTimeout, match="SER_KG_QUERY_TIMEOUT"):
            ask(way, f"{fake}/slow", timeout=0.3)
    finally:
        FakeEngine.released.set()


def test_answer_past_the_size_cap_is_refused(fake: str, way: str) -> None:
    with pytest.raises(StoreError, match="add a LIMIT"):
        ask(way, f"{fake}/large", max_answer_bytes=1000, chunk_bytes=100)


@pytest.mark.parametrize("path", ["/anytime", "/partial"])
def test_answer_the_engine_cut_at_its_own_limit_is_a_timeout_never_a_result(fake: str, path: str, way: str) -> None:
    with pytest.raises(QueryTimeout, match="SER_KG_QUERY_TIMEOUT"):
        ask(way, f"{fake}{path}")


def test_engine_error_is_503_quoting_the_engine_but_the_engine_is_not_unreachable(fake: str, way: str) -> None:
    with pytest.raises(EngineFailed, match="answered 500: Internal error: the disk is full") as raised:
        ask(way, f"{fake}/broken")
    assert not isinstance(raised.value, EngineUnreachable) and raised.value.status == 500


def test_engine_that_estimates_the_query_too_long_is_a_timeout(fake: str, way: str) -> None:
    with pytest.raises(QueryTimeout, match=r"estimates that the query would run past its time limit \(Virtuoso"):
        ask(way, f"{fake}/estimated")


def test_answer_the_engine_cut_at_its_row_cap_is_marked_cut(fake: str, way: str) -> None:
    answer = ask(way, f"{fake}/capped")
    assert isinstance(answer, Solutions) and answer.cut
    answer = ask(way, f"{fake}/query")
    assert isinstance(answer, Solutions) and not answer.cut


def test_compressed_answer_is_refused_since_none_was_asked_for(fake: str, way: str) -> None:
    with pytest.raises(StoreError, match="Content-Encoding gzip, though asked for none"):
        ask(way, f"{fake}/gzip")
    assert FakeEngine.encodings == ["identity"]


def test_engine_refusal_and_foreign_formats_are_named(fake: str, way: str) -> None:
    with pytest.raises(QueryRejected, match="the SPARQL engine refused the query: Parse error at line 1"):
        ask(way, f"{fake}/syntax")
    with pytest.raises(StoreError, match="answered in text/turtle; it must offer application/sparql-results"):
        ask(way, f"{fake}/turtle")


def test_engine_that_wants_credentials_answers_401_and_gets_them_when_set(fake: str, way: str) -> None:
    with pytest.raises(StoreError, match=r"answered 401"):
        ask(way, f"{fake}/locked")
    assert FakeEngine.authorizations == [""]  # no credentials set: none sent
    # With credentials the query is sent again through httpx, which answers the digest challenge. This
    # fake accepts no one, so the 401 stays; what counts is the answer to the challenge.
    with pytest.raises(StoreError, match=r"answered 401"):
        ask(way, f"{fake}/locked", user="reader", password="secret")
    assert FakeEngine.authorizations[-1].startswith('Digest username="reader", realm="engine", nonce="n0"')
    assert "secret" not in "".join(FakeEngine.authorizations)


def test_a_redirect_is_not_followed(fake: str, way: str) -> None:
    with pytest.raises(EngineFailed, match="answered 302") as raised:
        ask(way, f"{fake}/moved")
    assert raised.value.status == 302 and len(FakeEngine.forms) == 1  # /query was never asked


def test_engine_that_is_not_there_is_503_naming_it(way: str) -> None:
    with pytest.raises(EngineUnreachable, match=r"the SPARQL engine at http://127.0.0.1:9/sparql does not answer"):
        ask(way, "http://127.0.0.1:9/sparql")


@pytest.mark.parametrize("url", ["ftp://engine/sparql", "engine:8890/sparql", "http:///sparql"])
def test_store_url_that_is_no_http_url_names_the_setting(url: str) -> None:
    with pytest.raises(StoreError, match="store_url"):
        Connections(Engine(url, 1))
