"""A worker process behind the public SPARQL endpoint: it runs one query at a time, where a runaway can
be stopped for real.

pyoxigraph has no cancellation (see the tech probe, §4), and a thread cannot be killed, so each public
query runs in one of a few persistent worker processes: fresh interpreters (``python -m
server.store.workers.worker``, like multiprocessing's ``spawn`` but without re-running the parent's main
module) that talk over a socket pair (``server.store.workers.protocol``): a pickled job in, the answer's
raw bytes behind a fixed header out (``server.store.workers.wire``). Each worker
cuts itself off the network (``server.store.workers.isolation``), opens the database with
``Store.read_only`` and answers jobs from its socket, writing the results itself, up to the row cap.

A worker never outlives its server, nor its job: it asks the kernel to kill it when the server dies
(``PR_SET_PDEATHSIG``), a thread of its own watches a pipe from the server (the lifeline: it reads end of
file when the server is gone, however it died), and it stops itself with ``SIGALRM`` when a job runs
``OWN_DEADLINE_GRACE`` seconds past the time limit, should the server not have stopped it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from server.store.base import Answer, Job
from server.store.workers import wire

# A job that runs this long past the time limit stops its worker from inside (SIGALRM), should the
# server have failed to kill it: the server's kill at the limit comes first.
OWN_DEADLINE_GRACE = 2.0
# Largest answer a worker hands to the server: the row cap bounds rows, not their size (a query can
# double a string thirty times), and the server holds each answer whole (docs/security.md).
MAX_ANSWER_BYTES = 32 * 1024**2


def answer_job(store: Any, job: Job, limit: int, prefixes: dict[str, str]) -> tuple[str, Answer | str]:
    """Run one job: in a worker process, or in the server for a query proven cheap (``lanes.py``).
    Returns ("ok", Answer) or ("error", message)."""
    import pyoxigraph as ox

    from server.store import results

    started = time.perf_counter()
    options: dict[str, Any] = {}
    if job.default_graphs is not None or job.named_graphs is not None:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs or ()]
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs or ()]
    elif not job.uses_query_dataset:
        options["use_default_graph_as_union"] = True
    try:
        result = store.query(job.query, **options)
        if isinstance(result, ox.QuerySolutions):
            kind, written = "solutions", results.solutions(result, job.format, limit, ordered=job.ordered)
        elif isinstance(result, ox.QueryBoolean):
            kind, written = "boolean", results.boolean(bool(result), job.format)
        else:
            kind, written = "triples", results.triples(result, job.format, limit, prefixes)
    except SyntaxError as exc:
        return "error", f"syntax error: {exc.msg if hasattr(exc, 'msg') else exc}"
    except KeyError:
        return "error", f"format {job.format!r} cannot carry the results of this query"
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        return "error", f"the query could not be evaluated: {exc}"
    if len(written.body) > MAX_ANSWER_BYTES:
        return "error", (f"the answer is larger than {MAX_ANSWER_BYTES // 1024**2} MiB: select fewer or shorter "
                         "values, or add a LIMIT")
    seconds = time.perf_counter() - started
    return "ok", Answer(kind, written.body, written.count, written.truncated, seconds)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int, lifeline: int) -> None:
    """Make this worker die when the server process ``parent`` dies (however it dies).

    Two ways, because either alone can miss: ``PR_SET_PDEATHSIG`` (Linux) has the kernel send SIGKILL
    when the parent goes, and a thread blocks on reading ``lifeline``, the read end of a pipe whose
    only writer is the server: it reads end of file when the server is gone, and kills this process.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    def watch() -> None:
        while True:
            try:
                if os.read(lifeline, 1) == b"":
                    break
            except InterruptedError:
                continue
            except OSError:
                break
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()
    if os.getppid() != parent:  # the server died before the death signal was armed
        os.kill(os.getpid(), signal.SIGKILL)


def own_deadline(seconds: float) -> None:
    """Stop this process ``seconds`` from now (0: never), whatever it is doing: SIGALRM, whose default
    action ends the process even while the engine holds the interpreter."""
    signal.setitimer(signal.ITIMER_REAL, seconds)


def serve(conn: Connection, database: str, options: dict[str, Any]) -> None:
    """Entry point of a worker process."""
    die_with_parent(options["parent"], options["lifeline"])
    from server.store.workers.isolation import isolate

    isolation = isolate()  # before the engine starts any thread
    import resource

    import pyoxigraph as ox

    memory = int(options["memory"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    store = ox.Store.read_only(database)
    conn.send(("ready", isolation))
    limit, prefixes, time_limit = int(options["limit"]), options["prefixes"], float(options["time_limit"])
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        own_deadline(time_limit + OWN_DEADLINE_GRACE)
        _, answer = answer_job(store, job, limit, prefixes)
        own_deadline(0)
        wire.send(conn.fileno(), wire.encode(answer) if isinstance(answer, Answer) else wire.encode_error(answer))



if __name__ == "__main__":
    # Run as ``python -m server.store.workers.worker FD DATABASE OPTIONS``; the serving code is taken from the
    # imported module, so that its one copy is ``server.store.workers.worker``, not a second ``__main__``.
    from server.store.workers import worker

    worker.serve(Connection(int(sys.argv[1])), sys.argv[2], json.loads(sys.argv[3]))
