"""The app under test, as a uvicorn factory: ``uvicorn app:app --factory --app-dir bench/linkeddata``.

Reads the release and store folders from BENCH_RELEASE and BENCH_STORE; BENCH_DOCUMENT_CACHE sets the
size in bytes of the in-memory document cache (0 turns it off). No SPARQL worker pool: the
benchmark measures the dereferencing routes, which never use it.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from server.settings import load
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.app import create_app


def app() -> FastAPI:
    cache = os.environ.get("BENCH_DOCUMENT_CACHE")  # "0": every request queries and renders afresh
    settings = load({}).replace(store_dir=os.environ["BENCH_STORE"], releases_dir=os.environ["BENCH_RELEASES"])
    store = EmbeddedStore.open(Path(os.environ["BENCH_RELEASE"]), settings.store_dir)
    if cache:
        return create_app(settings, store, document_cache_bytes=int(cache))
    return create_app(settings, store)
