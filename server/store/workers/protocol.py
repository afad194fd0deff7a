"""How the server starts a SPARQL worker process and talks to it.

A worker is started as ``python -m MODULE FD DATABASE OPTIONS`` (``server.store.workers.worker``, or a module
of a test that speaks the same protocol): FD is its end of a socket pair, over which it says ``("ready",
isolation)`` once it has opened the database, then takes pickled :class:`~server.store.base.Job` objects and
answers each with a fixed header and the answer's bytes (``server.store.workers.wire``), its result or an
error message. OPTIONS (JSON) hold the row cap, the
prefixes, the address-space cap, the time limit, the server's pid and the read end of its lifeline pipe.

Workers are started by one thread that lives as long as the pool, because the kernel's "parent" for
``PR_SET_PDEATHSIG`` is the thread that forked, not the process.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from server.errors import StoreError

log = logging.getLogger(__name__)

WORKER_MODULE = "server.store.workers.worker"
START_TIMEOUT = 30.0  # seconds a new worker may take to open the database
SPAWN_ATTEMPTS = 3
# Workers are (re)started from a thread while the event loop runs; vfork-based spawning shares the
# parent's memory with the child until exec, and failed once with EFAULT here. A plain fork is slower
# by a millisecond or two, for a spawn that happens once per restart. (A documented CPython switch.)
subprocess._USE_VFORK = False  # type: ignore[misc]


class Spawner:
    """The one thread that starts a pool's workers, for as long as the pool runs.

    ``PR_SET_PDEATHSIG`` fires when the thread that forked a worker ends, not only when the process
    does; a worker started from a short-lived thread (a replacement) would be killed as that thread
    returns. So every worker is forked here, on a thread that ends with the pool.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], concurrent.futures.Future[Any]] | None] = (
            queue.SimpleQueue())
        self._thread = threading.Thread(target=self._loop, name="sparql-worker-spawner", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while (item := self._jobs.get()) is not None:
            call, future = item
            try:
                future.set_result(call())
            except BaseException as exc:  # noqa: BLE001 (handed to the caller, who raises it)
                future.set_exception(exc)

    def run(self, call: Callable[[], Any]) -> Any:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._jobs.put((call, future))
        return future.result()

    def stop(self) -> None:
        self._jobs.put(None)


def _start(command: list[str], fds: list[int], theirs: socket.socket, ours: socket.socket) -> subprocess.Popen[bytes]:
    """Start a worker process. A spawn from a thread can fail with a transient EFAULT (seen once in CI
    while another thread was unmapping memory during the fork), so it is tried again before giving up."""
    for attempt in range(1, SPAWN_ATTEMPTS + 1):
        try:
            return subprocess.Popen(command, pass_fds=fds, stdin=subprocess.DEVNULL)
        except OSError as exc:
            if attempt == SPAWN_ATTEMPTS:
                theirs.close()
                ours.close()
                raise StoreError(f"cannot start a SPARQL worker process: {exc}") from exc
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class WorkerSpec:
    """How a pool starts its workers: ``module`` is run as ``python -m module FD DATABASE OPTIONS``."""

    database: Path
    options: dict[str, Any]  # limit, prefixes, memory, time_limit, parent, lifeline
    module: str = WORKER_MODULE


class Worker:
    def __init__(self, spec: WorkerSpec, spawner: Spawner) -> None:
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", spec.module, str(theirs.fileno()), str(spec.database),
                   json.dumps(spec.options)]
        fds = [theirs.fileno(), spec.options["lifeline"]]
        self.process = spawner.run(lambda: _start(command, fds, theirs, ours))
        theirs.close()
        self.conn = Connection(ours.detach())
        self.isolation = ""
        self.demoted = False
        self.nice = os.getpriority(os.PRIO_PROCESS, 0)  # a worker starts with the server's own priority

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self) -> None:
        if not self.conn.poll(START_TIMEOUT):
            self.kill()
            raise StoreError(f"a SPARQL worker did not start within {START_TIMEOUT:.0f} s")
        try:
            _, self.isolation = self.conn.recv()
        except (EOFError, OSError) as exc:
            self.kill()
            raise StoreError(f"a SPARQL worker could not open the store: {exc}") from exc

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()  # SIGKILL: the engine cannot be asked to stop
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            log.error("SPARQL worker %s did not exit after SIGKILL", self.process.pid)
        self.conn.close()
