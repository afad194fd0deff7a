"""A build killed at any stage: the previous release is intact, and the next build succeeds.

tests/release/test_release.py kills one build once, when its first dump appears. Here a build is killed
at every stage it reports, and at the two moments of publishing that report nothing (after the rename
of the new release, and between making the new ``latest`` link and switching it). The kill comes from
inside the build process, so that it lands exactly at the stage, by SIGKILL, leaving no chance to clean
up: a small driver (:data:`DRIVER`) runs ``ser-kg build`` with the build's own progress callback (the
``step`` of ``server.pipeline.stages.build``) replaced by one that kills the process when the named
stage begins. No test-only hook is needed in the package: the stages are the ones the build already
reports to an operator.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from server.pipeline.releases.release import latest
from tests.faults.conftest import build
from tests.release.conftest import env_for

pytestmark = pytest.mark.slow

DRIVER = """
import os, signal, sys
from server import cli
from server.pipeline import stages

stage = sys.argv[1]

def die():
    os.kill(os.getpid(), signal.SIGKILL)

real_build = stages.build

def build(settings, version=None, step=None):
    def killing(message):
        if message.startswith(stage):
            die()
    if stage == "(after the rename)":
        return real_build(settings, version=version, step=killing, point=lambda releases_dir, version: die())
    return real_build(settings, version=version, step=killing)

stages.build = build
if stage == "(between the new link and the switch)":
    real_replace = os.replace
    os.replace = lambda src, dst: die() if str(dst).endswith("latest") else real_replace(src, dst)
sys.exit(cli.main(["build"]))
"""

STAGES = [
    "reading ontology",
    "checking that every IRI",
    "validating",
    "running the SPARQL checks",
    "counting the release",
    "describing the release",
    "writing ser.trig",
    "writing ser.ttl",
    "writing ser.jsonld",
    "writing void.ttl",
    "publishing",
    "(after the rename)",
    "(between the new link and the switch)",
]


def files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def project(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kills") / "project"
    shutil.copytree(built, root, symlinks=True, ignore=shutil.ignore_patterns("var", "*.log"))
    return root


@pytest.fixture(scope="module")
def previous(project: Path) -> tuple[Path, dict[str, str]]:
    current = latest(project / "releases")
    assert current is not None
    return current, files(current)


@pytest.mark.parametrize("stage", STAGES)
def test_a_build_killed_at_a_stage_leaves_the_previous_release_intact(
        project: Path, previous: tuple[Path, dict[str, str]], stage: str) -> None:
    releases = project / "releases"
    child = subprocess.run([sys.executable, "-c", DRIVER, stage], env={**os.environ, **env_for(project)},
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, f"the build never reached {stage!r}: {child.stderr[-2000:]}"
    release, before = previous
    assert latest(releases) == release
    assert (releases / "latest").resolve() == release
    assert files(release) == before
    manifest = json.loads((release / "manifest.json").read_text("utf-8"))
    assert manifest["version"] == release.name


def test_the_next_build_after_the_kills_succeeds_and_leaves_nothing_behind(
        project: Path, previous: tuple[Path, dict[str, str]]) -> None:
    releases = project / "releases"
    result = build(project)
    assert result.returncode == 0, result.stderr
    new = latest(releases)
    assert new is not None and new != previous[0]
    assert not list(releases.glob(".tmp-*"))
    manifest = json.loads((new / "manifest.json").read_text("utf-8"))
    for entry in manifest["files"]:
        assert hashlib.sha256((new / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]
    assert files(previous[0]) == previous[1]  # and the earlier release is still there, unchanged
