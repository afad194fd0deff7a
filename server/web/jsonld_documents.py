"""JSON-LD documents: each resource's description framed around it, and the context they share.

The context is the release's ``context.jsonld`` (written by the build from the ontology's properties,
the classes and the prefix map, ``server.rdf.jsonld``), served at ``/ns/context.jsonld``; a release
made before the build wrote it gets one made from the store by the same rules. Every document names
it by its public URL (the setting ``public_url``, else the base IRI), so a client that expands a
document fetches one small file, the same for every document of the release.

A description is at most the resource's triples, one level of blank nodes and :data:`MAX_INCOMING`
incoming links with their labels (``server.web.descriptions``), so the work of framing one is
bounded; each is framed once and kept in the document cache.
"""

from __future__ import annotations

import json

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from server.rdf import jsonld
from server.settings import Settings
from server.web import caching
from server.web.context import Context
from server.web.site import Site

PATH = "/ns/context.jsonld"
MEDIA_TYPE = "application/ld+json"
# The Link relation of a context given beside a plain JSON answer (JSON-LD 1.1 §6.1).
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"

def context_url(settings: Settings) -> str:
    return settings.public_root + PATH.lstrip("/")


def document(site: Site, iri: str, query: str) -> bytes:
    """The triples of the CONSTRUCT ``query``, as a JSON-LD document framed around ``iri``."""
    expanded = json.loads(site.store.construct(query, MEDIA_TYPE) or b"[]")
    if isinstance(expanded, dict):
        expanded = expanded.get("@graph", [expanded] if "@id" in expanded else [])
    framed = jsonld.frame_around(expanded, iri, site.jsonld_context, context_url(site.settings))
    return json.dumps(framed, ensure_ascii=False, indent=2).encode() + b"\n"


def context_link(settings: Settings) -> str:
    return f'<{context_url(settings)}>; rel="{CONTEXT_REL}"; type="{MEDIA_TYPE}"'


def router(app: Context) -> APIRouter:
    site, store = app.site, app.store
    api = APIRouter()

    @api.api_route(PATH, methods=["GET", "HEAD"], include_in_schema=False)
    def context(request: Request) -> Response:
        release = store.release
        headers = caching.headers(release, "context")
        if caching.not_modified(request, release, "context"):
            return Response(status_code=304, headers=headers)
        body = json.dumps({"@context": site.jsonld_context}, ensure_ascii=False, indent=2).encode() + b"\n"
        return Response(body, media_type=MEDIA_TYPE, headers=headers)

    return api
