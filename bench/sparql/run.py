"""Benchmark of /sparql against `oxigraph serve-read-only` and `rdflib-endpoint`, side by side.

One run, the same release, the same query texts, one bounded load generator (wrk, one thread, a fixed
number of connections and a fixed duration) on loopback. For each dataset (the real release and a
synthetic SER-shaped graph of about 1M triples, bench/synthetic.py) the three servers are
started on the same data and stay up together; an idle server costs nothing. Each scenario is then
run in rounds, every server once per round in a rotating order, and the median round is reported, so
that the load of other work on a shared machine falls on all servers alike:

* lookup: every triple of one IRI, a different IRI each request, at 1 and at N connections;
* four medium queries: filter + ORDER BY + LIMIT, GROUP BY count, a multi-hop join, a text filter
  (REGEX over titles), with a year and words that vary;
* repeated: one medium query sent over and over (ser-kg answers it from its release cache);
* runaway (ser-kg only): lookups at N connections while one query runs into the time limit and its
  worker is killed and replaced.

Except in "repeated", every request carries its own number as a trailing comment, so no two query
texts are the same and no cache helps (see paths.lua). Every response must be 2xx: wrk's non-2xx and
socket-error counts are kept with each row.

    .venv/bin/python bench/sparql/run.py
    .venv/bin/python bench/sparql/table.py bench/results/sparql-<timestamp>.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402

from server.store.manifest import read_release  # noqa: E402
from server.store.oxigraph.embedded import ensure_database  # noqa: E402

HERE = Path(__file__).resolve().parent
CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
PROLOGUE = ("PREFIX ser: <https://data.ser.nl/def/>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n")
MEDIUM = {
    "filter+order": "SELECT ?a ?title ?issued WHERE {{ ?a a ser:Advies ; dct:title ?title ; dct:issued ?issued . "
                    'FILTER(LANG(?title) = "nl" && ?issued >= "{year}-01-01"^^xsd:date) }} '
                    "ORDER BY DESC(?issued) LIMIT 20",
    "group-count": "SELECT ?topic (COUNT(?a) AS ?reports) WHERE {{ ?a a ser:Advies ; dct:subject ?topic ; "
                   'dct:issued ?d . FILTER(?d >= "{year}-01-01"^^xsd:date) }} GROUP BY ?topic ORDER BY DESC(?reports)',
    "join": "SELECT ?a ?requester ?label ?broader WHERE {{ ?a ser:naAanvraag ?r ; dct:subject ?t ; dct:issued ?d . "
            "?r ser:aanvrager ?requester . ?requester skos:prefLabel ?label . OPTIONAL {{ ?t skos:broader ?broader }} "
            'FILTER(LANG(?label) = "nl" && ?d >= "{year}-01-01"^^xsd:date && ?d < "{next}-01-01"^^xsd:date) }}',
    "text": "SELECT ?a ?title WHERE {{ ?a a ser:Advies ; dct:title ?title . "
            'FILTER(LANG(?title) = "nl" && REGEX(?title, "{word}", "i") && REGEX(?title, "{other}", "i")) }}',
}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
_WRK_LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}
OURS = ("import sys; from pathlib import Path; from server import settings as s; "
        "from server.web.runner import run; "
        "run(s.load().replace(port=sys.argv[2], store_dir=sys.argv[3]), Path(sys.argv[1]))")

Row = dict[str, float]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def path(query: str) -> str:
    """The query string of a GET request; each server's endpoint path goes in front."""
    return "?" + urllib.parse.urlencode({"query": query})


def subjects(nquads: Path, limit: int = 20000) -> list[str]:
    """Distinct thing IRIs of the data graph, in file order."""
    seen: dict[str, None] = {}
    with nquads.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("<https://data.ser.nl/id/") and "/graph/data>" in line:
                seen.setdefault(line.split(" ", 1)[0], None)
                if len(seen) >= limit:
                    break
    return list(seen)


def query_files(release: Path, work: Path) -> dict[str, Path]:
    """One file of query strings per scenario."""
    work.mkdir(parents=True, exist_ok=True)
    words = synthetic.WORDS
    files = {"lookup": [path(f"SELECT ?p ?o WHERE {{ {iri} ?p ?o }}") for iri in subjects(release / "ser.nq")]}
    for name, template in MEDIUM.items():
        files[name] = []
        for n in range(2000):
            year = 1950 + n % 70
            text = template.format(year=year, next=year + 1, word=words[n % len(words)],
                                   other=words[(n * 7 + 3) % len(words)])
            files[name].append(path(PROLOGUE + text))
    files["repeated"] = [files["filter+order"][40]]
    out = {}
    for name, lines in files.items():
        out[name] = work / f"{name.replace('+', '-')}.txt"
        out[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def wrk(url: str, queries: Path, connections: int, duration: float, first: int, same: bool = False) -> Row:
    parts = urllib.parse.urlsplit(url)
    base, endpoint = f"{parts.scheme}://{parts.netloc}", parts.path or "/"
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency", "--timeout", "30s",
               "-s", str(HERE / "paths.lua"), base, "--", str(queries), endpoint, str(first)]
    if same:
        command.append("same")
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    row: Row = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for pct, value, unit in _WRK_LATENCY.findall(out):
        row[f"p{pct}_ms"] = round(float(value) * _UNIT[unit], 3)
    row["requests"] = float(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    row["non_2xx"] = float(bad.group(1)) if bad else 0.0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    row["socket_errors"] = float(sum(int(g) for g in errors.groups())) if errors else 0.0
    return row


def sequential(url: str, queries: Path, count: int, timeout: float) -> Row:
    """``count`` requests one after the other, for a server whose medium queries outlast a wrk run.
    rdflib-endpoint evaluates on its event loop, so more connections cannot raise its throughput
    (tech probe §5): one connection is its best case.
    """
    latencies = []
    for line in queries.read_text(encoding="utf-8").splitlines()[:count]:
        request = urllib.request.Request(url + line, headers={"Accept": "application/sparql-results+json"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
        latencies.append(time.perf_counter() - started)
    return {"rps": count / sum(latencies), "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(max(latencies) * 1000, 1), "requests": float(count), "non_2xx": 0.0,
            "socket_errors": 0.0, "sequential": 1.0}


def wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    probe = url + path("ASK { ?s ?p ?o }")
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


@contextmanager
def server(command: list[str], url: str, startup: float) -> Iterator[str]:
    log = open(CACHE / "server.log", "ab")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(url, process, startup)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


VARIANTS = {  # ser-kg under other settings, as bench servers "ser-kg" + the key
    "-2p": ("SER_KG_SERVER_PROCESSES=2",),
    "-uvicorn": ("SER_KG_HTTP_SERVER=uvicorn",),
    "-uvicorn-2p": ("SER_KG_HTTP_SERVER=uvicorn", "SER_KG_SERVER_PROCESSES=2"),
    "-granian": ("SER_KG_HTTP_SERVER=granian",),
    "-granian-2p": ("SER_KG_HTTP_SERVER=granian", "SER_KG_SERVER_PROCESSES=2"),
}


def commands(release: Path, store_dir: Path, database: Path, port: int) -> dict[str, tuple[list[str], str, float]]:
    """Per server: the command, its endpoint URL, and how long it may take to load and start."""
    url = f"http://127.0.0.1:{port}"
    return {
        "ser-kg": ([sys.executable, "-c", OURS, str(release), str(port), str(store_dir)], f"{url}/sparql", 120),
        # The same server with settings changed: two processes sharing the port (each with its workers), and
        # each HTTP server (setting http_server; granian, whose HTTP parsing is in Rust, is the default).
        **{f"ser-kg{name}": (["env", *assignments, sys.executable, "-c", OURS, str(release), str(port),
                              str(store_dir)], f"{url}/sparql", 120) for name, assignments in VARIANTS.items()},
        "oxigraph": ([str(BIN / "oxigraph"), "serve-read-only", "--location", str(database),
                      "--bind", f"127.0.0.1:{port}", "--union-default-graph"], f"{url}/query", 60),
        "rdflib-endpoint": ([str(BIN / "rdflib-endpoint"), "serve", str(release / "ser.nq"),
                             "--host", "127.0.0.1", "--port", str(port)], f"{url}/", 600),
    }


def runaway_while_looking_up(url: str, queries: Path, connections: int, window: float, first: int) -> Row:
    """Lookups for ``window`` seconds; one runaway query starts a second in and is stopped at the limit."""
    outcome: Row = {}

    def send() -> None:
        time.sleep(1)
        started = time.monotonic()
        try:
            urllib.request.urlopen(url + path(RUNAWAY), timeout=60)
            outcome["runaway_status"] = 200
        except urllib.error.HTTPError as exc:
            outcome["runaway_status"] = exc.code
        outcome["runaway_seconds"] = round(time.monotonic() - started, 2)

    thread = threading.Thread(target=send)
    thread.start()
    row = wrk(url, queries, connections, window, first)
    thread.join()
    return {**row, **outcome}


class Rounds:
    """Runs each scenario on every server in rotating order; keeps every round and the median one."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = urls
        self.rows: list[dict[str, object]] = []
        self.first: dict[tuple[str, str], int] = defaultdict(int)  # per server and file: next request number

    def run(self, scenario: str, connections: int, rounds: int, servers: list[str],
            measure: Callable[[str, int], Row], file: str) -> None:
        done: dict[str, list[Row]] = defaultdict(list)
        for r in range(rounds):
            for name in servers[r % len(servers):] + servers[:r % len(servers)]:
                first = self.first[(name, file)]
                row = measure(self.urls[name], first)
                self.first[(name, file)] = first + int(row["requests"]) + 4 * connections + 100
                done[name].append(row)
        for name in servers:
            median = sorted(done[name], key=lambda row: row["rps"])[len(done[name]) // 2]
            self.rows.append({"server": name, "scenario": scenario, "connections": connections, **median,
                              "rounds_rps": [round(row["rps"], 1) for row in done[name]]})
            print(f"  {name:16} {scenario:13} c={connections:<2} {median['rps']:>9.1f} req/s  "
                  f"p50 {median.get('p50_ms', 0):>8.2f} ms  p99 {median.get('p99_ms', 0):>8.2f} ms  "
                  f"non-2xx {median['non_2xx']:.0f}  rounds {[round(row['rps']) for row in done[name]]}", flush=True)


def measure(urls: dict[str, str], files: dict[str, Path], args: argparse.Namespace,
            heavy: bool) -> list[dict[str, object]]:
    """All scenarios. ``heavy``: medium queries take about a second each (the 1M graph), so they get
    longer runs at fewer connections, or hardly a request would finish within a run.
    """
    servers = list(urls)
    fast = [s for s in servers if not (heavy and s == "rdflib-endpoint")]
    c, d = args.connections, args.duration
    mc, md, mr = (args.heavy_connections, args.heavy_duration, args.heavy_rounds) if heavy else (c, d, args.rounds)
    rounds = Rounds(urls)
    for conns in (1, c):
        rounds.run("lookup", conns, args.rounds, servers,
                   lambda url, first, n=conns: wrk(url, files["lookup"], n, d, first), "lookup")  # type: ignore[misc]
    for name in MEDIUM:
        rounds.run(name, mc, mr, fast, lambda url, first, f=files[name]: wrk(url, f, mc, md, first), name)  # type: ignore[misc]
        if heavy and "rdflib-endpoint" in urls:
            rounds.run(name, 1, 1, ["rdflib-endpoint"],
                       lambda url, first, f=files[name]: sequential(url, f, args.slow_requests, 600), name)  # type: ignore[misc]
    rounds.run("repeated", c, mr, [s for s in fast if s != "rdflib-endpoint"],
               lambda url, first: wrk(url, files["repeated"], c, md, first, same=True), "repeated")
    for ours in ("ser-kg", *(f"ser-kg{name}" for name in VARIANTS)):
        if ours in urls:
            rounds.run("runaway", c, 1, [ours],
                       lambda url, first: runaway_while_looking_up(url, files["lookup"], c, args.runaway_window, first),
                       "lookup")
    return rounds.rows


def dataset(label: str, release: Path, args: argparse.Namespace) -> dict[str, object]:
    info = read_release(release)
    store_dir = CACHE / "stores"
    started = time.perf_counter()
    database = ensure_database(store_dir, info)
    load_seconds = time.perf_counter() - started
    files = query_files(release, CACHE / "queries" / label)
    load_average = os.getloadavg()[0]
    print(f"{label}: {info.version}, load average {load_average:.2f}", flush=True)
    with ExitStack() as stack:
        urls = {}
        for name in args.servers:
            command, endpoint, startup = commands(release, store_dir, database, free_port())[name]
            launched = time.perf_counter()
            urls[name] = stack.enter_context(server(command, endpoint, startup))
            print(f"  {name} ready in {time.perf_counter() - launched:.1f} s", flush=True)
        rows = measure(urls, files, args, heavy=label == "synthetic")
    return {"dataset": label, "release": info.version, "triples": _triples(release),
            "load_seconds": round(load_seconds, 2), "load_average": load_average, "rows": rows}


def _triples(release: Path) -> int:
    with (release / "ser.nq").open("rb") as f:
        return sum(1 for _ in f)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", type=Path, default=ROOT / "releases" / "latest")
    parser.add_argument("--synthetic-triples", type=int, default=1_000_000, help="0 skips the synthetic graph")
    parser.add_argument("--servers", nargs="+", default=["ser-kg", "oxigraph", "rdflib-endpoint"])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--heavy-duration", type=float, default=10.0,
                        help="seconds per run of a medium query on the synthetic graph")
    parser.add_argument("--heavy-connections", type=int, default=4)
    parser.add_argument("--heavy-rounds", type=int, default=2)
    parser.add_argument("--slow-requests", type=int, default=1,
                        help="sequential requests per medium query for rdflib-endpoint on the synthetic graph")
    parser.add_argument("--runaway-window", type=float, default=14.0)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    CACHE.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
        "duration": args.duration, "rounds": args.rounds, "connections": args.connections,
        "heavy": {"duration": args.heavy_duration, "connections": args.heavy_connections,
                  "rounds": args.heavy_rounds}, "datasets": [],
    }
    datasets: list[tuple[str, Path]] = []
    if args.release and (args.release / "ser.nq").exists():
        datasets.append(("release", args.release.resolve()))
    if args.synthetic_triples:
        folder = CACHE / f"synthetic-graph-{args.synthetic_triples}"
        if not (folder / "manifest.json").exists():
            synthetic.graph(folder, args.synthetic_triples)
        datasets.append(("synthetic", folder))
    for label, release in datasets:
        results["datasets"].append(dataset(label, release, args))  # type: ignore[attr-defined]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"sparql-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results in {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
