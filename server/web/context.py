"""The application context: what the routes of one app share, built once by ``create_app``
(``server.web.app``) and handed to every router factory, so that no route reaches for module-level
registries or ``request.app.state``.

One context per app and so per store: the store serves one immutable release, so nothing here ever
needs to be invalidated; a new release comes with a new store and a new app.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.settings import Settings
from server.store.base import QueryRunner, Store
from server.store.cache import ResultCache
from server.web.archive import Archive
from server.web.metrics import Metrics
from server.web.site import Site


@dataclass(frozen=True)
class Context:
    settings: Settings
    store: Store
    site: Site  # the linked-data state: base IRI, descriptions, ontology labels, rendered documents
    pool: QueryRunner | None  # runs the public SPARQL queries; None: /sparql answers 503
    cache: ResultCache  # SPARQL answers of this release
    metrics: Metrics
    archive: Archive  # the releases answerable beside this one (server.web.archive)
