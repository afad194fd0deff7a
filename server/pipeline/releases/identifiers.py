"""The persistent-identifier rule: an IRI, once published, never disappears.

Every thing IRI (``{base}id/…``) described in the data graph of the previous release must be
described in the new one too: either by its record, or, when the record is withdrawn, by its entry
in ``data/ingetrokken.yaml`` (the server then answers 410 Gone, or redirects to the successor).
A build that would drop one fails, naming the IRI and what to do. See docs/identifiers.md.

An IRI with a fragment (``…/id/lidmaatschap/{key}#einde``, the parts of a record's period) names a part
of its record's description: it comes and goes with the facts of that record (a term that runs on
again has no end instant), so the rule holds for the IRI before the ``#``.
"""

from __future__ import annotations

from pathlib import Path

from server.errors import Problem
from server.rdf.namespaces import graph_iri
from server.store.manifest import read_manifest
from server.store.oxigraph.memory import MemoryDataset

PUBLISHED = """
SELECT DISTINCT ?thing WHERE {{ GRAPH <{graph}> {{ ?thing ?p ?o }} FILTER(STRSTARTS(STR(?thing), "{prefix}")) }}
"""


def published_paths(release_dir: Path) -> tuple[str, set[str]]:
    """The version of a release and the paths (``id/type/key``) of the things its data graph describes."""
    manifest = read_manifest(release_dir)
    base = manifest["base_iri"]
    dataset = MemoryDataset((release_dir / "ser.nq").read_bytes())
    rows = dataset.select(PUBLISHED.format(graph=graph_iri("data", base), prefix=f"{base}id/"))
    return manifest["version"], {str(r["thing"])[len(base):].partition("#")[0] for r in rows}


def disappeared(previous: Path, subjects: set[str], base: str) -> list[Problem]:
    """Problems for every thing of the ``previous`` release that none of ``subjects`` (IRIs) describes."""
    version, before = published_paths(previous)
    now = {s[len(base):].partition("#")[0] for s in subjects if s.startswith(f"{base}id/")}
    return [
        Problem("data/ingetrokken.yaml", path.removeprefix("id/"), "iri",
                f"{base}{path} was published in release {version} and is missing now: restore its record, "
                f"or withdraw it by adding '- iri: {path.removeprefix('id/')}' (with 'opvolger' if something "
                "replaces it) to data/ingetrokken.yaml")
        for path in sorted(before - now)
    ]
