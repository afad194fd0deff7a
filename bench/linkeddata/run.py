"""Benchmark: entity documents (Turtle and HTML) from our server against ``oxigraph serve-read-only``
answering the same CONSTRUCT, on the same data, in the same run.

One run: a synthetic SER-shaped release (bench/synthetic.py; or ``--release DIR``) is loaded into an Oxigraph database;
our app (uvicorn, ``--workers`` processes) and ``oxigraph serve-read-only --union-default-graph``
are started on loopback over that one database; for a sample of entities the two are first checked
to give the same triples; then ``wrk`` drives each request list for ``--duration`` seconds, in
``--rounds`` alternating rounds (the median round is reported):

* ours, Turtle: ``/doc/{type}/{key}.ttl``
* ours, HTML:   ``/doc/{type}/{key}.html``
* oxigraph:     ``/query?query=<the CONSTRUCT our server runs for that entity>``, Accept text/turtle

The request lists cycle through the whole sample, so that per-IRI caches see each entity rarely.
Throughputs and the ratio to Oxigraph are printed and written to bench/results/ (git-ignored).
Needs ``wrk`` (apt-get install wrk) and the ``oxigraph`` CLI (pip install oxigraph). Loopback only.

    python bench/linkeddata/run.py --triples 125000 --duration 5 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402
from rdflib import Graph  # noqa: E402

from server.store.oxigraph.embedded import EmbeddedStore  # noqa: E402
from server.web.descriptions import construct_query  # noqa: E402

BASE = "https://data.ser.nl/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def fetch(url: str, accept: str) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}), timeout=10) as r:
        return bytes(r.read())


def wrk(url: str, paths: list[str], accept: str, seconds: int, threads: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(paths) + "\n")
    env = {**os.environ, "BENCH_PATHS": f.name, "BENCH_ACCEPT": accept}
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
               str(HERE / "requests.lua"), url]
    try:
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {"rps": rps, "non_2xx": float(bad.group(1)) if bad else 0.0,
            "p50_ms": float(p50.group(1)) * scale[p50.group(2)] if p50 else float("nan")}


def same_triples(ours: bytes, theirs: bytes) -> bool:
    a, b = Graph().parse(data=ours, format="nt"), Graph().parse(data=theirs, format="nt")
    return set(a) == set(b) and len(a) > 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=125_000, help="about the size of the synthetic release")
    parser.add_argument("--release", type=Path, help="use this release folder instead of a synthetic one")
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per case; the median is reported")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each measurement")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes of our server")
    parser.add_argument("--sample", type=int, default=5000, help="entities in the request lists")
    args = parser.parse_args()
    oxigraph = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if shutil.which("wrk") is None or oxigraph is None:
        sys.exit("needs wrk (apt-get install wrk) and the oxigraph CLI (pip install oxigraph)")

    tmp = Path(tempfile.mkdtemp(prefix="ser-bench-ld-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        release = args.release or synthetic.graph(tmp / "releases" / "bench", args.triples)
        opened = EmbeddedStore.open(release, tmp / "store")
        database = opened.database
        rows = opened.select(f"SELECT ?s WHERE {{ GRAPH <{BASE}graph/data> {{ ?s a ?c }} }}")
        triples = json.loads((release / "manifest.json").read_text())["triples"]
        opened.close()
        # Things with a document of their own: a hash IRI (``…/lid-0#periode``) is shown on its document's page.
        iris = sorted({str(r["s"]) for r in rows if str(r["s"]).startswith(BASE + "id/") and "#" not in str(r["s"])})
        sample = random.Random(1).sample(iris, min(args.sample, len(iris)))

        ours_port, cold_port, ox_port = free_port(), free_port(), free_port()
        env = {**os.environ, "BENCH_RELEASE": str(release), "BENCH_STORE": str(tmp / "store"),
               "BENCH_RELEASES": str(release.parent), "PYTHONPATH": str(ROOT)}
        for port, cache in ((ours_port, ""), (cold_port, "0")):
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "app:app", "--factory", "--app-dir", str(HERE), "--host",
                 "127.0.0.1", "--port", str(port), "--workers", str(args.workers), "--log-level", "warning",
                 "--no-access-log"], env={**env, "BENCH_DOCUMENT_CACHE": cache}, start_new_session=True))
        processes.append(subprocess.Popen(
            [oxigraph, "serve-read-only", "--location", str(database), "--union-default-graph",
             "--bind", f"127.0.0.1:{ox_port}"], start_new_session=True, stderr=subprocess.DEVNULL))
        ours, cold, ox = (f"http://127.0.0.1:{p}" for p in (ours_port, cold_port, ox_port))
        wait_ready(ours + "/robots.txt")
        wait_ready(cold + "/robots.txt")
        wait_ready(ox + "/query?query=" + urllib.parse.quote("ASK {}"))

        def doc(iri: str) -> str:
            return "/doc/" + iri[len(BASE) + 3:]

        def ox_path(iri: str) -> str:
            return "/query?query=" + urllib.parse.quote(construct_query(iri))

        for iri in sample[:20]:  # the two answer with the same triples
            theirs = fetch(ox + ox_path(iri), "application/n-triples")
            if not same_triples(fetch(ours + doc(iri) + ".nt", "*/*"), theirs):
                sys.exit(f"our description of {iri} differs from Oxigraph's CONSTRUCT")

        cases = [("oxigraph CONSTRUCT (Turtle)", ox, [ox_path(i) for i in sample], "text/turtle"),
                 ("ours /doc/….ttl", ours, [doc(i) + ".ttl" for i in sample], "text/turtle"),
                 ("ours /doc/….html", ours, [doc(i) + ".html" for i in sample], "text/html"),
                 ("ours .ttl, no document cache", cold, [doc(i) + ".ttl" for i in sample], "text/turtle"),
                 ("ours .html, no document cache", cold, [doc(i) + ".html" for i in sample], "text/html")]
        # Rounds alternate between the cases, and each case reports its median round, so that load
        # from other processes on a shared machine falls on every case alike.
        rounds: dict[str, list[dict[str, float]]] = {name: [] for name, *_ in cases}
        for _ in range(args.rounds):
            for name, url, paths, accept in cases:
                if args.warmup:
                    wrk(url, paths, accept, args.warmup, args.threads, args.connections)
                rounds[name].append(wrk(url, paths, accept, args.duration, args.threads, args.connections))
        results = {name: sorted(runs, key=lambda r: r["rps"])[len(runs) // 2] for name, runs in rounds.items()}
        base_rps = results[cases[0][0]]["rps"]
        print(f"\n{triples} triples, {len(iris)} entities, sample {len(sample)}, median of {args.rounds} x "
              f"{args.duration} s, "
              f"wrk -t{args.threads} -c{args.connections}, our workers {args.workers}, {os.cpu_count()} cores\n")
        print(f"{'case':32} {'req/s':>9} {'p50 ms':>8} {'non-2xx':>8} {'vs oxigraph':>12}")
        for name, r in results.items():
            print(f"{name:32} {r['rps']:9.0f} {r['p50_ms']:8.2f} {r['non_2xx']:8.0f} {r['rps'] / base_rps:12.2f}")
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        (out / f"linkeddata-{stamp}.json").write_text(json.dumps(
            {"triples": triples, "entities": len(iris), "args": {k: str(v) for k, v in vars(args).items()},
             "results": results, "rounds": rounds}, indent=2), encoding="utf-8")
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
