"""The reconciliation service, ``/reconcile``: the W3C Reconciliation Service API v0.2, as OpenRefine uses it.

Someone with a spreadsheet of names (organisations, people, advisory reports, laws) matches them to
SER IRIs. Sections of the specification (https://reconciliation-api.github.io/specs/0.2/):

  §3.1 service manifest      GET /reconcile
  §3.3 cross-origin access   every answer allows any origin; OPTIONS answers the preflight (server.web.cors)
  §4.3 reconciliation        GET or POST /reconcile with ``queries`` (a batch of at most BATCH_SIZE)
  §5   preview               GET /reconcile/preview?id=   (and /reconcile/view?id= leads to the page)
  §6   suggest               GET /reconcile/suggest/{entity,type,property}?prefix=&cursor=
  §7   data extension        GET or POST /reconcile with ``extend``; GET /reconcile/properties?type=

Not offered: JSONP (optional since v0.2), authentication (the data is open), and flyouts (§6.5, which
the specification proposes to drop; suggestions carry a description instead).

The work is bounded (README.md, "Reconciliation limits"): at most BATCH_SIZE queries a batch (413
past it), and per query the limits of ``server.web.search.matching`` (``LIMITS``: characters, types, property
constraints, values; a 400 names the field and the limit). A batch is read and answered in a thread,
never on the event loop, and at most THREADS batches are computed at once, with WAITING more waiting
for a thread; past that a 503 asks the client to try again, so that reconciliation cannot take the
CPU that pages need.

Identifiers follow the identifier space ``{base}id/`` (§2.5): a thing's id is its IRI without it
(``organisatie/ser``), and the identifier space and id together are its IRI; the IRI itself is accepted
wherever an id is. Types and properties are IRIs, and CURIEs (``ser:Advies``) and short property ids
(``afkorting``, ``naam``) are accepted wherever an IRI is (``server.web.search.matching``). A candidate is a
sure ``match`` when its score is at least AUTO_MATCH and leads the next candidate by MARGIN
(bench/reconciliation measures both).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import anyio
import anyio.to_thread
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from server import __version__
from server.errors import Busy, ProtocolError
from server.web import addresses, caching, rendering
from server.web.bodies import read_body
from server.web.context import Context
from server.web.search.directory import Directory
from server.web.search.matching import Matcher, type_objects

PATH = "/reconcile"
BATCH_SIZE = 50
SUGGEST_PAGE = 10
PROPOSE_LIMIT = 25
PREVIEW_SIZE = (420, 180)
CORS = {"Access-Control-Allow-Origin": "*"}
FORM = "application/x-www-form-urlencoded"
THREADS = 2  # batches computed at once (one may wait on the store while the other computes)
WAITING = 16  # batches that may wait for a thread; a 503 beyond
RETRY_AFTER = "1"
T = TypeVar("T")


class Lane:
    """Runs calls in worker threads, at most ``threads`` at once and ``waiting`` more queued for one:
    off the event loop, and bounded, so that many clients cannot queue work without end."""

    def __init__(self, threads: int, waiting: int) -> None:
        self.threads, self.waiting = threads, waiting
        self.limiter = anyio.CapacityLimiter(threads)
        self.admitted = 0  # running and waiting; only the event loop changes it

    async def run(self, call: Callable[[], T]) -> T:
        if self.admitted >= self.threads + self.waiting:
            raise Busy(f"reconciliation is busy ({self.threads} batches being answered and "
                                     f"{self.waiting} waiting); try again in a moment")
        self.admitted += 1
        try:
            return await anyio.to_thread.run_sync(call, limiter=self.limiter)
        finally:
            self.admitted -= 1


def manifest(directory: Directory, root: str, lang: str) -> dict[str, Any]:
    base = directory.base
    return {
        "versions": ["0.2"],
        "name": "SER Linked Data",
        "identifierSpace": f"{base}id/",
        "schemaSpace": f"{base}def/",
        "documentation": root,
        "serviceVersion": __version__,
        "defaultTypes": type_objects(directory, directory.kinds(), lang),
        "view": {"url": f"{root}reconcile/view?id={{{{id}}}}"},
        "preview": {"url": f"{root}reconcile/preview?id={{{{id}}}}", "width": PREVIEW_SIZE[0],
                    "height": PREVIEW_SIZE[1]},
        "suggest": {kind: {"service_url": root.rstrip("/"), "service_path": f"{PATH}/suggest/{kind}"}
                    for kind in ("entity", "type", "property")},
        "extend": {
            "propose_properties": {"service_url": root.rstrip("/"), "service_path": f"{PATH}/properties"},
            "property_settings": [{"name": "lang", "label": "Language / Taal", "type": "select", "default": "nl",
                                   "help_text": "Language of names and texts", "choices": [
                                       {"value": "nl", "name": "Nederlands"}, {"value": "en", "name": "English"}]}],
        },
        "batchSize": BATCH_SIZE,
    }


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (RFC 8259 §6)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is too large for a number")
    return value


def _json(text: str, what: str) -> Any:
    """Strict JSON: NaN and Infinity (which Python's json reads) and numbers past a float are refused."""
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except ValueError as exc:
        raise ProtocolError(400, f"the '{what}' parameter is not valid JSON: {exc}") from None
    except RecursionError:  # json's decoder recurses per bracket; a few thousand nested ones overflow it
        raise ProtocolError(400, f"the '{what}' parameter nests too deeply") from None


async def _parameters(request: Request, limit: int) -> dict[str, str]:
    """The request's parameters: the query string, and for POST the form body (at most ``limit`` bytes)."""
    params = dict(request.query_params)
    if request.method == "POST":
        body = await read_body(request, limit)
        if body and not request.headers.get("content-type", FORM).startswith(FORM):
            raise ProtocolError(415, f"send the batch as {FORM} with a 'queries' or 'extend' field")
        try:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=16))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProtocolError(400, f"the form body cannot be read: {exc}") from None
    return params


def _variant(request: Request, name: str) -> str:
    """The ETag variant of a GET answer: its kind, its parameters and the reader's language."""
    digest = hashlib.blake2b(str(request.url.query).encode(), digest_size=8).hexdigest()
    return f"{name}-{digest}-{rendering.language_of(request).lang}"


def router(context: Context, directory: Directory) -> APIRouter:
    settings, store = context.settings, context.store
    matcher = Matcher(directory, store)
    lane = Lane(THREADS, WAITING)
    api = APIRouter()

    def answer(request: Request, name: str, make: Callable[[], Any]) -> Response:
        """JSON from ``make()``, with CORS; a GET also carries the release's validators, and a client
        whose copy is current gets a 304 without the work being done again."""
        headers = {**CORS, "Vary": "Accept-Language, Cookie"}
        if request.method == "GET":
            variant = _variant(request, name)
            headers.update(caching.headers(store.release, variant))
            if caching.not_modified(request, store.release, variant):
                return Response(status_code=304, headers=headers)
        return JSONResponse(make(), headers=headers)

    def problem(error: ProtocolError | Busy) -> Response:
        status = error.http_status
        headers = {**CORS, "Retry-After": RETRY_AFTER} if status == 503 else CORS
        return Response(f"{error}\n", status_code=status, headers=headers, media_type="text/plain; charset=utf-8")

    def batch_or_extension(request: Request, params: dict[str, str], lang: str) -> Response:
        """In a thread of the lane: the JSON read and the work done."""
        if "queries" in params:
            batch = _json(params["queries"], "queries")
            if isinstance(batch, dict) and len(batch) > BATCH_SIZE:
                raise ProtocolError(413, f"'queries' holds {len(batch)} queries; a batch holds at most "
                                         f"{BATCH_SIZE} (the manifest's batchSize)")
            return answer(request, "reconcile", lambda: matcher.reconcile(batch, lang))
        query = _json(params["extend"], "extend")
        return answer(request, "extend", lambda: matcher.extend(query, lang))

    @api.api_route(PATH, methods=["GET", "POST"], include_in_schema=False)
    async def service(request: Request) -> Response:
        lang = rendering.language_of(request).lang
        try:
            params = await _parameters(request, settings.max_body_bytes)
            if "queries" in params or "extend" in params:
                return await lane.run(lambda: batch_or_extension(request, params, lang))
        except (ProtocolError, Busy) as exc:
            return problem(exc)
        return answer(request, "manifest", lambda: manifest(directory, settings.public_root, lang))

    @api.get(PATH + "/suggest/{kind}", include_in_schema=False)
    def suggest(request: Request, kind: str, prefix: str = "", cursor: str = "0") -> Response:
        if kind not in ("entity", "type", "property"):
            return problem(ProtocolError(404, "suggest services: entity, type and property"))
        start = int(cursor) if cursor.isdecimal() and len(cursor) <= 9 else 0  # "²".isdigit(), int("²") fails
        lang = rendering.language_of(request).lang
        type_ = request.query_params.get("type")
        return answer(request, f"suggest-{kind}", lambda: {
            "result": matcher.suggest(kind, prefix, start + SUGGEST_PAGE, lang, type_)[start:]})

    @api.get(PATH + "/properties", include_in_schema=False)
    def propose(request: Request, type: str = "", limit: str = "") -> Response:
        count = min(int(limit), 100) if limit.isdecimal() and len(limit) <= 9 and int(limit) > 0 else PROPOSE_LIMIT
        lang = rendering.language_of(request).lang
        extra = {"limit": count} if limit else {}
        return answer(request, "properties", lambda: {
            "type": type, "properties": matcher.propose(type, count, lang), **extra})

    @api.get(PATH + "/preview", include_in_schema=False)
    def preview(request: Request, id: str = "") -> Response:
        entity = directory.thing(id)
        if entity is None:
            return problem(ProtocolError(404, f"no thing with the identifier {id!r} in this release"))

        def context(lang: str) -> dict[str, Any]:
            types = [t["name"] for t in type_objects(directory, entity.types, lang)]
            return {"entity": entity, "name": entity.name(lang), "types": types,
                    "description": entity.description(lang), "href": addresses.href(entity.iri, directory.base)}

        digest = hashlib.blake2b(entity.iri.encode(), digest_size=8).hexdigest()
        response = rendering.render(request, "search-preview.html", context, store.release,
                                    variant=f"preview-{digest}")
        response.headers.update(CORS)
        return response

    @api.get(PATH + "/view", include_in_schema=False)
    def view(id: str = "") -> Response:
        entity = directory.thing(id)
        if entity is None:
            return problem(ProtocolError(404, f"no thing with the identifier {id!r} in this release"))
        return RedirectResponse(addresses.href(entity.iri, directory.base), status_code=303, headers=CORS)

    return api
