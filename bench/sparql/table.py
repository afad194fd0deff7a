"""Print the results of one bench/sparql/run.py run as the Markdown tables of bench/README.md, with the
ratios against each baseline and a verdict per target. Numbers are copied from the JSON, never edited.

    .venv/bin/python bench/sparql/table.py bench/results/sparql-<timestamp>.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

NONE = "-"
MEDIUM = ("filter+order", "group-count", "join", "text")
SCENARIOS = ("lookup", *MEDIUM, "repeated", "runaway")


def rows_by(dataset: dict[str, Any]) -> dict[tuple[str, str, int], dict[str, Any]]:
    return {(r["server"], r["scenario"], r["connections"]): r for r in dataset["rows"]}


def find(rows: dict[tuple[str, str, int], dict[str, Any]], server: str, scenario: str) -> list[dict[str, Any]]:
    return [r for (s, sc, _), r in sorted(rows.items(), key=lambda kv: kv[0][2]) if s == server and sc == scenario]


def fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def ratio(a: float, b: float) -> str:
    return NONE if not b else f"{a / b:.2f}x"


OURS = {"ser-kg": "its defaults (uvicorn, one server process)",
        "ser-kg-2p": "two server processes (SER_KG_SERVER_PROCESSES=2)",
        "ser-kg-uvicorn": "uvicorn, one process (SER_KG_HTTP_SERVER=uvicorn)",
        "ser-kg-uvicorn-2p": "uvicorn, two processes",
        "ser-kg-granian": "granian, one process (SER_KG_HTTP_SERVER=granian)",
        "ser-kg-granian-2p": "granian, two processes"}


def table(dataset: dict[str, Any], server: str = "ser-kg") -> list[str]:
    rows = rows_by(dataset)
    out = [f"**{dataset['dataset']}** ({dataset['release']}, {dataset['triples']:,} triples; "
           f"load average {dataset['load_average']:.1f} at the start), ser-kg with {OURS[server]}", "",
           "| scenario | conns | ser-kg req/s | p50 / p99 ms | oxigraph req/s | p50 / p99 ms | rdflib-endpoint req/s "
           "| vs oxigraph | vs rdflib-endpoint |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for scenario in SCENARIOS:
        for ours in find(rows, server, scenario):
            c = ours["connections"]
            oxi = next((r for r in find(rows, "oxigraph", scenario) if r["connections"] == c), None)
            rdf = next(iter(r for r in find(rows, "rdflib-endpoint", scenario)
                            if r["connections"] == c or r.get("sequential")), None)
            cells = [scenario, str(c), fmt(ours["rps"]), f"{ours.get('p50_ms', 0):.2f} / {ours.get('p99_ms', 0):.2f}"]
            if oxi:
                cells += [fmt(oxi["rps"]), f"{oxi.get('p50_ms', 0):.2f} / {oxi.get('p99_ms', 0):.2f}"]
            else:
                cells += [NONE, NONE]
            rdf_cell = NONE
            if rdf:
                rdf_cell = fmt(rdf["rps"]) + (" (1 conn, sequential)" if rdf.get("sequential") else "")
            cells += [rdf_cell, ratio(ours["rps"], oxi["rps"]) if oxi else NONE,
                      ratio(ours["rps"], rdf["rps"]) if rdf else NONE]
            out.append("| " + " | ".join(cells) + " |")
    return out


def targets(dataset: dict[str, Any], server: str = "ser-kg") -> list[str]:
    rows = rows_by(dataset)

    def rps(server: str, scenario: str, c: int | None = None) -> float:
        found = [r for r in find(rows, server, scenario) if c is None or r["connections"] == c]
        return float(found[-1]["rps"]) if found else 0.0

    lines = []
    medium = [rps(server, m) / rps("oxigraph", m) for m in MEDIUM if rps("oxigraph", m)]
    lines.append(f"distinct medium queries vs oxigraph (target >= 0.8x): "
                 f"{', '.join(f'{x:.2f}x' for x in medium)}")
    repeated = ratio(rps(server, "repeated"), rps("oxigraph", "repeated"))
    lines.append(f"repeated query vs oxigraph (target >= 5x): {repeated}")
    lookup_c = max(r["connections"] for r in find(rows, server, "lookup"))
    lines.append(f"IRI lookups at {lookup_c} connections vs oxigraph (target >= 0.5x): "
                 f"{ratio(rps(server, 'lookup', lookup_c), rps('oxigraph', 'lookup', lookup_c))}")
    lines.append(f"lookups vs rdflib-endpoint (target >= 2x): "
                 f"{ratio(rps(server, 'lookup', lookup_c), rps('rdflib-endpoint', 'lookup', lookup_c))}")
    vs_rdflib = [rps(server, m) / rps("rdflib-endpoint", m) for m in MEDIUM if rps("rdflib-endpoint", m)]
    lines.append(f"medium vs rdflib-endpoint (target >= 40x): {', '.join(f'{x:.0f}x' for x in vs_rdflib)}")
    runaway = find(rows, server, "runaway")
    if runaway:
        r = runaway[0]
        lines.append(f"lookup p99 while a runaway query is stopped (target < 20 ms): {r.get('p99_ms', 0):.2f} ms "
                     f"(runaway answered {r.get('runaway_status')} after {r.get('runaway_seconds')} s; "
                     f"{r['non_2xx']:.0f} lookups failed)")
    return [f"* {line}" for line in lines]


def main() -> None:
    results = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    print(f"Run of {results['started']}: {results['cpus']} CPUs, wrk -t1, {results['duration']:g} s per run.\n")
    for dataset in results["datasets"]:
        for server in OURS:
            if any(r["server"] == server for r in dataset["rows"]):
                print("\n".join(table(dataset, server)))
                print()
                print("\n".join(targets(dataset, server)))
                print()


if __name__ == "__main__":
    main()
