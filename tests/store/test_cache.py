"""The caches: bounded by the bytes of keys and values, least recently used out first, large entries never
stored."""

from __future__ import annotations

from typing import cast

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS, XSD

from server.store.base import Answer, Store
from server.store.cache import ResultCache, SizedCache, footprint
from server.store.remote.confinement import ENCODED_BYTES, Renamer
from server.web.descriptions import STATUS_CACHE_BYTES, Description, Descriptions, description_bytes


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


def test_keys_count_against_the_bound_of_every_cache() -> None:
    cache = SizedCache[str, int](1024 * 1024)
    for i in range(500):  # 25 MB of keys, were they all kept
        cache.put(f"{i}-" + "k" * 50_000, i)
        assert cache.bytes <= cache.max_bytes
    assert 0 < len(cache) < 25
    assert cache.get("499-" + "k" * 50_000) == 499  # the most recent stay


class NoRows:
    """A store that knows no IRI: every status lookup is a miss, and every one would be kept."""

    def select(self, query: str) -> list[dict[str, object]]:
        return []


def test_the_status_cache_stays_within_its_bytes_whatever_the_iris() -> None:
    descriptions = Descriptions(cast(Store, NoRows()))
    for i in range(500):
        assert not descriptions.status(f"https://data.ser.nl/id/organisatie/{i}-{'k' * 50_000}").exists
    assert descriptions.status.cache.bytes <= STATUS_CACHE_BYTES
    assert descriptions.cache_bytes < STATUS_CACHE_BYTES + 1024
    assert len(descriptions.status.cache) < 500


def test_footprint_counts_what_a_value_holds() -> None:
    small, large = footprint(("a", ["b"])), footprint(("a" * 1000, ["b" * 1000, {"c": "d" * 1000}]))
    assert large - small >= 3000


def test_the_engines_dataset_memo_stays_within_its_bytes() -> None:
    """A client may repeat the release's graphs up to the parameter limit, in any order and number."""
    renamer = Renamer("https://data.ser.nl/", "1.0")
    graphs = sorted(renamer.stored)
    for i in range(2000):
        default = tuple(graphs[j % len(graphs)] for j in range(i % 64 + 1))
        named = tuple(graphs[j % len(graphs)] for j in range(i // 64 + 1))
        assert renamer.encoded(default, named).startswith("default-graph-uri=")
    assert 0 < renamer.encoded_datasets.bytes <= ENCODED_BYTES
    assert len(renamer.encoded_datasets) < 2000


def test_a_description_is_counted_as_the_generic_walk_counts_it() -> None:
    iri = "https://data.ser.nl/id/organisatie/ser"
    labels = [(str(SKOS.prefLabel), Literal("Sociaal-Economische Raad", lang="nl")),
              (str(RDFS.label), Literal("SER"))]
    description = Description(
        iri,
        outgoing={(str(SKOS.prefLabel), Literal("SER", lang="nl")): [],
                  (str(FOAF.homepage), URIRef("https://www.ser.nl/")): labels,
                  (str(DCTERMS.spatial), BNode("b0")): []},
        incoming={("https://data.ser.nl/id/persoon/x", "http://www.w3.org/ns/org#memberOf"): labels[:1]},
        fact_sources={(str(DCTERMS.issued), Literal("1950-01-27", datatype=XSD.date)): {
            "https://data.ser.nl/id/bron/wet": labels, "https://data.ser.nl/id/bron/b": []}})
    expected = footprint(iri) + footprint(description)
    assert description_bytes(iri, description) == expected
    assert description_bytes(iri, Description(iri)) == footprint(iri) + footprint(Description(iri)) < expected
