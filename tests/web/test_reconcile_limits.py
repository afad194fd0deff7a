"""The work one /reconcile request may cause is bounded (issue 14, finding 9), and it runs off the event loop.

A 14 KB batch used to cost 3.2 s of CPU, so that four clients slowed every page. Now each field of a
query has a documented limit (``server.web.search.matching.LIMITS``) and a request past one is a 400 naming
the field; a batch at every limit is answered. Nothing here is timed: the matcher counts what it did
(``server.web.search.index.Work``), and the tests hold those counts to the bounds.
"""

from __future__ import annotations

import asyncio
import json
import random
import string
import threading
from typing import Any

import anyio
import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from rdflib import Literal
from rdflib.namespace import SKOS

from server.errors import Busy
from server.settings import PROJECT_ROOT, Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.search.directory import directory_for
from server.web.search.index import MAX_SCORED, MAX_VARIANTS, Entity, NameIndex, Work
from server.web.search.matching import (
    LIMITS,
    MAX_CANDIDATES,
    MAX_EXTEND_IDS,
    MAX_EXTEND_PROPERTIES,
    MAX_PROPERTIES,
    MAX_QUERY_CHARS,
    MAX_TYPES,
    MAX_VALUES,
    Matcher,
)
from server.web.search.reconciliation import BATCH_SIZE, THREADS, WAITING, Lane

SER, HAMER, PUTTERS = "organisatie/ser", "persoon/mariette-hamer", "persoon/kim-putters"
PARTY = "ser:politiekePartij"
PERSON = "http://xmlns.com/foaf/0.1/Person"


def post(client: TestClient, field: str, value: Any) -> Any:
    return client.post("/reconcile", data={field: json.dumps(value)})


@pytest.mark.parametrize(("field", "value", "message"), [
    ("queries", {"q0": {"query": "S" * (MAX_QUERY_CHARS + 1)}},
     f"query 'q0': 'query' holds {MAX_QUERY_CHARS + 1} characters; at most {MAX_QUERY_CHARS} are accepted"),
    ("queries", {"q0": {"query": "SER", "type": [PERSON] * (MAX_TYPES + 1)}},
     f"query 'q0': 'type' holds {MAX_TYPES + 1} types; at most {MAX_TYPES} are accepted"),
    ("queries", {"q0": {"query": "SER", "properties": [{"pid": PARTY, "v": "PvdA"}] * (MAX_PROPERTIES + 1)}},
     f"query 'q0': 'properties' holds {MAX_PROPERTIES + 1} property constraints; at most {MAX_PROPERTIES}"),
    ("queries", {"q0": {"query": "SER", "properties": [{"pid": PARTY, "v": ["PvdA"] * (MAX_VALUES + 1)}]}},
     f"query 'q0': 'v' of the property '{PARTY}' holds {MAX_VALUES + 1} values; at most {MAX_VALUES}"),
    ("extend", {"ids": [SER] * (MAX_EXTEND_IDS + 1), "properties": [{"id": "skos:prefLabel"}]},
     f"'ids' holds {MAX_EXTEND_IDS + 1} identifiers; at most {MAX_EXTEND_IDS} are accepted"),
    ("extend", {"ids": [SER], "properties": [{"id": "skos:prefLabel"}] * (MAX_EXTEND_PROPERTIES + 1)},
     f"'properties' of 'extend' holds {MAX_EXTEND_PROPERTIES + 1} properties; at most {MAX_EXTEND_PROPERTIES}"),
])
def test_a_request_past_a_limit_gets_a_400_naming_the_field_and_the_limit(client: TestClient, field: str,
                                                                          value: Any, message: str) -> None:
    response = post(client, field, value)
    assert response.status_code == 400
    assert message in response.text
    assert response.headers["access-control-allow-origin"] == "*"


def test_the_limits_are_documented_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Reconciliation limits"):]
    section = section[:section.index("\n## ")]
    for _field, limit, what in LIMITS:
        assert f"| {what} | {limit} |" in section, what
    assert f"(`queries`; the manifest's `batchSize`) | {BATCH_SIZE} |" in section
    assert f"ranks at most {MAX_CANDIDATES} candidates" in section
    assert f"scores at most {MAX_SCORED} names" in section
    assert f"at most {THREADS} at once, with {WAITING} more waiting" in section


def padded(name: str) -> str:
    """``name`` followed by words that name nothing, to exactly MAX_QUERY_CHARS characters."""
    return (name + " " + " ".join(["Qwzx"] * MAX_QUERY_CHARS))[:MAX_QUERY_CHARS].rstrip() + "q"


def batch_at_the_limits() -> dict[str, Any]:
    """A full batch whose every query is as long as allowed, and one at each other limit."""
    queries: dict[str, Any] = {f"q{i}": {"query": padded("Sociaal-Economische Raad")} for i in range(BATCH_SIZE)}
    queries["q1"] = {"query": "Mariëtte Hamer", "type": [PERSON] * MAX_TYPES,
                     "properties": [{"pid": PARTY, "v": ["PvdA"] * MAX_VALUES}] * MAX_PROPERTIES}
    queries["q2"] = {"properties": [{"pid": PARTY, "v": ["PvdA", "CDA"]}] * MAX_PROPERTIES}
    return queries


def test_a_batch_at_every_limit_is_answered(client: TestClient) -> None:
    queries = batch_at_the_limits()
    assert len(queries) == BATCH_SIZE and all(len(q.get("query", "")) <= MAX_QUERY_CHARS for q in queries.values())
    assert len(queries["q0"]["query"]) == MAX_QUERY_CHARS
    response = post(client, "queries", queries)
    assert response.status_code == 200, response.text
    results = response.json()
    assert set(results) == set(queries)
    assert results["q0"]["result"][0]["id"] == SER
    assert results["q1"]["result"][0]["id"] == HAMER and results["q1"]["result"][0]["match"] is True
    assert HAMER in {c["id"] for c in results["q2"]["result"]}
    huge = post(client, "extend", {"ids": [SER] * MAX_EXTEND_IDS,
                                   "properties": [{"id": "skos:prefLabel"}] * MAX_EXTEND_PROPERTIES})
    assert huge.status_code == 200, huge.text


@pytest.fixture(scope="module")
def matcher(settings: Settings, store: EmbeddedStore) -> Matcher:
    return Matcher(directory_for(settings, store), store)


def typos(matcher: Matcher, seed: int) -> str:
    """A query as long as allowed, of the index's own long words, each with a typing error: the kind
    of batch that cost 3.2 s, since every word is near many words of the index."""
    chooser = random.Random(seed)
    words = [w for w in matcher.directory.things.vocabulary if len(w) >= 5 and w.isalpha()]
    text = ""
    while len(text) < MAX_QUERY_CHARS:
        word = chooser.choice(words)
        at = chooser.randrange(len(word))
        text += word[:at] + "x" + word[at + 1:] + " "
    return text[:MAX_QUERY_CHARS]


def test_each_query_of_a_batch_does_bounded_work(matcher: Matcher) -> None:
    batch: dict[str, Any] = {f"q{i}": {"query": typos(matcher, i), "limit": 50} for i in range(BATCH_SIZE)}
    batch["props"] = {"properties": [{"pid": PARTY, "v": ["PvdA", "CDA"]}]}
    works: dict[str, Work] = {}
    matcher.reconcile(batch, "nl", works)
    assert set(works) == set(batch)
    for key, work in works.items():
        assert work.variants <= MAX_VARIANTS, key
        assert work.scored <= MAX_SCORED, key
        assert work.ranked <= MAX_CANDIDATES, key
    assert sum(w.scanned for w in works.values()) > 0  # the typing errors were looked for, in C++
    assert works["props"].ranked == 2 and works["props"].values > 0


def test_a_query_by_properties_alone_ranks_at_most_max_candidates(matcher: Matcher) -> None:
    query = {"properties": [{"pid": PARTY, "v": ["PvdA", "CDA"]}]}
    works: dict[str, Work] = {}
    assert len(matcher.reconcile({"q": query}, "nl", works)["q"]["result"]) == 2
    matcher = Matcher(matcher.directory, matcher.store, max_candidates=1)
    assert len(matcher.reconcile({"q": query}, "nl", works)["q"]["result"]) == 1
    assert works["q"].ranked == 1


class CountingStore:
    """The tiny store, counting the scans of a property that queries by properties alone make."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store, self.scans = store, 0

    def select(self, query: str) -> Any:
        self.scans += "FILTER(isIRI(?s))" in query
        return self.store.select(query)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_a_batch_reads_the_holders_of_a_property_once(settings: Settings, store: EmbeddedStore) -> None:
    counting = CountingStore(store)
    matcher = Matcher(directory_for(settings, store), counting)  # type: ignore[arg-type]
    batch = {f"q{i}": {"properties": [{"pid": PARTY, "v": "PvdA"}]} for i in range(BATCH_SIZE)}
    results = matcher.reconcile(batch, "nl")
    assert all({c["id"] for c in r["result"]} == {HAMER, PUTTERS} for r in results.values())
    assert counting.scans == 1


def test_the_scan_for_typing_errors_compares_only_the_near_words_in_python() -> None:
    chooser = random.Random(14)
    words = sorted({"".join(chooser.choices(string.ascii_lowercase, k=10)) for _ in range(2000)})
    index = NameIndex(Entity(f"https://data.ser.nl/id/x/{w}", (), ((str(SKOS.prefLabel), Literal(w)),))
                      for w in words)
    meant = words[1000]
    work = Work()
    found = index.search(meant[:4] + "q" + meant[5:], work=work)  # one typing error
    assert found[0].entity.iri.endswith(meant)
    assert work.scanned == len(words)  # every word of about that length, in C++ ...
    assert work.compared <= 3  # ... and in Python only those it found near


def test_each_word_is_matched_once_however_often_the_query_repeats_it() -> None:
    index = NameIndex([Entity("https://data.ser.nl/id/x/szw", (), (
        (str(SKOS.prefLabel), Literal("Ministerie van Sociale Zaken en Werkgelegenheid", lang="nl")),
        (str(SKOS.altLabel), Literal("SZW", lang="nl"))))])
    once, repeated = Work(), Work()
    index.search("Werkgelegeheid", work=once)
    index.search("Werkgelegeheid " * 24, work=repeated)
    assert once.compared == repeated.compared and once.scanned == repeated.scanned


def test_no_more_than_max_scored_names_are_scored_in_full() -> None:
    entities = [Entity(f"https://data.ser.nl/id/x/{i}", (), ((str(SKOS.prefLabel), Literal(f"Raad {i}")),))
                for i in range(20)]
    index = NameIndex(entities)
    work = Work()
    assert len(index.search("Raad", limit=50, work=work)) == 20 and work.scored == 20
    index = NameIndex(entities, max_scored=3)
    work = Work()
    assert len(index.search("Raad", limit=50, work=work)) == 3 and work.scored == 3


def test_a_batch_is_answered_in_a_thread_not_on_the_event_loop(client: TestClient,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    original = Matcher.reconcile

    def recording(self: Matcher, batch: Any, lang: str, works: dict[str, Work] | None = None) -> dict[str, Any]:
        try:
            asyncio.get_running_loop()
            seen.append("event loop")
        except RuntimeError:
            seen.append("thread")
        return original(self, batch, lang, works)

    monkeypatch.setattr(Matcher, "reconcile", recording)
    assert post(client, "queries", {"q": {"query": "SER"}}).status_code == 200
    assert seen == ["thread"]


def test_the_lane_runs_at_most_its_threads_queues_a_bounded_few_and_refuses_the_rest() -> None:
    lane = Lane(threads=1, waiting=1)
    started, release = threading.Event(), threading.Event()
    running: list[int] = []
    answered: list[int] = []

    def held() -> int:
        running.append(threading.get_ident())
        started.set()
        release.wait(10)
        return len(running)

    async def scenario() -> None:
        async def one() -> None:
            answered.append(await lane.run(held))

        async with anyio.create_task_group() as group:
            group.start_soon(one)
            await anyio.to_thread.run_sync(started.wait, 10)
            group.start_soon(one)  # waits for the one thread
            for _ in range(1000):
                if lane.admitted == 2:
                    break
                await anyio.sleep(0)
            assert lane.admitted == 2 and len(running) == 1
            with pytest.raises(Busy) as refused:
                await lane.run(held)
            assert refused.value.http_status == 503 and "try again" in str(refused.value)
            release.set()
        loop_thread = threading.get_ident()
        assert loop_thread not in running

    anyio.run(scenario)
    assert sorted(answered) == [1, 2] and lane.admitted == 0


def test_a_busy_service_answers_503_with_retry_after(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    async def busy(self: Lane, call: Any) -> Any:
        raise Busy("reconciliation is busy; try again in a moment")

    monkeypatch.setattr(Lane, "run", busy)
    response = post(client, "queries", {"q": {"query": "SER"}})
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.headers["access-control-allow-origin"] == "*"
