"""Two lanes for the public queries of the embedded store: the cheap ones in-process, the rest in workers.

A round trip to a worker process costs some 200-300 us (``bench/README.md``), more than an IRI lookup
takes to evaluate. A query the policy proved cheap (``server.rdf.sparql_cheap``; the endpoint sets
``Job.cheap``) runs here instead, on a small pool of threads (setting ``cheap_lane_threads``) over this
process's own read-only handle on the database, off the event loop (pyoxigraph releases the GIL). It is
answered by the function the workers use (``server.store.workers.worker``), so its bytes, row cap,
truncation flag and byte cap are the worker lane's. Everything else, and a cheap query that finds every
thread busy (it never queues behind another), goes to the worker pool as before.

An in-process query cannot be killed. The proof bounds its shape, and behind it stands a
:class:`Watchdog`: a query still running at the time limit ends the whole front process (logged, exit
status ``STUCK_EXIT``), so that its supervisor starts a fresh one. With several front processes
(setting ``server_processes``: uvicorn's workers sharing the port, restarted when one dies) the others
go on serving meanwhile. The request itself gets the worker lane's 503 at the time limit.

A remote engine has no lanes: its runner ignores ``Job.cheap``, and every query is the same remote call.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server.errors import QueryRejected, QueryTimeout, StoreError
from server.store.base import Answer, Job
from server.store.workers.pool import CrashMemory, WorkerPool
from server.store.workers.protocol import Worker
from server.store.workers.worker import answer_job

log = logging.getLogger(__name__)

STUCK_EXIT = 75  # EX_TEMPFAIL: the process ended itself to stop a query; start it again
WATCH_INTERVAL = 0.05  # seconds between two looks of the watchdog


class Watchdog:
    """Ends the process (``exit(STUCK_EXIT)``) when a query has run longer than ``limit`` seconds.

    ``clock`` and ``exit`` are seams for tests; :meth:`check` is one look, which the thread of
    :meth:`start` takes every ``interval`` seconds.
    """

    def __init__(self, limit: float, *, clock: Callable[[], float] = time.monotonic,
                 exit: Callable[[int], Any] = os._exit, interval: float = WATCH_INTERVAL) -> None:
        self.limit = limit
        self.clock = clock
        self.exit = exit
        self.interval = interval
        self._running: dict[int, float] = {}
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def begin(self) -> int:
        with self._lock:
            token = next(self._ids)
            self._running[token] = self.clock()
        return token

    def end(self, token: int) -> None:
        with self._lock:
            self._running.pop(token, None)

    def check(self) -> bool:
        """One look: True (after calling ``exit``) when a query is past the limit."""
        now = self.clock()
        with self._lock:
            oldest = min(self._running.values(), default=now)
        if now - oldest <= self.limit:
            return False
        log.critical("an in-process SPARQL query ran past the time limit of %g s (setting query_timeout): "
                     "ending this server process (exit status %d) so that its supervisor starts a fresh one",
                     self.limit, STUCK_EXIT)
        self.exit(STUCK_EXIT)
        return True

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._watch, name="sparql-cheap-lane-watchdog", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            if self.check():
                return


def open_store(database: Path) -> Any:
    import pyoxigraph as ox

    return ox.Store.read_only(str(database))


class TwoLanes:
    """A :class:`~server.store.base.QueryRunner`: cheap jobs in-process, the others to ``pool``.

    ``opener`` opens the database for the in-process lane (a seam for tests); ``watchdog`` defaults to
    one at the pool's time limit."""

    def __init__(self, pool: WorkerPool, *, threads: int, opener: Callable[[Path], Any] = open_store,
                 watchdog: Watchdog | None = None) -> None:
        self.pool = pool
        self.threads = threads
        self.opener = opener
        self.watchdog = watchdog or Watchdog(pool.timeout)
        self.cheap_jobs = 0  # jobs answered in-process
        self._store: Any = None
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._free = threads  # threads not running a query; only read and written on the event loop
        self._lane_timeouts = 0

    @property
    def timeouts(self) -> int:
        return self.pool.timeouts + self._lane_timeouts

    @property
    def jobs(self) -> int:
        """Jobs run, in a worker or in-process."""
        return self.pool.jobs + self.cheap_jobs

    @property
    def restarts(self) -> int:
        return self.pool.restarts

    @property
    def alive(self) -> int:
        return self.pool.alive

    @property
    def ready(self) -> bool:
        return self.pool.ready

    @property
    def busy(self) -> tuple[Worker, ...]:
        return self.pool.busy

    @property
    def idle(self) -> tuple[Worker, ...]:
        return self.pool.idle

    @property
    def crashes(self) -> CrashMemory:
        return self.pool.crashes

    @property
    def isolation(self) -> str:
        """The workers' isolation; the in-process lane runs in the server's own (it makes no request)."""
        return self.pool.isolation

    def health(self) -> dict[str, object]:
        return self.pool.health()

    def start(self) -> bool:
        if not self.pool.start():
            return False
        try:
            self._store = self.opener(self.pool.database)
        except (OSError, RuntimeError) as exc:
            self.pool.close()
            raise StoreError(f"cannot open the store at {self.pool.database} for the cheap lane: {exc}") from exc
        self._executor = concurrent.futures.ThreadPoolExecutor(self.threads, thread_name_prefix="sparql-cheap")
        self._free = self.threads
        self.watchdog.start()
        return True

    def close(self) -> None:
        self.watchdog.stop()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self._store = None
        self.pool.close()

    async def run(self, job: Job) -> Answer:
        executor = self._executor
        if not job.cheap or executor is None or self._free == 0:
            return await self.pool.run(job)
        self._free -= 1
        self.cheap_jobs += 1
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(executor, self._evaluate, job)
        try:
            status, payload = await asyncio.wait_for(asyncio.shield(future), self.pool.timeout)
        except TimeoutError:
            self._lane_timeouts += 1
            # The thread is stuck in the engine: the watchdog ends the process; this request gets its 503.
            future.add_done_callback(lambda _: self._freed())
            raise QueryTimeout(
                f"the query ran longer than the limit of {self.pool.timeout:g} s and was stopped "
                "(setting query_timeout, environment variable SER_KG_QUERY_TIMEOUT). Make it more "
                "selective, or add a LIMIT."
            ) from None
        except asyncio.CancelledError:
            future.add_done_callback(lambda _: self._freed())
            raise
        self._free += 1
        if status == "error":
            raise QueryRejected(str(payload))
        answer: Answer = payload
        return answer

    def _freed(self) -> None:
        self._free += 1

    def _evaluate(self, job: Job) -> tuple[str, Any]:
        token = self.watchdog.begin()
        try:
            return answer_job(self._store, job, self.pool.limit, self.pool.prefixes)
        finally:
            self.watchdog.end(token)
