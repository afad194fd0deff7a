"""The worker pool alone: server CPU and wall per job for ``pool.run``, beyond the worker's own time.

One worker over a synthetic graph (``bench/synthetic.py``, built by ``bench/profile_requests.py
--triples N`` into ``bench/.cache``), driven from uvloop one job at a time: ``ASK {}`` (no rows) and a
23-row lookup in JSON, each job with its own comment. What it isolates is the dispatch: the job's
pickling and send, the wake-up on the answer, reading it (``server.store.workers.wire``).

    .venv/bin/python bench/profile_dispatch.py [--triples 20000] [-n 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvloop  # noqa: E402

from server import settings as settings_module  # noqa: E402
from server.store.base import Job  # noqa: E402
from server.store.oxigraph.embedded import EmbeddedStore  # noqa: E402
from server.web.runner import pool_for  # noqa: E402

CASES = (("ASK {}", "ASK {}"), ("lookup", "SELECT ?p ?o WHERE { ?s ?p ?o } LIMIT 23"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=20000, help="the synthetic graph of about N triples")
    parser.add_argument("-n", type=int, default=1000, help="jobs per case")
    args = parser.parse_args()
    release = ROOT / "bench" / ".cache" / f"synthetic-graph-{args.triples}"
    if not (release / "ser.nq").exists():
        raise SystemExit(f"{release} is missing: run bench/profile_requests.py --triples {args.triples} first")
    store_dir = ROOT / "bench" / ".cache" / "stores"
    settings = settings_module.load().replace(store_dir=store_dir)
    store = EmbeddedStore.open(release, store_dir)
    pool = pool_for(settings.replace(query_workers=1), store)
    pool.start()

    async def drive() -> dict[str, tuple[float, float]]:
        out = {}
        for name, query in CASES:
            for i in range(100):  # warm-up
                await pool.run(Job(f"{query}\n#warm-up {i}", "json"))
            cpu, wall, inside = time.process_time_ns(), time.perf_counter_ns(), 0.0
            for i in range(args.n):
                inside += (await pool.run(Job(f"{query}\n#{i}", "json"))).seconds
            out[name] = ((time.process_time_ns() - cpu) / args.n / 1e3,
                         ((time.perf_counter_ns() - wall) / 1e9 - inside) / args.n * 1e6)
        return out

    try:
        measured = uvloop.run(drive())
    finally:
        pool.close()
        store.close()
    for name, (cpu_us, wall_us) in measured.items():
        print(f"{name}: server CPU {cpu_us:.1f} us/job, wall beyond the worker's own time {wall_us:.1f} us/job")


if __name__ == "__main__":
    main()
