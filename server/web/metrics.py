"""Operational metrics for Prometheus, served at ``/-/metrics`` (``server.web.metadata.health``).

``/-/metrics`` counts requests and their latencies per route (an ASGI middleware, so that every route is
counted, whichever module serves it), SPARQL outcomes, timeouts, worker restarts and the result cache, in
the Prometheus text exposition format 0.0.4 written by ``prometheus_client``, from a registry that
belongs to the app (never the library's global one, which any import could fill).

Label values are bounded, because each one is a series held for the life of the process: the ``route``
of a request is the template of the route that served it (``/id/{rest:path}``, ``/static/{path}``) or
``unmatched``, never the path a client sent; ``method`` is one of the HTTP methods or ``other``.

Several server processes: start each with ``PROMETHEUS_MULTIPROC_DIR`` naming one directory, emptied
before they start (prometheus_client's multiprocess mode). Each process then writes its counters and
histograms to files there, and whichever process answers ``/-/metrics`` reports the sums over all of
them. The values sampled from a process's pool, caches and answer budget (the :data:`SAMPLED` table)
are written there too, at a scrape and after requests (at most once a second), and summed in the same
way over the processes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any, Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.web.cors import leaves

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"  # the route of a request no route served
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"})
SAMPLE_INTERVAL = 1.0  # seconds between two samples written after requests, in multiprocess mode

Labels = tuple[tuple[str, str], ...]
Mode = Literal["sum", "livesum", "max"]  # how the values of several processes add up
Sampler = Callable[[], Iterable[tuple[str, Labels, float]]]

# The tables of what is exported: (name, help, label names).
COUNTERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ser_kg_http_requests_total", "HTTP requests answered, by route, method and status.",
     ("method", "route", "status")),
    ("ser_kg_sparql_queries_total", "Public SPARQL queries, by outcome (ok, cached, refused, rejected, timeout, "
     "busy, error).", ("outcome",)),
    ("ser_kg_sparql_coalesced_total", "Queries answered by waiting for the same query, already running for "
     "another client, instead of running it again.", ()),
    ("ser_kg_sparql_results_truncated_total", "Answers cut at the result_limit setting.", ()),
)
HISTOGRAMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ser_kg_http_request_duration_seconds", "Time to answer an HTTP request, by route.", ("route",)),
)
# Read from the objects that keep them, when sampled: (name, help, label names, how processes add up).
SAMPLED: tuple[tuple[str, str, tuple[str, ...], Mode], ...] = (
    ("ser_kg_sparql_query_timeouts_total", "Queries stopped at the query_timeout limit (the pool's count).",
     (), "sum"),
    ("ser_kg_sparql_worker_restarts_total", "Query workers killed and replaced (the pool's count).", (), "sum"),
    ("ser_kg_sparql_workers_alive", "Query worker processes running.", (), "livesum"),
    ("ser_kg_sparql_in_process_total", "Queries proven cheap and answered in the server process (the cheap "
     "lane's count).", (), "sum"),
    ("ser_kg_sparql_cache_hits_total", "Queries answered from the result cache (the cache's count).", (), "sum"),
    ("ser_kg_sparql_cache_misses_total", "Queries not found in the result cache (the cache's count).", (), "sum"),
    ("ser_kg_sparql_cache_bytes", "Bytes held by the result cache, keys included.", (), "livesum"),
    ("ser_kg_document_cache_bytes", "Bytes held by the cache of rendered documents, keys included.", (),
     "livesum"),
    ("ser_kg_status_cache_bytes", "Bytes held by the caches of resource status and descriptions, keys "
     "included.", (), "livesum"),
    ("ser_kg_sparql_answer_bytes_held", "Bytes of answers held for clients still reading them.", (), "livesum"),
    ("ser_kg_earlier_releases_open", "Earlier releases open for release-scoped requests (at most "
     "queryable_releases - 1).", (), "livesum"),
    ("ser_kg_sparql_slow_readers_closed_total", "Connections closed because the client took nothing for "
     "write_timeout seconds (the budget's count).", (), "sum"),
    ("ser_kg_release_info", "The release being served (always 1).", ("version",), "max"),
)


class Metrics:
    """The app's metrics: counters and histograms counted as things happen, values sampled when scraped."""

    def __init__(self, multiprocess_dir: str | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.registry = CollectorRegistry()
        self.multiprocess_dir = multiprocess_dir if multiprocess_dir is not None else os.environ.get(MULTIPROCESS_ENV)
        self.samplers: list[Sampler] = []
        self._clock = clock
        self._sampled_at: float | None = None
        self._counters = {name: Counter(name, text, labels, registry=self.registry) for name, text, labels in COUNTERS}
        self._histograms = {name: Histogram(name, text, labels, buckets=LATENCY_BUCKETS, registry=self.registry)
                            for name, text, labels in HISTOGRAMS}
        self._gauges = {name: Gauge(name, text, labels, registry=self.registry, multiprocess_mode=mode)
                        for name, text, labels, mode in SAMPLED}
        self._exported = self.registry
        if self.multiprocess_dir:
            # The metrics above write to the shared directory; a scrape reads all of it, never the objects.
            self._exported = CollectorRegistry()
            MultiProcessCollector(self._exported, path=self.multiprocess_dir)

    def inc(self, name: str, labels: Labels = (), amount: float = 1.0) -> None:
        counter = self._counters[name]
        (counter.labels(**dict(labels)) if labels else counter).inc(amount)

    def observe(self, name: str, labels: Labels, value: float) -> None:
        self._histograms[name].labels(**dict(labels)).observe(value)

    def sample(self) -> None:
        """Read the sampled values now, from every sampler the app registered."""
        self._sampled_at = self._clock()
        for sampler in self.samplers:
            for name, labels, value in sampler():
                gauge = self._gauges[name]
                (gauge.labels(**dict(labels)) if labels else gauge).set(value)

    def sample_after_request(self) -> None:
        """In multiprocess mode, keep this process's sampled values in the shared directory current."""
        if self.multiprocess_dir and (self._sampled_at is None or self._clock() - self._sampled_at >= SAMPLE_INTERVAL):
            self.sample()

    def render(self) -> bytes:
        self.sample()
        body: bytes = generate_latest(self._exported)
        return body

    def close(self) -> None:
        """This process is going away: its live gauges no longer count (multiprocess mode)."""
        if self.multiprocess_dir:
            mark_process_dead(os.getpid(), self.multiprocess_dir)


class RequestMetrics:
    """ASGI middleware: count every HTTP request by route template (bounded label values)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, router: Any) -> None:
        self.app = app
        self.metrics = metrics
        self.router = router
        self._templates: dict[Any, str] | None = None

    def template(self, scope: Scope) -> str:
        """The template of the route that served the request, or :data:`UNMATCHED`."""
        path = getattr(scope.get("route"), "path", None)  # FastAPI's routes record themselves
        if isinstance(path, str):
            return path
        if self._templates is None:  # plain Starlette routes and mounts leave their endpoint only
            self._templates = {}
            for route in leaves(self.router.routes):
                if isinstance(route, Mount):
                    self._templates[route.app] = route.path + "/{path}"
                elif hasattr(route, "endpoint"):
                    self._templates[route.endpoint] = route.path  # type: ignore[attr-defined]
        return self._templates.get(scope.get("endpoint"), UNMATCHED)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = self.template(scope)
            method = scope["method"] if scope["method"] in METHODS else "other"
            self.metrics.inc("ser_kg_http_requests_total", (("method", method), ("route", route),
                                                            ("status", str(status))))
            self.metrics.observe("ser_kg_http_request_duration_seconds", (("route", route),),
                                 time.perf_counter() - started)
            self.metrics.sample_after_request()
