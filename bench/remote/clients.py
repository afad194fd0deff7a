"""What one query to a remote engine costs in this server's HTTP client, against the one-client options.

The server talks to a remote SPARQL engine through httpcore (``server.store.remote.engine.Connections``): its
``ConnectionPool`` from threads and its ``AsyncConnectionPool`` over plain sockets on the event loop. Before,
there were two hand-written clients (``http.client`` from threads, h11 over sockets on the event loop); the
numbers of that comparison are in bench/README.md. Here the server's client runs beside the plain libraries.
Each client sends the same small query (``ASK {}``, so that the engine's
work is the least) to one ``oxigraph serve`` on loopback, one at a time on a kept-alive connection; the
clients take turns in rounds, in a rotating order, and the median round is kept. Reported: microseconds
per query and the ratio against the server's client on the same path.

    .venv/bin/python bench/remote/clients.py --queries 2000 --rounds 5     # about a minute on 2 cores
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpcore
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from server.store.remote.engine import ACCEPT, FORM, Connections, Engine, form  # noqa: E402
from tests.remote.engines import Oxigraph  # noqa: E402

RESULTS = ROOT / "bench" / "results"
# Answers other than 200, by whether they failed: a loaded machine makes oxigraph answer a few queries with
# 500 "Resource temporarily unavailable"; they are counted and reported, not hidden.
FAILED = collections.Counter[bool]()
HEADERS = {"Accept": ACCEPT, "Content-Type": FORM, "Accept-Encoding": "identity"}


def sync_cases(url: str, body: bytes) -> dict[str, tuple[Callable[[], int], Callable[[], None]]]:
    """name -> (send one query and return its status, close)."""
    connections = Connections(Engine(url, timeout=10))
    client = httpx.Client(trust_env=False, limits=httpx.Limits(max_keepalive_connections=16))
    pool = httpcore.ConnectionPool(max_keepalive_connections=16)

    def with_httpcore() -> int:
        response = pool.request("POST", url, headers=HEADERS, content=body)
        return response.status

    return {
        "server (httpcore, threads)": (lambda: connections.post(body, ACCEPT).status, connections.close),
        "httpx.Client": (lambda: client.post(url, headers=HEADERS, content=body).status_code, client.close),
        "httpcore.ConnectionPool": (with_httpcore, pool.close),
    }


def async_cases(url: str, body: bytes) -> dict[str, Callable[[int], Awaitable[None]]]:
    """name -> run ``n`` queries one after another on the event loop."""
    server_path = Connections(Engine(url, timeout=10))

    async def with_server(n: int) -> None:
        for _ in range(n):
            FAILED[(await server_path.post_async(body, ACCEPT)).status != 200] += 1

    async def with_httpx(n: int) -> None:
        async with httpx.AsyncClient(trust_env=False) as client:
            for _ in range(n):
                FAILED[(await client.post(url, headers=HEADERS, content=body)).status_code != 200] += 1

    async def with_httpcore(n: int) -> None:
        async with httpcore.AsyncConnectionPool() as pool:
            for _ in range(n):
                FAILED[(await pool.request("POST", url, headers=HEADERS, content=body)).status != 200] += 1

    return {"server (httpcore, event loop)": with_server, "httpx.AsyncClient": with_httpx,
            "httpcore.AsyncConnectionPool": with_httpcore}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=2000, help="queries per client per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = Oxigraph(Path(folder))
        engine.start()
        try:
            body = form("ASK {}", "")
            sync, run_async = sync_cases(engine.query_url, body), async_cases(engine.query_url, body)
            names = [*sync, *run_async]
            timings: dict[str, list[float]] = {name: [] for name in names}
            for send, _ in sync.values():  # warm: connections open, code paths taken once
                for _ in range(50):
                    send()
            for run in run_async.values():
                asyncio.run(run(50))
            for round_number in range(args.rounds):
                order = names[round_number % len(names):] + names[:round_number % len(names)]
                for name in order:
                    started = time.perf_counter()
                    if name in sync:
                        send = sync[name][0]
                        for _ in range(args.queries):
                            FAILED[send() != 200] += 1
                    else:
                        asyncio.run(run_async[name](args.queries))
                    timings[name].append((time.perf_counter() - started) / args.queries * 1e6)
            for _, close in sync.values():
                close()
        finally:
            engine.stop()
    median = {name: statistics.median(values) for name, values in timings.items()}
    baseline = {name: ("server (httpcore, threads)" if name in sync else "server (httpcore, event loop)")
                for name in names}
    print(f"{'client':32} {'µs/query':>9} {'vs server':>9}   (median of {args.rounds} rounds of {args.queries})")
    for name in names:
        print(f"{name:32} {median[name]:9.0f} {median[name] / median[baseline[name]]:9.2f}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"clients-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps({"queries": args.queries, "rounds": args.rounds, "microseconds": timings}, indent=2))
    print(f"answers other than 200: {FAILED[True]} of {FAILED[True] + FAILED[False]}")
    print(f"raw numbers: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
