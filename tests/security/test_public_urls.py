"""No URL the server gives out is built from the request: not from ``Host``, not from ``X-Forwarded-*``
and not from the address it listens on (``server.web.security.Guard``, settings ``public_url`` and
``forwarded_allow_ips``).

The reconciliation manifest and the Service Description are cached by shared caches (one ETag,
``Cache-Control: public``): had they named the host a client sent, one client could make a cache hand
every other client a manifest that sends OpenRefine to another site.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from bench.load.harness import Served
from server.rdf.namespaces import SD

PUBLIC = "https://data.ser.nl/"
FORGED = [
    {"Host": "evil.example"},
    {"X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example"},
    {"Host": "evil.example:8443", "X-Forwarded-Proto": "http", "X-Forwarded-Port": "8443"},
]
DESCRIBED = [("/reconcile", "application/json"), ("/sparql", "text/turtle")]


def _urls(text: str) -> set[str]:
    return {word.strip('"<>,') for word in text.replace(">", "> ").split() if "://" in word}


@pytest.mark.parametrize(("path", "accept"), DESCRIBED)
def test_described_urls_are_the_same_whatever_host_a_client_names(client: TestClient, path: str,
                                                                  accept: str) -> None:
    plain = client.get(path, headers={"Accept": accept})
    assert plain.status_code == 200
    for forged in FORGED:
        answer = client.get(path, headers={"Accept": accept, **forged})
        assert answer.content == plain.content, forged
        assert answer.headers["etag"] == plain.headers["etag"]
    assert "evil" not in plain.text and "testserver" not in plain.text
    assert f"{PUBLIC}reconcile/view" in plain.text or f"<{PUBLIC}sparql>" in plain.text


def test_the_public_url_setting_names_where_clients_are_sent(make_app: Callable[..., FastAPI]) -> None:
    local = "http://127.0.0.1:8123/"
    with TestClient(make_app(public_url=local)) as client:
        manifest = client.get("/reconcile", headers={"Host": "evil.example"}).json()
        description = client.get("/sparql", headers={"Accept": "text/turtle", "Host": "evil.example"}).text
    assert manifest["view"]["url"] == f"{local}reconcile/view?id={{{{id}}}}"
    assert manifest["suggest"]["entity"]["service_url"] == local.rstrip("/")
    graph = Graph().parse(data=description, format="turtle")
    assert (URIRef(f"{local}sparql"), RDF.type, SD.Service) in graph


def test_the_real_server_believes_no_forwarded_header_by_default(served_tiny: Served) -> None:
    plain = httpx.get(f"{served_tiny.url}/reconcile", timeout=10).json()
    forwarded = httpx.get(f"{served_tiny.url}/reconcile", timeout=10,
                          headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}).json()
    assert forwarded == plain
    assert plain["documentation"] == PUBLIC
    assert all(url.startswith(PUBLIC) for url in _urls(json.dumps(plain)) if "reconcile" in url)


def _raw(served: Served, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    return answer


@pytest.mark.parametrize("request_head", [
    b"GET /sparql/ HTTP/1.0\r\n\r\n",  # no Host at all: Starlette would fall back to the bind address
    b"GET /sparql/ HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n",
    b"GET /search/ HTTP/1.1\r\nHost: evil.example/x?y=\r\nConnection: close\r\n\r\n",
    b"GET /search/ HTTP/1.1\r\nHost: evil.example:99999\r\nConnection: close\r\n\r\n",
])
def test_a_missing_or_invalid_host_never_reaches_a_redirect(served_tiny: Served, request_head: bytes) -> None:
    answer = _raw(served_tiny, request_head)
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    status = int(head.split()[1])
    assert status < 500, head
    location = next((line.split(":", 1)[1].strip() for line in head.splitlines() if line.startswith("location:")),
                    None)
    if location is not None:
        assert location.startswith("/") and not location.startswith("//"), location
        assert "127.0.0.1" not in location and "evil" not in location
