"""What a build reads, and whether the current release was built from what is there now.

Each release records in its manifest (``inputs``) the SHA-256 of every file the build reads, a digest
over all of them, the base IRI and a digest of the build's own code. ``ser-kg build --if-changed``
(and so ``./dev serve``) compares that record with the files as they are and builds only when they
differ, saying which changed:

============================  ==============================================
``data/*.yaml``               the records and bronnen.yaml (sources/files.read)
``ontology/*.ttl``,           the ontology and the concept schemes (assemble)
``ontology/vocab/*.ttl``
``shapes/*.ttl``              the SHACL shapes (validate.load_shapes)
``queries/checks/*.rq``       the SPARQL checks (checks.run_checks)
============================  ==============================================

The code is the Python of ``server/pipeline`` and ``server/rdf``, which turns those files into the
release: one digest, since a release built by other code may differ even from the same records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from server.pipeline.releases.release import latest
from server.store.manifest import read_manifest

# (folder under the project root, pattern): the files the build reads, as their modules glob them.
INPUTS: tuple[tuple[str, str], ...] = (
    ("data", "*.y*ml"),
    ("ontology", "*.ttl"),
    ("ontology/vocab", "*.ttl"),
    ("shapes", "*.ttl"),
    ("queries/checks", "*.rq"),
)
PACKAGE = Path(__file__).resolve().parents[2]  # server/
CODE: tuple[str, ...] = ("pipeline", "rdf")
SHOWN = 10  # changed files named one by one; the rest are counted


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(root: Path) -> dict[str, str]:
    """Every input file (its path under ``root``, with '/') and its SHA-256."""
    found: dict[str, str] = {}
    for folder, pattern in INPUTS:
        for path in sorted((root / folder).glob(pattern)):
            if path.is_file():
                found[f"{folder}/{path.name}"] = _sha256(path)
    return found


def _digest(listed: Mapping[str, str]) -> str:
    return hashlib.sha256("".join(f"{name}\0{sha}\n" for name, sha in sorted(listed.items())).encode()).hexdigest()


def code_digest(package: Path = PACKAGE) -> str:
    return _digest({str(p.relative_to(package)): _sha256(p) for folder in CODE
                    for p in sorted((package / folder).rglob("*.py"))})


def record(root: Path, base: str, package: Path = PACKAGE) -> dict[str, object]:
    """What the manifest of a release built now records of its inputs."""
    listed = files(root)
    return {"digest": _digest(listed), "base_iri": base, "code": code_digest(package), "files": listed}


def changes(recorded: Mapping[str, object], current: Mapping[str, object]) -> list[str]:
    """How ``current`` differs from ``recorded`` (two :func:`record` values), one line each; [] if not."""
    if recorded.get("digest") == current["digest"] and recorded.get("base_iri") == current["base_iri"] \
            and recorded.get("code") == current["code"]:
        return []
    out: list[str] = []
    if recorded.get("base_iri") != current["base_iri"]:
        out.append(f"the base IRI is now {current['base_iri']} (was {recorded.get('base_iri')})")
    before = recorded.get("files")
    before = before if isinstance(before, dict) else {}
    now = current["files"]
    assert isinstance(now, dict)
    files_changed = [f"{name} changed" for name in sorted(now) if name in before and before[name] != now[name]]
    files_changed += [f"{name} is new" for name in sorted(set(now) - set(before))]
    files_changed += [f"{name} was removed" for name in sorted(set(before) - set(now))]
    out += files_changed[:SHOWN]
    if len(files_changed) > SHOWN:
        out.append(f"and {len(files_changed) - SHOWN} more files")
    if recorded.get("code") != current["code"]:
        out.append("the build's code (server/pipeline, server/rdf) changed")
    return out


def stale(releases_dir: Path, root: Path, base: str, package: Path = PACKAGE) -> list[str]:
    """Why the current release is not what a build would make now, one reason a line; [] if it is."""
    current = latest(releases_dir)
    if current is None:
        return [f"there is no release in {releases_dir} yet"]
    manifest = read_manifest(current)  # ReleaseError naming the file when it is damaged
    recorded = manifest.get("inputs")
    if not isinstance(recorded, dict):
        return [f"release {current.name} does not record its inputs (it was built before they were recorded)"]
    return changes(recorded, record(root, base, package))
