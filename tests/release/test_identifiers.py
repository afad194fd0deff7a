"""Persistent identifiers: a published IRI never disappears from a later release without a retirement."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from server.pipeline.releases.release import latest
from tests.release.conftest import copy_project, env_for

pytestmark = pytest.mark.slow


def build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server", "build"], env={**os.environ, **env_for(root)},
                          capture_output=True, text=True, timeout=300)


def without_record(text: str, key: str) -> str:
    blocks = re.split(r"(?m)^(?=- key: )", text)
    kept = [b for b in blocks if not b.startswith(f"- key: {key}\n")]
    assert len(kept) == len(blocks) - 1, f"no record {key}"
    return "".join(kept)


@pytest.fixture
def root(tmp_path: Path, project: Path, released: Path) -> Path:
    root = copy_project(tmp_path / "p")
    shutil.copytree(project / "releases", root / "releases", symlinks=True)
    path = root / "data" / "kerncijfers.yaml"
    first_key = re.search(r"(?m)^- key: (\S+)$", path.read_text(encoding="utf-8"))
    assert first_key
    root.joinpath("key").write_text(first_key.group(1))
    path.write_text(without_record(path.read_text(encoding="utf-8"), first_key.group(1)), encoding="utf-8")
    return root


def test_a_record_that_disappears_without_retirement_fails_the_build(root: Path, released: Path) -> None:
    key = root.joinpath("key").read_text()
    result = build(root)
    assert result.returncode == 1
    assert f"https://data.ser.nl/id/kerncijfer/{key} was published in release {released.name}" in result.stderr
    assert "data/ingetrokken.yaml" in result.stderr
    assert latest(root / "releases") == root / "releases" / released.name


def test_a_retired_record_keeps_its_iri_as_deprecated(root: Path) -> None:
    key = root.joinpath("key").read_text()
    (root / "data" / "ingetrokken.yaml").write_text(
        f"- iri: kerncijfer/{key}\n  datum: 2026-11-25\n  reden: {{nl: Test., en: Test.}}\n"
        "  bronnen: [https://www.ser.nl/nl/ser/raad]\n", encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.stderr
    new = latest(root / "releases")
    assert new is not None
    quads = ox.parse((new / "ser.nq").read_bytes(), format=ox.RdfFormat.N_QUADS)
    deprecated = {q.subject.value for q in quads  # things only: the ontology deprecates terms of its own
                  if q.predicate.value == "http://www.w3.org/2002/07/owl#deprecated" and q.object.value == "true"
                  and q.subject.value.startswith("https://data.ser.nl/id/")}
    assert deprecated == {f"https://data.ser.nl/id/kerncijfer/{key}"}
