"""Dereferencing: ``/id/`` things answer 303 See Other, ``/doc/`` documents are negotiated, ``/def/``
terms lead to the ontology.

Cool URIs for the Semantic Web §4.3 (303 URIs forwarding to one generic document), the Dutch URI
strategy (NL-URI: ``/id/`` for things, ``/doc/`` for documents, ``/def/`` for the model), and RFC 9110
§12 (proactive negotiation with q-values, ``Vary: Accept``). Each document has one URL per format
(``.html``, ``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``), announced in ``<link rel=alternate>`` and ``Link:``.

Status codes, driven by data:
  303  ``/id/x`` and ``/def/x`` that exist, to their document
  301  ``/doc/old`` of a retired IRI with a successor (``dct:isReplacedBy``), to the successor's document
  302  ``/doc/x`` asked with ``Accept-Datetime``, to the memento of the release in force then (RFC 7089,
       :mod:`server.web.linkeddata.memento`; ``/doc/x?release=V`` is that memento)
  400  a malformed ``Accept-Datetime`` or ``release``
  404  paths we could never have minted, and IRIs the release does not know; a page that helps on
  406  an Accept header that none of the formats satisfies, with the list of formats
  410  a retired IRI without a successor
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from server.errors import ProtocolError
from server.rdf import negotiation
from server.rdf.formats import DOCUMENT_FORMATS as OFFERS
from server.rdf.formats import HTML, LD_ALIASES, Format
from server.store.base import ReleaseInfo
from server.web import addresses, caching, changelog, jsonld_documents, rendering
from server.web.archive import PARAMETER, utc
from server.web.context import Context
from server.web.descriptions import Status, construct_query, iri_ref
from server.web.language import human_date
from server.web.linkeddata import citations, memento
from server.web.linkeddata.ontology import ontology_rdf_query, ontology_view
from server.web.linkeddata.roles import roles
from server.web.linkeddata.views import entity_view
from server.web.literals import literal_text
from server.web.notfound import METHODS, not_found, wants_html
from server.web.site import Site


def alternates(doc_path: str, query: str = "") -> list[tuple[str, str, str]]:
    """The document's URL per format; ``query`` (such as ``?release=V``) keeps a memento's formats in its release."""
    return [(f"{doc_path}.{f.suffix}{query}", f.media_type, f.label) for f in OFFERS]


def gone(request: Request, site: Site, iri: str, status: Status) -> Response:
    if not wants_html(request):
        notes = "".join(f"\n{n}" for n in status.notes)
        return PlainTextResponse(f"Gone: {iri} has been withdrawn.{notes}\n", status_code=410)
    lang = rendering.language_of(request).lang
    shown = [str(n) for n in status.notes if n.language in (lang, None)] or [str(n) for n in status.notes]
    date = literal_text(status.date, lang) if status.date is not None else None
    version = site.store.release.version
    withdrawn = {"version": version, "href": f"/changes/{version}#withdrawn"} \
        if site.changes.get(iri) == "withdrawn" else None
    return rendering.render(request, "gone.html", {"iri": iri, "notes": shown, "date": date, "withdrawn": withdrawn},
                            site.store.release, status_code=410)


def successor_href(site: Site, successor: str, fmt: Format | None) -> str:
    href = addresses.href(successor, site.base)
    if href.startswith("/doc/") and fmt is not None and "#" not in href:
        href += f".{fmt.suffix}"
    return href


PageExtra = Callable[[str], dict[str, Any]]  # more of an HTML page's context, by language


def document(request: Request, site: Site, address: addresses.Address, more: PageExtra | None = None,
             query: str = "", shown: str = "") -> Response:
    """``address``'s document; ``shown`` names what else its HTML shows (the earlier releases in its footer),
    so that its validator and its cached copy change when that does."""
    release = site.store.release
    status = site.descriptions.status(address.iri)
    if not status.exists:
        return not_found(request, site, address.iri)
    if status.successor:
        return RedirectResponse(successor_href(site, status.successor, address.format), status_code=301)
    if status.gone:
        return gone(request, site, address.iri, status)
    fmt = address.format
    negotiated = fmt is None
    media_type = fmt.media_type if fmt is not None else ""
    if fmt is None:
        fmt = negotiation.choose(OFFERS, request.headers.get("accept"), LD_ALIASES)
        media_type = fmt.media_type if fmt is not None else ""
        if fmt is not None and fmt.name == "jsonld":
            media_type = negotiation.json_media_type(request.headers.get("accept"))
        if fmt is None:
            listing = "\n".join(f"{f.media_type}\t{address.doc_path}.{f.suffix}" for f in OFFERS)
            return PlainTextResponse(f"Not acceptable. Available formats:\n{listing}\n", status_code=406,
                                     headers={"Vary": "Accept"})
    links = alternates(address.doc_path, query)
    extra = {"Content-Location": f"{address.doc_path}.{fmt.suffix}{query}"} if negotiated else {}
    if fmt is HTML:
        vary = "Accept, Accept-Language, Cookie" if negotiated else "Accept-Language, Cookie"
        template, context = html_document(site, address, more)
        return rendering.render(request, template, context, release, variant=f"html-{shown}" if shown else "html",
                                alternates=links, vary=vary, extra_headers=extra, cache=site.documents,
                                cache_key=("doc", shown))
    # Served as plain JSON, the same document has a validator of its own and names its context in Link.
    variant = fmt.name if media_type == fmt.media_type else f"{fmt.name}-json"
    link = rendering.link_header(links)
    if variant != fmt.name:
        link += ", " + jsonld_documents.context_link(site.settings)
    headers = {**caching.headers(release, variant), "Link": link, **extra}
    if negotiated:
        headers["Vary"] = "Accept"
    if caching.not_modified(request, release, variant):
        return Response(status_code=304, headers=headers)
    key = (address.iri, fmt.name)
    body = site.documents.get(key)
    if body is None:
        is_ontology = address.iri == addresses.ontology_iri(site.base)
        if fmt.name == "jsonld":
            query = ontology_rdf_query(site.base) if is_ontology else construct_query(address.iri)
            body = jsonld_documents.document(site, address.iri, query)
        elif is_ontology:
            body = site.store.construct(ontology_rdf_query(site.base), fmt.media_type)
        else:
            body = site.descriptions.document(address.iri, fmt.media_type)
        site.documents.put(key, body)
    return Response(body, media_type=media_type, headers=headers)


def html_document(site: Site, address: addresses.Address,
                  extra: PageExtra | None = None) -> tuple[str, Callable[[str], dict[str, Any]]]:
    """The template and the (lazy) context of a document's HTML: the ontology has its own page."""
    more: PageExtra = extra or (lambda lang: {})
    if address.iri == addresses.ontology_iri(site.base):
        return "ontology.html", lambda lang: {"onto": ontology_view(site.store, site.base, site.vocab, lang),
                                              **more(lang)}

    def context(lang: str) -> dict[str, Any]:
        entity = entity_view(site.descriptions.describe(address.iri), lang, site.base, site.vocab)
        entity.roles = roles(site.store, address.iri, lang, site.base)
        version = site.store.release.version
        kind = site.changes.get(address.iri)
        change = {"kind": kind, "version": version, "href": f"/changes/{version}"} if kind else None
        replaces = [{"name": changelog.name_of(r.get("names"), r["iri"], lang), "version": version,
                     "href": f"/changes/{version}#redirected"} for r in site.replaced.get(address.iri, [])]
        return {"e": entity, "doc_path": address.doc_path, "change": change, "replaces": replaces,
                "citation": citations.block(site, address.iri, lang), **more(lang)}

    return "entity.html", context


def see_other(location: str) -> Response:
    return RedirectResponse(location, status_code=303, headers={"Vary": "Accept"})


def dereference(request: Request, site: Site, iri: str, target: str) -> Response:
    """A thing or term IRI: 303 to ``target`` (its document), to its successor's, 410 when retired, 404 when
    unknown."""
    status = site.descriptions.status(iri)
    if not status.exists:
        return not_found(request, site, iri)
    if status.successor:
        return see_other(successor_href(site, status.successor, None))
    if status.gone:
        return gone(request, site, iri, status)
    return see_other(target)


def resolve(request: Request, site: Site, rest: str, extra: PageExtra | None = None, query: str = "",
            shown: str = "") -> Response:
    """The document ``/doc/<rest>`` names in ``site``'s release, or the page that says why not."""
    readings = addresses.read_doc(site.base, rest)
    if not readings:
        return not_found(request, site)
    for address in readings:
        iri_ref(address.iri)  # the patterns already guarantee it; this keeps the promise local
        if site.descriptions.status(address.iri).exists:
            return document(request, site, address, extra, query, shown)
    return not_found(request, site, readings[0].iri)


def versions_tag(releases: list[ReleaseInfo]) -> str:
    """A short digest of the releases' versions and validators: part of an ETag variant."""
    digest = hashlib.blake2b(digest_size=6)
    for release in releases:
        digest.update(f"{release.version}\0{release.etag}\0".encode())
    return digest.hexdigest() if releases else ""


def holds(site: Site, rest: str) -> bool:
    """Whether ``site``'s release has a document at ``/doc/<rest>`` (also a retired or moved one)."""
    return any(site.descriptions.status(a.iri).exists for a in addresses.read_doc(site.base, rest))


def release_date(release: ReleaseInfo, lang: str) -> str:
    return human_date(utc(release.created).isoformat(), "dateTime", lang)


def add_link(response: Response, value: str) -> None:
    current = response.headers.get("link")
    response.headers["Link"] = f"{current}, {value}" if current else value


def router(context: Context) -> APIRouter:
    site, archive = context.site, context.archive
    api = APIRouter()

    @api.api_route("/id/{rest:path}", methods=METHODS, include_in_schema=False)
    def thing(request: Request, rest: str) -> Response:
        if not addresses.valid_thing_path(rest):
            return not_found(request, site)
        return dereference(request, site, f"{site.base}id/{rest}", f"/doc/{rest}")

    @api.api_route("/def/{rest:path}", methods=METHODS, include_in_schema=False)
    def term(request: Request, rest: str) -> Response:
        if not addresses.valid_def_path(rest):
            return not_found(request, site)
        iri = f"{site.base}def/{rest}"
        return dereference(request, site, iri, addresses.href(iri, site.base))

    @api.api_route("/doc/{rest:path}", methods=METHODS, include_in_schema=False)
    async def doc(request: Request, rest: str) -> Response:
        urls = memento.Urls(site.settings.public_root, rest)
        versions = request.query_params.getlist(PARAMETER)
        asked = request.headers.get(memento.HEADER)
        try:
            if versions:
                return await memento_of(request, rest, urls, versions)
            if asked is not None:
                release = archive.at(memento.accept_datetime(asked))
                if not addresses.read_doc(site.base, rest):
                    return not_found(request, site)
                async with archive.lease(release.version) as (_release, _store, scoped, _entry):
                    if not await run_in_threadpool(holds, scoped, rest):
                        return not_found(request, site)
                return RedirectResponse(urls.memento(release.version), status_code=302, headers={
                    "Vary": memento.HEADER, "Link": memento.links(urls, timegate=False)})
        except ProtocolError as exc:
            return PlainTextResponse(f"{exc}\n", status_code=exc.http_status, headers={"Vary": memento.HEADER})
        response = await run_in_threadpool(current, request, rest)
        response.headers["Vary"] = memento.add_vary(response.headers.get("vary"), memento.HEADER)
        if response.status_code in (200, 304):
            add_link(response, memento.links(urls, original=False))
        return response

    async def memento_of(request: Request, rest: str, urls: memento.Urls, versions: list[str]) -> Response:
        """The document as the release ``versions`` names has it (RFC 7089 §4: a memento)."""
        if len(versions) > 1:
            raise ProtocolError(400, f"give at most one '{PARAMETER}' parameter")
        async with archive.lease(versions[0]) as (release, _store, scoped, _entry):
            notice = as_of(rest, release)
            scope = "?" + urlencode({PARAMETER: release.version})
            response = await run_in_threadpool(resolve, request, scoped, rest, notice, scope)
        if response.status_code in (200, 304):
            response.headers["Memento-Datetime"] = memento.http_date(release.created)
            add_link(response, memento.links(urls))
        return response

    @api.api_route("/timemap/doc/{rest:path}", methods=METHODS, include_in_schema=False)
    async def timemap(request: Request, rest: str) -> Response:
        """The TimeMap of ``/doc/<rest>`` (RFC 7089 §5): the answerable releases that hold the document."""
        holding = []
        if addresses.read_doc(site.base, rest):
            for release in archive.answerable():
                async with archive.lease(release.version) as (_release, _store, scoped, _entry):
                    if await run_in_threadpool(holds, scoped, rest):
                        holding.append(release)
        if not holding:
            return not_found(request, site)
        urls = memento.Urls(site.settings.public_root, rest)
        return Response(memento.timemap(urls, holding), media_type=memento.LINK_FORMAT,
                        headers={"Cache-Control": caching.CACHE_CONTROL})

    def as_of(rest: str, release: ReleaseInfo) -> PageExtra:
        current = f"/doc/{rest}"
        return lambda lang: {"memento": {"version": release.version, "date": release_date(release, lang),
                                         "current": current}}

    def current(request: Request, rest: str) -> Response:
        """The document in the current release, with its history: one trip to a thread (the releases
        are listed from disk, the store is queried), not one for each."""
        earlier = earlier_releases()
        return resolve(request, site, rest, history(rest, earlier), "", versions_tag(earlier))

    def earlier_releases() -> list[ReleaseInfo]:
        return [r for r in archive.answerable() if r.version != site.store.release.version]

    def history(rest: str, earlier: list[ReleaseInfo]) -> PageExtra:
        """The same page in the earlier answerable releases, newest first (names and dates)."""
        def extra(lang: str) -> dict[str, Any]:
            return {"history": [{"version": r.version, "date": release_date(r, lang),
                                 "href": f"/doc/{rest}?{urlencode({PARAMETER: r.version})}"} for r in earlier]}
        return extra

    return api
