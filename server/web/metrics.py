"""Operational metrics in the Prometheus text exposition format (version 0.0.4), and the health check.

``/-/metrics`` counts requests and their latencies per route (an ASGI middleware, so that every route is
counted, whichever module serves it), SPARQL outcomes, timeouts, worker restarts and the result cache.
``/-/health`` says whether the release is loaded and the query workers can take queries. Counters live in this
process only; with several server processes, each is scraped on its own.

The exposition format is small enough to write by hand: counters and gauges are ``name{labels} value``
lines, a histogram is cumulative ``_bucket`` lines plus ``_sum`` and ``_count``.
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.settings import Settings
from server.store.base import Store

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

Labels = tuple[tuple[str, str], ...]

# (name, type, help); the one table of what is exported.
METRICS: tuple[tuple[str, str, str], ...] = (
    ("ser_kg_http_requests_total", "counter", "HTTP requests answered, by route, method and status."),
    ("ser_kg_http_request_duration_seconds", "histogram", "Time to answer an HTTP request, by route."),
    ("ser_kg_sparql_queries_total", "counter", "Public SPARQL queries, by outcome "
     "(ok, cached, refused, rejected, timeout, error)."),
    ("ser_kg_sparql_coalesced_total", "counter", "Queries answered by waiting for the same query, already "
     "running for another client, instead of running it again."),
    ("ser_kg_sparql_query_timeouts_total", "counter", "Queries stopped at the query_timeout limit."),
    ("ser_kg_sparql_worker_restarts_total", "counter", "Query workers killed and replaced."),
    ("ser_kg_sparql_workers_alive", "gauge", "Query worker processes running."),
    ("ser_kg_sparql_results_truncated_total", "counter", "Answers cut at the result_limit setting."),
    ("ser_kg_sparql_cache_hits_total", "counter", "Queries answered from the result cache."),
    ("ser_kg_sparql_cache_misses_total", "counter", "Queries not found in the result cache."),
    ("ser_kg_sparql_cache_bytes", "gauge", "Bytes of answers held in the result cache."),
    ("ser_kg_release_info", "gauge", "The release being served (always 1)."),
)


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Histogram:
    def __init__(self, buckets: Iterable[float] = LATENCY_BUCKETS) -> None:
        self.buckets = tuple(buckets)
        self.counts = [0] * (len(self.buckets) + 1)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.sum += value

    def lines(self, name: str, labels: Labels) -> Iterable[str]:
        cumulative = 0
        for bound, count in zip((*self.buckets, float("inf")), self.counts, strict=True):
            cumulative += count
            le = "+Inf" if bound == float("inf") else repr(bound)
            yield f"{name}_bucket{_labels((*labels, ('le', le)))} {cumulative}"
        yield f"{name}_sum{_labels(labels)} {self.sum}"
        yield f"{name}_count{_labels(labels)} {cumulative}"


class Metrics:
    """Counters and histograms of this process, plus gauges read when scraped."""

    def __init__(self) -> None:
        self.counters: dict[str, dict[Labels, float]] = defaultdict(lambda: defaultdict(float))
        self.histograms: dict[str, dict[Labels, Histogram]] = defaultdict(dict)
        self.collectors: list[Callable[[], Iterable[tuple[str, Labels, float]]]] = []

    def inc(self, name: str, labels: Labels = (), amount: float = 1.0) -> None:
        self.counters[name][labels] += amount

    def observe(self, name: str, labels: Labels, value: float) -> None:
        series = self.histograms[name]
        if labels not in series:
            series[labels] = Histogram()
        series[labels].observe(value)

    def render(self) -> str:
        sampled: dict[str, list[tuple[Labels, float]]] = defaultdict(list)
        for name, values in self.counters.items():
            sampled[name].extend(values.items())
        for collect in self.collectors:
            for name, labels, value in collect():
                sampled[name].append((labels, value))
        out: list[str] = []
        for name, kind, help_text in METRICS:
            out.append(f"# HELP {name} {help_text}")
            out.append(f"# TYPE {name} {kind}")
            if kind == "histogram":
                for labels, histogram in sorted(self.histograms.get(name, {}).items()):
                    out.extend(histogram.lines(name, labels))
            else:
                for labels, value in sorted(sampled.get(name, [])):
                    out.append(f"{name}{_labels(labels)} {value:g}")
        return "\n".join(out) + "\n"


class RequestMetrics:
    """ASGI middleware: count every HTTP request by route template (bounded label values)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

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
            route = getattr(scope.get("route"), "path", None)
            if route is None and "endpoint" in scope and not scope.get("path_params"):
                route = scope["path"]  # a plain Starlette route of fixed path: FastAPI leaves no "route"
            route = route or "unmatched"
            self.metrics.inc("ser_kg_http_requests_total",
                             (("method", scope["method"]), ("route", route), ("status", str(status))))
            self.metrics.observe("ser_kg_http_request_duration_seconds", (("route", route),),
                                 time.perf_counter() - started)


def router(settings: Settings, store: Store) -> APIRouter:
    api = APIRouter()

    @api.get("/-/metrics", include_in_schema=False)
    def metrics(request: Request) -> PlainTextResponse:
        registry: Metrics = request.app.state.metrics
        return PlainTextResponse(registry.render(), media_type=CONTENT_TYPE)

    @api.get("/-/health", include_in_schema=False)
    def health(request: Request) -> JSONResponse:
        pool: Any = getattr(request.app.state, "pool", None)
        # Ready to serve: a busy pool, or one replacing a worker, is working, not broken (a load balancer
        # that took it for broken would drop the whole site while a few heavy queries run).
        healthy = pool is None or pool.ready
        body = {"status": "ok" if healthy else "degraded", "release": store.release.version,
                **(pool.health() if pool is not None else {})}
        return JSONResponse(body, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"})

    return api
