"""Benchmark: how well /reconcile matches realistic name variants to the real SER data.

The variants (bench/reconciliation/variants.yaml) are spellings, abbreviations, translations, former
names and partial names of real things in data/*.yaml, plus names of things the data does not hold.
A release is built from the checkout's sources into a temporary folder (or ``--release`` names one),
served in-process, and every variant is sent to POST /reconcile in batches of the manifest's
batchSize, twice: without a type and with the expected thing's type (what an OpenRefine user who
picks a type sends). Reported per mode:

* precision@1: the top candidate is the expected thing, over the queries that got any candidate
  (a candidate for a name the data does not hold counts as wrong);
* recall@1: the top candidate is the expected thing, over the variants whose thing is in the data;
* at the service's auto-match (``match: true``): the same two, for the sure matches only;
* the same at a range of score cut-offs, and recall per kind of variation.

    .venv/bin/python bench/reconciliation/run.py [--release releases/latest] [--show-misses]
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
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from server.settings import load  # noqa: E402
from server.store.oxigraph.embedded import EmbeddedStore  # noqa: E402
from server.web.app import create_app  # noqa: E402

VARIANTS = Path(__file__).with_name("variants.yaml")
RESULTS = ROOT / "bench" / "results"
CUTOFFS = (50, 60, 70, 80, 85, 90, 95, 98, 100)


def build(workdir: Path) -> Path:
    """A release of the checkout's sources, built by ``ser-kg build`` in a child process."""
    for folder in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(ROOT / folder, workdir / folder)
    env = {**os.environ, "SER_KG_ROOT": str(workdir), "SER_KG_RELEASES_DIR": str(workdir / "releases"),
           "SER_KG_PROGRESS": "false"}
    subprocess.run([sys.executable, "-m", "server", "build"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (workdir / "releases" / "latest").resolve()


def ask(client: TestClient, rows: list[dict[str, Any]], base: str, typed: bool, size: int) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = []
    for start in range(0, len(rows), size):
        batch = {}
        for i, row in enumerate(rows[start:start + size]):
            query: dict[str, Any] = {"query": row["query"], "limit": 5}
            if typed:
                query["type"] = row["type"]
            batch[f"q{start + i}"] = query
        response = client.post("/reconcile", data={"queries": json.dumps(batch)})
        response.raise_for_status()
        body = response.json()
        answers += [body[f"q{start + i}"]["result"] for i in range(len(batch))]
    return answers


def score(rows: list[dict[str, Any]], answers: list[list[dict[str, Any]]], base: str) -> dict[str, Any]:
    positives = sum(1 for r in rows if r["expect"])
    outcomes = []
    for row, result in zip(rows, answers, strict=True):
        expected = row["expect"] or None  # candidate ids are in the identifier space {base}id/
        top = result[0] if result else None
        outcomes.append({"query": row["query"], "kind": row["kind"], "expected": expected,
                         "top": top["id"] if top else None, "score": top["score"] if top else None,
                         "match": bool(top and top.get("match")), "correct": bool(top and top["id"] == expected)})

    def rates(chosen: list[dict[str, Any]]) -> dict[str, Any]:
        correct = sum(o["correct"] for o in chosen)
        return {"answered": len(chosen), "correct": correct,
                "precision": round(correct / len(chosen), 3) if chosen else None,
                "recall": round(correct / positives, 3) if positives else None}

    answered = [o for o in outcomes if o["top"]]
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in outcomes:
        by_kind[o["kind"]].append(o)
    return {
        "top1": rates(answered),
        "auto_match": rates([o for o in answered if o["match"]]),
        "cutoffs": {str(c): rates([o for o in answered if o["score"] >= c]) for c in CUTOFFS},
        "kinds": {k: {"variants": len(v), "top1": sum(o["correct"] for o in v),
                      "auto": sum(o["correct"] and o["match"] for o in v),
                      "false_matches": sum(o["match"] and not o["correct"] for o in v)}
                  for k, v in sorted(by_kind.items())},
        "misses": [o for o in outcomes if not o["correct"] and (o["expected"] or o["match"])],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--release", type=Path, help="an existing release folder (default: build one)")
    parser.add_argument("--show-misses", action="store_true", help="list every variant whose top is wrong")
    args = parser.parse_args()
    rows = yaml.safe_load(VARIANTS.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="ser-reconcile-") as tmp:
        release = args.release.resolve() if args.release else build(Path(tmp))
        settings = load({}).replace(store_dir=Path(tmp) / "store")
        store = EmbeddedStore.open(release, settings.store_dir)
        started = time.perf_counter()
        app = create_app(settings.replace(base_iri=store.release.base_iri), store)
        startup = time.perf_counter() - started
        base = store.release.base_iri
        with TestClient(app) as client:
            manifest = client.get("/reconcile").json()
            missing = [r["expect"] for r in rows if r["expect"] and client.get(
                "/reconcile/view", params={"id": f"{base}id/{r['expect']}"}, follow_redirects=False).status_code != 303]
            if missing:
                raise SystemExit(f"variants.yaml names things the release does not hold: {missing}")
            for row in rows:
                if row["expect"]:
                    types = client.post("/reconcile", data={"extend": json.dumps({
                        "ids": [f"{base}id/{row['expect']}"], "properties": [{"id": "rdf:type"}]})}).json()
                    row.setdefault("type", types["rows"][f"{base}id/{row['expect']}"]["rdf:type"][0]["str"])
            report: dict[str, Any] = {"started": datetime.now(UTC).isoformat(timespec="seconds"),
                                      "release": store.release.version, "variants": len(rows),
                                      "positives": sum(1 for r in rows if r["expect"]),
                                      "index_build_seconds": round(startup, 3), "modes": {}}
            for mode in ("untyped", "typed"):
                started = time.perf_counter()
                answers = ask(client, rows, base, mode == "typed", manifest["batchSize"])
                elapsed = time.perf_counter() - started
                report["modes"][mode] = {**score(rows, answers, base),
                                         "ms_per_query": round(1000 * elapsed / len(rows), 2)}
        store.close()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"reconciliation-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"release {report['release']}: {report['variants']} variants ({report['positives']} in the data)")
    print("| mode | precision@1 | recall@1 | auto-match precision | auto-match recall | ms/query |")
    print("|---|---|---|---|---|---|")
    for mode, m in report["modes"].items():
        print(f"| {mode} | {m['top1']['precision']} | {m['top1']['recall']} | {m['auto_match']['precision']} "
              f"| {m['auto_match']['recall']} | {m['ms_per_query']} |")
    print("\n| score >= | " + " | ".join(str(c) for c in CUTOFFS) + " |")
    print("|---|" + "---|" * len(CUTOFFS))
    for mode, m in report["modes"].items():
        cells = [f"{m['cutoffs'][str(c)]['precision']} / {m['cutoffs'][str(c)]['recall']}" for c in CUTOFFS]
        print(f"| {mode} (P / R) | " + " | ".join(cells) + " |")
    print("\n| kind | variants | top-1 right (untyped) | sure matches (untyped) | wrong sure matches |")
    print("|---|---|---|---|---|")
    for kind, k in report["modes"]["untyped"]["kinds"].items():
        print(f"| {kind} | {k['variants']} | {k['top1']} | {k['auto']} | {k['false_matches']} |")
    if args.show_misses:
        for mode, m in report["modes"].items():
            print(f"\nmisses ({mode}):")
            for o in m["misses"]:
                print(f"  {o['query']!r}: expected {o['expected']}, got {o['top']} ({o['score']}, match={o['match']})")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
