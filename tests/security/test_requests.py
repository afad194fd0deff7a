"""Oversized and malformed requests, invalid UTF-8 and pathological Accept headers: each gets a 4xx
with a message (or an answer), never a 500, and the server goes on serving.

Raw requests go over a socket to uvicorn (the HTTP parser the server runs behind); the others through
httpx. Every socket read has a timeout, so a request that would hang the server fails the test.
"""

from __future__ import annotations

import socket

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.web.security import MAX_PATH_BYTES
from tests.conftest import LiveServer


def raw(server: LiveServer, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while len(answer) < 65536:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
            if b"\r\n\r\n" in answer:
                break
    return answer


MALFORMED = {
    "garbage request line": b"GARBAGE\r\n\r\n",
    "header without a colon": b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
    "NUL in the path": b"GET /doc/\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    "raw invalid UTF-8 in the path": b"GET /doc/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
    "space in the path": b"GET /doc/a b HTTP/1.1\r\nHost: x\r\n\r\n",
    "a URL of a megabyte": b"GET /" + b"a" * 1_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "Content-Length and Transfer-Encoding (smuggling)": (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    "two Content-Lengths": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc",
    "Content-Length not a number": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    "negative Content-Length": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "unknown Transfer-Encoding": b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, zork\r\n\r\n",
    "bad chunk size": (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\nZZ\r\nASK {}\r\n0\r\n\r\n"),
    "HTTP/2 preface on HTTP/1": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "unknown version": b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_request_gets_a_4xx(live_server: LiveServer, name: str) -> None:
    answer = raw(live_server, MALFORMED[name])
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None
    assert (status is not None and 400 <= status < 500) or answer == b"", answer[:200]
    assert b"Traceback" not in answer
    assert httpx.get(live_server.url + "/-/health", timeout=10).status_code == 200


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "DELETE", "PUT", "PATCH", "FOO"])
def test_other_methods_get_405_or_404(client: TestClient, method: str) -> None:
    for path in ("/", "/sparql", "/doc/organisatie/ser", "/downloads/"):
        assert client.request(method, path).status_code in (404, 405), (method, path)


INVALID_UTF8 = [
    "/doc/%ff%fe", "/id/organisatie/%c3%28", "/def/%80", "/classes/ser:%ff", "/classes/%ed%a0%80:x",
    "/search?q=%ff%fe", "/search?q=ser&type=%c3%28", "/search?q=ser&limit=%ff",
    "/sparql?query=SELECT%20%ff%20WHERE%20%7B%7D", "/sparql?query=ASK%7B%7D&format=%ff",
    "/sparql?query=ASK%7B%7D&default-graph-uri=%ff", "/downloads/%ff/%fe", "/downloads/latest/%c0%af",
    "/reconcile?queries=%ff", "/reconcile/suggest/entity?prefix=%ff", "/reconcile/preview?id=%ff",
    "/reconcile/view?id=%c3%28", "/.well-known/void?format=%ff", "/?lang=%ff", "/static/%ff.css",
]


@pytest.mark.parametrize("path", INVALID_UTF8)
def test_invalid_utf8_in_a_url_is_never_a_5xx(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code < 500, response.text[:300]
    if path.startswith("/sparql?query=SELECT"):
        assert response.status_code == 400


@pytest.mark.parametrize("header", [b"Accept", b"Accept-Language", b"Cookie", b"If-None-Match",
                                    b"If-Modified-Since", b"Range", b"Content-Type", b"Origin"])
def test_invalid_utf8_in_a_header_is_never_a_5xx(live_server: LiveServer, header: bytes) -> None:
    for path in (b"/", b"/doc/organisatie/ser", b"/sparql?query=ASK%7B%7D", b"/search?q=ser"):
        answer = raw(live_server, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n" + header + b": \xff\xfe\xc3\x28\r\n"
                     b"Connection: close\r\n\r\n")
        status = int(answer.split(b" ", 2)[1])
        assert status < 500, (header, path, answer[:300])


@pytest.mark.parametrize(("path", "content_type", "body"), [
    ("/sparql", "application/x-www-form-urlencoded", b"query=ASK%7B%7D&format=\xff"),
    ("/sparql", "application/sparql-query; charset=latin-1", b"ASK { ?s ?p \"\xe9\" }"),
    ("/reconcile", "application/x-www-form-urlencoded", b"queries=\xff\xfe"),
    ("/reconcile", "application/x-www-form-urlencoded", b"queries=%7B%22q0%22%3A%7B%22query%22%3A%22%ff%22%7D%7D"),
])
def test_invalid_utf8_in_a_body_is_a_4xx(client: TestClient, path: str, content_type: str, body: bytes) -> None:
    response = client.post(path, content=body, headers={"Content-Type": content_type})
    assert 400 <= response.status_code < 500 or response.status_code == 200, response.text[:300]
    assert response.status_code < 500


ACCEPTS = [
    "text/turtle;q=1e999", "text/turtle;q=nan", "text/turtle;q=-1", "text/turtle;q=2", "*/*;q=0.5;q=0.6",
    "text/html;level=1;level=2;" + "x=y;" * 500, ";" * 2000, "," * 4000, "*/" * 1000, "text/*" * 800,
    "*/*;q=0", "application/sparql-results+json;q=0.1, " * 200, "\t text/html \t", "TEXT/HTML",
    "text/html;q=0.", "text/html;q=.5", "text/html;q=0.5e1", 'text/html;a="b;q=1"', "ünïcödé/type",
]


@pytest.mark.parametrize("accept", ACCEPTS)
def test_pathological_accept_headers_are_answered(client: TestClient, accept: str) -> None:
    for path in ("/doc/organisatie/ser", "/sparql?query=ASK%7B%7D", "/sparql", "/search?q=ser", "/",
                 "/doc/organisatie/nobody", "/id/organisatie/ser"):
        response = client.get(path, headers={"Accept": accept.encode()}, follow_redirects=False)
        assert response.status_code in (200, 303, 404, 406, 431), (path, response.status_code, response.text[:200])
        if response.status_code == 406:
            assert "available" in response.text.lower(), response.text


@pytest.mark.parametrize(("headers", "statuses"), [
    ({"Range": "bytes=999999999-1"}, {416, 200}),
    ({"Range": "bytes=-0"}, {416, 200}),
    ({"Range": "bytes=" + ",".join(f"{i}-{i}" for i in range(1000))}, {200, 206, 416}),
    ({"Range": "lines=1-2"}, {200, 400, 416}),
    ({"If-Modified-Since": "not a date"}, {200}),
    ({"If-Modified-Since": "Mon, 99 Zzz 99999 99:99:99 GMT"}, {200}),
    ({"If-None-Match": "\"" * 3000}, {200}),
    ({"If-Range": "garbage", "Range": "bytes=0-1"}, {200, 206}),
])
def test_odd_conditional_and_range_headers_on_downloads(hostile: TestClient, headers: dict[str, str],
                                                         statuses: set[int]) -> None:
    response = hostile.get("/downloads/6.6.6/ser.nq", headers=headers)
    assert response.status_code in statuses, (response.status_code, response.text[:200])


@pytest.mark.parametrize(("path", "params"), [
    ("/classes/ser:Advies", {"page": "9" * 5000}),  # int() refuses more than 4,300 digits
    ("/classes/ser:Advies", {"page": "-1"}),
    ("/classes/ser:Advies", {"page": "²"}),  # a digit to str.isdigit(), not to int() (found by fuzzing)
    ("/search", {"q": "x" * 8000, "limit": "9" * 5000}),
    ("/search", {"q": "ser", "limit": "-5"}),
    ("/search", {"q": "ser", "limit": "²"}),
    ("/search", {"q": "ser", "limit": "٣"}),  # ARABIC-INDIC DIGIT THREE: int() takes it
    ("/reconcile/suggest/entity", {"prefix": "s", "cursor": "9" * 5000}),
    ("/reconcile/suggest/entity", {"prefix": "s", "cursor": "²"}),
    ("/reconcile/properties", {"limit": "9" * 5000}),
    ("/reconcile/properties", {"limit": "¹"}),
    ("/reconcile", {"queries": "[" * 5000 + "]" * 5000}),
    ("/reconcile", {"queries": '{"q0":' * 2000 + "1" + "}" * 2000}),
    ("/reconcile", {"queries": '{"q0": {"query": "' + "x" * 7000 + '", "limit": 99999999999999999999}}'}),
    ("/reconcile", {"extend": '{"ids": ' + "[" * 5000 + "]" * 5000 + "}"}),
    ("/reconcile", {"queries": '{"q0": {"query": "ser", "type": ' + "[" * 900 + "]" * 900 + "}}"}),
    ("/sparql", {"query": "ASK {}", "format": "x" * 5000}),
])
def test_oversized_parameters_are_answered_with_a_4xx_or_an_answer(client: TestClient, path: str,
                                                                    params: dict[str, str]) -> None:
    response = client.get(path, params=params)
    assert response.status_code < 500, response.text[:300]
    if path == "/reconcile":  # the same as a form body
        response = client.post(path, data=params)
        assert response.status_code < 500, response.text[:300]


def test_an_address_longer_than_any_real_one_is_414_and_cached_nowhere(app: FastAPI) -> None:
    """The per-IRI caches kept any path that could be an IRI: 6,000 requests with 50 KB keys held 313 MiB."""
    site = app.context.site
    with TestClient(app) as client:
        held = site.descriptions.cache_bytes, site.documents.bytes
        for i in range(50):
            key = f"{i}-{'k' * 50_000}"
            for path in (f"/id/organisatie/{key}", f"/doc/organisatie/{key}.ttl", f"/static/{key}"):
                response = client.get(path)
                assert response.status_code == 414, path[:40]
                assert f"longer than {MAX_PATH_BYTES} bytes" in response.text
        assert (site.descriptions.cache_bytes, site.documents.bytes) == held
        assert client.get(f"/id/organisatie/{'k' * 900}").status_code == 404  # under the limit: only unknown
        too_long = client.get("/search", params={"q": "k" * (3 * app.context.settings.max_query_length + 2000)})
        assert too_long.status_code == 414 and "max_query_length" in too_long.text
        # A query string may be long (a SPARQL query in a URL); the pages cached under it stay within bytes.
        for i in range(50):
            page = client.get("/doc/organisatie/ser", params={"x": f"{i}-{'k' * 50_000}"},
                              headers={"Accept": "text/html"})
            assert page.status_code == 200
            assert site.documents.bytes <= site.documents.max_bytes
