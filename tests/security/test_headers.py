"""Hardening: security headers on every answer, bounded headers and bodies, and nothing about the server
leaks: no version in a ``server:`` header, no traceback, no path (``server.web.security``).
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bench.load.harness import Served
from server.errors import StoreError
from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web import security
from server.web.app import create_app
from tests.conftest import LiveServer

PAGES = ["/", "/sparql", "/doc/organisatie/ser", "/classes/ser:Advies", "/search?q=ser", "/downloads/",
         "/reconcile/preview?id=https%3A%2F%2Fdata.ser.nl%2Fid%2Forganisatie%2Fser",
         "/doc/def/ser", "/doc/organisatie/nobody"]
OTHERS = ["/sparql?query=ASK%7B%7D", "/doc/organisatie/ser.ttl", "/search?q=ser&format=json", "/robots.txt",
          "/-/health", "/-/openapi.json", "/static/query-editor.js", "/nowhere", "/reconcile"]


def _directives(policy: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2] for part in policy.split(";")}


@pytest.mark.parametrize("path", PAGES)
def test_html_pages_carry_a_policy_that_allows_only_this_sites_scripts(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    policy = _directives(response.headers["content-security-policy"])
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert policy["connect-src"] == "'self'"
    if not path.startswith(security.FRAMEABLE):
        assert policy["frame-ancestors"] == "'none'" and response.headers["x-frame-options"] == "DENY"
    assert policy["base-uri"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("path", OTHERS)
def test_every_other_answer_is_not_sniffed_either(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_only_the_reconciliation_preview_may_be_framed(client: TestClient) -> None:
    preview = client.get("/reconcile/preview", params={"id": "https://data.ser.nl/id/organisatie/ser"})
    assert preview.status_code == 200
    assert _directives(preview.headers["content-security-policy"])["frame-ancestors"] == "*"
    assert "x-frame-options" not in preview.headers


def test_the_pages_hold_no_inline_script_that_the_policy_would_block(client: TestClient) -> None:
    for path in PAGES:
        html = client.get(path, headers={"Accept": "text/html"}).text
        for tag in html.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert "src=\"/static/" in opening or "application/json" in opening or "application/ld+json" in opening, \
                (path, opening)
        assert " style=" not in html and " onclick=" not in html, path


def test_the_swagger_page_that_loads_scripts_from_a_cdn_is_gone(client: TestClient) -> None:
    assert client.get("/-/docs").status_code == 404
    assert client.get("/-/openapi.json").json()["paths"]


# --- the real runner: no server header, no traceback ----------------------------------------------


def test_the_real_server_names_no_software_and_no_version(served_tiny: Served) -> None:
    for path in ("/", "/sparql?query=ASK%7B%7D", "/nowhere", "/static/site.css"):
        response = httpx.get(served_tiny.url + path, timeout=10)
        # none under uvicorn; an empty one under granian, which sends its name otherwise
        assert response.headers.get("server", "") == "", path
        assert "x-powered-by" not in response.headers
        assert "uvicorn" not in response.text.lower() and "starlette" not in response.text.lower()


def test_the_real_server_answers_a_malformed_request_without_details(served_tiny: Served) -> None:
    with socket.create_connection(("127.0.0.1", served_tiny.port), timeout=10) as sock:
        sock.sendall(b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"server:" not in answer.lower() and b"Traceback" not in answer


class FailingStore:
    """The tiny store, until ``failure`` is set: then every query raises it."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.inner = store
        self.release = store.release
        self.failure: Exception | None = None

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.failure is not None:
                raise self.failure
            return method(*args, **kwargs)

        return call


@pytest.fixture(scope="module")
def failing(store: EmbeddedStore, settings: Settings) -> Iterator[tuple[FailingStore, TestClient]]:
    wrapped = FailingStore(store)
    app: FastAPI = create_app(settings, wrapped, None)  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield wrapped, client


def test_an_unexpected_error_gives_a_500_with_an_incident_number_only(
        failing: tuple[FailingStore, TestClient], caplog: pytest.LogCaptureFixture) -> None:
    wrapped, client = failing
    wrapped.failure = RuntimeError("secret detail /srv/ser/var/store/0.0.0-fixture")
    try:
        response = client.get("/classes/ser:IMVOConvenant", headers={"Accept": "text/html"})
    finally:
        wrapped.failure = None
    assert response.status_code == 500
    assert "incident" in response.text
    assert "secret" not in response.text and "Traceback" not in response.text and "/srv/" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    incident = response.text.split("incident ")[1].split(")")[0]
    assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)  # the log has it all


def test_a_store_that_cannot_answer_gives_503_not_500(failing: tuple[FailingStore, TestClient]) -> None:
    wrapped, client = failing
    wrapped.failure = StoreError("the store is being replaced")
    try:
        response = client.get("/classes/ser:Zetelverdeling", headers={"Accept": "text/html"})
    finally:
        wrapped.failure = None
    assert response.status_code == 503
    assert "the store is being replaced" in response.text


# --- bounded headers and bodies -------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "named"), [
    ({"Accept": "text/turtle;q=0.5, " * 1000}, "accept header is larger than 8192 bytes"),
    ({"Accept-Language": "nl;q=0.5," * 2000}, "accept-language header is larger"),
    ({"Cookie": "a=" + "b" * 9000}, "cookie header is larger"),
    ({f"X-Filler-{i}": "x" for i in range(120)}, "more than 100 header fields"),
    ({f"X-Filler-{i}": "x" * 4000 for i in range(9)}, "larger than 32768 bytes in all"),
])
def test_huge_headers_get_431_naming_the_limit(client: TestClient, headers: dict[str, str], named: str) -> None:
    for path in ("/", "/sparql?query=ASK%7B%7D", "/doc/organisatie/ser"):
        response = client.get(path, headers=headers)
        assert response.status_code == 431
        assert named in response.text


def test_a_browsers_headers_pass(client: TestClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
    response = client.get("/", headers={"Accept": accept, "Accept-Language": "nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7",
                                        "User-Agent": "Mozilla/5.0 " + "x" * 300})
    assert response.status_code == 200


@pytest.fixture(scope="module")
def short_body_timeout(make_app: Callable[..., FastAPI]) -> Iterator[LiveServer]:
    with LiveServer(make_app(body_timeout=0.5, query_workers=1)) as server:
        yield server


def test_a_stalled_body_gets_408_and_the_server_goes_on(short_body_timeout: LiveServer) -> None:
    live_server = short_body_timeout
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=120) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 100\r\n\r\nASK {")
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"stalled for more than 0.5 s (the setting body_timeout)" in answer
    assert httpx.get(live_server.url + "/-/health", timeout=5).status_code == 200


def test_a_client_that_leaves_mid_body_leaves_no_error_behind(
        live_server: LiveServer, caplog: pytest.LogCaptureFixture) -> None:
    uvicorn_errors = logging.getLogger("uvicorn.error")  # uvicorn's loggers do not propagate to the root
    uvicorn_errors.addHandler(caplog.handler)
    try:
        with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as sock:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                         b"Content-Length: 100\r\n\r\nASK {")
        time.sleep(0.3)
    finally:
        uvicorn_errors.removeHandler(caplog.handler)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert httpx.get(live_server.url + "/-/health", timeout=5).status_code == 200


@pytest.fixture(scope="module")
def steady_body_timeout(make_app: Callable[..., FastAPI]) -> Iterator[LiveServer]:
    """Far longer than any pause of the steady client below, however loaded the machine."""
    with LiveServer(make_app(body_timeout=3.0, query_workers=1)) as server:
        yield server


def test_a_slow_but_steady_body_is_read_whole(steady_body_timeout: LiveServer) -> None:
    live_server = steady_body_timeout
    body = b"ASK { ?s ?p ?o }" + b" " * 48
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=120) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body))
        for i in range(0, len(body), 4):
            sock.sendall(body[i:i + 4])
            time.sleep(0.25)  # 4 s in all, past the body timeout, but no pause comes near it
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"boolean":true' in answer.replace(b" ", b"")


# --- redirects never lead to a host the client named ----------------------------------------------


@pytest.mark.parametrize("path", ["/sparql/", "/search/", "/downloads"])
def test_a_forged_host_never_becomes_a_redirect_target(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code in (301, 307, 308)
    location = response.headers["location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil" not in location
