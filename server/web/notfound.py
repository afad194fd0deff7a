"""The answer for an address nothing is known at: 404, with a page that helps a browser on.

Shared by every router that serves pages (``linkeddata``, ``metadata``, ``search``), as are the methods of
a read-only route.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from server.rdf import negotiation
from server.rdf.formats import DOCUMENT_FORMATS, HTML
from server.web import rendering
from server.web.labels import curie
from server.web.site import Site

METHODS = ["GET", "HEAD"]


def wants_html(request: Request) -> bool:
    return negotiation.choose(DOCUMENT_FORMATS, request.headers.get("accept")) is HTML


def not_found(request: Request, site: Site, iri: str | None = None) -> Response:
    """404 with a page that helps: what was asked, and where things of that kind are listed."""
    if not wants_html(request):
        return PlainTextResponse(f"Not found: {request.url.path}\nSee / for what this dataset holds.\n",
                                 status_code=404)
    kinds: list[tuple[str, str]] = []
    if iri and iri.startswith(site.base + "id/"):
        lang = rendering.language_of(request).lang
        kinds = [(site.vocab.name(c, lang), "/classes/" + curie(c, site.base))
                 for c in site.descriptions.classes_under(iri.rsplit("/", 1)[0] + "/")]
    return rendering.render(request, "notfound.html", {"asked": iri or request.url.path, "kinds": kinds},
                            site.store.release, status_code=404)
