"""Benchmark: what a reconciliation batch costs, the matcher of a baseline revision against this checkout's.

Issue 14 (finding 9): a 14 KB batch cost 3.2 s of CPU, and four clients sending such batches took page
latency from 3 ms to 130-170 ms. This runs the two matchers side by side on the same release:

* a baseline revision (``--baseline``, by default 6fd00cd, the last one before the matcher used
  rapidfuzz), whose ``server/`` is taken from git into a temporary folder, and this checkout;
* each in a child process of its own, with its own store (``server`` is imported from its tree);
* two batches of 50 queries: ``typos``, about 14 KB, of the index's own long words each with a
  typing error (the expensive kind), and ``variants``, the first 50 rows of ``variants.yaml``;
* CPU: each side answers each batch in ``--rounds`` rounds, alternating which side goes first, and
  the median CPU time per batch of the child is reported, with the ratio baseline / checkout; the two
  answers must be the same (their digests are compared);
* pages under load (``--load`` seconds per side and round, 0 to skip): each child serves its app with
  uvicorn on loopback; ``--clients`` threads post the ``typos`` batch over and over while one more
  fetches an entity page every 20 ms; the page's median and 99th percentile latency are reported,
  with none and with the clients sending.

    .venv/bin/python bench/reconciliation/cost.py [--release releases/latest] [--rounds 5] [--load 10]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = ROOT / "bench" / "results"
BASELINE = "6fd00cd"  # the last revision before the matcher used rapidfuzz
PAGE = "/doc/organisatie/ser"


def side(tree: str, release: str, store_dir: str) -> None:
    """A child: answers commands, one JSON object per line on stdin, with ``server`` from ``tree``."""
    sys.path.insert(0, tree)
    import uvicorn

    from server.settings import load
    from server.store.oxigraph.embedded import EmbeddedStore
    from server.web.app import create_app
    from server.web.search.directory import directory_for
    from server.web.search.matching import Matcher

    settings = load({}).replace(store_dir=Path(store_dir))
    store = EmbeddedStore.open(Path(release), settings.store_dir)
    settings = settings.replace(base_iri=store.release.base_iri)
    directory = directory_for(settings, store)
    matcher = Matcher(directory, store)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["do"] == "typos":
            print(json.dumps(typos(sorted(directory.things.vocabulary), command["seed"], command["bytes"])),
                  flush=True)
        elif command["do"] == "cpu":
            started = time.process_time()
            answer = matcher.reconcile(command["batch"], "nl")
            cpu = time.process_time() - started
            digest = hashlib.sha256(json.dumps(answer, sort_keys=True).encode()).hexdigest()
            print(json.dumps({"cpu": cpu, "digest": digest}), flush=True)
        elif command["do"] == "serve":
            config = uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=0, log_level="warning",
                                    access_log=False)
            server = uvicorn.Server(config)
            threading.Thread(target=server.run, daemon=True).start()
            while not server.started:
                time.sleep(0.05)
            port = server.servers[0].sockets[0].getsockname()[1]
            print(json.dumps({"port": port}), flush=True)


def typos(vocabulary: list[str], seed: int, size: int) -> dict[str, Any]:
    """50 queries of long words of the index, each with one typing error, about ``size`` bytes in all."""
    chooser = random.Random(seed)
    words = [w for w in vocabulary if len(w) >= 8 and w.isalpha()]
    batch: dict[str, Any] = {}
    for i in range(50):
        text = ""
        while len(text) < size // 50 - 25:
            word = chooser.choice(words)
            at = chooser.randrange(len(word))
            text += word[:at] + "x" + word[at + 1:] + " "
        batch[f"q{i}"] = {"query": text.strip()}
    return batch


class Child:
    def __init__(self, name: str, tree: Path, release: Path, store_dir: Path) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--side", str(tree), str(release), str(store_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "SER_KG_PROGRESS": "false"})
        assert self.ask(None)["ready"]

    def ask(self, command: dict[str, Any] | None) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        if command is not None:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.name} side stopped")
        return json.loads(line)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(10)


def build(workdir: Path) -> Path:
    for folder in ("ontology", "shapes", "data", "queries"):
        subprocess.run(["cp", "-r", str(ROOT / folder), str(workdir / folder)], check=True)
    env = {**os.environ, "SER_KG_ROOT": str(workdir), "SER_KG_RELEASES_DIR": str(workdir / "releases"),
           "SER_KG_PROGRESS": "false"}
    subprocess.run([sys.executable, "-m", "server", "build"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (workdir / "releases" / "latest").resolve()


def page_latencies(port: int, batch: dict[str, Any], clients: int, seconds: float) -> dict[str, float]:
    """Page latency in ms while ``clients`` threads post ``batch`` (none when 0), and batches answered."""
    body = urllib.parse.urlencode({"queries": json.dumps(batch)}).encode()
    stop = time.monotonic() + seconds
    answered = [0]

    def post() -> None:
        while time.monotonic() < stop:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/reconcile", data=body)
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
                answered[0] += response.status == 200

    threads = [threading.Thread(target=post) for _ in range(clients)]
    for t in threads:
        t.start()
    times = []
    while time.monotonic() < stop:
        started = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}{PAGE}",
                                                           headers={"Accept": "text/html"}), timeout=60) as page:
            page.read()
        times.append(1000 * (time.perf_counter() - started))
        time.sleep(0.02)
    for t in threads:
        t.join()
    times.sort()
    return {"p50_ms": round(times[len(times) // 2], 1), "p99_ms": round(times[int(len(times) * 0.99)], 1),
            "pages": len(times), "batches_per_s": round(answered[0] / seconds, 2)}


def main() -> None:
    if sys.argv[1:2] == ["--side"]:
        side(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--release", type=Path, help="an existing release folder (default: build one)")
    parser.add_argument("--baseline", default=BASELINE, help=f"the revision to compare with (default {BASELINE})")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--load", type=float, default=10.0, help="seconds of page load per side and round")
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    import yaml

    with tempfile.TemporaryDirectory(prefix="ser-reconcile-cost-") as tmp:
        work = Path(tmp)
        release = args.release.resolve() if args.release else build(work)
        old_tree = work / "baseline"
        old_tree.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline, "server"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old_tree)], input=archive, check=True)
        sides = {"baseline": Child("baseline", old_tree, release, work / "store-baseline"),
                 "checkout": Child("checkout", ROOT, release, work / "store-checkout")}
        rows = yaml.safe_load((HERE / "variants.yaml").read_text(encoding="utf-8"))[:50]
        batches = {"typos": sides["checkout"].ask({"do": "typos", "seed": 14, "bytes": 14000}),
                   "variants": {f"q{i}": {"query": r["query"], "limit": 5} for i, r in enumerate(rows)}}
        report: dict[str, Any] = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
                                  "baseline": args.baseline, "rounds": args.rounds, "batches": {}}
        for name, batch in batches.items():
            cpu: dict[str, list[float]] = {s: [] for s in sides}
            digests: dict[str, set[str]] = {s: set() for s in sides}
            for round_ in range(args.rounds):
                for s in (list(sides) if round_ % 2 == 0 else list(reversed(sides))):
                    answer = sides[s].ask({"do": "cpu", "batch": batch})
                    cpu[s].append(answer["cpu"])
                    digests[s].add(answer["digest"])
            medians = {s: statistics.median(v) for s, v in cpu.items()}
            report["batches"][name] = {
                "bytes": len(json.dumps(batch)), "queries": len(batch),
                "cpu_ms": {s: round(1000 * m, 1) for s, m in medians.items()},
                "ratio": round(medians["baseline"] / medians["checkout"], 1),
                "same_answers": digests["baseline"] == digests["checkout"] and len(digests["checkout"]) == 1}
        if args.load > 0:
            ports = {s: child.ask({"do": "serve"})["port"] for s, child in sides.items()}
            load: dict[str, dict[str, list[dict[str, float]]]] = {s: {"idle": [], "busy": []} for s in sides}
            for round_ in range(max(1, args.rounds // 2)):
                for s in (list(sides) if round_ % 2 == 0 else list(reversed(sides))):
                    load[s]["idle"].append(page_latencies(ports[s], batches["typos"], 0, min(args.load, 3.0)))
                    load[s]["busy"].append(page_latencies(ports[s], batches["typos"], args.clients, args.load))
            report["pages"] = {s: {mode: {key: round(statistics.median(r[key] for r in runs), 2) for key in runs[0]}
                                   for mode, runs in modes.items()} for s, modes in load.items()}
        for child in sides.values():
            child.close()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"reconciliation-cost-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"baseline {args.baseline} against the checkout, median of {args.rounds} rounds")
    print("| batch | bytes | baseline CPU ms | checkout CPU ms | baseline / checkout | same answers |")
    print("|---|---:|---:|---:|---:|---|")
    for name, b in report["batches"].items():
        print(f"| {name} | {b['bytes']:,} | {b['cpu_ms']['baseline']:,} | {b['cpu_ms']['checkout']:,} "
              f"| {b['ratio']}x | {'yes' if b['same_answers'] else 'NO'} |")
    if "pages" in report:
        print(f"\n| side | page p50 / p99 ms, idle | with {args.clients} clients reconciling | batches/s |")
        print("|---|---:|---:|---:|")
        for s, modes in report["pages"].items():
            print(f"| {s} | {modes['idle']['p50_ms']} / {modes['idle']['p99_ms']} "
                  f"| {modes['busy']['p50_ms']} / {modes['busy']['p99_ms']} | {modes['busy']['batches_per_s']} |")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
