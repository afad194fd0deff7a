"""The one interface every store implements, and the release it serves.

Internal, trusted queries (entity pages, listings, the catalogue) use :meth:`Store.select` and
:meth:`Store.construct`, which run in-process: pyoxigraph releases the GIL, so FastAPI's thread pool
uses every core. The public SPARQL endpoint does not use these: it goes through the worker pool in
``server.store.workers``, where a runaway query can be killed, but for the queries proven cheap, which
it may run in-process (``server.store.workers.lanes``).

Terms cross this boundary as rdflib terms, so that nothing outside ``server.store`` imports pyoxigraph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from rdflib.term import Identifier


@dataclass(frozen=True)
class ReleaseInfo:
    """What a server needs to know about the release it serves."""

    version: str
    path: Path  # the release directory
    created: datetime  # when the build wrote it (UTC); drives Last-Modified
    base_iri: str  # the base IRI the release was built with

    @property
    def etag(self) -> str:
        """A strong validator pinned to the release, for every response derived from it."""
        return f'"{self.version}"'


Row = Mapping[str, Identifier]


# A public query and its answer, as they cross the QueryRunner interface (to a worker or a remote engine).
@dataclass(frozen=True)
class Job:
    query: str
    format: str  # a name from server.rdf.formats: json, xml, csv, tsv, turtle, jsonld, ...
    default_graphs: tuple[str, ...] | None = None  # None: the default graph is the union of all graphs
    named_graphs: tuple[str, ...] | None = None  # None: every graph of the store
    uses_query_dataset: bool = False  # the query has FROM / FROM NAMED of its own
    ordered: bool = True  # False: no ORDER BY, so rows are written in a canonical order (server.store.results)
    cheap: bool = False  # proven cheap (server.rdf.sparql_cheap): may run in-process (server.store.workers.lanes)


@dataclass(frozen=True)
class Answer:
    kind: str  # solutions, boolean or triples
    body: bytes
    count: int
    truncated: bool
    seconds: float  # time spent in the worker


class Store(Protocol):
    release: ReleaseInfo

    def select(self, query: str) -> Sequence[Row]:
        """Run a trusted SELECT over the union of all graphs; unbound variables are absent from the row."""
        ...

    def ask(self, query: str) -> bool: ...

    def construct(self, query: str, media_type: str) -> bytes:
        """Run a trusted CONSTRUCT or DESCRIBE and serialise the triples in ``media_type``."""
        ...

    def close(self) -> None: ...


class QueryRunner(Protocol):
    """Runs the public endpoint's queries within the limits: the worker pool over the embedded store
    (``server.store.workers``), or the remote engine (``server.store.remote``)."""

    @property
    def timeouts(self) -> int: ...

    @property
    def restarts(self) -> int: ...

    @property
    def alive(self) -> int: ...

    @property
    def ready(self) -> bool:
        """Whether it can take queries now or shortly (busy or restarting workers are ready)."""
        ...

    def health(self) -> dict[str, object]:
        """What ``/-/health`` says of it, beside the release: never an internal address."""
        ...

    def start(self) -> bool:
        """Start (blocking); False when already running, so that only the starter closes it."""
        ...

    def close(self) -> None: ...

    async def run(self, job: Job) -> Answer: ...
