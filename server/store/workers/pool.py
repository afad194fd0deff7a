"""The worker pool behind the public SPARQL endpoint: queries run where a runaway can be stopped for real.

``size`` persistent worker processes (``server.store.workers.worker``, started and spoken to as
``server.store.workers.protocol`` says) each run one query at a time. A query that runs past the time
limit gets its worker SIGKILLed; a fresh worker replaces it in the background while the other workers
go on serving.

A query whose worker died of it (a crash of the engine, not a kill at the time limit) is remembered, by
a digest of its text in a set bounded in bytes (``CrashMemory``), and refused at once when it comes
again, instead of costing the next worker too.

The pool is driven from one asyncio event loop: waiting for a reply costs no thread, only a reader on
the socket. All methods except :meth:`WorkerPool.start` and :meth:`WorkerPool.close` must be called from
that loop.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import logging
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server.errors import QueryRejected, QueryTimeout, StoreError
from server.store.base import Answer, Job
from server.store.workers import wire
from server.store.workers.protocol import WORKER_MODULE, Spawner, Worker, WorkerSpec
from server.store.workers.worker import MAX_ANSWER_BYTES

log = logging.getLogger(__name__)

# Address space of one worker when no budget is given. A query that builds huge intermediate results
# makes the engine abort when it hits its cap, which kills that worker only (answered 503, and
# replaced), not the machine. ``ser-kg serve`` derives the cap from the budget of all workers
# together (setting query_memory, ``server.web.runner.worker_memory``).
WORKER_MEMORY_BYTES = 4 * 1024**3
# Digests of queries that crashed a worker: 16 bytes each, at most CRASH_MEMORY_BYTES in all.
CRASH_DIGEST_BYTES = 16
CRASH_MEMORY_BYTES = 64 * 1024
# A query still running after SLOW_AFTER seconds gets a lower CPU priority (nice DEMOTED_NICE), so that
# on a small machine the short queries of other clients keep their latency while it runs or is stopped.
SLOW_AFTER = 1.0
DEMOTED_NICE = 10


class CrashMemory:
    """Digests of the query texts that crashed a worker, oldest forgotten first, within ``max_bytes``."""

    def __init__(self, max_bytes: int = CRASH_MEMORY_BYTES) -> None:
        self.max_bytes = max_bytes
        self._digests: collections.OrderedDict[bytes, None] = collections.OrderedDict()

    @staticmethod
    def digest(query: str) -> bytes:
        return hashlib.blake2b(query.encode("utf-8", "surrogatepass"), digest_size=CRASH_DIGEST_BYTES).digest()

    def add(self, digest: bytes) -> None:
        self._digests[digest] = None
        self._digests.move_to_end(digest)
        while len(self._digests) * CRASH_DIGEST_BYTES > self.max_bytes:
            self._digests.popitem(last=False)

    def __contains__(self, query: str) -> bool:
        return self.digest(query) in self._digests

    def __len__(self) -> int:
        return len(self._digests)

    @property
    def bytes(self) -> int:
        return len(self._digests) * CRASH_DIGEST_BYTES


# Exit statuses of a worker that were not the query's doing: killed (at the time limit, by the OOM
# killer or an operator) or stopped by its own deadline.
_NOT_A_CRASH = frozenset({-signal.SIGKILL, -signal.SIGALRM, -signal.SIGTERM, 0})


class WorkerPool:
    """``size`` persistent worker processes over one read-only database.

    ``memory`` caps the address space of each worker, in bytes; ``module`` is the worker's entry point
    (another module that speaks the same protocol, for tests that need a worker they control).
    """

    def __init__(self, database: Path, *, size: int, timeout: float, limit: int,
                 prefixes: dict[str, str], memory: int = WORKER_MEMORY_BYTES, module: str = WORKER_MODULE) -> None:
        self.database = database
        self.size = size
        self.timeout = timeout
        self.limit = limit
        self.prefixes = prefixes
        self.memory = memory
        self.module = module
        self.restarts = 0  # workers replaced after a timeout or a crash
        self.timeouts = 0
        self.jobs = 0  # jobs handed to a worker
        self.crashes = CrashMemory()
        self.isolation = ""
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._waiters: collections.deque[asyncio.Future[Worker]] = collections.deque()
        self._closed = False
        self._started = False
        self._replacing = 0  # replacements under way
        self._spawner: Spawner | None = None
        self._lifeline: tuple[int, int] | None = None  # the pipe the workers watch: (read, write)

    def health(self) -> dict[str, object]:
        return {"query_workers": self.alive, "query_workers_wanted": self.size}

    @property
    def alive(self) -> int:
        return sum(w.alive() for w in (*self._idle, *self._busy))

    @property
    def busy(self) -> tuple[Worker, ...]:
        """The workers running a query now."""
        return tuple(self._busy)

    @property
    def idle(self) -> tuple[Worker, ...]:
        """The workers waiting for a query."""
        return tuple(self._idle)

    @property
    def ready(self) -> bool:
        """The pool can serve: started and not closed, with a worker alive or one on its way. Busy or
        restarting workers are a pool at work, not a broken one."""
        return self._started and not self._closed and (self._replacing > 0 or self.alive > 0)

    def _spec(self) -> WorkerSpec:
        assert self._lifeline is not None
        options = {"limit": self.limit, "prefixes": self.prefixes, "memory": self.memory,
                   "time_limit": self.timeout, "parent": os.getpid(), "lifeline": self._lifeline[0]}
        return WorkerSpec(self.database, options, self.module)

    def _new_worker(self) -> Worker:
        assert self._spawner is not None
        return Worker(self._spec(), self._spawner)

    def start(self) -> bool:
        """Start every worker and wait until each has opened the database (blocking).

        Returns False when the pool was already running, so that only the starter closes it.
        """
        if self._idle or self._busy:
            return False
        self._closed = False
        self._spawner = Spawner()
        self._lifeline = os.pipe()  # not inherited (PEP 446): each worker gets the read end by name only
        workers = [self._new_worker() for _ in range(self.size)]
        for w in workers:
            w.wait_ready()
        self._started = True
        self.isolation = workers[0].isolation
        if "network namespace" not in self.isolation:
            log.warning("SPARQL workers run without a network namespace (%s)", self.isolation)
        self._idle.extend(workers)
        return True

    def close(self) -> None:
        self._closed = True
        for w in (*self._idle, *self._busy):
            w.kill()
        self._idle.clear()
        self._busy.clear()
        if self._spawner is not None:
            self._spawner.stop()
            self._spawner = None
        if self._lifeline is not None:
            for fd in self._lifeline:
                os.close(fd)
            self._lifeline = None
        for waiter in self._waiters:
            if not waiter.done():
                waiter.cancel()
        self._waiters.clear()

    async def run(self, job: Job) -> Answer:
        """Run ``job``; QueryTimeout past the limit, QueryRejected for a bad query."""
        if job.query in self.crashes:
            raise QueryRejected("this query made the SPARQL engine crash before, and is refused so that it "
                                "cannot stop another worker; change the query (or report it, with the query)")
        loop = asyncio.get_running_loop()
        worker = await self._acquire(loop, loop.time() + self.timeout)
        demotion = loop.call_later(min(SLOW_AFTER, self.timeout / 2), _demote, worker)
        try:
            self.jobs += 1
            worker.conn.send(job)
            # The limit is on the work: the clock starts when a worker takes the query, not while it
            # waited for one (that wait has a limit of its own, in _acquire).
            status, payload = await self._reply(loop, worker, loop.time() + self.timeout)
        except TimeoutError:
            self.timeouts += 1
            self._replace(loop, worker)
            raise QueryTimeout(
                f"the query ran longer than the limit of {self.timeout:g} s and was stopped "
                "(setting query_timeout, environment variable SER_KG_QUERY_TIMEOUT). Make it more "
                "selective, or add a LIMIT."
            ) from None
        except (EOFError, OSError, asyncio.CancelledError) as exc:
            if isinstance(exc, asyncio.CancelledError):
                self._replace(loop, worker)
                raise
            self._replace(loop, worker, crashed_on=CrashMemory.digest(job.query))
            raise StoreError("the query worker stopped unexpectedly; try again") from None
        finally:
            demotion.cancel()
        if worker.demoted and not _promote(worker):
            self._replace(loop, worker)  # its priority cannot be raised again without privileges
        else:
            self._release(worker)
        if status == "error":
            raise QueryRejected(str(payload))
        answer: Answer = payload
        return answer

    async def _acquire(self, loop: asyncio.AbstractEventLoop, deadline: float) -> Worker:
        if self._closed:
            raise StoreError("the SPARQL worker pool is closed")
        while self._idle and not self._idle[-1].alive():  # died while idle (OOM killer, operator): replace it
            self._replace(loop, self._idle.pop())
        if self._idle:
            worker = self._idle.pop()
        else:
            waiter: asyncio.Future[Worker] = loop.create_future()
            self._waiters.append(waiter)
            timer = loop.call_later(max(deadline - loop.time(), 0), _expire, waiter)
            try:
                worker = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                    self._release(waiter.result())  # handed over just as the request went away
                raise
            except TimeoutError:
                raise QueryTimeout(
                    f"all {self.size} query workers stayed busy for the whole time limit of "
                    f"{self.timeout:g} s (settings query_workers and query_timeout); try again later"
                ) from None
            finally:
                timer.cancel()
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        self._busy.add(worker)
        return worker

    async def _reply(self, loop: asyncio.AbstractEventLoop, worker: Worker, deadline: float) -> tuple[str, Any]:
        """The worker's answer, read by the loop's reader callback as it arrives: the task wakes once,
        when the answer is whole (``server.store.workers.wire``)."""
        fd = worker.conn.fileno()
        reader = wire.Reader(MAX_ANSWER_BYTES)
        done: asyncio.Future[tuple[str, Any]] = loop.create_future()
        loop.add_reader(fd, _collect, fd, reader, done)
        timer = loop.call_later(max(deadline - loop.time(), 0), _expire, done)
        try:
            return await done
        finally:
            timer.cancel()
            loop.remove_reader(fd)
            # uvloop makes a watched descriptor non-blocking; jobs are sent in blocking mode.
            os.set_blocking(fd, True)

    def _release(self, worker: Worker) -> None:
        self._busy.discard(worker)
        if self._closed:
            worker.kill()
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                self._busy.add(worker)
                return
        self._idle.append(worker)

    def _replace(self, loop: asyncio.AbstractEventLoop, worker: Worker, crashed_on: bytes | None = None) -> None:
        """Kill ``worker`` and start another in a thread; the loop goes on serving meanwhile.

        ``crashed_on``: the digest of the query the worker died on, remembered when the worker ended of
        its own (a crash), not by a kill."""
        self._busy.discard(worker)
        self.restarts += 1
        self._replacing += 1

        def replace() -> None:
            try:
                if crashed_on is not None:  # it closed its socket: give it a moment to be gone of itself
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        worker.process.wait(1)
                worker.kill()
                if crashed_on is not None and worker.process.returncode not in _NOT_A_CRASH:
                    log.warning("a SPARQL worker crashed on a query (exit status %s); that query is refused "
                                "from now on", worker.process.returncode)
                    _call_in(loop, self.crashes.add, crashed_on)
                if self._closed:
                    return
                try:
                    fresh = self._new_worker()
                    fresh.wait_ready()
                except (StoreError, AssertionError, RuntimeError):  # closed meanwhile, or cannot start
                    log.exception("could not replace a SPARQL worker")
                    return
                try:
                    loop.call_soon_threadsafe(self._adopt, fresh)
                except RuntimeError:  # that request's loop has closed (a test client); no waiter can be on it
                    if self._closed:
                        fresh.kill()
                    else:
                        self._idle.append(fresh)
            finally:
                _call_in(loop, self._replaced)  # after the adoption: the pool is never seen without both

        threading.Thread(target=replace, name="sparql-worker-replace", daemon=True).start()

    def _adopt(self, worker: Worker) -> None:
        self._busy.add(worker)
        self._release(worker)

    def _replaced(self) -> None:
        self._replacing -= 1


def _call_in(loop: asyncio.AbstractEventLoop, call: Callable[..., None], *args: Any) -> None:
    """Run ``call`` on ``loop`` from another thread, or here when that loop has closed."""
    try:
        loop.call_soon_threadsafe(call, *args)
    except RuntimeError:
        call(*args)


def _demote(worker: Worker) -> None:
    try:  # the query runs in the worker's main thread, whose id is the process id
        os.setpriority(os.PRIO_PROCESS, worker.process.pid, min(worker.nice + DEMOTED_NICE, 19))
        worker.demoted = True
    except OSError:
        pass


def _promote(worker: Worker) -> bool:
    try:
        os.setpriority(os.PRIO_PROCESS, worker.process.pid, worker.nice)
    except OSError:
        return False
    worker.demoted = False
    return True


def _collect(fd: int, reader: wire.Reader, done: asyncio.Future[tuple[str, Any]]) -> None:
    """Read what the worker has sent; resolve ``done`` with its answer once whole, or with the error."""
    if done.done():
        return
    try:
        chunk = os.read(fd, reader.wanted())
        if not chunk:
            raise EOFError("the SPARQL worker closed its socket")
        if reader.feed(chunk):
            done.set_result(reader.result())
    except BlockingIOError:
        return
    except (EOFError, OSError) as exc:
        done.set_exception(exc)


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


