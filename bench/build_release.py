"""Benchmark: the full build (`ser-kg build`) against a bare pyoxigraph load and dump of the same data.

For each size, in one run: synthetic SER-shaped records are generated (bench/synthetic.py);
`ser-kg build` runs end to end on them in a child process (YAML -> RDF -> pyshacl -> checks -> VoID and
catalogue -> five dumps, each gzipped -> checksums -> atomic publish); then a second child process does
only what Oxigraph needs to do to produce the same five dumps: bulk-load the release's N-Quads and dump
them. Wall time and peak RSS of each child are measured with os.wait4, and the ratio is reported.

    python bench/build_release.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import records

BARE = """
import sys, pyoxigraph as ox
src, out = sys.argv[1], sys.argv[2]
store = ox.Store()
store.bulk_load(path=src, format=ox.RdfFormat.N_QUADS)
for name, fmt in (("trig", ox.RdfFormat.TRIG), ("nq", ox.RdfFormat.N_QUADS), ("jsonld", ox.RdfFormat.JSON_LD)):
    store.dump(f"{out}/bare.{name}", fmt)
union = ox.Store()
union.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in store)
for name, fmt in (("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES)):
    union.dump(f"{out}/bare.{name}", fmt, from_graph=ox.DefaultGraph())
"""


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one child process."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if status != 0:
            errors.seek(0)
            raise SystemExit(f"{cmd[:3]} failed ({status}):\n{errors.read().decode()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024


def run(size: int, workdir: Path) -> dict[str, float | int]:
    project = workdir / f"ser-{size}"
    records(project, size)
    env = {**os.environ, "SER_KG_ROOT": str(project), "SER_KG_RELEASES_DIR": str(project / "releases"),
           "SER_KG_PROGRESS": "false"}
    build_s, build_mb = measure([sys.executable, "-m", "server", "build"], env)
    release = (project / "releases" / "latest").resolve()
    triples = json.loads((release / "manifest.json").read_text())["triples"]
    out = workdir / f"bare-{size}"
    out.mkdir(exist_ok=True)
    bare_s, bare_mb = measure([sys.executable, "-c", BARE, str(release / "ser.nq"), str(out)])
    return {"size": size, "triples": triples, "build_s": build_s, "build_mb": build_mb,
            "bare_s": bare_s, "bare_mb": bare_mb, "ratio": build_s / bare_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=None, help="where to generate (default: a temp folder)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ser-bench-"))
    rows = [run(size, workdir) for size in args.sizes]
    print("| target size | triples | full build (s) | peak RSS (MB) | bare load+dump (s) | peak RSS (MB) | ratio |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['size']:,} | {r['triples']:,} | {r['build_s']:.1f} | {r['build_mb']:.0f} | {r['bare_s']:.1f} "
              f"| {r['bare_mb']:.0f} | {r['ratio']:.1f}x |")
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "build_release.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
