"""`ser-kg build` on the real sources: a complete, checksummed, parseable release, written atomically;
bad records and interrupted builds never touch the release that is already published."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from server.cli import main
from server.pipeline.releases.release import latest
from server.settings import PROJECT_ROOT
from tests.release.conftest import copy_project, env_for

pytestmark = pytest.mark.slow

COUNTED = {  # file -> (rdflib format, pyoxigraph format, counts quads)
    "ser.trig": ("trig", ox.RdfFormat.TRIG, True),
    "ser.nq": ("nquads", ox.RdfFormat.N_QUADS, True),
    "ser.ttl": ("turtle", ox.RdfFormat.TURTLE, False),
    "ser.nt": ("nt", ox.RdfFormat.N_TRIPLES, False),
    "ser.jsonld": ("json-ld", ox.RdfFormat.JSON_LD, True),
}


def test_a_release_holds_every_promised_file(released: Path) -> None:
    names = {p.name for p in released.iterdir()}
    for stem in COUNTED:
        assert {stem, stem + ".gz"} <= names
    assert {"void.ttl", "catalog.ttl", "validation-report.ttl", "manifest.json", "SHA256SUMS",
            "context.jsonld"} <= names


def test_checksums_and_manifest_match_the_files(released: Path) -> None:
    manifest = json.loads((released / "manifest.json").read_text())
    sums = dict(reversed(line.split("  ", 1)) for line in (released / "SHA256SUMS").read_text().splitlines())
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(sums) == set(listed)
    for name, digest in sums.items():
        data = (released / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest == listed[name]["sha256"]
        assert len(data) == listed[name]["bytes"]


@pytest.mark.parametrize("name", sorted(COUNTED))
def test_each_dump_parses_with_rdflib_and_pyoxigraph_to_the_same_count(released: Path, name: str) -> None:
    rdflib_format, ox_format, quads = COUNTED[name]
    manifest = json.loads((released / "manifest.json").read_text())
    via_ox = sum(1 for _ in ox.parse((released / name).read_bytes(), format=ox_format))
    graph: rdflib.Graph = rdflib.Dataset() if quads else rdflib.Graph()
    graph.parse(data=(released / name).read_bytes(), format=rdflib_format)
    via_rdflib = len(graph) if not quads else sum(len(g) for g in graph.graphs())  # type: ignore[attr-defined]
    assert via_ox == via_rdflib
    if quads:
        assert via_ox == manifest["triples"]
    gz = sum(1 for _ in ox.parse(gzip.decompress((released / f"{name}.gz").read_bytes()), format=ox_format))
    assert gz == via_ox


def test_the_dumps_hold_three_named_graphs(released: Path) -> None:
    quads = ox.parse((released / "ser.nq").read_bytes(), format=ox.RdfFormat.N_QUADS)
    graphs = {q.graph_name.value for q in quads}
    assert graphs == {f"https://data.ser.nl/graph/{n}" for n in ("ontology", "data", "metadata")}


def test_a_release_version_is_never_overwritten(project: Path, released: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env_for(project).items():
            mp.setenv(key, value)
        assert main(["build", "--release", released.name]) == 2
    assert "never overwritten" in capsys.readouterr().err


CORRUPTIONS = {
    "a wrong date": ("adviezen.yaml", 'datum: "2021-09-28"', 'datum: "2021-09-31"', "not a real date"),
    "a missing title": ("convenanten.yaml", "  titel:\n", "  kop:\n", "'titel': required field is missing"),
    "an unknown reference": ("lidmaatschappen.yaml", "persoon: mariette-hamer", "persoon: mariette-hamster",
                             "no persoon record has this key"),
    "a bad BWB id": ("wetten.yaml", "bwb: BWBR0002058", "bwb: BWBR002058", "does not match the pattern"),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_corrupt_records_give_clear_messages_and_no_new_release(
        project: Path, released: Path, tmp_path: Path, case: str) -> None:
    root = copy_project(tmp_path / "p")
    shutil.copytree(project / "releases", root / "releases", symlinks=True)
    file, old, new, message = CORRUPTIONS[case]
    text = (root / "data" / file).read_text(encoding="utf-8")
    assert old in text, f"the fixture needs {old!r} in data/{file}"
    (root / "data" / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    before = sorted(p.name for p in (root / "releases").iterdir())
    result = subprocess.run([sys.executable, "-m", "server", "build"], env={**os.environ, **env_for(root)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert f"data/{file}:" in result.stderr and message in result.stderr
    assert sorted(p.name for p in (root / "releases").iterdir()) == before


def test_a_build_killed_midway_leaves_the_previous_release_intact(
        project: Path, released: Path, tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p")
    shutil.copytree(project / "releases", root / "releases", symlinks=True)
    releases = root / "releases"
    previous = {p.name: p.read_bytes() for p in (releases / released.name).iterdir()}
    child = subprocess.Popen([sys.executable, "-m", "server", "build"], env={**os.environ, **env_for(root)},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(releases.glob(".tmp-*/ser.trig")) and time.monotonic() < deadline:
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert list(releases.glob(".tmp-*")), "the build was not caught midway"
    assert latest(releases) == releases / released.name
    assert {p.name: p.read_bytes() for p in (releases / released.name).iterdir()} == previous
    # the next build cleans up and succeeds
    result = subprocess.run([sys.executable, "-m", "server", "build"], env={**os.environ, **env_for(root)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert not list(releases.glob(".tmp-*"))
    new = latest(releases)
    assert new is not None and new.name != released.name


def test_the_published_data_still_conforms_to_the_shapes(released: Path) -> None:
    """What Oxigraph writes into the dumps (it canonicalises some datatypes) must still be valid data."""
    from server.pipeline.shacl.validate import load_shapes, validate

    dataset = rdflib.Dataset()
    dataset.parse(data=(released / "ser.nq").read_bytes(), format="nquads")
    graph = rdflib.Graph()
    for name in ("ontology", "data"):
        graph += dataset.graph(rdflib.URIRef(f"https://data.ser.nl/graph/{name}"))
    report = validate(graph, load_shapes(PROJECT_ROOT / "shapes"), workers=1)
    assert [str(v) for v in report.violations] == []
