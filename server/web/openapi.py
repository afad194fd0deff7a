"""The OpenAPI 3.1 description of the public HTTP API, served at ``/-/openapi.json``.

The routes are plain Starlette routes or read their parameters themselves (for speed, and because the
SPARQL 1.1 Protocol and the W3C Reconciliation API fix their parameters), so FastAPI cannot derive a
schema from their signatures. The schema is written here instead, as a table: one row per operation,
with its parameters and what it answers. The fuzz tests (``tests/fuzz/test_openapi.py``, schemathesis)
drive every operation of this table, and a test keeps it in step with the app's routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.rdf.formats import RDF_FORMATS, RESULT_FORMATS

STRING: dict[str, Any] = {"type": "string"}
SPARQL_ANSWERS = sorted({f.media_type for f in (*RESULT_FORMATS, *RDF_FORMATS)} | {"text/html"})
RDF_ANSWERS = sorted({f.media_type for f in RDF_FORMATS} | {"text/html"})


@dataclass(frozen=True)
class Param:
    name: str
    where: str = "query"  # query, path or header
    required: bool = False
    schema: dict[str, Any] = field(default_factory=lambda: dict(STRING))
    text: str = ""


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    tag: str
    summary: str
    params: tuple[Param, ...] = ()
    answers: tuple[str, ...] = ("text/html",)
    statuses: tuple[str, ...] = ("200", "404")
    form: tuple[str, ...] = ()  # fields of an application/x-www-form-urlencoded body
    query_body: bool = False  # also accepts the query as application/sparql-query


SPARQL_PARAMS = (
    Param("query", text="A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE); without it, the service "
                        "description."),
    Param("default-graph-uri", text="A graph of this release to use as the default graph."),
    Param("named-graph-uri", text="A graph of this release to use as a named graph."),
    Param("format", text="A format name (json, xml, csv, tsv, turtle, ...) instead of the Accept header."),
)
REST = Param("rest", "path", True, {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._/#-]*$"},
             "The rest of the IRI after /id/, /doc/ or /def/.")
FORMAT = Param("format", text="A format name instead of the Accept header.")
RELEASE = Param("release", schema={"type": "string", "maxLength": 64},
                text="An answerable release version: the document as that release has it (a memento).")
ACCEPT_DATETIME = Param("Accept-Datetime", "header", text="An RFC 1123 date, such as Sun, 01 Feb 2026 00:00:00 "
                        "GMT: 302 to the memento of the release in force then.")
SPARQL_STATUSES = ("200", "400", "403", "406", "413", "414", "415", "503")
# The saved views (server.web.views, queries/views/): a page, CSV or JSON, with the query's parameters.
VIEW_ANSWERS = ("text/html", "text/csv", "application/json")
VIEW_STATUSES = ("200", "304", "400", "503")
VIEW_LANG = Param("lang", schema={"type": "string", "enum": ["nl", "en"]},
                  text="Language of the names (and of the page): nl or en.")
VIEW_FORMAT = Param("format", schema={"type": "string", "enum": ["html", "csv", "json"]},
                    text="html, csv or json instead of the Accept header.")
VIEW_DAY = Param("op", schema={"type": "string", "format": "date"}, text="The day, YYYY-MM-DD (default: today).")


def _view(name: str, summary: str, *params: Param) -> Operation:
    return Operation("get", f"/views/{name}", "Views", summary, (*params, VIEW_LANG, VIEW_FORMAT), VIEW_ANSWERS,
                     VIEW_STATUSES)


OPERATIONS: tuple[Operation, ...] = (
    Operation("get", "/sparql", "SPARQL", "Run a read-only SPARQL query (SPARQL 1.1 Protocol §2.1.1).",
              SPARQL_PARAMS, tuple(SPARQL_ANSWERS), SPARQL_STATUSES),
    Operation("post", "/sparql", "SPARQL", "Run a read-only SPARQL query sent in the body (§2.1.2, §2.1.3).",
              (), tuple(SPARQL_ANSWERS), SPARQL_STATUSES,
              form=("query", "default-graph-uri", "named-graph-uri", "format"), query_body=True),
    Operation("get", "/", "Pages", "The home page: the SER's story, ways in by topic, what the dataset holds."),
    Operation("get", "/id/{rest}", "Linked data", "A thing's IRI: 303 See Other to its document.", (REST,),
              (), ("303", "404", "410")),
    Operation("get", "/def/{rest}", "Linked data", "An ontology term's IRI: 303 See Other to its document.",
              (REST,), (), ("303", "404", "410")),
    Operation("get", "/doc/{rest}", "Linked data", "A document about a thing, negotiated (or by suffix); its "
              "Memento TimeGate (RFC 7089) with Accept-Datetime, and with release= a memento of an earlier release.",
              (REST, RELEASE, ACCEPT_DATETIME), (*RDF_ANSWERS, "application/json"),
              ("200", "301", "302", "400", "404", "406", "410")),
    Operation("get", "/timemap/doc/{rest}", "Linked data", "The Memento TimeMap of a document (RFC 7089 §5): "
              "its mementos in the answerable releases.", (REST,), ("application/link-format",), ("200", "404")),
    Operation("get", "/cite/{path}", "Linked data", "How to cite a thing: text, BibTeX or CSL-JSON, as of a release.",
              (Param("path", "path", True, {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"},
                     "The path of the thing's IRI under the base, such as id/persoon/kim-putters."),
               Param("release", text="A release version that stays answerable (default: the current one)."),
               Param("format", schema={"type": "string", "enum": ["text", "bibtex", "csl"]},
                     text="text, bibtex or csl instead of the Accept header."),
               VIEW_LANG),
              ("text/plain", "application/x-bibtex", "application/vnd.citationstyles.csl+json", "text/html"),
              ("200", "304", "400", "404", "406", "410")),
    Operation("get", "/ns/context.jsonld", "Linked data", "The JSON-LD context of the documents and the dump.",
              (), ("application/ld+json",), ("200",)),
    Operation("get", "/classes/{name}", "Pages", "The things of one class, a page at a time.",
              (Param("name", "path", True, text="The class as a CURIE, such as ser:Advies."),
               Param("page", text="Page number, from 1."))),
    Operation("get", "/search", "Search", "Find things by their names, aliases and descriptions.",
              (Param("q", text="Words of a name, an alias or a description."),
               Param("type", text="A class to search in."), Param("limit", text="Most results."),
               Param("format", text="json for JSON.")),
              ("text/html", "application/json"), ("200",)),
    Operation("get", "/downloads/", "Downloads", "Every release and its files."),
    Operation("get", "/downloads/{version}/{name}", "Downloads", "One file of a release.",
              (Param("version", "path", True, {"type": "string", "pattern": r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$"},
                     "A release version, or latest."),
               Param("name", "path", True, {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"},
                     "A file name listed in the release's manifest.")),
              ("application/octet-stream",), ("200", "206", "304", "307", "404", "416")),
    Operation("get", "/changes/", "Downloads", "Every release with the number of things it added, changed and "
              "withdrew.", (Param("format", text="json for JSON."),), ("text/html", "application/json"), ("200",)),
    Operation("get", "/changes/feed.atom", "Downloads", "The change log as an Atom 1.0 feed (RFC 4287).", (),
              ("application/atom+xml",), ("200", "304")),
    Operation("get", "/changes/{version}", "Downloads", "The things one release added, changed and withdrew.",
              (Param("version", "path", True, {"type": "string", "pattern": r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$"},
                     "A release version."), Param("format", text="json for the release's changes.json.")),
              ("text/html", "application/json"), ("200", "404")),
    Operation("get", "/.well-known/void", "Metadata", "The VoID description of the dataset.", (FORMAT,),
              tuple(RDF_ANSWERS), ("200", "404", "406")),
    Operation("get", "/catalog", "Metadata", "The DCAT-AP-NL catalogue.", (FORMAT,), tuple(RDF_ANSWERS),
              ("200", "404", "406")),
    Operation("get", "/sitemap.xml", "Metadata", "Pages worth indexing.", (), ("application/xml",), ("200",)),
    Operation("get", "/robots.txt", "Metadata", "Rules for crawlers.", (), ("text/plain",), ("200",)),
    Operation("get", "/reconcile", "Reconciliation", "W3C Reconciliation API: manifest, or a batch.",
              (Param("queries", text="A JSON batch of queries."), Param("extend", text="A JSON extend query.")),
              ("application/json",), ("200", "400", "413")),
    Operation("post", "/reconcile", "Reconciliation", "W3C Reconciliation API: a batch in a form body.",
              (), ("application/json",), ("200", "400", "413", "415"), form=("queries", "extend")),
    Operation("get", "/reconcile/suggest/{kind}", "Reconciliation", "Suggestions while typing.",
              (Param("kind", "path", True, text="entity, type or property."), Param("prefix"),
               Param("cursor"), Param("type")), ("application/json",)),
    Operation("get", "/reconcile/properties", "Reconciliation", "Properties to extend data with.",
              (Param("type"), Param("limit")), ("application/json",), ("200",)),
    Operation("get", "/reconcile/preview", "Reconciliation", "A small page about one thing.",
              (Param("id", text="The thing's IRI."),)),
    Operation("get", "/reconcile/view", "Reconciliation", "303 See Other to the thing's page.",
              (Param("id", text="The thing's IRI."),), (), ("303", "404")),
    Operation("get", "/views/", "Views", "The saved views."),
    _view("chairs", "The chairs of the SER over time (queries/views/chairs.rq)."),
    _view("council", "The council on a chosen day: chair, deputy chairs, members per group, crown members "
                     "(queries/views/council.rq).", VIEW_DAY),
    _view("seats", "The seat allocation over time, per organisation and per group (queries/views/seats.rq)."),
    _view("adviezen", "The advisory reports: year, title, requester, committee, theme (queries/views/adviezen.rq)."),
    _view("covenants", "The IRBC agreements over time (queries/views/covenants.rq)."),
    Operation("get", "/-/health", "Operations", "Health of the server and its query workers.", (),
              ("application/json",), ("200", "503")),
    Operation("get", "/-/metrics", "Operations", "Prometheus metrics.", (), ("text/plain",), ("200",)),
)


def _name(path: str) -> str:
    return "_".join(part.strip("{}") for part in path.split("/") if part) or "home"


def _operation(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tags": [op.tag],
        "summary": op.summary,
        "operationId": f"{op.method}_{_name(op.path)}",
        "responses": {status: {"description": status, **({"content": {m: {} for m in op.answers}}
                                                          if status == "200" and op.answers else {})}
                      for status in op.statuses},
    }
    if op.params:
        out["parameters"] = [{"name": p.name, "in": p.where, "required": p.required, "schema": p.schema,
                              **({"description": p.text} if p.text else {})} for p in op.params]
    if op.form:
        form = {"type": "object", "properties": {name: dict(STRING) for name in op.form}}
        content: dict[str, Any] = {"application/x-www-form-urlencoded": {"schema": form}}
        if op.query_body:
            content["application/sparql-query"] = {"schema": dict(STRING)}
        out["requestBody"] = {"required": True, "content": content}
    return out


def schema(title: str, version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {"openapi": "3.1.0", "info": {"title": title, "version": version}, "paths": paths}
