"""The result cache of the public SPARQL endpoint, pinned to the release it was filled from.

A release is immutable and the store is read-only while it is served, so the answer to a query never
changes until the release does: no expiry is needed, only a bound on memory (least recently used answers
go first). The cache belongs to one release; serving another release means another cache. Only complete
answers of accepted queries are stored, keyed by everything that shapes them: the query text, the
protocol dataset and the result format.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from server.store.workers import Answer

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_ENTRY_BYTES = 4 * 1024 * 1024  # one large answer must not push out hundreds of small ones


class ResultCache:
    def __init__(self, release: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_entry_bytes: int = DEFAULT_MAX_ENTRY_BYTES) -> None:
        self.release = release
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, Answer] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, key: Hashable) -> Answer | None:
        answer = self._entries.get(key)
        if answer is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return answer

    def put(self, key: Hashable, answer: Answer) -> None:
        # The key counts too: a key can be a 20,000-character query with a tiny answer.
        size = len(answer.body) + len(repr(key))
        if size > self.max_entry_bytes or key in self._entries:
            return
        self._entries[key] = answer
        self._sizes[key] = size
        self._bytes += size
        while self._bytes > self.max_bytes:
            dropped, _ = self._entries.popitem(last=False)
            self._bytes -= self._sizes.pop(dropped)

    def clear(self) -> None:
        self._entries.clear()
        self._sizes.clear()
        self._bytes = 0
