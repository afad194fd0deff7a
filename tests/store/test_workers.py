"""The worker pool: answers, the hard time limit, replacement of killed workers, and no network."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from server.errors import QueryRejected, QueryTimeout
from server.settings import Settings
from server.store.embedded import EmbeddedStore
from server.store.workers import Job, WorkerPool
from server.web.runner import pool_for

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?q ?r ?t }"
LOOKUP = "SELECT ?p ?o WHERE { <https://data.ser.nl/id/organisatie/ser> ?p ?o }"


@pytest.fixture(scope="module")
def pool(settings: Settings, store: EmbeddedStore) -> Iterator[WorkerPool]:
    started = pool_for(settings.replace(query_timeout=1.0, result_limit=3), store)
    started.start()
    yield started
    started.close()


def run(pool: WorkerPool, job: Job) -> object:
    return asyncio.run(pool.run(job))


def test_worker_answers_with_the_union_default_graph(pool: WorkerPool) -> None:
    answer = asyncio.run(pool.run(Job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "csv")))
    assert answer.body.decode().split() == ["n", "175"]  # all three graphs


def test_protocol_dataset_restricts_the_default_graph(pool: WorkerPool) -> None:
    job = Job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "csv",
              default_graphs=("https://data.ser.nl/graph/metadata",), named_graphs=())
    count = int(asyncio.run(pool.run(job)).body.decode().split()[1])
    assert 0 < count < 20


def test_query_dataset_is_not_overridden_by_the_union(pool: WorkerPool) -> None:
    query = "SELECT (COUNT(*) AS ?n) FROM <https://data.ser.nl/graph/ontology> WHERE { ?s ?p ?o }"
    count = int(asyncio.run(pool.run(Job(query, "csv", uses_query_dataset=True))).body.decode().split()[1])
    assert 0 < count < 30


def test_worker_caps_rows_and_says_so(pool: WorkerPool) -> None:
    answer = asyncio.run(pool.run(Job("SELECT * WHERE { ?s ?p ?o }", "json")))
    assert answer.count == 3 and answer.truncated


def test_syntax_error_carries_the_parser_position(pool: WorkerPool) -> None:
    with pytest.raises(QueryRejected, match=r"error at 1:\d+"):
        asyncio.run(pool.run(Job("SELECT * WHERE { ?s ?p }", "json")))


def test_runaway_query_is_killed_at_the_limit_while_others_are_served(pool: WorkerPool) -> None:
    restarts = pool.restarts

    async def scenario() -> tuple[float, list[float]]:
        started = time.perf_counter()
        runaway = asyncio.create_task(pool.run(Job(RUNAWAY, "json")))
        await asyncio.sleep(0.1)
        latencies = []
        for _ in range(20):
            t = time.perf_counter()
            await pool.run(Job(LOOKUP, "json"))
            latencies.append(time.perf_counter() - t)
        with pytest.raises(QueryTimeout, match="query_timeout"):
            await runaway
        return time.perf_counter() - started, latencies

    elapsed, latencies = asyncio.run(scenario())
    assert elapsed < 3  # stopped at 1 s, not left to run
    assert max(latencies) < 0.5  # the other worker kept answering
    assert pool.restarts == restarts + 1
    deadline = time.monotonic() + 10
    while pool.alive < pool.size and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.alive == pool.size
    assert asyncio.run(pool.run(Job(LOOKUP, "json"))).count > 0


def test_killed_worker_process_is_really_gone(pool: WorkerPool) -> None:
    before = {w.process.pid for w in pool._idle}
    with pytest.raises(QueryTimeout):
        asyncio.run(pool.run(Job(RUNAWAY, "json")))
    time.sleep(0.3)
    gone = before - {w.process.pid for w in (*pool._idle, *pool._busy)}
    assert len(gone) == 1
    pid = gone.pop()
    with pytest.raises(ProcessLookupError):
        import os

        os.kill(pid, 0)


def test_worker_has_no_network_even_when_the_policy_is_bypassed(pool: WorkerPool, http_recorder) -> None:  # type: ignore[no-untyped-def]
    if "network namespace" not in pool.isolation:
        pytest.skip(f"no network namespace on this machine ({pool.isolation})")
    query = f"SELECT * WHERE {{ SERVICE <{http_recorder.url}sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryRejected, match="could not be evaluated"):
        asyncio.run(pool.run(Job(query, "json")))
    assert http_recorder.requests == []


def test_long_query_is_demoted_while_it_runs(pool: WorkerPool) -> None:
    import os

    async def scenario() -> int:
        task = asyncio.create_task(pool.run(Job(RUNAWAY, "json")))
        await asyncio.sleep(0.75)  # past SLOW_AFTER, which is half the 1 s limit here
        busy = next(iter(pool._busy))
        nice = os.getpriority(os.PRIO_PROCESS, busy.process.pid)
        with pytest.raises(QueryTimeout):
            await task
        return nice

    assert asyncio.run(scenario()) == min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19)
    for worker in pool._idle:
        assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) == os.getpriority(os.PRIO_PROCESS, 0)
