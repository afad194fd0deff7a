"""Cross-origin reads and the methods of every route, for all routes at once: CORS (WHATWG Fetch
§3.2), HEAD and OPTIONS (RFC 9110 §9.3.2, §9.3.7) and ``Allow`` (RFC 9110 §10.2.1).

Everything the server publishes is open data, read-only and without credentials, so every answer
allows any origin (``Access-Control-Allow-Origin: *``, never with credentials): a browser client on
another site (Comunica, YASGUI, OpenRefine's web UI) can dereference IRIs, load the dumps, read the
VoID and the catalogue, and query. This middleware does it over the app's route table, so that a
route added later cannot miss it:

* every answer carries ``Access-Control-Allow-Origin`` and exposes the validators and links;
* ``OPTIONS`` on any path a route serves is answered here (204), as the preflight of any method;
* ``HEAD`` on a path whose route takes only ``GET`` is answered as that ``GET``, without the body
  (FastAPI's routes, unlike Starlette's, do not add HEAD themselves);
* a 405 lists in ``Allow`` every method some route takes on that path (Starlette lists only the
  methods of the first route that matches the path: ``PUT /sparql`` said ``HEAD, GET``).

Hand-written because Starlette's ``CORSMiddleware`` knows nothing of routes: it answers a preflight
on any path, even one nothing serves, and leaves ``Allow`` and ``HEAD`` as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ORIGIN = "*"
EXPOSED = "ETag, Last-Modified, Link, Content-Location, Content-Disposition, Memento-Datetime"
MAX_AGE = "86400"
ALLOWED_HEADERS = "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since, Range"
_HEADER_LIST = re.compile(r"^[A-Za-z0-9-]+(?:\s*,\s*[A-Za-z0-9-]+)*$")
_ORDER = ("GET", "HEAD", "POST", "OPTIONS")


def leaves(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """The app's routes, also those inside included routers (FastAPI keeps those nested)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from leaves(nested.routes)
        else:
            yield route


def _ordered(methods: set[str]) -> str:
    return ", ".join(sorted(methods, key=lambda m: (_ORDER.index(m) if m in _ORDER else len(_ORDER), m)))


class Methods:
    """Pure ASGI middleware; ``router`` is the app's, read when the first request needs its routes."""

    def __init__(self, app: ASGIApp, router: Any) -> None:
        self.app = app
        self.router = router
        self._routes: list[BaseRoute] | None = None

    def declared(self, scope: Scope) -> set[str]:
        """The methods the routes that serve the request's path declare (empty: no route serves it)."""
        if self._routes is None:
            self._routes = list(leaves(self.router.routes))
        found: set[str] = set()
        for route in self._routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:  # FULL, or PARTIAL: the path matches, the method may not
                found |= getattr(route, "methods", None) or {"GET", "HEAD"}  # a mount: the static files
        return found

    def methods(self, scope: Scope) -> set[str]:
        """Every method the server takes on the request's path, HEAD and OPTIONS included."""
        found = self.declared(scope)
        if "GET" in found:
            found.add("HEAD")
        return found | {"OPTIONS"} if found else found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            allowed = self.methods(scope)
            if allowed:
                await self._preflight(scope, send, allowed)
                return
        head_as_get = method == "HEAD" and "HEAD" not in self.declared(scope)
        if head_as_get:
            scope["method"] = "GET"

        async def cross_origin_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("access-control-allow-origin", ORIGIN)
                headers.setdefault("access-control-expose-headers", EXPOSED)
                if message["status"] == 405:
                    headers["allow"] = _ordered(self.methods(scope))
            elif head_as_get and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the body of a HEAD is never sent; only its end is
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        try:
            await self.app(scope, receive, cross_origin_send)
        finally:
            scope["method"] = method  # the metrics outside count it as what the client sent

    async def _preflight(self, scope: Scope, send: Send, allowed: set[str]) -> None:
        asked = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"access-control-request-headers"), "")
        listed = _ordered(allowed)
        headers = [
            (b"allow", listed.encode()),
            (b"access-control-allow-origin", ORIGIN.encode()),
            (b"access-control-allow-methods", listed.encode()),
            (b"access-control-allow-headers", (asked if _HEADER_LIST.match(asked) else ALLOWED_HEADERS).encode()),
            (b"access-control-max-age", MAX_AGE.encode()),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
