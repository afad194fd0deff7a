"""The web application: ``create_app`` wires the settings and a store into one FastAPI app.

Every route lives in a router of its own module; ``ROUTERS`` is the one list of them, in the order
they are matched.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, FastAPI

from server import __version__
from server.settings import Settings
from server.store.base import Store

RouterFactory = Callable[[Settings, Store], APIRouter]

# Modules add their router factory here: (name, factory).
ROUTERS: list[tuple[str, RouterFactory]] = []


def create_app(settings: Settings, store: Store) -> FastAPI:
    app = FastAPI(
        title="SER Linked Data",
        version=__version__,
        docs_url="/-/docs",
        redoc_url=None,
        openapi_url="/-/openapi.json",
    )
    app.state.settings = settings
    app.state.store = store
    for _name, factory in ROUTERS:
        app.include_router(factory(settings, store))
    return app
