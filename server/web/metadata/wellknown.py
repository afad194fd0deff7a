"""Dataset metadata at well-known places: the VoID description, the DCAT catalogue, the sitemap and
robots.txt.

* ``/.well-known/void`` serves the release's ``void.ttl`` (VoID §7.2, the well-known location).
* ``/catalog`` serves the release's ``catalog.ttl`` (DCAT-AP-NL 3.0), written by the build.
  Both are negotiated between the RDF formats, and shown as a page to a browser.
  On the page, a source the file cites (``dct:source``, such as the source of an identifier scheme
  in the VoID) but does not name is named as the data graph names it (its ``ser:Bron`` label).
* ``/sitemap.xml`` (sitemaps.org 0.9) lists the pages worth indexing under the production base;
  ``/robots.txt`` points to it and keeps crawlers off the query endpoint, whose URLs never end.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from server.rdf import negotiation
from server.rdf.formats import BY_NAME, DOCUMENT_FORMATS, HTML
from server.rdf.namespaces import graph_iri, prefixes
from server.web import addresses, caching, rendering
from server.web.context import Context
from server.web.descriptions import iri_ref
from server.web.labels import LABEL_VALUES, curie
from server.web.linkeddata.views import Row, Value, value_of, value_order
from server.web.metadata import card
from server.web.notfound import METHODS
from server.web.site import Site

OFFERS = DOCUMENT_FORMATS
SITEMAP_LIMIT = 50000  # sitemaps.org: at most 50,000 URLs per file
CITED_LIMIT = 64  # cited documents named from the data graph per page (the VoID cites a handful)
Labels = dict[URIRef, list[tuple[str, Literal]]]


@dataclass
class Section:
    iri: str
    title: str
    types: list[Value]
    rows: list[Row] = field(default_factory=list)


# These two stay bounded by count: their keys are the release's own files (VoID, the catalogue), an
# mtime and the formats of OFFERS, never anything a client sends, so there are only so many of them.
@functools.lru_cache(maxsize=16)
def _graph(path: Path, mtime: float) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")  # a file of our own release: trusted, no remote contexts
    return graph


@functools.lru_cache(maxsize=32)
def _serialized(path: Path, mtime: float, rdflib_format: str, base: str) -> bytes:
    graph = _graph(path, mtime)
    for prefix, namespace in prefixes(base).items():
        graph.bind(prefix, namespace, replace=True)
    return graph.serialize(format=rdflib_format, encoding="utf-8")


def cited_names(graph: Graph, site: Site) -> Labels:
    """The data graph's labels of the documents ``graph`` cites (``dct:source``) without naming them:
    one query, over at most :data:`CITED_LIMIT` of them."""
    cited = sorted({o for o in graph.objects(None, DCTERMS.source)
                    if isinstance(o, URIRef) and not card.labels_of(graph, o)}, key=str)
    values = []
    for iri in cited[:CITED_LIMIT]:
        try:
            values.append(iri_ref(str(iri)))
        except ValueError:
            continue  # not writable into a query: named from its address instead
    if not values:
        return {}
    rows = site.store.select(f"""SELECT ?s ?lp ?l WHERE {{ VALUES ?s {{ {" ".join(values)} }}
  VALUES ?lp {{ {LABEL_VALUES} }} GRAPH <{graph_iri("data", site.base)}> {{ ?s ?lp ?l }} FILTER(isLiteral(?l)) }}""")
    found: Labels = {}
    for row in rows:
        label = row["l"]
        if isinstance(label, Literal):
            found.setdefault(URIRef(str(row["s"])), []).append((str(row["lp"]), label))
    return found


def graph_sections(graph: Graph, lang: str, site: Site, cited: Labels | None = None) -> list[Section]:
    """Each named subject of ``graph`` as a section of property rows, for the HTML view: the dataset first,
    then the catalogue, then the rest by name; every thing named by its label, the data graph's label of a
    cited document (``cited``, from :func:`cited_names`) or :func:`card.name_of`."""
    def labels(term: Any) -> list[tuple[str, Literal]]:
        found = card.labels_of(graph, term)
        if found or not isinstance(term, URIRef):
            return found
        if cited and term in cited:
            return cited[term]
        return [(str(RDFS.label), Literal(card.name_of(graph, term, lang, site.vocab)))]

    sections = []
    for subject in sorted({s for s in graph.subjects() if isinstance(s, URIRef)}, key=str):
        types = [value_of(t, labels(t), lang, site.base, site.vocab) for t in graph.objects(subject, RDF.type)]
        section = Section(str(subject), card.section_title(graph, subject, lang, site), types)
        rows: dict[str, Row] = {}
        for predicate, obj in sorted(graph.predicate_objects(subject), key=lambda po: (str(po[0]), str(po[1]))):
            if predicate == RDF.type:
                continue
            p = str(predicate)
            row = rows.setdefault(p, Row(p, site.vocab.name(p, lang), addresses.href(p, site.base)))
            row.values.append(value_of(obj, labels(obj), lang, site.base, site.vocab))
        for row in rows.values():
            row.values.sort(key=lambda v: value_order(v, lang))
        section.rows = sorted(rows.values(), key=lambda r: r.name.lower())
        sections.append(section)
    return sorted(sections, key=lambda s: (_section_rank(s, site.base), s.title.lower()))


def _section_rank(section: Section, base: str) -> int:
    if section.iri == f"{base}id/dataset/ser":
        return 0
    return 1 if section.iri == f"{base}catalog" else 2


def metadata_response(request: Request, site: Site, name: str, title_key: str, url: str) -> Response:
    """One metadata file of the release, negotiated; a page for browsers."""
    release = site.store.release
    path = release.path / name
    if not path.is_file():
        return PlainTextResponse(f"The current release ({release.version}) has no {name}.\n", status_code=404)
    fmt = negotiation.choose(OFFERS, request.headers.get("accept"))
    if fmt is None:
        listing = ", ".join(f.media_type for f in OFFERS)
        return PlainTextResponse(f"Not acceptable. Available: {listing}\n", status_code=406, headers={"Vary": "Accept"})
    mtime = path.stat().st_mtime
    alternates = [(f"{url}?format={f.name}", f.media_type, f.label) for f in OFFERS if f is not HTML]
    if fmt is HTML:
        def context(lang: str) -> dict[str, Any]:
            graph = _graph(path, mtime)
            return {"title_key": title_key, "card": card.dataset_card(graph, lang, site),
                    "sections": graph_sections(graph, lang, site, cited_names(graph, site))}

        return rendering.render(request, "graph.html", context, release, alternates=alternates,
                                vary="Accept, Accept-Language, Cookie")
    headers = {**caching.headers(release, fmt.name), "Vary": "Accept", "Link": rendering.link_header(alternates)}
    if caching.not_modified(request, release, fmt.name):
        return Response(status_code=304, headers=headers)
    body = path.read_bytes() if fmt.name == "turtle" else _serialized(path, mtime, str(fmt.rdflib), site.base)
    return Response(body, media_type=fmt.media_type, headers=headers)


def with_format_parameter(request: Request) -> Request:
    """``?format=turtle`` overrides Accept, so that every representation has a plain URL to link to."""
    chosen = BY_NAME.get(request.query_params.get("format", ""))
    if chosen is None or chosen not in OFFERS:
        return request
    scope = dict(request.scope)
    scope["headers"] = [(k, v) for k, v in request.scope["headers"] if k != b"accept"]
    scope["headers"].append((b"accept", chosen.media_type.encode()))
    return Request(scope)


def sitemap(site: Site) -> bytes:
    base = site.base
    data = graph_iri("data", base)
    # Sorted here, not in the query: Virtuoso refuses ORDER BY with a LIMIT above its MaxSortedTopRows
    # (10,000 as packaged). Past the limit, which things are listed is the engine's choice.
    rows = sorted(site.store.select(f"""SELECT DISTINCT ?s WHERE {{ GRAPH <{data}> {{ ?s a ?c }}
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}id/")) }} LIMIT {SITEMAP_LIMIT - 100}"""), key=lambda r: str(r["s"]))
    classes = site.store.select(f"""SELECT DISTINCT ?c WHERE {{ GRAPH <{data}> {{ ?s a ?c }} FILTER(isIRI(?c)) }}
  ORDER BY ?c""")
    lastmod = site.store.release.created.date().isoformat()
    paths = ["", "downloads/", "catalog", "doc/def/ser"]
    paths += [f"classes/{curie(str(r['c']), base)}" for r in classes]
    paths += [addresses.href(str(r["s"]), base).lstrip("/") for r in rows]
    entries = "".join(f"<url><loc>{escape(base + p)}</loc><lastmod>{lastmod}</lastmod></url>\n" for p in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</urlset>\n").encode()


def router(context: Context) -> APIRouter:
    store, site = context.store, context.site
    release = store.release
    cached_sitemap = functools.cache(lambda: sitemap(site))
    api = APIRouter()

    @api.api_route("/.well-known/void", methods=METHODS, include_in_schema=False)
    def void(request: Request) -> Response:
        return metadata_response(with_format_parameter(request), site, "void.ttl", "void", "/.well-known/void")

    @api.api_route("/catalog", methods=METHODS, include_in_schema=False)
    def catalog(request: Request) -> Response:
        return metadata_response(with_format_parameter(request), site, "catalog.ttl", "catalogue", "/catalog")

    @api.api_route("/sitemap.xml", methods=METHODS, include_in_schema=False)
    def sitemap_xml(request: Request) -> Response:
        headers = caching.headers(release, "sitemap")
        if caching.not_modified(request, release, "sitemap"):
            return Response(status_code=304, headers=headers)
        return Response(cached_sitemap(), media_type="application/xml", headers=headers)

    @api.api_route("/robots.txt", methods=METHODS, include_in_schema=False)
    def robots(request: Request) -> Response:
        text = (f"User-agent: *\nDisallow: /sparql\nAllow: /\n\nSitemap: {site.base}sitemap.xml\n")
        return PlainTextResponse(text, headers=caching.headers(release, "robots"))

    return api
