"""The web application: ``create_app`` wires the settings and a store into one FastAPI app.

It builds one application context (``server.web.context``) and hands it to every router factory;
:func:`routers` is the one list of them, in the order they are matched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
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
from server.store.workers.lanes import TwoLanes
from server.web import caching, cors, jsonld_documents, metrics, openapi, security
from server.web.archive import Archive
from server.web.context import Context
from server.web.linkeddata import citations, classtable, pages
from server.web.linkeddata import dereferencing as resources
from server.web.metadata import changes, downloads, favicon, health, wellknown
from server.web.search import directory as search_directory
from server.web.search import reconciliation as reconcile
from server.web.search import search
from server.web.site import Site
from server.web.sparql import endpoint as sparql
from server.web.sparql import sending
from server.web.views import pages as views


def routers(context: Context, answers: sending.AnswerBudget, *, class_page_size: int = classtable.PAGE_SIZE,
            ) -> list[tuple[str, APIRouter]]:
    """The one list of routes: (name, router), in the order they are matched."""
    directory = search_directory.build(context.store, context.site.vocab, context.site.base)  # search and reconcile
    return [
        ("sparql", sparql.router(context, answers)),  # first: the busiest route
        ("pages", pages.router(context, page_size=class_page_size)),
        ("resources", resources.router(context)),
        ("jsonld", jsonld_documents.router(context)),
        ("citations", citations.router(context)),
        ("downloads", downloads.router(context)),
        ("changes", changes.router(context)),
        ("wellknown", wellknown.router(context)),
        ("health", health.router(context)),
        ("reconcile", reconcile.router(context, directory)),
        ("search", search.router(context, directory)),
        ("favicon", favicon.router(context)),
        ("views", views.router(context)),
    ]


DOCUMENT_CACHE_BYTES = 64 * 1024 * 1024  # rendered documents (RDF and HTML), per process
STATIC = Path(__file__).parent / "static"


class App(FastAPI):
    """The FastAPI app, which also keeps a way to abort each request's connection in its scope
    (``server.web.sparql.sending``): under uvicorn, ``send`` is a method of the request cycle, which holds the
    connection's transport.

    ``context`` and ``answers`` are what its routes were given, for a look from outside (the runner closes
    the metrics; tests and benchmarks read the pool, the caches and the answer budget)."""

    context: Context
    answers: sending.AnswerBudget

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        transport = getattr(getattr(send, "__self__", None), "transport", None)
        if scope["type"] == "http" and callable(getattr(transport, "abort", None)):
            scope[sending.ABORT] = transport.abort  # type: ignore[union-attr]
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, store: Store, pool: QueryRunner | None = None, *,
               document_cache_bytes: int = DOCUMENT_CACHE_BYTES, archive: Archive | None = None,
               class_page_size: int = classtable.PAGE_SIZE) -> App:
    """The app; ``pool`` runs the public SPARQL queries (started and closed with the app's lifespan).
    ``document_cache_bytes`` bounds the rendered documents kept (0: every request renders afresh);
    ``class_page_size`` is the number of things on one page of a class index (``/classes/``).
    ``archive`` opens the earlier releases that stay answerable (its owner closes it); without one, only
    this release is."""
    caching.code_version()  # read the code's files here, at start, not on the event loop at the first ETag
    archive = archive if archive is not None else Archive(settings, store, None, None)
    context = Context(settings, store, Site.open(settings, store, document_cache_bytes), pool,
                      ResultCache(store.release.version), metrics.Metrics(), archive)
    archive.site = context.site
    answers = sending.AnswerBudget(settings.answer_memory * 1024**2, settings.write_timeout)
    registry = context.metrics

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
    app.context, app.answers = context, answers  # the routes are given these; kept for a look from outside
    registry.samplers.append(lambda: _operational(context, answers))
    app.add_middleware(cors.Methods, router=app.router)  # inside the guard, which adds its headers to these
    # Inside the metrics, so that its 408, 431 and 500 are counted.
    app.add_middleware(security.Guard, public_url=settings.public_root,
                       max_query_string=3 * settings.max_query_length + security.MAX_PATH_BYTES,
                       body_timeout=settings.body_timeout)
    app.add_middleware(metrics.RequestMetrics, metrics=registry, router=app.router)
    described = openapi.schema(app.title, app.version)
    app.openapi = lambda: described  # type: ignore[method-assign]
    for _name, router in routers(context, answers, class_page_size=class_page_size):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _operational(context: Context, answers: sending.AnswerBudget
                 ) -> Iterable[tuple[str, tuple[tuple[str, str], ...], float]]:
    """The values kept by the pool, the caches and the answer budget, for ``metrics.SAMPLED``."""
    pool, cache, site = context.pool, context.cache, context.site
    yield "ser_kg_release_info", (("version", context.store.release.version),), 1
    yield "ser_kg_sparql_cache_hits_total", (), cache.hits
    yield "ser_kg_sparql_cache_misses_total", (), cache.misses
    yield "ser_kg_sparql_cache_bytes", (), cache.bytes
    yield "ser_kg_document_cache_bytes", (), site.documents.bytes
    yield "ser_kg_status_cache_bytes", (), site.descriptions.cache_bytes
    yield "ser_kg_sparql_answer_bytes_held", (), answers.held
    yield "ser_kg_earlier_releases_open", (), len(context.archive.open_versions)
    yield "ser_kg_sparql_slow_readers_closed_total", (), answers.slow_readers
    if pool is not None:
        yield "ser_kg_sparql_query_timeouts_total", (), pool.timeouts
        yield "ser_kg_sparql_worker_restarts_total", (), pool.restarts
        yield "ser_kg_sparql_workers_alive", (), pool.alive
        if isinstance(pool, TwoLanes):
            yield "ser_kg_sparql_in_process_total", (), pool.cheap_jobs
