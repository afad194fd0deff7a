"""A query worker that answers only when the test releases it: run as ``python -m tests.store.held_worker``.

It speaks the pool's protocol (``server.store.workers.protocol``) and arms the same guards (it dies with its
parent), but instead of a store it has a folder: before it says it is ready it waits while a file
``hold-start`` is there, and each job waits for one byte on the FIFO ``release`` (or for its writer to
close it). A busy or starting pool is then a state the test holds and ends, not a race with the clock.
"""

from __future__ import annotations

import json
import os
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from server.store.base import Answer
from server.store.workers import wire
from server.store.workers.worker import die_with_parent


def _wait(fifo: Path) -> None:
    fd = os.open(fifo, os.O_RDONLY)  # blocks until the test opens it for writing
    try:
        os.read(fd, 1)
    finally:
        os.close(fd)


def main(conn: Connection, folder: Path, options: dict[str, object]) -> None:
    die_with_parent(int(options["parent"]), int(options["lifeline"]))  # type: ignore[call-overload]
    if (folder / "hold-start").exists():
        _wait(folder / "release")
    conn.send(("ready", "held"))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        _wait(folder / "release")
        wire.send(conn.fileno(), wire.encode(Answer("solutions", job.query.encode(), 1, False, 0.0)))


if __name__ == "__main__":
    main(Connection(int(sys.argv[1])), Path(sys.argv[2]), json.loads(sys.argv[3]))
