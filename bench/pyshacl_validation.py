"""pyshacl's validation alone, on a project folder: the number to compare when its use changes.

``bench/build_release.py`` times a whole build, where pyshacl is one stage among many and imports and
start-up weigh as much at release size. This times only ``validate()`` of server/pipeline/shacl/validate.py
(one process, as ``validation_workers = 1``), wall and CPU seconds, and prints a digest of the results so
that two versions can be shown to give the same report. Run it alternately with the two versions on
``PYTHONPATH`` (CPU seconds move less than wall seconds on a shared machine):

    PYTHONPATH=. .venv/bin/python bench/pyshacl_validation.py .
    PYTHONPATH=. .venv/bin/python bench/pyshacl_validation.py /tmp/ser-100k   # bench/synthetic.py records
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

from server.pipeline.assemble import assemble
from server.pipeline.shacl.validate import load_shapes, validate
from server.rdf.namespaces import DEFAULT_BASE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="a project folder (ontology/, shapes/, data/)")
    root = parser.parse_args().root
    assembled = assemble(root, DEFAULT_BASE)
    shapes = load_shapes(root / "shapes")
    with assembled.with_ontology() as graph:
        wall, cpu = time.perf_counter(), time.process_time()
        report = validate(graph, shapes, 1)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    results = "\n".join(sorted(repr(r) for r in report.results))
    print(f"wall {wall:.2f} s, cpu {cpu:.2f} s, {len(report.results)} results, "
          f"digest {hashlib.sha256(results.encode()).hexdigest()[:16]}")


if __name__ == "__main__":
    main()
