"""Search by name, ``/search?q=``: the matching of the reconciliation service, for people and scripts.

``q`` is matched like a reconciliation query (case, diacritics, word order, abbreviations, former
names; see ``server.web.search.index``), with the last word read as unfinished, so that the same URL
serves the search box's autocomplete as the user types. ``type`` (an IRI or a CURIE such as
``foaf:Person``) keeps things of that class; ``limit`` caps the list (at most MAX_LIMIT).

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
from server.web import addresses, caching, rendering
from server.web.context import Context
from server.web.notfound import METHODS
from server.web.search.directory import Directory
from server.web.search.matching import type_objects

PATH = "/search"
DEFAULT_LIMIT, MAX_LIMIT = 20, 50
JSON = "application/json"
# Words of the search page and box: key -> (nl, en).
WORDS: dict[str, tuple[str, str]] = {
    "title": ("Zoeken", "Search"),
    "label": ("Zoek op naam", "Search by name"),
    "button": ("Zoek", "Search"),
    "any_type": ("Alle soorten", "All kinds"),
    "results": ("{count} resultaten voor", "{count} results for"),
    "none": ("Niets gevonden voor", "Nothing found for"),
    "found_as": ("gevonden als", "found as"),
    "hint": ("Zoek een organisatie, persoon, advies, wet of convenant. Afkortingen (SER, SZW, FNV) en "
             "vroegere namen werken ook.",
             "Search for an organisation, person, advisory report, law or covenant. Abbreviations (SER, "
             "SZW, FNV) and former names work too."),
    "api": ("Dezelfde resultaten als JSON", "The same results as JSON"),
}


def words(lang: str) -> dict[str, str]:
    index = 1 if lang == "en" else 0
    return {key: pair[index] for key, pair in WORDS.items()}


def wants_json(request: Request) -> bool:
    chosen = request.query_params.get("format")
    if chosen:
        return chosen == "json"
    ranges = negotiation.parse_accept(request.headers.get("accept"))
    # The parser reads application/json as its SPARQL results alias; ask for it under that name.
    json_q = negotiation.client_q(ranges, ALIASES.get(JSON, JSON))
    return json_q > negotiation.client_q(ranges, "text/html")


def results(directory: Directory, text: str, cls: str | None, limit: int, lang: str) -> list[dict[str, Any]]:
    accept = directory.of_types([cls]) if cls else None
    found = directory.things.search(text, typing=True, accept=accept, limit=limit)
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
            body = {"query": q, "type": cls, "results": results(directory, q, cls, count, lang)}
            return JSONResponse(body, headers=headers)

        def context(lang: str) -> dict[str, Any]:
            return {"w": words(lang), "q": q, "cls": cls or "", "found": results(directory, q, cls, count, lang),
                    "kinds": [(t["id"], t["name"], len(directory.members[t["id"]]))
                              for t in type_objects(directory, kinds, lang)],
                    "json_href": f"{PATH}?{urlencode([*request.query_params.multi_items(), ('format', 'json')])}"}

        return rendering.render(request, "search.html", context, release, variant=f"search-{digest}",
                                vary="Accept, Accept-Language, Cookie")

    return api
