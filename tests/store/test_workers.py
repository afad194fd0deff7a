"""The worker pool: answers, the hard time limit, replacement of killed workers, and no network."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator

import pytest

from server.errors import QueryRejected, QueryTimeout
from server.settings import Settings
from server.store.base import Job
from server.store.oxigraph.embedded import EmbeddedStore
from server.store.workers.pool import WorkerPool
from server.web.runner import pool_for

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?q ?r ?t }"
LOOKUP = "SELECT ?p ?o WHERE { <https://data.ser.nl/id/organisatie/ser> ?p ?o }"


# Hang guards: past these the test fails. They are far above what the work needs, so that a loaded
# machine never fails a test; no test here asserts how fast anything is.
PATIENCE = 120.0


@pytest.fixture(scope="module")
def pool(settings: Settings, store: EmbeddedStore) -> Iterator[WorkerPool]:
    """A pool whose time limit stops the runaway query soon: for the tests of the limit itself."""
    started = pool_for(settings.replace(query_timeout=1.0, result_limit=3), store)
    started.start()
    yield started
    started.close()


@pytest.fixture(scope="module")
def patient_pool(settings: Settings, store: EmbeddedStore) -> Iterator[WorkerPool]:
    """A pool whose time limit no ordinary query can reach, however loaded the machine."""
    started = pool_for(settings.replace(query_timeout=PATIENCE, result_limit=3), store)
    started.start()
    yield started
    started.close()


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


def run(pool: WorkerPool, job: Job) -> object:
    return asyncio.run(pool.run(job))


def test_worker_answers_with_the_union_default_graph(patient_pool: WorkerPool) -> None:
    answer = asyncio.run(patient_pool.run(Job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "csv")))
    assert answer.body.decode().split() == ["n", "182"]  # all three graphs


def test_protocol_dataset_restricts_the_default_graph(patient_pool: WorkerPool) -> None:
    job = Job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "csv",
              default_graphs=("https://data.ser.nl/graph/metadata",), named_graphs=())
    count = int(asyncio.run(patient_pool.run(job)).body.decode().split()[1])
    assert 0 < count < 20


def test_query_dataset_is_not_overridden_by_the_union(patient_pool: WorkerPool) -> None:
    query = "SELECT (COUNT(*) AS ?n) FROM <https://data.ser.nl/graph/ontology> WHERE { ?s ?p ?o }"
    count = int(asyncio.run(patient_pool.run(Job(query, "csv", uses_query_dataset=True))).body.decode().split()[1])
    assert 0 < count < 30


def test_worker_caps_rows_and_says_so(patient_pool: WorkerPool) -> None:
    answer = asyncio.run(patient_pool.run(Job("SELECT * WHERE { ?s ?p ?o }", "json")))
    assert answer.count == 3 and answer.truncated


def test_syntax_error_carries_the_parser_position(patient_pool: WorkerPool) -> None:
    with pytest.raises(QueryRejected, match=r"error at 1:\d+"):
        asyncio.run(patient_pool.run(Job("SELECT * WHERE { ?s ?p }", "json")))


def test_runaway_query_is_stopped_at_the_limit_and_its_worker_replaced(pool: WorkerPool) -> None:
    restarts, timeouts = pool.restarts, pool.timeouts
    with pytest.raises(QueryTimeout, match="query_timeout"):
        run(pool, Job(RUNAWAY, "json"))
    assert (pool.restarts, pool.timeouts) == (restarts + 1, timeouts + 1)
    wait_until(lambda: pool.alive == pool.size)
    assert asyncio.run(pool.run(Job(LOOKUP, "json"))).count > 0


def test_other_queries_are_answered_while_a_runaway_holds_a_worker(patient_pool: WorkerPool) -> None:
    """The runaway's limit is far above what the lookups need, so it is still running when they are
    answered; then it is abandoned, which kills its worker (a query cannot be stopped otherwise)."""
    pool = patient_pool
    restarts = pool.restarts

    async def scenario() -> tuple[int, bool]:
        runaway = asyncio.create_task(pool.run(Job(RUNAWAY, "json")))
        while not pool.busy:
            await asyncio.sleep(0.01)
        answered = sum([(await pool.run(Job(LOOKUP + f" # {i}", "json"))).count > 0 for i in range(20)])
        still_running = not runaway.done()
        runaway.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runaway
        return answered, still_running

    assert asyncio.run(scenario()) == (20, True)
    assert pool.restarts == restarts + 1
    wait_until(lambda: pool.alive == pool.size)


def test_killed_worker_process_is_really_gone(pool: WorkerPool) -> None:
    wait_until(lambda: pool.alive == pool.size)
    before = {w.process.pid for w in pool.idle}
    with pytest.raises(QueryTimeout):
        asyncio.run(pool.run(Job(RUNAWAY, "json")))
    wait_until(lambda: len(before - {w.process.pid for w in (*pool.idle, *pool.busy)}) == 1)
    (pid,) = before - {w.process.pid for w in (*pool.idle, *pool.busy)}
    wait_until(lambda: not _exists(pid))


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_worker_has_no_network_even_when_the_policy_is_bypassed(pool: WorkerPool, http_recorder) -> None:  # type: ignore[no-untyped-def]
    if "network namespace" not in pool.isolation:
        pytest.skip(f"no network namespace on this machine ({pool.isolation})")
    query = f"SELECT * WHERE {{ SERVICE <{http_recorder.url}sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryRejected, match="could not be evaluated"):
        asyncio.run(pool.run(Job(query, "json")))
    assert http_recorder.requests == []


def test_long_query_is_demoted_while_it_runs(patient_pool: WorkerPool) -> None:
    pool = patient_pool

    async def scenario() -> int:
        task = asyncio.create_task(pool.run(Job(RUNAWAY, "json")))
        while not (pool.busy and pool.busy[0].demoted):  # SLOW_AFTER into the query
            await asyncio.sleep(0.05)
        nice = os.getpriority(os.PRIO_PROCESS, pool.busy[0].process.pid)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return nice

    assert asyncio.run(scenario()) == min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19)
    wait_until(lambda: pool.alive == pool.size)
    for worker in pool.idle:
        assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) == os.getpriority(os.PRIO_PROCESS, 0)
