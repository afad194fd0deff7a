"""What ``/search`` finds: the release's full-text index first, then the name index's guesses.

The full-text index (``server.store.fulltext``, the release's ``search.sqlite``) finds words people
use, stemmed, in names, aliases and descriptions; a query that is a thing's name or alias puts that
thing first. The name index (``server.web.search.index``, the matching of the reconciliation service)
then adds what only it finds: typing errors, initials, abbreviations written out. A release made
before the build wrote the index is searched with the name index alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from server.store.base import Store
from server.store.fulltext import MAX_LIMIT, FullTextIndex
from server.web.search.directory import Directory
from server.web.search.index import Entity

FILE = "search.sqlite"


@dataclass(frozen=True)
class Found:
    entity: Entity
    score: float | None  # the name index's score (0-100); None for what only the full text found
    label: str  # the name that matched, or the thing's name
    exact: bool  # the query is that name or alias


def index_for(store: Store) -> FullTextIndex | None:
    path = store.release.path / FILE
    return FullTextIndex(path) if path.is_file() else None


def find(directory: Directory, index: FullTextIndex | None, text: str, accept: Iterable[str] | None,
         limit: int) -> list[Found]:
    allowed = set(accept) if accept is not None else None
    named = directory.things.search(text, typing=True, accept=allowed, limit=limit)
    guesses = [Found(c.entity, c.score, c.label, c.exact) for c in named]
    if index is None:
        return guesses
    scores = {c.entity.iri: c for c in named}
    words: list[Found] = []
    for hit in index.search(text, limit=MAX_LIMIT, prefix=True):
        entity = directory.things.entity(hit.iri)
        if entity is None or (allowed is not None and hit.iri not in allowed):
            continue
        known = scores.get(hit.iri)
        label = hit.exact or (known.label if known else entity.name())
        words.append(Found(entity, known.score if known else None, label, hit.exact is not None))
    exact = [f for f in words if f.exact] + [f for f in guesses if f.exact]
    ordered = exact + [f for f in words if not f.exact] + [f for f in guesses if not f.exact]
    out: list[Found] = []
    seen: set[str] = set()
    for found in ordered:
        if found.entity.iri not in seen:
            seen.add(found.entity.iri)
            out.append(found)
    return out[:limit]
