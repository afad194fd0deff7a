"""The query page a browser gets from ``/sparql``: YASGUI, vendored and served from here.

YASGUI (``static/vendor/yasgui``, refreshed by ``scripts/refresh-yasgui``; no CDN, no build step) is set
up by ``static/query-editor.js``. The editor knows the project's prefix map (``server.rdf.namespaces``)
without pasting it into the query, and opens the example queries of ``queries/examples/*.rq`` as tabs,
named by their first comment line (in English) or by a ``# nl:`` comment line (in Dutch). The examples
are written against the production base IRI; a release built with another base gets them rebased, so
that they match its data. The page follows the
site's language (``?lang=``, cookie, Accept-Language) and passes its settings and words to the scripts
as JSON in a ``<script type="application/json">`` element, which Jinja's ``tojson`` makes safe to embed;
the scripts render results with ``textContent`` only. Without script, the page is a plain form.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.responses import Response

from server.rdf.formats import RDF_FORMATS, RESULT_FORMATS
from server.rdf.namespaces import DEFAULT_BASE, prefixes
from server.settings import Settings
from server.store.base import ReleaseInfo
from server.web import rendering
from server.web.addresses import ONTOLOGY_NAME
from server.web.labels import LABEL_PREDICATES
from server.web.sparql import words as query_words

STARTER = "SELECT ?class (COUNT(?thing) AS ?things) WHERE {\n  ?thing a ?class .\n}\nGROUP BY ?class\n" \
          "ORDER BY DESC(?things)\nLIMIT 25\n"


@dataclass(frozen=True)
class Example:
    name: str  # file name without .rq
    title: str  # in English
    query: str
    title_nl: str = ""  # from a "# nl: ..." comment among the first lines

    def title_in(self, lang: str) -> str:
        return self.title_nl if lang == "nl" and self.title_nl else self.title


def read_example(path: Path, base: str = DEFAULT_BASE) -> Example:
    """An example query file; its first line, a comment, is the (English) title, and a comment line
    ``# nl: ...`` in the comments that follow it the Dutch one."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    first = lines[0] if lines else ""
    title = first.lstrip("#").strip() if first.startswith("#") else path.stem.replace("-", " ")
    leading = list(itertools.takewhile(lambda line: line.startswith("#"), lines))
    dutch = next((line[len("# nl:"):].strip() for line in leading if line.startswith("# nl:")), "")
    if base != DEFAULT_BASE:
        text = text.replace(DEFAULT_BASE, base)
    return Example(path.stem, title, text, dutch)


def examples(folder: Path, base: str = DEFAULT_BASE) -> list[Example]:
    return [read_example(p, base) for p in sorted(folder.glob("*.rq"))]


_PREFIX_LINE = re.compile(r"^PREFIX[ \t]+([A-Za-z][\w.-]*)?:[ \t]*<([^<>\s]*)>[ \t]*\n", re.MULTILINE | re.IGNORECASE)


def without_known_prefixes(query: str, known: dict[str, str]) -> str:
    """The query without the PREFIX lines that declare a prefix of the project's map as the map does:
    the editor knows those (static/query-editor.js puts back what a query uses when it sends it).
    A line that binds a known prefix to another namespace stays, and so its meaning."""
    kept = _PREFIX_LINE.sub(lambda m: "" if known.get(m.group(1) or "") == m.group(2) else m.group(0), query)
    return re.sub(r"\n{3,}", "\n\n", kept) if kept != query else query


class QueryPage:
    def __init__(self, settings: Settings, release: ReleaseInfo) -> None:
        self.release = release
        base = release.base_iri
        self.examples = examples(settings.queries_dir / "examples", base)
        known = prefixes(base)
        self.editor_queries = {e.name: without_known_prefixes(e.query, known) for e in self.examples}
        self.config: dict[str, Any] = {
            "endpoint": "/sparql",
            "base": base,
            "ontology": ONTOLOGY_NAME,
            "prefixes": known,
            "labelPredicates": list(LABEL_PREDICATES),
            "starter": STARTER,
            "resultFormats": [{"name": f.name, "label": f.label, "mediaType": f.media_type}
                              for f in RESULT_FORMATS],
            "graphFormats": [{"name": f.name, "label": f.label, "mediaType": f.media_type}
                             for f in RDF_FORMATS],
            "limits": {
                "timeout": settings.query_timeout,
                "results": settings.result_limit,
                "queryLength": settings.max_query_length,
            },
        }

    def render(self, request: Request, query: str | None, headers: dict[str, str]) -> Response:
        def context(lang: str) -> dict[str, Any]:
            words = query_words.words(lang)
            examples = [{"name": e.name, "title": e.title_in(lang), "query": self.editor_queries[e.name]}
                        for e in self.examples]
            links = [{"name": e.name, "title": e.title_in(lang), "query": e.query} for e in self.examples]
            return {"config": {**self.config, "query": query, "lang": lang, "words": words, "examples": examples},
                    "words": words, "examples": links, "limits": self.config["limits"],
                    "query": query or self.config["starter"]}

        return rendering.render(request, "sparql.html", context, self.release, variant="sparql",
                                vary="Accept, Accept-Language, Cookie",
                                extra_headers={**headers, "Cache-Control": "no-cache"})
