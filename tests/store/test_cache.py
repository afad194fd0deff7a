"""The result cache: bounded by bytes, least recently used out first, large answers never stored."""

from __future__ import annotations

from server.store.cache import ResultCache
from server.store.workers import Answer


def answer(size: int) -> Answer:
    return Answer("solutions", b"x" * size, 1, False, 0.0)


def test_cache_returns_what_was_put_and_counts_hits() -> None:
    cache = ResultCache("1.0")
    assert cache.get("q") is None
    cache.put("q", answer(10))
    hit = cache.get("q")
    assert hit is not None and hit.body == b"x" * 10
    assert (cache.hits, cache.misses) == (1, 1)


def test_cache_drops_least_recently_used_beyond_its_bound() -> None:
    cache = ResultCache("1.0", max_bytes=100, max_entry_bytes=100)
    cache.put("a", answer(37))  # 37 bytes of answer + 3 of key ('a')
    cache.put("b", answer(37))
    cache.get("a")  # a is now more recent than b
    cache.put("c", answer(37))
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None
    assert cache.bytes == 80


def test_cache_counts_the_key_against_its_bound() -> None:
    cache = ResultCache("1.0", max_bytes=1000, max_entry_bytes=500)
    cache.put("q" * 600, answer(1))  # a long query with a tiny answer
    assert len(cache) == 0


def test_cache_skips_answers_larger_than_one_entry_may_be() -> None:
    cache = ResultCache("1.0", max_bytes=1000, max_entry_bytes=10)
    cache.put("big", answer(11))
    assert len(cache) == 0
