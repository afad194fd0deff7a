"""The per-store state the linked-data routes share: the base IRI, descriptions and ontology labels.

One :class:`Site` per app (``server.web.context``), so that the resource, page and well-known routers
read the ontology labels once and share the description cache.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from server.rdf import jsonld
from server.settings import Settings
from server.store.base import Store
from server.web import changelog
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

    @cached_property
    def jsonld_context(self) -> dict[str, Any]:
        """The release's JSON-LD context (the object inside ``@context``), read once: its
        ``context.jsonld``, or for a release made before the build wrote one, made from the store by
        the same rules (``server.rdf.jsonld``)."""
        path = self.store.release.path / "context.jsonld"
        if path.is_file():
            context: dict[str, Any] = json.loads(path.read_text("utf-8"))["@context"]
            return context
        return jsonld.context_of(self.store.select, self.base)

    @cached_property
    def _current_log(self) -> tuple[dict[str, str], dict[str, list[dict[str, Any]]]]:
        log = changelog.read(self.store.release.path, self.store.release.version)
        return changelog.kinds(log), changelog.replacements(log)

    @property
    def changes(self) -> dict[str, str]:
        """Thing IRI -> how the current release changed it (``changes.json``, read once per release)."""
        return self._current_log[0]

    @property
    def replaced(self) -> dict[str, list[dict[str, Any]]]:
        """Successor IRI -> the IRIs the current release redirected to it, with their names."""
        return self._current_log[1]

    @classmethod
    def open(cls, settings: Settings, store: Store, document_cache_bytes: int) -> Site:
        base = settings.base_iri
        return cls(settings, store, base, Descriptions(store), Vocabulary(store, base),
                   DocumentCache(document_cache_bytes))
