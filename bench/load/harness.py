"""The load harness: the request mix, the served release, and a bounded Python load generator.

Shared by the benchmark (``bench/load/run.py``: 60 s, 32 clients, driven by wrk) and by the CI test
(``tests/faults/test_load.py``: 10 s, 32 clients, driven by :func:`drive`), so that both send the same
mix to the same kind of server:

* :data:`MIX` is the table of request kinds and their shares: IRI lookups, entity pages, dump
  downloads, SPARQL lookups and heavy SPARQL queries. Each heavy query carries a counter in a comment,
  so that it misses the result cache: an attacker would vary its queries too.
* :class:`Served` runs ``ser-kg serve`` (the real runner: uvicorn, query workers) as a child process on
  a free loopback port and samples the memory (RSS) of it and its workers while it runs.
* :func:`drive` sends a planned list of requests from ``clients`` concurrent connections until the list
  or the time runs out, and counts statuses, connection errors and latencies.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parents[2]

# 3-30 ms each in Oxigraph on the real data (6k triples), 10-100 times a lookup: joins, a cartesian
# product, aggregates, a regex.
HEAVY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?b ?q ?c . ?c ?r ?d }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?c . ?b a ?c2 }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c OPTIONAL { ?s ?p ?o OPTIONAL { ?o ?p2 ?o2 } } }",
    "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o . ?s2 ?p ?o }",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?o ?p2 ?o2 } GROUP BY ?p ORDER BY DESC(?n)",
    "SELECT ?s (GROUP_CONCAT(?l; separator='|') AS ?all) WHERE { ?s ?p ?l FILTER(isLiteral(?l)) } "
    "GROUP BY ?s ORDER BY ?all LIMIT 50",
    'SELECT ?s ?o WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "^(a|e)+.*r$", "i")) } LIMIT 100',
)
# 100-150 ms each: at 15 % of the requests they keep both workers busy on two cores and the wait for a
# worker near the 10 s limit, past which it is answered 503 by design (docs/security.md). Only with
# ``bench/load/run.py --heavier``.
HEAVIER = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?b ?q ?c . ?c ?r ?d . ?d ?t ?e }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s (!<urn:x:none>)+ ?o }",
)
LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
# Every other lookup carries a LIMIT (above any thing's count of values: the answer is whole), the shape
# proven cheap and answered in the server process; the others, and the heavy queries, go to the workers.
CHEAP = " LIMIT 1000"
DUMPS = ("ser.nt.gz", "ser.ttl.gz", "ser.nq.gz", "ser.jsonld.gz", "void.ttl")

# (kind, share in percent, Accept, path template): {entity} is a type/key, {dump} a release file,
# {query} a SPARQL query made for the request.
MIX: tuple[tuple[str, int, str, str], ...] = (
    ("lookup", 25, "text/turtle", "/id/{entity}"),
    ("turtle", 15, "text/turtle", "/doc/{entity}"),
    ("page", 20, "text/html", "/doc/{entity}"),
    ("download", 10, "*/*", "/downloads/{version}/{dump}"),
    ("sparql", 15, "application/sparql-results+json", "/sparql?query={query}"),
    ("heavy", 15, "application/sparql-results+json", "/sparql?query={query}"),
)


@dataclass(frozen=True)
class Planned:
    kind: str
    path: str
    accept: str


def entities(release_dir: Path, base: str = "https://data.ser.nl/") -> list[str]:
    """The ``type/key`` of every thing in the release's data (read from ser.nq, no store needed)."""
    pattern = re.compile(re.escape(f"<{base}id/") + r"([a-z0-9-]+/[A-Za-z0-9._-]+)> ")
    with (release_dir / "ser.nq").open(encoding="utf-8") as lines:
        return sorted({m.group(1) for line in lines if (m := pattern.match(line))})


def plan(release_dir: Path, count: int, seed: int = 7, base: str = "https://data.ser.nl/",
         heavy: tuple[str, ...] = HEAVY) -> list[Planned]:
    """``count`` requests drawn from :data:`MIX` by share, over the things and files of the release."""
    rng = random.Random(seed)
    things = entities(release_dir, base)
    version = release_dir.resolve().name
    kinds = [row for row in MIX for _ in range(row[1])]
    out = []
    for n in range(count):
        kind, _share, accept, template = rng.choice(kinds)
        entity = rng.choice(things)
        lookup = LOOKUP.format(iri=f"{base}id/{entity}") + (CHEAP if n % 2 else "")
        query = f"{rng.choice(heavy)} # {seed}-{n}" if kind == "heavy" else lookup
        path = template.format(entity=entity, version=version, dump=rng.choice(DUMPS),
                               query=urllib.parse.quote(query, safe=""))
        out.append(Planned(kind, path, accept))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def _status_kib(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Served:
    """``ser-kg serve`` over the releases in ``env``, in a child process on a free loopback port."""

    env: dict[str, str]
    port: int = field(default_factory=free_port)
    log: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    peak_rss_kib: int = 0  # of the server and its workers together, sampled every 0.1 s
    _sampler: threading.Thread | None = None
    _stream: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: float = 60.0) -> Served:
        env = {**os.environ, **self.env, "SER_KG_PROGRESS": "false"}
        self._stream = self.log.open("ab") if self.log else None
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self._stream or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if self._stream else subprocess.DEVNULL)
        deadline = time.monotonic() + wait
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"ser-kg serve exited with {self.process.returncode}; see {self.log}")
            try:
                if httpx.get(self.url + "/-/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"ser-kg serve did not answer within {wait:.0f} s; see {self.log}")
            time.sleep(0.1)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def pids(self) -> list[int]:
        if self.process is None:
            return []
        todo, seen = [self.process.pid], []
        while todo:
            pid = todo.pop()
            seen.append(pid)
            todo += _children(pid)
        return seen

    def rss_kib(self) -> int:
        return sum(_status_kib(pid, "VmRSS") for pid in self.pids())

    def server_peak_kib(self) -> int:
        """The high-water mark of the server process itself (the kernel's VmHWM)."""
        return _status_kib(self.process.pid, "VmHWM") if self.process else 0

    def _sample(self) -> None:
        while self.process is not None and self.process.poll() is None:
            self.peak_rss_kib = max(self.peak_rss_kib, self.rss_kib())
            time.sleep(0.1)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the server and its workers at once, as a crash or an OOM kill would."""
        for pid in reversed(self.pids()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        if self.process is not None:
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._stream is not None:
            self._stream.close()

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class Outcome:
    statuses: Counter[int] = field(default_factory=Counter)
    by_kind: Counter[tuple[str, int]] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # connection errors and client timeouts
    latencies: list[float] = field(default_factory=list)
    kind_latencies: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(self.errors.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile(self, p: float, kind: str | None = None) -> float:
        ordered = sorted(self.latencies if kind is None else self.kind_latencies.get(kind, []))
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0

    def summary(self) -> dict[str, Any]:
        return {"requests": self.requests, "seconds": round(self.seconds, 2),
                "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
                "statuses": dict(sorted(self.statuses.items())), "errors": dict(self.errors),
                "p50_ms": round(self.percentile(0.50) * 1000, 1), "p99_ms": round(self.percentile(0.99) * 1000, 1),
                "by_kind": {f"{k} {s}": n for (k, s), n in sorted(self.by_kind.items())},
                "p99_ms_by_kind": {k: round(self.percentile(0.99, k) * 1000, 1) for k in sorted(self.kind_latencies)}}


async def _client(http: httpx.AsyncClient, todo: list[Planned], deadline: float, outcome: Outcome) -> None:
    while todo and time.monotonic() < deadline:
        request = todo.pop()
        started = time.perf_counter()
        try:
            async with http.stream("GET", request.path, headers={"Accept": request.accept}) as response:
                async for _ in response.aiter_raw():
                    pass
        except httpx.TimeoutException:
            outcome.errors["timeout"] += 1
            continue
        except httpx.TransportError as exc:
            outcome.errors[type(exc).__name__] += 1
            continue
        outcome.latencies.append(time.perf_counter() - started)
        outcome.kind_latencies.setdefault(request.kind, []).append(outcome.latencies[-1])
        outcome.statuses[response.status_code] += 1
        outcome.by_kind[(request.kind, response.status_code)] += 1


def drive(url: str, planned: list[Planned], clients: int, seconds: float, timeout: float = 30.0) -> Outcome:
    """Send ``planned`` from ``clients`` connections for at most ``seconds`` (bounded in both)."""
    outcome = Outcome()

    async def run() -> None:
        todo = list(reversed(planned))
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as http:
            deadline = time.monotonic() + seconds
            await asyncio.gather(*(_client(http, todo, deadline, outcome) for _ in range(clients)))

    started = time.perf_counter()
    asyncio.run(run())
    outcome.seconds = time.perf_counter() - started
    return outcome
