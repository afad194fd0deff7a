"""The per-store state the linked-data routes share: the base IRI, descriptions and ontology labels.

One :class:`Site` per store, so that the resource, page and well-known routers read the ontology
labels once and share the description cache. The store serves one immutable release, so nothing
here ever needs to be invalidated; a new release comes with a new store and so a new site.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from server.settings import Settings
from server.store.base import Store
from server.web.caching import DocumentCache
from server.web.descriptions import Descriptions
from server.web.labels import Vocabulary


@dataclass
class Site:
    settings: Settings
    store: Store
    base: str
    descriptions: Descriptions
    vocab: Vocabulary
    documents: DocumentCache  # rendered documents (RDF and HTML), per process


DOCUMENT_CACHE_BYTES = 64 * 1024 * 1024

_SITES: weakref.WeakKeyDictionary[object, Site] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def site_for(settings: Settings, store: Store) -> Site:
    with _LOCK:
        site = _SITES.get(store)
        if site is None or site.settings != settings:
            base = settings.base_iri
            site = Site(settings, store, base, Descriptions(store), Vocabulary(store, base),
                        DocumentCache(DOCUMENT_CACHE_BYTES))
            _SITES[store] = site
        return site


def forget(store: Store) -> None:
    """Let go of the state of a store that is closed (a release the server switched away from): a
    site holds its store, so the weak key alone would keep both for as long as the process runs."""
    with _LOCK:
        _SITES.pop(store, None)
