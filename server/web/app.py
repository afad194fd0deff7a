"""The web application: ``create_app`` wires the settings and a store into one FastAPI app.

Every route lives in a router of its own module; ``ROUTERS`` is the one list of them, in the order
they are matched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from server import __version__
from server.settings import Settings
from server.store.base import QueryRunner, Store
from server.store.cache import ResultCache
from server.web import (
    cors,
    downloads,
    jsonld_documents,
    metrics,
    openapi,
    pages,
    reconcile,
    resources,
    search,
    security,
    sending,
    sparql,
    wellknown,
)
from server.web.site import site_for

RouterFactory = Callable[[Settings, Store], APIRouter]

# Modules add their router factory here: (name, factory).
ROUTERS: list[tuple[str, RouterFactory]] = [
    ("sparql", sparql.router),  # first: the busiest route, matched before the others are tried
    ("pages", pages.router),
    ("resources", resources.router),
    ("jsonld", jsonld_documents.router),
    ("downloads", downloads.router),
    ("wellknown", wellknown.router),
    ("metrics", metrics.router),
    ("reconcile", reconcile.router),
    ("search", search.router),
]

STATIC = Path(__file__).parent / "static"


class App(FastAPI):
    """The FastAPI app, which also keeps a way to abort each request's connection in its scope
    (``server.web.sending``): under uvicorn, ``send`` is a method of the request cycle, which holds the
    connection's transport."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        transport = getattr(getattr(send, "__self__", None), "transport", None)
        if scope["type"] == "http" and callable(getattr(transport, "abort", None)):
            scope[sending.ABORT] = transport.abort  # type: ignore[union-attr]
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, store: Store, pool: QueryRunner | None = None) -> FastAPI:
    """The app; ``pool`` runs the public SPARQL queries (started and closed with the app's lifespan)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started = pool is not None and await run_in_threadpool(pool.start)
        yield
        if pool is not None and started:  # a pool started by someone else is theirs to close
            pool.close()
        registry.close()

    app = App(
        title="SER Linked Data",
        version=__version__,
        docs_url=None,  # Swagger UI would load third-party scripts from a CDN; the CSP allows none
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/-/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.pool = pool
    app.state.cache = ResultCache(store.release.version)
    app.state.answers = sending.AnswerBudget(settings.answer_memory * 1024**2, settings.write_timeout)
    app.state.metrics = registry = metrics.Metrics()
    registry.samplers.append(lambda: _operational(app))
    app.add_middleware(cors.Methods, router=app.router)  # inside the guard, which adds its headers to these
    # Inside the metrics, so that its 408, 431 and 500 are counted.
    app.add_middleware(security.Guard, public_url=settings.public_root,
                       max_query_string=3 * settings.max_query_length + security.MAX_PATH_BYTES)
    app.add_middleware(metrics.RequestMetrics, metrics=registry, router=app.router)
    described = openapi.schema(app.title, app.version)
    app.openapi = lambda: described  # type: ignore[method-assign]
    for _name, factory in ROUTERS:
        app.include_router(factory(settings, store))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _operational(app: FastAPI) -> Iterable[tuple[str, tuple[tuple[str, str], ...], float]]:
    """The values kept by the pool, the cache and the answer budget, for ``metrics.SAMPLED``."""
    pool: QueryRunner | None = app.state.pool
    cache: ResultCache = app.state.cache
    yield "ser_kg_release_info", (("version", app.state.store.release.version),), 1
    yield "ser_kg_sparql_cache_hits_total", (), cache.hits
    yield "ser_kg_sparql_cache_misses_total", (), cache.misses
    yield "ser_kg_sparql_cache_bytes", (), cache.bytes
    site = site_for(app.state.settings, app.state.store)
    yield "ser_kg_document_cache_bytes", (), site.documents.bytes
    yield "ser_kg_status_cache_bytes", (), site.descriptions.cache_bytes
    answers: sending.AnswerBudget = app.state.answers
    yield "ser_kg_sparql_answer_bytes_held", (), answers.held
    yield "ser_kg_sparql_slow_readers_closed_total", (), answers.slow_readers
    if pool is not None:
        yield "ser_kg_sparql_query_timeouts_total", (), pool.timeouts
        yield "ser_kg_sparql_worker_restarts_total", (), pool.restarts
        yield "ser_kg_sparql_workers_alive", (), pool.alive
