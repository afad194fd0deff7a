"""Search, ``/search?q=``: the release's full-text index, then the matching of the reconciliation service.

``q`` is looked up in the full-text index (``server.web.search.textsearch``) and matched like a
reconciliation query (case, diacritics, word order, abbreviations, former names; see
``server.web.search.index``), with the last word read as unfinished, so that the same URL serves the
search box's autocomplete as the user types. ``type`` (an IRI or a CURIE such as ``foaf:Person``)
keeps things of that class; ``limit`` caps the list (at most MAX_LIMIT).

The answer is an HTML page or JSON, chosen by ``format=json`` or by Accept (RFC 9110 §12.5.1; HTML
when both are equally welcome), with the release's validators like every page.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.rdf import negotiation
from server.rdf.formats import ALIASES
from server.store.fulltext import FullTextIndex
from server.web import addresses, caching, language, rendering
from server.web.context import Context
from server.web.notfound import METHODS
from server.web.search import textsearch
from server.web.search.directory import Directory
from server.web.search.matching import type_objects

PATH = "/search"
DEFAULT_LIMIT, MAX_LIMIT = 20, 50
JSON = "application/json"
WORDS = language.table("search")  # key -> (nl, en), from server/web/words.toml


def words(lang: str) -> dict[str, str]:
    return language.words_in(WORDS, lang)


def wants_json(request: Request) -> bool:
    chosen = request.query_params.get("format")
    if chosen:
        return chosen == "json"
    ranges = negotiation.parse_accept(request.headers.get("accept"))
    # The parser reads application/json as its SPARQL results alias; ask for it under that name.
    json_q = negotiation.client_q(ranges, ALIASES.get(JSON, JSON))
    return json_q > negotiation.client_q(ranges, "text/html")


def results(directory: Directory, index: FullTextIndex | None, text: str, cls: str | None, limit: int,
            lang: str) -> list[dict[str, Any]]:
    accept = directory.of_types([cls]) if cls else None
    found = textsearch.find(directory, index, text, accept, limit)
    out = []
    for c in found:
        name = c.entity.name(lang)
        out.append({
            "id": c.entity.iri,
            "name": name,
            "href": addresses.href(c.entity.iri, directory.base),
            "score": c.score,
            "types": type_objects(directory, c.entity.types, lang),
            "description": c.entity.description(lang),
            "matched": c.label if c.label != name else None,
        })
    return out


def router(context: Context, directory: Directory) -> APIRouter:
    store = context.store
    index = textsearch.index_for(store)
    release = store.release
    kinds = directory.kinds()
    api = APIRouter()

    @api.api_route(PATH, methods=METHODS, include_in_schema=False)
    def search(request: Request, q: str = "", type: str = "", limit: str = "") -> Response:
        # isdecimal, not isdigit: "²" is a digit that int() refuses (found by tests/fuzz/test_openapi.py)
        count = min(int(limit), MAX_LIMIT) if limit.isdecimal() and len(limit) <= 9 and int(limit) > 0 \
            else DEFAULT_LIMIT
        cls = directory.term(type) if type else None
        digest = hashlib.blake2b(f"{q}\x00{cls}\x00{count}".encode(), digest_size=8).hexdigest()
        if wants_json(request):
            lang = rendering.language_of(request).lang
            variant = f"search-json-{digest}-{lang}"
            headers = {**caching.headers(release, variant), "Vary": "Accept, Accept-Language, Cookie",
                       "Access-Control-Allow-Origin": "*"}
            if caching.not_modified(request, release, variant):
                return Response(status_code=304, headers=headers)
            body = {"query": q, "type": cls, "results": results(directory, index, q, cls, count, lang)}
            return JSONResponse(body, headers=headers)

        def context(lang: str) -> dict[str, Any]:
            return {"w": words(lang), "q": q, "cls": cls or "", "found": results(directory, index, q, cls, count, lang),
                    "kinds": [(t["id"], t["name"], len(directory.members[t["id"]]))
                              for t in type_objects(directory, kinds, lang)],
                    "json_href": f"{PATH}?{urlencode([*request.query_params.multi_items(), ('format', 'json')])}"}

        return rendering.render(request, "search.html", context, release, variant=f"search-{digest}",
                                vary="Accept, Accept-Language, Cookie")

    return api
