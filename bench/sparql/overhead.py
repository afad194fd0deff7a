"""Where the time of one /sparql request goes, in CPU microseconds, without HTTP or a load generator.

Drives the ASGI app directly (the same app `ser-kg serve` runs, with its worker pool) and reads the
CPU time of this process, which is the server's parent process: for a cached answer (HTTP layer,
policy, negotiation, cache) and for a distinct lookup (the same plus the round trip to a worker).
Then times, inside one process, what a worker does for the same lookup: the query alone, the query
with our capped JSON writer, and the query with Oxigraph's own (uncapped) JSON writer.

    .venv/bin/python bench/sparql/overhead.py --release releases/latest
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from server import settings as settings_module  # noqa: E402
from server.store import results  # noqa: E402
from server.store.oxigraph.embedded import EmbeddedStore  # noqa: E402
from server.web.app import create_app  # noqa: E402
from server.web.runner import pool_for  # noqa: E402

LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"


async def call(app: Any, query: str) -> int:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": "/sparql", "raw_path": b"/sparql", "root_path": "",
             "query_string": urllib.parse.urlencode({"query": query}).encode(),
             "headers": [(b"host", b"bench"), (b"accept", b"application/sparql-results+json")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def per_request(label: str, started_cpu: float, started_wall: float, n: int) -> None:
    cpu = (time.process_time() - started_cpu) / n * 1e6
    wall = (time.perf_counter() - started_wall) / n * 1e6
    print(f"{label:44} {cpu:7.0f} us CPU   {wall:7.0f} us wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", type=Path, default=ROOT / "releases" / "latest")
    parser.add_argument("--iri", default="https://data.ser.nl/id/organisatie/ser")
    parser.add_argument("-n", type=int, default=3000)
    args = parser.parse_args()
    settings = settings_module.load().replace(store_dir=ROOT / "bench" / ".cache" / "stores")
    store = EmbeddedStore.open(args.release, settings.store_dir)
    pool = pool_for(settings, store)
    pool.start()
    app = create_app(settings, store, pool)
    query = LOOKUP.format(iri=args.iri)

    async def drive() -> None:
        assert await call(app, query) == 200
        for label, distinct in (("parent process, answer from the cache", False),
                                ("parent process, distinct lookup via a worker", True)):
            cpu, wall = time.process_time(), time.perf_counter()
            for i in range(args.n):
                status = await call(app, query + (f" #{i}" if distinct else ""))
                assert status == 200, status
            per_request(label, cpu, wall, args.n)

    asyncio.run(drive())
    pool.close()
    engine = ox.Store.read_only(str(store.database))
    rows = len(list(engine.query(query, use_default_graph_as_union=True)))
    writers = (
        ("worker: query, rows read", lambda r: list(r)),
        ("worker: query + our capped JSON writer", lambda r: results.solutions(r, "json", settings.result_limit)),
        ("worker: query + Oxigraph's JSON writer", lambda r: r.serialize(format=ox.QueryResultsFormat.JSON)),
    )
    for label, write in writers:
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(args.n):
            write(engine.query(query, use_default_graph_as_union=True))
        per_request(f"{label} ({rows} rows)", cpu, wall, args.n)


if __name__ == "__main__":
    main()
