"""A query worker killed mid-query: that client gets an error (503, "try again"), and the next query works.

The pool here has one worker, so the next query can only be answered by the worker that replaces the
killed one. A worker that dies while idle (the OOM killer, an operator) must not cost the next client
its query either.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI

from server.store.workers.pool import WorkerPool
from tests.conftest import LiveServer

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LOOKUP = "SELECT ?p ?o WHERE { <https://data.ser.nl/id/organisatie/ser> ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def single(make_app: Callable[..., FastAPI]) -> Iterator[tuple[LiveServer, WorkerPool]]:
    app = make_app(query_workers=1, query_timeout=20.0)
    with LiveServer(app) as server:
        yield server, app.context.pool


def _wait(condition: Callable[[], bool], seconds: float = 120.0) -> None:  # a hang guard
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def test_a_worker_killed_mid_query_fails_that_query_only(single: tuple[LiveServer, WorkerPool]) -> None:
    server, pool = single
    _wait(lambda: pool.alive == 1 and len(pool.idle) == 1)
    restarts = pool.restarts
    answers: dict[str, httpx.Response] = {}

    def slow() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            answers["slow"] = http.get("/sparql", params={"query": SLOW}, headers=JSON)

    thread = threading.Thread(target=slow)
    thread.start()
    _wait(lambda: len(pool.busy) == 1)
    (worker,) = pool.busy
    time.sleep(0.2)  # well inside the query
    os.kill(worker.process.pid, signal.SIGKILL)
    thread.join(30)
    assert not thread.is_alive()
    assert answers["slow"].status_code == 503
    assert "try again" in answers["slow"].text
    with httpx.Client(base_url=server.url, timeout=30) as http:  # waits for the replacement
        after = http.get("/sparql", params={"query": LOOKUP}, headers=JSON)
        assert after.status_code == 200 and after.json()["results"]["bindings"]
    assert pool.restarts == restarts + 1


def test_a_worker_killed_while_idle_costs_no_client_its_query(single: tuple[LiveServer, WorkerPool]) -> None:
    server, pool = single
    _wait(lambda: pool.alive == 1 and len(pool.idle) == 1)
    (worker,) = pool.idle
    os.kill(worker.process.pid, signal.SIGKILL)
    _wait(lambda: not worker.alive())
    with httpx.Client(base_url=server.url, timeout=30) as http:
        response = http.get("/sparql", params={"query": LOOKUP + " # after an idle kill"}, headers=JSON)
    assert response.status_code == 200, response.text
