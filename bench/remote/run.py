"""Benchmark of the remote store: the query mix through our server on each backend, and sent to each
engine directly, side by side in one run.

The backends: the embedded store (``ser-kg serve``), and ``ser-kg serve --store URL`` over
``oxigraph serve`` and over Virtuoso, each engine loaded with ``ser-kg publish``. "Direct" sends each
engine exactly what our server sends it for the same query: the query with its graph names pointed at
the versioned graphs, and the release's graphs as the protocol dataset (``server.store.remote``). So
the ratio of the two is the overhead of our server in front of that engine: the policy checks, the
HTTP hop, parsing the engine's answer and writing it again with the row cap.

Scenarios and load as in bench/sparql (shared code): lookups of one IRI at 1 and N connections, four
medium queries, and one query repeated (which our server answers from its release cache); every
request except "repeated" carries its own number as a comment, so no cache helps. Each scenario runs
in rounds, every server once per round in a rotating order, and the median round is kept.

    apt-get install -y wrk virtuoso-opensource      # ./dev test installs the latter
    .venv/bin/python bench/remote/run.py             # about 12 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import time
import urllib.parse
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402

from server.store.manifest import read_release  # noqa: E402
from server.store.remote.confinement import Renamer  # noqa: E402
from server.store.remote.engine import Engine  # noqa: E402
from server.store.remote.publish import GraphStore, publish  # noqa: E402
from tests.remote.engines import Oxigraph, Virtuoso  # noqa: E402

_spec = importlib.util.spec_from_file_location("sparql_bench", ROOT / "bench" / "sparql" / "run.py")
assert _spec is not None and _spec.loader is not None
sparql_bench: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sparql_bench)

CACHE = ROOT / "bench" / ".cache" / "remote"
RESULTS = ROOT / "bench" / "results"
ENGINES = {"oxigraph": Oxigraph, "virtuoso": Virtuoso}
TIMEOUT_PARAMETER = {"oxigraph": "", "virtuoso": "timeout"}  # the engine's own per-query limit, in ms
QUERY_TIMEOUT = 10.0  # seconds: the server's default query_timeout, sent to Virtuoso as its own limit too
REMOTE = ("import sys; from pathlib import Path; from server import settings as s; "
          "from server.web.runner import run_remote; "
          "run_remote(s.load().replace(port=sys.argv[2], releases_dir=Path(sys.argv[3]), "
          "store_user=sys.argv[4], store_password=sys.argv[5], store_timeout_parameter=sys.argv[6]), sys.argv[1])")


def direct_files(files: dict[str, Path], renamer: Renamer, timeout_parameter: str, out: Path) -> dict[str, Path]:
    """The query strings our server would send the engine for each line of ``files``: the query rewritten
    to the versioned graphs, the release's graphs as the protocol dataset, and the engine's time limit.
    The query goes last, so that the request number paths.lua appends lands in its comment.
    """
    out.mkdir(parents=True, exist_ok=True)
    dataset = renamer.dataset(None, None)
    if timeout_parameter:
        dataset.append((timeout_parameter, str(int(QUERY_TIMEOUT * 1000))))
    written = {}
    for name, source in files.items():
        lines = []
        for line in source.read_text(encoding="utf-8").splitlines():
            query = urllib.parse.parse_qs(line[1:])["query"][0]
            lines.append("?" + urllib.parse.urlencode([*dataset, ("query", renamer.query(query))]))
        written[name] = out / source.name
        written[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def check_answers(urls: dict[str, str], files: dict[str, dict[str, Path]], samples: int = 5) -> list[str]:
    """Before measuring: our server on an engine gives as many rows as the engine itself, for a few queries of
    each scenario. Returns where engines differ from the embedded store: SPARQL lets an engine extend
    comparison to more types (Query §17.3.1), and Virtuoso compares an xsd:gYear with an xsd:date, where
    Oxigraph finds a type error, so the date filters of the query mix keep more rows there.
    """
    import httpx

    differences = []
    for scenario in files["embedded"]:
        for n in range(samples):
            counts = {}
            for name, url in urls.items():
                line = files[name][scenario].read_text(encoding="utf-8").splitlines()[n * 37 % 1000 if
                                                                                        scenario != "repeated" else 0]
                response = httpx.get(url + line, headers={"Accept": "application/sparql-results+json"},
                                     timeout=120, trust_env=False)
                response.raise_for_status()
                counts[name] = len(response.json()["results"]["bindings"])
            for name in urls:
                if name.endswith(" direct") and counts[name] != counts[f"ser-kg on {name[:-7]}"]:
                    raise SystemExit(f"{scenario} #{n}: ours and the engine differ: rows {counts}")
            if len(set(counts.values())) != 1:
                differences.append(f"{scenario} #{n}: rows {counts}")
    return differences


def dataset(label: str, release: Path, args: argparse.Namespace) -> dict[str, object]:
    info = read_release(release)
    work = CACHE / label
    shutil.rmtree(work, ignore_errors=True)
    releases = work / "releases"
    releases.mkdir(parents=True)
    (releases / info.version).symlink_to(release)  # a remote server finds the release's files by version
    files = sparql_bench.query_files(release, work / "queries")
    renamer = Renamer(info.base_iri, info.version)
    print(f"{label}: {info.version}, load average {os.getloadavg()[0]:.2f}", flush=True)
    loaded: dict[str, float] = {}
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        by_server: dict[str, dict[str, Path]] = {}
        port = sparql_bench.free_port()
        command, endpoint, startup = sparql_bench.commands(release, work / "store", work / "unused", port)["ser-kg"]
        urls["embedded"] = stack.enter_context(sparql_bench.server(command, endpoint, startup))
        by_server["embedded"] = files
        for name in args.engines:
            engine = ENGINES[name](work / name)
            engine.start()
            stack.callback(engine.stop)
            user, password = engine.user, engine.password
            started = time.perf_counter()  # the publishing alone, not the start of the engine
            store = GraphStore(Engine(engine.store_url, 600, user, password))
            try:
                publish(info, store)
            finally:
                store.close()
            loaded[name] = round(time.perf_counter() - started, 2)
            print(f"  published into {name} in {loaded[name]} s", flush=True)
            port = sparql_bench.free_port()
            command = [sys.executable, "-c", REMOTE, engine.query_url, str(port), str(releases), user, password,
                       TIMEOUT_PARAMETER[name]]
            urls[f"ser-kg on {name}"] = stack.enter_context(
                sparql_bench.server(command, f"http://127.0.0.1:{port}/sparql", 300))
            by_server[f"ser-kg on {name}"] = files
            urls[f"{name} direct"] = engine.query_url
            by_server[f"{name} direct"] = direct_files(files, renamer, TIMEOUT_PARAMETER[name], work / f"direct-{name}")
        differences = check_answers(urls, by_server)
        for scenario in dict.fromkeys(line.split(" #")[0] for line in differences):
            lines = [line for line in differences if line.startswith(f"{scenario} #")]
            print(f"  engines differ on {scenario} in {len(lines)} sampled queries, such as {lines[0]}", flush=True)
        rows = measure(urls, by_server, args)
    return {"dataset": label, "release": info.version, "triples": sparql_bench._triples(release),
            "publish_seconds": loaded, "engines_differ": differences, "rows": rows}


def measure(urls: dict[str, str], files: dict[str, dict[str, Path]],
            args: argparse.Namespace) -> list[dict[str, object]]:
    by_url = {url: name for name, url in urls.items()}
    rounds = sparql_bench.Rounds(urls)
    servers = list(urls)
    c, d = args.connections, args.duration

    def scenario(name: str, conns: int, same: bool = False) -> Any:
        return lambda url, first: sparql_bench.wrk(url, files[by_url[url]][name], conns, d, first, same=same)

    for conns in (1, c):
        rounds.run("lookup", conns, args.rounds, servers, scenario("lookup", conns), "lookup")
    for name in sparql_bench.MEDIUM:
        rounds.run(name, c, args.rounds, servers, scenario(name, c), name)
    rounds.run("repeated", c, args.rounds, servers, scenario("repeated", c, same=True), "repeated")
    return rounds.rows


def table(results: dict[str, Any]) -> str:
    """Markdown: per dataset and scenario, each backend's throughput and the overhead against its engine."""
    out = []
    for data in results["datasets"]:
        engines = [e for e in ENGINES if any(r["server"] == f"{e} direct" for r in data["rows"])]
        out.append(f"\n**{data['dataset']}** ({data['release']}, {data['triples']:,} triples; published in "
                   + ", ".join(f"{e} {s} s" for e, s in data["publish_seconds"].items()) + ")\n")
        head = ["scenario", "conns", "embedded req/s"]
        for e in engines:
            head += [f"ser-kg on {e} req/s", f"{e} direct req/s", f"{e}: ours / direct", f"{e}: p50 added ms"]
        out.append("| " + " | ".join(head) + " |")
        out.append("|---|" + "---:|" * (len(head) - 1))
        keys = dict.fromkeys((r["scenario"], r["connections"]) for r in data["rows"])
        for scenario, conns in keys:
            rows = {r["server"]: r for r in data["rows"] if (r["scenario"], r["connections"]) == (scenario, conns)}
            cells = [scenario, str(conns), f"{rows['embedded']['rps']:,.0f}"]
            for e in engines:
                ours, direct = rows[f"ser-kg on {e}"], rows[f"{e} direct"]
                cells += [f"{ours['rps']:,.0f}", f"{direct['rps']:,.0f}", f"**{ours['rps'] / direct['rps']:.2f}x**",
                          f"{ours['p50_ms'] - direct['p50_ms']:+.2f}"]
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", type=Path, default=ROOT / "releases" / "latest")
    parser.add_argument("--synthetic-triples", type=int, default=100_000, help="0 skips the synthetic graph")
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=list(ENGINES))
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--table", type=Path, help="print the tables of an earlier results file and stop")
    args = parser.parse_args()
    if args.table:
        print(table(json.loads(args.table.read_text(encoding="utf-8"))))
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    CACHE.mkdir(parents=True, exist_ok=True)
    sparql_bench.CACHE.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
                               "duration": args.duration, "rounds": args.rounds, "connections": args.connections,
                               "datasets": []}
    datasets: list[tuple[str, Path]] = []
    if args.release and (args.release / "ser.nq").exists():
        datasets.append(("release", args.release.resolve()))
    if args.synthetic_triples:
        folder = sparql_bench.CACHE / f"synthetic-graph-{args.synthetic_triples}"
        if not (folder / "manifest.json").exists():
            synthetic.graph(folder, args.synthetic_triples)
        datasets.append(("synthetic", folder))
    for label, release in datasets:
        results["datasets"].append(dataset(label, release, args))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"remote-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nresults in {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
