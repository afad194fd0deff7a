"""Caches bounded in bytes, and the result cache of the public SPARQL endpoint.

Every cache of the server holds what clients asked for, so every one is bounded in the bytes of its
keys and its values together (never in a number of entries, which says nothing about the memory a
20,000-character key takes), least recently used out first. :class:`SizedCache` is that cache; it is
written here rather than taken from a library because it must weigh the key as well as the value and
refuse one entry too large for its share, which ``functools.lru_cache`` (a count) and cachetools (the
value only) do not.

The result cache is pinned to the release it was filled from. A release is immutable and the store is
read-only while it is served, so the answer to a query never changes until the release does: no
expiry is needed, only the bound. Serving another release means another cache. Only complete answers
of accepted queries are stored, keyed by everything that shapes them: the query text, the protocol
dataset and the result format.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from server.store.base import Answer

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_ENTRY_BYTES = 4 * 1024 * 1024  # one large answer must not push out hundreds of small ones

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def footprint(value: Any, depth: int = 0) -> int:
    """About the bytes ``value`` takes, with what it holds: strings, bytes, numbers, tuples, lists, sets,
    dicts and dataclasses, as deep as :mod:`server.web.descriptions` nests them."""
    size = sys.getsizeof(value)
    if depth > 8 or isinstance(value, str | bytes | int | float):  # rdflib's terms are str
        return size
    if isinstance(value, dict):
        return size + sum(footprint(k, depth + 1) + footprint(v, depth + 1) for k, v in value.items())
    if isinstance(value, tuple | list | set | frozenset):
        return size + sum(footprint(item, depth + 1) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return size + sum(footprint(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    return size


class SizedCache(Generic[K, V]):
    """Least recently used out first, within ``max_bytes`` of keys and values; thread-safe.

    An entry larger than ``max_entry_bytes`` (by default a sixteenth of the whole) is not kept, so that
    one large entry cannot push out many small ones.
    """

    def __init__(self, max_bytes: int, *, max_entry_bytes: int | None = None,
                 size: Callable[[K, V], int] | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 16 if max_entry_bytes is None else max_entry_bytes
        self.hits = 0
        self.misses = 0
        self._size = size or (lambda key, value: footprint(key) + footprint(value))
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """Bytes held now, as the cache counts them."""
        return self._bytes

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: K, value: V) -> None:
        size = self._size(key, value)
        if size > self.max_entry_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


class Memo(Generic[K, V]):
    """A pure function of one argument, with its results kept in a :class:`SizedCache`."""

    def __init__(self, function: Callable[[K], V], cache: SizedCache[K, V]) -> None:
        self.function = function
        self.cache = cache

    def __call__(self, argument: K) -> V:
        found = self.cache.get(argument)
        if found is None:
            found = self.function(argument)
            self.cache.put(argument, found)
        return found


def key_bytes(key: Hashable) -> int:
    """The bytes a key of strings and tuples counts for: those of its text (cheaper than footprint)."""
    return len(repr(key).encode())


def _answer_size(key: Hashable, answer: Answer) -> int:
    # The key counts too: a key can be a 20,000-character query with a tiny answer.
    return len(answer.body) + key_bytes(key)


class ResultCache(SizedCache[Hashable, Answer]):
    def __init__(self, release: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_entry_bytes: int = DEFAULT_MAX_ENTRY_BYTES) -> None:
        super().__init__(max_bytes, max_entry_bytes=max_entry_bytes, size=_answer_size)
        self.release = release

    def put(self, key: Hashable, answer: Answer) -> None:
        if self.get_quietly(key) is None:  # an answer once stored stays what it was
            super().put(key, answer)

    def get_quietly(self, key: Hashable) -> Answer | None:
        """The answer under ``key``, counting neither a hit nor a miss nor a use."""
        with self._lock:
            entry = self._entries.get(key)
        return None if entry is None else entry[0]
