"""What keeps one client from taking the query workers down: crashes remembered, workers that never
outlive the server or their job, a memory budget for the machine, and a health check about the server.

The busy and restarting pools here are held by ``tests.store.held_worker``, which answers only when the
test releases it; waits poll the pool's state, with generous bounds (liveness, never speed).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.errors import QueryRejected, SettingError, StoreError
from server.rdf.namespaces import prefixes
from server.settings import Settings
from server.store.base import Job
from server.store.oxigraph.embedded import EmbeddedStore
from server.store.workers.pool import WorkerPool
from server.web.app import create_app
from server.web.runner import MIB, available_memory, pool_for, worker_memory

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?q ?r ?t }"
SEGFAULT = "SELECT * WHERE { FILTER(" + "!" * 9400 + "true) }"  # crashes pyoxigraph 0.5.13's parser


def until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the state did not come within a generous bound"
        time.sleep(0.02)


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")  # a zombie no longer runs
    except FileNotFoundError:
        return True


@pytest.fixture
def held(tmp_path: Path, store: EmbeddedStore, settings: Settings) -> Iterator[tuple[WorkerPool, Path]]:
    os.mkfifo(tmp_path / "release")
    pool = WorkerPool(tmp_path, size=2, timeout=60.0, limit=10, prefixes=prefixes(store.release.base_iri),
                      module="tests.store.held_worker")
    pool.start()
    yield pool, tmp_path
    release(tmp_path)
    pool.close()


def release(folder: Path) -> None:
    """Let every held worker go (O_RDWR: opening does not wait for a reader)."""
    fd = os.open(folder / "release", os.O_RDWR | os.O_NONBLOCK)
    try:
        os.write(fd, b"x" * 64)
    finally:
        threading.Timer(5.0, os.close, (fd,)).start()  # readers that open later still find the bytes


def test_health_stays_200_while_every_worker_is_busy_or_restarting(
        held: tuple[WorkerPool, Path], store: EmbeddedStore, settings: Settings) -> None:
    pool, folder = held
    app = create_app(settings, store, pool)
    with TestClient(app) as client:
        answers: list[int] = []

        def ask(n: int) -> None:
            answers.append(client.get("/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {n}"},
                                      headers={"Accept": "application/sparql-results+json"}).status_code)

        threads = [threading.Thread(target=ask, args=(n,)) for n in (1, 2)]
        for t in threads:
            t.start()
        until(lambda: len(pool.busy) == pool.size)
        busy = client.get("/-/health")
        assert busy.status_code == 200 and busy.json()["status"] == "ok"
        (folder / "hold-start").touch()  # the replacements wait before they are ready
        for worker in pool.busy:
            os.kill(worker.process.pid, signal.SIGKILL)
        for t in threads:
            t.join(60)
        assert answers == [503, 503]
        assert pool.alive == 0  # every worker is being replaced
        restarting = client.get("/-/health")
        assert restarting.status_code == 200, restarting.text
        assert restarting.json()["query_workers"] == 0
        (folder / "hold-start").unlink()
        release(folder)
        until(lambda: pool.alive == pool.size)
    pool.close()
    assert not pool.ready


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { FILTER(" + "!" * 9400 + "true) }",
    "SELECT (" + "+".join(["1"] * 7000) + " AS ?x) WHERE {}",
    "SELECT * WHERE { ?s ?p ?o FILTER(" + " && ".join(["?o"] * 2500) + ") }",
    "SELECT ?X WHERE { ?X <https://data.ser.nl/def/p>? ?Y } ORDER BY ?X",
], ids=["9400 nots", "7000 terms", "2500 conjuncts", "ORDER BY a zero-length path"])
def test_queries_that_crash_the_engine_are_refused_before_any_worker_runs_them(
        make_app: Callable[..., FastAPI], query: str) -> None:
    app = make_app(max_query_length=40000)
    pool: WorkerPool = app.context.pool
    with TestClient(app) as client:
        response = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400
    assert any(limit in response.text for limit in ("more than 64 operators in a row", "more than 2000 operators",
                                                    "zero-length property path"))
    assert pool.jobs == 0


def test_a_query_that_crashed_a_worker_is_refused_at_once(settings: Settings, store: EmbeddedStore) -> None:
    pool = pool_for(settings.replace(query_workers=1), store)
    pool.start()
    try:
        with pytest.raises(StoreError, match="stopped unexpectedly"):
            asyncio.run(pool.run(Job(SEGFAULT, "json")))  # the policy is bypassed here: the worker crashes
        until(lambda: len(pool.crashes) == 1 and pool.alive == 1)
        jobs, restarts = pool.jobs, pool.restarts
        with pytest.raises(QueryRejected, match="made the SPARQL engine crash before"):
            asyncio.run(pool.run(Job(SEGFAULT, "json")))
        assert (pool.jobs, pool.restarts) == (jobs, restarts)
        assert asyncio.run(pool.run(Job("ASK { ?s ?p ?o }", "json"))).body  # the others are served
    finally:
        pool.close()


def test_a_timeout_is_not_remembered_as_a_crash(settings: Settings, store: EmbeddedStore) -> None:
    pool = pool_for(settings.replace(query_workers=1, query_timeout=0.5), store)
    pool.start()
    try:
        with pytest.raises(StoreError, match="longer than the limit"):
            asyncio.run(pool.run(Job(RUNAWAY, "json")))
        until(lambda: pool.alive == 1)
        assert len(pool.crashes) == 0
    finally:
        pool.close()


def test_crash_memory_is_bounded_in_bytes() -> None:
    from server.store.workers.pool import CrashMemory

    memory = CrashMemory(max_bytes=160)
    for i in range(100):
        memory.add(CrashMemory.digest(f"query {i}"))
    assert memory.bytes <= 160 and len(memory) == 10
    assert "query 99" in memory and "query 0" not in memory


PARENT = """
import asyncio, sys
from pathlib import Path
from server.store.base import Job
from server.store.workers.pool import WorkerPool
pool = WorkerPool(Path(sys.argv[1]), size=1, timeout=3600, limit=10, prefixes={})
pool.start()
(worker,) = pool.idle
print(worker.process.pid, flush=True)
asyncio.run(pool.run(Job(sys.argv[2], "json")))
"""


def test_a_worker_dies_with_its_server_killed_mid_query(store: EmbeddedStore) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(store.database), RUNAWAY], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        until(lambda: _cpu_ticks(pid) > 0)  # it is in the runaway query
        parent.send_signal(signal.SIGKILL)
        parent.wait(30)
        until(lambda: gone(pid))
    finally:
        parent.kill()
        parent.wait(30)
        if parent.stdout is not None:
            parent.stdout.close()


def _cpu_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_a_worker_stops_itself_at_its_own_deadline(settings: Settings, store: EmbeddedStore) -> None:
    pool = pool_for(settings.replace(query_workers=1, query_timeout=0.2), store)
    pool.start()
    try:
        (worker,) = pool.idle
        worker.conn.send(Job(RUNAWAY, "json"))  # sent past the pool: nobody in the server will stop it
        until(lambda: worker.process.poll() is not None)
        assert worker.process.returncode == -signal.SIGALRM
    finally:
        pool.close()


def test_the_worker_memory_cap_is_a_share_of_one_budget(settings: Settings, store: EmbeddedStore) -> None:
    changed = settings.replace(query_workers=2, query_memory=3072)
    assert worker_memory(changed) == 1536 * MIB
    pool = pool_for(changed, store)
    pool.start()
    try:
        for worker in pool.idle:
            limits = Path(f"/proc/{worker.process.pid}/limits").read_text(encoding="ascii")
            line = next(x for x in limits.splitlines() if x.startswith("Max address space"))
            assert line.split()[3:5] == [str(1536 * MIB), str(1536 * MIB)]
    finally:
        pool.close()


def test_the_budget_is_shared_by_the_workers_of_every_server_process(settings: Settings, tmp_path: Path) -> None:
    changed = settings.replace(query_workers=2, query_memory=8192, server_processes=2)
    assert worker_memory(changed) == 2048 * MIB
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemAvailable: 16777216 kB\n", encoding="ascii")  # 16 GiB: 8 GiB for all workers
    machine = settings.replace(query_workers=2, server_processes=2)
    assert worker_memory(machine, available_memory(meminfo, tmp_path)) == 2048 * MIB
    with pytest.raises(SettingError, match="server_processes"):
        worker_memory(settings.replace(query_workers=2, query_memory=3072, server_processes=2))


def test_the_budget_is_sized_from_the_machine(settings: Settings, tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal: 16000000 kB\nMemAvailable: 8388608 kB\n", encoding="ascii")
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    assert available_memory(meminfo, cgroup) == 8 * 1024 * MIB
    (cgroup / "memory.max").write_text(f"{6 * 1024 * MIB}\n", encoding="ascii")
    (cgroup / "memory.current").write_text(f"{2 * 1024 * MIB}\n", encoding="ascii")
    assert available_memory(meminfo, cgroup) == 4 * 1024 * MIB  # the container allows less than the machine
    two = settings.replace(query_workers=2, query_memory=0)
    assert worker_memory(two, available=8 * 1024 * MIB) == 2 * 1024 * MIB  # half of it, shared by two
    assert worker_memory(two.replace(query_workers=8), available=8 * 1024 * MIB) == 1024 * MIB  # the floor


def test_a_budget_too_small_for_the_workers_names_the_setting(settings: Settings) -> None:
    with pytest.raises(SettingError, match=r"query_memory=1024 .*SER_KG_QUERY_MEMORY.*query_workers"):
        worker_memory(settings.replace(query_workers=4, query_memory=1024))
