"""The per-store state the linked-data routes share: the base IRI, descriptions and ontology labels.

One :class:`Site` per app (``server.web.context``), so that the resource, page and well-known routers
read the ontology labels once and share the description cache.
"""

from __future__ import annotations

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


    @classmethod
    def open(cls, settings: Settings, store: Store, document_cache_bytes: int) -> Site:
        base = settings.base_iri
        return cls(settings, store, base, Descriptions(store), Vocabulary(store, base),
                   DocumentCache(document_cache_bytes))
