"""The remote store: the release served from an existing SPARQL engine, over HTTP.

Queries go out by the SPARQL 1.1 Protocol (§2.1, query operation, POST form) to any engine that
speaks it: ``oxigraph serve`` and Virtuoso are tested. ``ser-kg publish`` (``server.store.publish``)
loads each release into the engine under versioned graph names, ``{base}graph/{version}/{name}``, and
then switches a small pointer graph, ``{base}graph/release``, to the new version: one Graph Store
Protocol PUT, so a reader sees the old release or the new one, never a mix.

A server reads the pointer once, at start, and serves that version until it is restarted, like the
embedded store serves one release folder. Every query is confined to that version's graphs: the
protocol dataset (``default-graph-uri`` / ``named-graph-uri``, Protocol §2.1.4) names them, and a
public graph name in a graph position of the query (``{base}graph/data`` after GRAPH or FROM, or in the
VALUES of a graph variable) is pointed at its versioned
twin. Graph names in answers are mapped back, so clients never see the versioned names.

Answers are parsed and written again here (``server.store.results``), so that the row cap, the
formats and the bytes are the same as the embedded store's, whatever the engine. How a query travels
to the engine, and its limits in time and size, are in ``server.store.engine``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import pyoxigraph as ox

from server.errors import EngineUnreachable, QueryRejected, QueryTimeout, ReleaseError
from server.rdf.namespaces import GRAPHS, graph_iri, prefixes
from server.rdf.sparql_policy import QUERY_FORMS, Token, position, tokens
from server.store import results
from server.store.base import ReleaseInfo, Row
from server.store.embedded import document, read_release
from server.store.engine import Connections, Engine, Parsed, Solutions, fetch
from server.store.engine_async import AsyncConnections, fetch_async
from server.store.terms import to_rdflib
from server.store.workers import Answer, Job

OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
KEPT = "http://purl.org/dc/terms/hasVersion"  # every version whose graphs are still in the engine


def pointer_graph(base: str) -> str:
    """The graph that names the current release; it is never part of a query's dataset."""
    return f"{base}graph/release"


def empty_graph(base: str) -> str:
    """A graph name that ``ser-kg publish`` never writes: a part of a dataset that must hold nothing."""
    return f"{base}graph/none"


def versioned_graph(base: str, version: str, name: str) -> str:
    return f"{base}graph/{version}/{name}"


class Renamer:
    """The public graph names of one release and the versioned names the engine holds them under."""

    def __init__(self, base: str, version: str) -> None:
        self.stored = {graph_iri(n, base): versioned_graph(base, version, n) for n in GRAPHS}
        self.public = {v: k for k, v in self.stored.items()}
        self.empty = empty_graph(base)
        self._encoded: dict[tuple[tuple[str, ...] | None, tuple[str, ...] | None], str] = {}

    def query(self, text: str) -> str:
        """``text`` with each public graph name in a graph position pointed at its stored twin: after
        GRAPH, FROM or FROM NAMED, and in the VALUES of a variable that is used after GRAPH.

        The same IRI elsewhere is data (the metadata graph describes the graphs) and stays as it is. A
        query with FROM but no FROM NAMED gets ``FROM NAMED`` of a graph that holds nothing, and the other
        way round: SPARQL makes the missing part of the dataset empty (Query §13.2), where Virtuoso
        would fill it with every graph it holds.
        """
        prefixes: dict[str, str] = {}
        toks = list(tokens(text))
        graph_vars = {toks[i + 1].text[1:] for i, t in enumerate(toks[:-1])
                      if t.kind == "word" and t.text.upper() == "GRAPH" and toks[i + 1].kind == "var"}
        renamed: set[int] = set()  # positions of the tokens to rename
        clauses: dict[bool, int] = {}  # named or not: the position of the last such clause's IRI
        for i, tok in enumerate(toks):
            word = tok.text.upper() if tok.kind == "word" else ""
            if word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
                prefixes[toks[i + 1].text[:-1]] = toks[i + 2].text[1:-1]
            elif word in ("GRAPH", "FROM", "NAMED") and i + 1 < len(toks):
                renamed.add(i + 1)
                if word == "FROM":
                    named = toks[i + 1].kind == "word" and toks[i + 1].text.upper() == "NAMED"
                    clauses[named] = i + 1 + named
            elif word == "VALUES":
                renamed.update(_values_of(toks, i + 1, graph_vars))
        edits: list[tuple[int, int, str]] = []  # (offset, length replaced, new text)
        for i in renamed:
            iri = _resolve(toks[i].text, toks[i].kind, prefixes)
            if iri in self.stored:
                edits.append((toks[i].offset, len(toks[i].text), f"<{self.stored[iri]}>"))
        if len(clauses) == 1 and max(clauses.values()) < len(toks):
            (named, last), = clauses.items()
            end = toks[last].offset + len(toks[last].text)
            edits.append((end, 0, f" FROM {'' if named else 'NAMED '}<{self.empty}>"))
        for offset, length, new in sorted(edits, reverse=True):
            text = text[:offset] + new + text[offset + length:]
        return text

    def dataset(self, job_default: Sequence[str] | None, job_named: Sequence[str] | None) -> list[tuple[str, str]]:
        """Protocol dataset parameters: the release's graphs, or the requested subset of them.

        A part the request leaves out is empty (Protocol §2.1.4 with Query §13.2); it is named as a graph
        that holds nothing, since an engine may read a missing parameter as "every graph I hold".
        """
        if job_default is None and job_named is None:
            default = named = list(self.stored.values())
        else:
            default = [self.stored[g] for g in job_default or ()] or [self.empty]
            named = [self.stored[g] for g in job_named or ()] or [self.empty]
        return [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]

    def encoded(self, job_default: Sequence[str] | None, job_named: Sequence[str] | None) -> str:
        """:meth:`dataset` as form parameters, remembered: most requests ask for the same dataset."""
        key = (None if job_default is None else tuple(job_default), None if job_named is None else tuple(job_named))
        found = self._encoded.get(key)
        if found is None:
            if len(self._encoded) >= 256:
                self._encoded.clear()
            found = self._encoded[key] = urlencode(self.dataset(job_default, job_named))
        return found

    def term(self, term: Any) -> Any:
        if isinstance(term, ox.NamedNode) and term.value in self.public:
            return ox.NamedNode(self.public[term.value])
        return term


def _values_of(toks: Sequence[Token], at: int, wanted: set[str]) -> set[int]:
    """Positions of the values given to the ``wanted`` variables by the VALUES block starting at ``at``."""
    names: list[str] = []
    i = at
    if i < len(toks) and toks[i].kind == "var":
        names, i = [toks[i].text[1:]], i + 1
    elif i < len(toks) and toks[i].text == "(":
        i += 1
        while i < len(toks) and toks[i].kind == "var":
            names.append(toks[i].text[1:])
            i += 1
        i += 1  # the closing bracket
    if not set(names) & wanted or i >= len(toks) or toks[i].text != "{":
        return set()
    found: set[int] = set()
    column = depth = 0
    for j in range(i + 1, len(toks)):
        text = toks[j].text
        if text == "}" and toks[j].kind == "punct":
            break
        if text == "(" and toks[j].kind == "punct":
            depth, column = 1, 0
        elif text == ")" and toks[j].kind == "punct":
            depth = 0
        else:
            if names[column % len(names)] in wanted:
                found.add(j)
            column = column + 1 if depth or len(names) == 1 else column
    return found


def _resolve(text: str, kind: str, prefixes: dict[str, str]) -> str | None:
    if kind == "iri":
        return text[1:-1]
    if kind == "pname":
        prefix, _, local = text.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else None
    return None


class RemoteStore:
    """Trusted queries (pages, listings, catalogue) over the current release in a remote engine."""

    def __init__(self, engine: Engine, release: ReleaseInfo) -> None:
        self.engine = engine
        self.release = release
        self.renamer = Renamer(release.base_iri, release.version)
        self._prefixes = prefixes(release.base_iri)
        self.connections = Connections(engine)  # for these trusted queries, from threads
        self.async_connections = AsyncConnections(self.connections)  # for the public endpoint's, on the event loop

    @classmethod
    def open(cls, engine: Engine, base: str, releases_dir: Path) -> RemoteStore:
        """Connect to ``engine``, read which release is current there, and find its files locally."""
        pointer = pointer_graph(base)
        query = f"SELECT ?v WHERE {{ GRAPH <{pointer}> {{ <{pointer}> <{OWL_VERSION_INFO}> ?v }} }}"
        connections = Connections(engine)
        try:
            found = fetch(connections, query, "", triples=False)
        finally:
            connections.close()
        versions = [row[0].value for row in found.rows] if isinstance(found, Solutions) else []
        if len(versions) != 1:
            raise ReleaseError(f"the SPARQL engine at {engine.url} holds no current release for base IRI {base} "
                               "(or more than one); load one with `ser-kg publish --to GRAPH-STORE-URL`")
        folder = releases_dir / versions[0]
        if not (folder / "manifest.json").is_file():
            raise ReleaseError(f"release {versions[0]} is current in the engine at {engine.url}, but {folder} "
                               "does not hold its files (downloads and the catalogue are served from them): "
                               "copy the release folder to every server")
        return cls(engine, read_release(folder))

    def fetch(self, query: str, dataset: str, *, triples: bool) -> Parsed:
        return fetch(self.connections, query, dataset, triples)

    def run(self, query: str, *, triples: bool = False) -> Parsed:
        parsed = self.fetch(self.renamer.query(query), self.renamer.encoded(None, None), triples=triples)
        return self.public_names(parsed)

    def public_names(self, parsed: Parsed) -> Parsed:
        term = self.renamer.term
        if isinstance(parsed, Solutions):
            return Solutions(parsed.variables, [tuple(term(t) for t in row) for row in parsed.rows])
        if isinstance(parsed, list):
            return [ox.Triple(term(t.subject), term(t.predicate), term(t.object)) for t in parsed]
        return parsed

    def select(self, query: str) -> Sequence[Row]:
        parsed = self.run(query)
        if not isinstance(parsed, Solutions):
            raise TypeError("select() needs a SELECT query")
        names = [v.value for v in parsed.variables]
        return [{n: to_rdflib(t) for n, t in zip(names, row, strict=True) if t is not None} for row in parsed.rows]

    def ask(self, query: str) -> bool:
        parsed = self.run(query)
        if not isinstance(parsed, bool):
            raise TypeError("ask() needs an ASK query")
        return parsed

    def construct(self, query: str, media_type: str) -> bytes:
        parsed = self.run(query, triples=True)
        if not isinstance(parsed, list):
            raise TypeError("construct() needs a CONSTRUCT or DESCRIBE query")
        return document(parsed, media_type, self._prefixes)

    def close(self) -> None:
        self.connections.close()
        self.async_connections.close()


# ASK is answered as soon as it is parsed; as a SELECT of a constant the query is parsed and never run.
_ASK_AS_SELECT = "SELECT (1 AS ?ser_kg_ask)"
_ERROR_AT = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)


def syntax_error(query: str) -> str | None:
    """The error Oxigraph's parser finds in ``query``, worded as the embedded store words it; None if it
    parses. So a malformed query gets the same 400 from every backend, whatever the engine says.
    """
    form = next((t for t in tokens(query) if t.kind == "word" and t.text.upper() in QUERY_FORMS), None)
    text = query
    if form is not None and form.text.upper() == "ASK":
        text = query[:form.offset] + _ASK_AS_SELECT + query[form.offset + len(form.text):]
    try:
        ox.Store().query(text)  # SELECT, CONSTRUCT and DESCRIBE answers are lazy: nothing runs
    except SyntaxError as exc:
        message = str(exc.msg if hasattr(exc, "msg") else exc)
    else:
        return None
    match = _ERROR_AT.match(message)
    if match and form is not None and text is not query:  # point back into the query as it was sent
        line, column = int(match[1]), int(match[2])
        ask_line, ask_column = (int(n) for n in position(query, form.offset).split(":"))
        if line == ask_line and column > ask_column:
            column -= len(_ASK_AS_SELECT) - len(form.text)
        message = f"error at {line}:{column}: {match[3]}"
    return f"syntax error: {message}"


class RemoteRunner:
    """The public endpoint's query runner over a remote engine: the same limits as the worker pool.

    The policy checks happen before (``server.web.sparql``); here the query is confined to the release,
    sent with the deadline, and its answer cut at the result limit and written in the asked format.
    """

    size = 1  # the engine runs the queries; this server only waits for them

    def __init__(self, store: RemoteStore, *, limit: int) -> None:
        self.store = store
        self.limit = limit
        self.timeouts = 0
        self.restarts = 0  # nothing to restart: kept for the metrics the worker pool reports
        self.reachable = True  # as of the last request

    @property
    def alive(self) -> int:
        return int(self.reachable)

    def start(self) -> bool:
        return False  # nothing to start, and nothing this app must close

    def close(self) -> None:
        pass  # the connections are the store's

    async def run(self, job: Job) -> Answer:
        started = time.perf_counter()
        renamer = self.store.renamer
        dataset = "" if job.uses_query_dataset else renamer.encoded(job.default_graphs, job.named_graphs)
        triples = job.format in results.RDF_FORMATS  # the endpoint offers RDF formats to CONSTRUCT and DESCRIBE only
        with self._outcome(job):
            parsed = await fetch_async(self.store.async_connections, renamer.query(job.query), dataset, triples)
        if "graph" in job.query.lower():  # a versioned graph name can only be bound by GRAPH ?g
            parsed = self.store.public_names(parsed)
        try:
            if isinstance(parsed, bool):
                kind, written = "boolean", results.boolean(parsed, job.format)
            elif isinstance(parsed, Solutions):
                kind, written = "solutions", results.solutions(cast(ox.QuerySolutions, parsed), job.format,
                                                               self.limit, ordered=job.ordered)
            else:
                kind, written = "triples", results.triples(cast(ox.QueryTriples, parsed), job.format, self.limit,
                                                           self.store._prefixes)
        except KeyError:
            raise QueryRejected(f"format {job.format!r} cannot carry the results of this query") from None
        return Answer(kind, written.body, written.count, written.truncated, time.perf_counter() - started)

    @contextmanager
    def _outcome(self, job: Job) -> Iterator[None]:
        """Counts timeouts, keeps whether the engine is reachable, and words syntax errors as the embedded store."""
        try:
            yield
        except QueryTimeout:
            self.timeouts += 1
            raise
        except QueryRejected as refused:
            # The engine's wording differs per engine; Oxigraph's parser gives every backend the same one.
            local = syntax_error(job.query)
            if local is None:
                raise
            raise QueryRejected(local) from refused
        except EngineUnreachable:
            self.reachable = False
            raise
        self.reachable = True


def engine_from(url: str, settings: Any) -> Engine:
    return Engine(url=url, timeout=settings.query_timeout, user=settings.store_user,
                  password=settings.store_password, timeout_parameter=settings.store_timeout_parameter)
