"""Benchmark: the server under load. 32 clients for 60 s mix lookups, entity pages, dump downloads and
heavy SPARQL queries (``bench/load/harness.py``), against ``ser-kg serve`` over the real data.

Reported: requests, answers by status class, connection errors and timeouts, p50/p90/p99 latency, and
the peak memory (RSS) of the server and its query workers. Expected: zero 5xx and zero connection
errors; the RSS stays bounded. Nothing is asserted on time (benchmarks measure; the CI test
tests/faults/test_load.py asserts the zeros and the memory bound on a 10 s run).

    apt-get install -y wrk
    .venv/bin/python bench/load/run.py                       # 60 s, 32 clients, wrk
    .venv/bin/python bench/load/run.py --client python       # without wrk (the CI test's generator)
    .venv/bin/python bench/load/run.py --release releases/latest --duration 300

The run is bounded in time (``--duration``) and in requests (``--max-requests``, split over wrk's
threads). Loopback only. Results go to bench/results/load-<time>.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bench.load.harness import HEAVIER, HEAVY, Served, drive, plan  # noqa: E402

FOLDERS = ("ontology", "shapes", "data", "queries")


def env_for(root: Path, releases: Path) -> dict[str, str]:
    return {"SER_KG_ROOT": str(root), "SER_KG_RELEASES_DIR": str(releases),
            "SER_KG_STORE_DIR": str(root / "var" / "store"), "SER_KG_PROGRESS": "false"}


def prepare(work: Path, release: Path | None) -> tuple[dict[str, str], Path]:
    """A project copy whose releases folder holds ``release`` (or a fresh build of the checkout)."""
    root = work / "project"
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, root / folder)
    releases = root / "releases"
    if release is None:
        built = subprocess.run([sys.executable, "-m", "server", "build"], cwd=ROOT, capture_output=True, text=True,
                               env={**os.environ, **env_for(root, releases)})
        if built.returncode != 0:
            raise SystemExit(f"build failed:\n{built.stderr}")
    else:
        source = release.resolve()
        releases.mkdir()
        shutil.copytree(source, releases / source.name)
        (releases / "latest").symlink_to(source.name)
    return env_for(root, releases), (releases / "latest").resolve()


def run_wrk(url: str, requests_file: Path, args: argparse.Namespace) -> dict[str, object]:
    per_thread = max(1, args.max_requests // args.threads)
    command = ["wrk", f"-t{args.threads}", f"-c{args.clients}", f"-d{args.duration}s", "--timeout", "30s",
               "-s", str(HERE / "mix.lua"), url]
    env = {**os.environ, "BENCH_REQUESTS": str(requests_file), "BENCH_MAX": str(per_thread)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=args.duration + 120)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
    result: dict[str, object] = json.loads(line[len("BENCH "):])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", type=Path, help="a release folder to serve (default: build the checkout)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--max-requests", type=int, default=2_000_000, help="stop after this many requests")
    parser.add_argument("--client", choices=("wrk", "python"), default="wrk", help="load generator")
    parser.add_argument("--workers", type=int, default=2, help="query workers of the server (default 2)")
    parser.add_argument("--heavier", action="store_true", help="add the 100-150 ms queries to the heavy ones")
    args = parser.parse_args()
    if args.client == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk), or use --client python")

    with tempfile.TemporaryDirectory(prefix="ser-kg-load-") as tmp:
        work = Path(tmp)
        env, release = prepare(work, args.release)
        env["SER_KG_QUERY_WORKERS"] = str(args.workers)
        heavy = HEAVY + HEAVIER if args.heavier else HEAVY
        planned = plan(release, min(args.max_requests, 50_000), heavy=heavy)
        requests_file = work / "requests.tsv"
        requests_file.write_text("".join(f"{p.kind}\t{p.path}\t{p.accept}\n" for p in planned), encoding="utf-8")
        with Served(env, log=work / "serve.log") as served:
            idle_mib = served.rss_kib() / 1024
            started = time.perf_counter()
            if args.client == "wrk":
                result = run_wrk(served.url, requests_file, args)
            else:
                outcome = drive(served.url, plan(release, min(args.max_requests, 200_000), heavy=heavy),
                                args.clients, args.duration)
                result = outcome.summary()
            elapsed = time.perf_counter() - started
            result.update(peak_rss_mib=round(served.peak_rss_kib / 1024), idle_rss_mib=round(idle_mib),
                          server_peak_mib=round(served.server_peak_kib() / 1024), wall_seconds=round(elapsed, 1))
        manifest = json.loads((release / "manifest.json").read_text("utf-8"))

    result.update(heavier=args.heavier, client=args.client, clients=args.clients, duration=args.duration,
                  workers=args.workers, triples=manifest["triples"], release=manifest["version"], cores=os.cpu_count(),
                  mix={p.kind: sum(1 for q in planned if q.kind == p.kind) for p in planned})
    out = ROOT / "bench" / "results" / f"load-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
