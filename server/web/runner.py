"""``ser-kg serve``: open the release's store, start the query workers, and run the app under uvicorn.

The store is loaded into its on-disk database once per release (``server.store.embedded``) and only
opened read-only afterwards, by this process for the pages and by each query worker for ``/sparql``.
With ``--store URL`` the release is served from a remote SPARQL engine instead (``server.store.remote``),
which then also runs the public queries.
"""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from server.rdf.namespaces import prefixes
from server.settings import Settings
from server.store.base import QueryRunner, Store
from server.store.embedded import EmbeddedStore
from server.store.remote import RemoteRunner, RemoteStore, engine_from
from server.store.workers import WorkerPool
from server.web.app import create_app

log = logging.getLogger(__name__)


def pool_for(settings: Settings, store: EmbeddedStore) -> WorkerPool:
    return WorkerPool(
        store.database,
        size=settings.query_workers,
        timeout=settings.query_timeout,
        limit=settings.result_limit,
        prefixes=prefixes(store.release.base_iri),
    )


def run(settings: Settings, release_dir: Path) -> None:
    """Serve ``release_dir`` on ``settings.host``:``settings.port`` until interrupted."""
    store = EmbeddedStore.open(release_dir, settings.store_dir)
    _serve(settings, store, pool_for(settings, store))


def run_remote(settings: Settings, url: str) -> None:
    """Serve the release that is current in the SPARQL engine at ``url``."""
    store = RemoteStore.open(engine_from(url, settings), settings.base_iri, settings.releases_dir,
                             result_limit=settings.result_limit)
    _serve(settings, store, RemoteRunner(store, limit=settings.result_limit))


def _serve(settings: Settings, store: Store, pool: QueryRunner) -> None:
    app = create_app(settings, store, pool)
    log.info("serving release %s on http://%s:%s/", store.release.version, settings.host, settings.port)
    try:
        # No access log: /-/metrics counts requests, and writing a line per request slows lookups down.
        # Forwarded headers are believed only from the proxies named in forwarded_allow_ips (none by
        # default); even then they set the client's address and scheme, never a URL the server gives out.
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", access_log=False,
                    proxy_headers=bool(settings.forwarded_allow_ips),
                    forwarded_allow_ips=settings.forwarded_allow_ips or None, server_header=False,
                    timeout_graceful_shutdown=5)
    finally:
        pool.close()
        store.close()
