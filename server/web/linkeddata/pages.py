"""The pages around the documents: the home page and one index page per class, with paging.

The home page tells the SER's story from the graph (:mod:`server.web.linkeddata.story`), then offers
ways in by topic, and only then what the dataset holds (instances per class in the data graph, the
current release) with the SPARQL endpoint, the downloads and the catalogue. A class index is a table of
the instances of one class in any graph, ``/classes/{curie}?q=…&page=N``, sorted by name
(:mod:`server.web.linkeddata.classtable`).
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from server.errors import ReleaseError
from server.rdf.namespaces import graph_iri, prefixes
from server.store.cache import Memo, SizedCache
from server.store.manifest import read_manifest
from server.web import addresses, language, rendering
from server.web.context import Context
from server.web.descriptions import iri_ref
from server.web.labels import curie
from server.web.language import human_date, human_number
from server.web.linkeddata import classtable
from server.web.linkeddata.story import read_story
from server.web.linkeddata.views import script_json
from server.web.notfound import METHODS, not_found
from server.web.site import Site

COUNT_CACHE_BYTES = 1024 * 1024  # instance counts per class IRI, keys included
NAMES_CACHE_BYTES = 8 * 1024 * 1024  # the sorted names of a class, per class and language

# The ways in by topic on the home page: (word, where it leads, the class whose instances it counts).
# A topic shows only when the release holds instances of its class (a view over nothing leads nowhere).
TOPICS = (
    ("topic_council", "views/council", "http://www.w3.org/ns/org#Membership"),
    ("topic_chairs", "views/chairs", "http://www.w3.org/ns/org#Post"),
    ("topic_seats", "views/seats", "def/Zetelverdeling"),
    ("topic_adviezen", "views/adviezen", "def/Advies"),
    ("topic_agreements", "classes/ser:Akkoord", "def/Akkoord"),
    ("topic_covenants", "views/covenants", "def/IMVOConvenant"),
    ("topic_laws", "classes/eli:LegalResource", "http://data.europa.eu/eli/ontology#LegalResource"),
    ("topic_people", "classes/foaf:Person", "http://xmlns.com/foaf/0.1/Person"),
)


@dataclass(frozen=True)
class ClassCount:
    iri: str
    curie: str
    count: int


def class_counts(site: Site) -> list[ClassCount]:
    rows = site.store.select(f"""SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH <{graph_iri("data", site.base)}> {{ ?s a ?c FILTER(isIRI(?c)) }} }} GROUP BY ?c""")
    counts = [ClassCount(str(r["c"]), curie(str(r["c"]), site.base), int(str(r["n"]))) for r in rows]
    return sorted(counts, key=lambda c: (-c.count, c.curie))


def class_iri(text: str, base: str) -> str | None:
    """The class IRI of a CURIE from a URL, when the prefix is ours to know and the name is plain."""
    prefix, colon, local = text.partition(":")
    namespace = prefixes(base).get(prefix)
    if not colon or namespace is None or not addresses.TERM_PATTERN.match(local):
        return None
    return namespace + local


def instance_count(site: Site, cls: str) -> int:
    """Instances of ``cls`` in every graph: a type link on any page (a concept of the ontology graph,
    a dataset of the metadata graph) leads to a list, not only the classes the home page counts."""
    rows = site.store.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a {iri_ref(cls)} }}")
    return int(str(rows[0]["n"])) if rows and "n" in rows[0] else 0


def topics(counts: list[ClassCount], base: str, lang: str) -> list[tuple[str, str, str | None]]:
    """The ways in by topic that lead somewhere in this release, with the number of things behind each."""
    known = {c.iri: c.count for c in counts}
    found: list[tuple[str, str, str | None]] = []
    for key, target, cls in TOPICS:
        count = known.get(cls if "://" in cls else base + cls, 0)
        if count:
            found.append((key, "/" + target, human_number(count, lang) if target.startswith("classes/") else None))
    return found


def manifest(site: Site) -> dict[str, Any]:
    try:
        return read_manifest(site.store.release.path)
    except ReleaseError:
        return {}


def dataset_json_ld(site: Site, info: dict[str, Any], lang: str) -> str:
    """The dataset for search engines (schema.org Dataset, as Google Dataset Search reads it)."""
    version = site.store.release.version
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": f"{site.base}id/dataset/ser",
        "name": language.word("site", lang),
        "description": language.word("tagline", lang),
        "url": site.base,
        "version": version,
        "dateModified": site.store.release.created.isoformat(),
        "distribution": [{"@type": "DataDownload", "name": f["name"], "encodingFormat": f.get("media_type"),
                          "contentUrl": f"{site.base}downloads/{version}/{f['name']}"}
                         for f in info.get("files", []) if isinstance(f, dict) and "name" in f],
    }
    licence = info.get("licence") or info.get("license")
    if licence:
        data["license"] = licence
    return script_json(data)


def router(context: Context, *, page_size: int = classtable.PAGE_SIZE) -> APIRouter:
    """The home page and the class indexes, ``page_size`` things to a page of an index."""
    site, store = context.site, context.store
    release = store.release
    counts = functools.cache(lambda: class_counts(site))
    story = functools.cache(lambda lang: read_story(store, site.base, lang))  # one per language: the release is fixed
    count_of = Memo(lambda cls: instance_count(site, cls), SizedCache[str, int](COUNT_CACHE_BYTES))
    names_of = Memo(lambda key: classtable.names(store, key[0], key[1], site.base),
                    SizedCache[tuple[str, str], list[classtable.Named]](NAMES_CACHE_BYTES))
    feed = [(f"{context.settings.public_root}changes/feed.atom", "application/atom+xml", "Atom")]
    api = APIRouter()

    @api.api_route("/", methods=METHODS, include_in_schema=False)
    def home(request: Request) -> Response:
        def context(lang: str) -> dict[str, Any]:
            info = manifest(site)
            classes = [(c, site.vocab.name(c.iri, lang), human_number(c.count, lang)) for c in counts()]
            created = human_date(release.created.isoformat(), "dateTime", lang)
            triples = human_number(int(info["triples"]), lang) if "triples" in info else None
            return {"classes": classes, "created": created, "triples": triples,
                    "story": story(lang), "topics": topics(counts(), site.base, lang),
                    "json_ld": dataset_json_ld(site, info, lang)}

        return rendering.render(request, "home.html", context, release, variant="home", alternates=feed)

    @api.api_route("/classes/{name}", methods=METHODS, include_in_schema=False)
    def class_index(request: Request, name: str, page: str = "1", q: str = "") -> Response:
        cls = class_iri(name, site.base)
        # isdecimal, not isdigit: "²" is a digit that int() refuses; and int() refuses over 4,300 digits
        if cls is None or not page.isdecimal() or len(page) > 9:
            return not_found(request, site)
        if count_of(cls) == 0:
            return not_found(request, site)
        number = int(page)
        if number < 1:
            return not_found(request, site)
        query = q[:classtable.MAX_FILTER]

        def context(lang: str) -> dict[str, Any]:
            named = classtable.matching(names_of((cls, lang)), query)
            table = classtable.table(store, site.vocab, cls, named, number, lang, site.base, page_size)
            return {"cls": ClassCount(cls, curie(cls, site.base), table.total), "name": site.vocab.name(cls, lang),
                    "definition": site.vocab.definition(cls, lang), "table": table, "q": query,
                    "page": number, "pages": table.pages, "first": (number - 1) * page_size + 1,
                    "total": human_number(table.total, lang), "term_href": addresses.href(cls, site.base),
                    "query_string": urlencode({"q": query}) + "&" if query else ""}

        if number > 1:
            # A page past the end is unknown, in either language: the names of the reader's language decide.
            lang = rendering.language_of(request).lang
            named = classtable.matching(names_of((cls, lang)), query)
            if number > max(1, math.ceil(len(named) / page_size)):
                return not_found(request, site)
        variant = f"class-{number}-" + hashlib.sha256(query.encode()).hexdigest()[:16]
        return rendering.render(request, "classindex.html", context, release, variant=variant)

    return api
