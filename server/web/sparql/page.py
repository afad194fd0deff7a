"""The query page a browser gets from ``/sparql``: an editor in the manner of YASGUI, served from here.

Plain HTML, CSS and JavaScript from ``static/`` (no CDN, no build step). The editor starts with the
project's prefix map (``server.rdf.namespaces``) and offers the example queries of
``queries/examples/*.rq``, whose first comment line is the title. The examples are written against the
production base IRI; a release built with another base gets them rebased, so that they match its data.
The page passes its settings to the script as JSON in a ``<script type="application/json">`` element,
which Jinja's ``tojson`` makes safe to embed; the script renders results with ``textContent`` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from server.rdf.formats import RDF_FORMATS, RESULT_FORMATS
from server.rdf.namespaces import DEFAULT_BASE, prefixes, sparql_prologue
from server.settings import Settings
from server.store.base import ReleaseInfo
from server.web import rendering

STARTER = "SELECT ?class (COUNT(?thing) AS ?things) WHERE {\n  ?thing a ?class .\n}\nGROUP BY ?class\n" \
          "ORDER BY DESC(?things)\nLIMIT 25\n"

@dataclass(frozen=True)
class Example:
    name: str  # file name without .rq
    title: str
    query: str


def read_example(path: Path, base: str = DEFAULT_BASE) -> Example:
    """An example query file; its first line, a comment, is the title."""
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0] if text else ""
    title = first.lstrip("#").strip() if first.startswith("#") else path.stem.replace("-", " ")
    if base != DEFAULT_BASE:
        text = text.replace(DEFAULT_BASE, base)
    return Example(path.stem, title, text)


def examples(folder: Path, base: str = DEFAULT_BASE) -> list[Example]:
    return [read_example(p, base) for p in sorted(folder.glob("*.rq"))]


class QueryPage:
    def __init__(self, settings: Settings, release: ReleaseInfo) -> None:
        self.release = release
        base = release.base_iri
        self.examples = examples(settings.queries_dir / "examples", base)
        self.config: dict[str, Any] = {
            "endpoint": "/sparql",
            "prefixes": prefixes(base),
            "starter": sparql_prologue(base) + "\n" + STARTER,
            "examples": [{"name": e.name, "title": e.title, "query": e.query} for e in self.examples],
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
        self.template = rendering.ENV.get_template("sparql.html")

    def render(self, request: Request, query: str | None, headers: dict[str, str]) -> HTMLResponse:
        config = {**self.config, "query": query}
        html = self.template.render(config=config, examples=self.examples, release=self.release,
                                    limits=self.config["limits"], query=query or self.config["starter"])
        return HTMLResponse(html, headers={**headers, "Cache-Control": "no-cache"})
