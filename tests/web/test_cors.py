"""CORS, HEAD, OPTIONS and Allow over the app's route table itself (``server.web.cors``): every route that
answers GET is tried, so a route added later without a sample here fails the first test, and one that
misses CORS, HEAD or its preflight fails the others.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Mount

from server.web.cors import leaves

# A real path for every GET route (by its template), in the tiny release where one exists.
SAMPLES = {
    "/": "/",
    "/classes/{name}": "/classes/ser:Advies",
    "/id/{rest:path}": "/id/organisatie/ser",
    "/def/{rest:path}": "/def/ser",
    "/doc/{rest:path}": "/doc/organisatie/ser",
    "/timemap/doc/{rest:path}": "/timemap/doc/organisatie/ser",
    "/cite/{path:path}": "/cite/id/organisatie/ser?format=bibtex",
    "/downloads/": "/downloads/",
    "/downloads": "/downloads",
    "/downloads/{version}/{name}": "/downloads/latest/ser.nq",
    "/changes/": "/changes/",
    "/changes": "/changes",
    "/changes/feed.atom": "/changes/feed.atom",
    "/changes/{version}": "/changes/0.0.0-fixture",
    "/.well-known/void": "/.well-known/void",
    "/catalog": "/catalog",
    "/sitemap.xml": "/sitemap.xml",
    "/robots.txt": "/robots.txt",
    "/favicon.ico": "/favicon.ico",
    "/sparql": "/sparql",
    "/search": "/search?q=ser",
    "/reconcile": "/reconcile",
    "/reconcile/suggest/{kind}": "/reconcile/suggest/entity?prefix=ser",
    "/reconcile/properties": "/reconcile/properties?type=http%3A%2F%2Fwww.w3.org%2Fns%2Forg%23FormalOrganization",
    "/reconcile/preview": "/reconcile/preview?id=organisatie%2Fser",
    "/reconcile/view": "/reconcile/view?id=organisatie%2Fser",
    "/-/health": "/-/health",
    "/-/metrics": "/-/metrics",
    "/-/openapi.json": "/-/openapi.json",
    "/ns/context.jsonld": "/ns/context.jsonld",
    "/static": "/static/query-editor.js",
    "/views/": "/views/",
    "/views/{name}": "/views/chairs?format=csv",
}
# Every format of a document, too: each is its own URL.
EXTRA = ["/doc/organisatie/ser.html", "/doc/organisatie/ser.ttl", "/doc/organisatie/ser.jsonld",
         "/doc/organisatie/ser.nt", "/doc/organisatie/ser.rdf", "/doc/def/ser", "/doc/organisatie/nobody",
         "/id/organisatie/nobody", "/.well-known/void?format=turtle"]
PREFLIGHT = {"Origin": "https://yasgui.example", "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "Accept, If-None-Match"}


def get_routes(app: FastAPI) -> list[str]:
    paths = []
    for route in leaves(app.router.routes):
        if isinstance(route, Mount) or "GET" in (getattr(route, "methods", None) or ()):
            paths.append(route.path)  # type: ignore[attr-defined]
    return paths


def paths(app: FastAPI) -> list[str]:
    return [SAMPLES[p] for p in get_routes(app) if p in SAMPLES] + EXTRA


def test_every_get_route_has_a_sample_here(app: FastAPI) -> None:
    missing = [p for p in get_routes(app) if p not in SAMPLES]
    assert missing == [], "add a sample path for each new route to SAMPLES"


def test_every_get_route_allows_any_origin(app: FastAPI, client: TestClient) -> None:
    for path in paths(app):
        response = client.get(path, headers={"Origin": "https://comunica.example"}, follow_redirects=False)
        assert response.status_code < 500, path
        assert response.headers.get("access-control-allow-origin") == "*", (path, response.status_code)
        assert "ETag" in response.headers.get("access-control-expose-headers", ""), path


def test_head_works_on_every_get_route_with_the_same_status_and_headers(app: FastAPI, client: TestClient) -> None:
    for path in paths(app):
        got = client.get(path, follow_redirects=False)
        head = client.head(path, follow_redirects=False)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        assert head.headers.get("etag") == got.headers.get("etag"), path
        assert head.headers.get("access-control-allow-origin") == "*", path


def test_the_preflight_works_on_every_get_route(app: FastAPI, client: TestClient) -> None:
    for path in paths(app):
        response = client.options(path, headers=PREFLIGHT)
        assert response.status_code == 204, (path, response.status_code)
        assert response.headers["access-control-allow-origin"] == "*", path
        allowed = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
        assert {"GET", "HEAD", "OPTIONS"} <= allowed, path
        assert response.headers["allow"] == response.headers["access-control-allow-methods"], path
        assert response.headers["access-control-allow-headers"] == "Accept, If-None-Match", path


@pytest.mark.parametrize(("path", "methods"), [
    ("/sparql", {"GET", "HEAD", "POST", "OPTIONS"}),
    ("/reconcile", {"GET", "HEAD", "POST", "OPTIONS"}),
    ("/-/health", {"GET", "HEAD", "OPTIONS"}),
    ("/doc/organisatie/ser", {"GET", "HEAD", "OPTIONS"}),
])
def test_a_405_lists_every_method_the_path_takes(client: TestClient, path: str, methods: set[str]) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = client.request(method, path)
        assert response.status_code == 405
        assert {m.strip() for m in response.headers["allow"].split(",")} == methods, (method, path)
        assert response.headers["access-control-allow-origin"] == "*"


def test_a_preflight_for_a_path_nothing_serves_is_not_answered(client: TestClient) -> None:
    assert client.options("/nowhere", headers=PREFLIGHT).status_code in (404, 405)
    assert client.options("/reconcile/nowhere", headers=PREFLIGHT).status_code in (404, 405)


def test_a_preflight_never_echoes_a_header_list_it_cannot_read(client: TestClient) -> None:
    response = client.options("/sparql", headers={**PREFLIGHT, "Access-Control-Request-Headers": "a\tb;<x>"})
    assert re.fullmatch(r"[A-Za-z-]+(, [A-Za-z-]+)*", response.headers["access-control-allow-headers"])
