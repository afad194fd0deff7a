"""The remote store: the release served from an existing SPARQL engine, over HTTP.

Queries go out by the SPARQL 1.1 Protocol (§2.1, query operation, POST form) to any engine that
speaks it: ``oxigraph serve`` and Virtuoso are tested. A server reads which release is current in the
engine once, at start, and serves that version until it is restarted, like the embedded store serves
one release folder; every query is confined to that version's graphs (``server.store.remote.confinement``).

Answers are parsed and written again here (``server.store.results``), so that the row cap, the
formats and the bytes are the same as the embedded store's, whatever the engine. How a query travels
to the engine, and its limits in time and size, are in ``server.store.remote.engine``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from server.errors import EngineFailed, EngineUnreachable, QueryRejected, QueryTimeout, ReleaseError, StoreError
from server.rdf.namespaces import prefixes
from server.rdf.sparql_lexer import position, tokens
from server.rdf.sparql_policy import QUERY_FORMS
from server.store import results
from server.store.base import Answer, Job, ReleaseInfo, Row
from server.store.manifest import is_release, read_release, verify_release
from server.store.remote.confinement import HELPER, OWL_VERSION_INFO, Renamer, pointer_graph
from server.store.remote.engine import Connections, Engine, Parsed, Solutions, fetch, fetch_async
from server.store.terms import document, to_rdflib


class RemoteStore:
    """Trusted queries (pages, listings, catalogue) over the current release in a remote engine."""

    def __init__(self, engine: Engine, release: ReleaseInfo) -> None:
        self.engine = engine
        self.release = release
        self.renamer = Renamer(release.base_iri, release.version)
        self._prefixes = prefixes(release.base_iri)
        # These trusted queries go from threads, the public endpoint's on the event loop: one pool each.
        self.connections = Connections(engine)

    @classmethod
    def open(cls, engine: Engine, base: str, releases_dir: Path, *, result_limit: int = 0) -> RemoteStore:
        """Connect to ``engine``, read which release is current there, and find its files locally. With a
        ``result_limit``, first make sure the engine does not cut answers at or below it (see :func:`row_cap_probe`).
        """
        pointer = pointer_graph(base)
        query = f"SELECT ?v WHERE {{ GRAPH <{pointer}> {{ <{pointer}> <{OWL_VERSION_INFO}> ?v }} }}"
        connections = Connections(engine)
        try:
            found = fetch(connections, query, "", triples=False)
            if result_limit:
                sent = fetch(connections, row_cap_probe(result_limit), "", triples=False)
                rows = len(sent.rows) if isinstance(sent, Solutions) else 0
                if rows <= result_limit or (isinstance(sent, Solutions) and sent.cut):
                    raise StoreError(
                        f"the SPARQL engine at {engine.url} cuts answers at {rows} rows; it must send more than "
                        f"the setting result_limit ({result_limit}) + 1, or a cut answer could pass as whole: "
                        "raise the engine's cap (Virtuoso: ResultSetMaxRows in the [SPARQL] section of "
                        "virtuoso.ini), or lower SER_KG_RESULT_LIMIT")
        finally:
            connections.close()
        versions = [row[0].value for row in found.rows] if isinstance(found, Solutions) else []
        if len(versions) != 1:
            raise ReleaseError(f"the SPARQL engine at {engine.url} holds no current release for base IRI {base} "
                               "(or more than one); load one with `ser-kg publish --to GRAPH-STORE-URL`")
        folder = releases_dir / versions[0]
        if not is_release(folder):
            raise ReleaseError(f"release {versions[0]} is current in the engine at {engine.url}, but {folder} "
                               "does not hold its files (downloads and the catalogue are served from them): "
                               "copy the release folder to every server")
        release = read_release(folder)
        verify_release(folder)  # the downloads, VoID and catalogue are served from these files
        return cls(engine, release)

    def fetch(self, query: str, dataset: str, *, triples: bool) -> Parsed:
        return fetch(self.connections, query, dataset, triples)

    def run(self, query: str, *, triples: bool = False) -> Parsed:
        parsed = self.fetch(self.renamer.query(query), self.renamer.encoded(None, None), triples=triples)
        return self.public_names(parsed)

    def public_names(self, parsed: Parsed) -> Parsed:
        """``parsed`` without the helper variables of the rewriting, and with public graph names."""
        term = self.renamer.term
        if isinstance(parsed, Solutions):
            kept = [i for i, v in enumerate(parsed.variables) if not v.value.startswith(HELPER)]
            return Solutions([parsed.variables[i] for i in kept],
                             [tuple(term(row[i]) for i in kept) for row in parsed.rows], parsed.cut)
        if isinstance(parsed, list):
            return [ox.Triple(term(t.subject), term(t.predicate), term(t.object)) for t in parsed]
        return parsed

    def select(self, query: str) -> Sequence[Row]:
        parsed = self.run(query)
        if not isinstance(parsed, Solutions):
            raise TypeError("select() needs a SELECT query")
        if parsed.cut:  # a page or a listing built from part of the answer would be wrong, and say nothing
            raise StoreError(f"the SPARQL engine at {self.engine.url} cut an answer at its row cap "
                             f"({len(parsed.rows)} rows): raise it (Virtuoso: ResultSetMaxRows in virtuoso.ini)")
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

    The policy checks happen before (``server.web.sparql.endpoint``); here the query is confined to the release,
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

    @property
    def ready(self) -> bool:
        return self.reachable

    def health(self) -> dict[str, object]:
        return {"engine": "reachable" if self.reachable else "unreachable"}

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
            parsed = await fetch_async(self.store.connections, renamer.query(job.query), dataset, triples)
        if "graph" in job.query.lower():  # only GRAPH ?g brings helper variables or stored graph names
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
        truncated = written.truncated or (isinstance(parsed, Solutions) and parsed.cut)
        return Answer(kind, written.body, written.count, truncated, time.perf_counter() - started)

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
        except EngineFailed as failed:
            # A 500 is the engine failing to evaluate a query it parsed (an unknown function, say): a bad query,
            # as the embedded store answers it. A proxy's 502-504, a 401 or a 404 stay a 503 naming the engine,
            # as do our own queries (pages) failing in any way.
            if failed.status == 500:
                raise QueryRejected(f"the query could not be evaluated: {failed.text}") from failed
            raise
        self.reachable = True


def row_cap_probe(rows: int) -> str:
    """A SELECT of exactly ``rows`` + 1 rows, made from VALUES alone, whatever the data.

    Virtuoso cuts every answer at its ``ResultSetMaxRows`` (10,000 as packaged): a SELECT at that many
    rows, saying so in a header, a CONSTRUCT at one triple more, saying nothing (probed on 7.2.5). An
    engine that sends fewer rows than this cuts at or below ``rows``, and a public answer cut there
    would pass for a whole one.
    """
    digits = len(str(rows))
    values = " ".join(f"VALUES ?d{i} {{ 0 1 2 3 4 5 6 7 8 9 }}" for i in range(digits))
    number = " + ".join(f"?d{i} * {10 ** i}" for i in range(digits))
    return f"SELECT ?n WHERE {{ {values} BIND({number} AS ?n) FILTER(?n <= {rows}) }}"


def engine_from(url: str, settings: Any) -> Engine:
    return Engine(url=url, timeout=settings.query_timeout, user=settings.store_user,
                  password=settings.store_password, timeout_parameter=settings.store_timeout_parameter)
