"""A release built from the real sources, once, for the fault and load tests.

The project is copied to a temporary folder (``tests.release.conftest.copy_project``) and built there by
``ser-kg build`` in a child process, as an operator would; the tests then serve, kill, damage and
rebuild it there, never in the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.pipeline.releases.release import latest
from tests.release.conftest import copy_project, env_for


def build(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server", "build", *extra], env={**os.environ, **env_for(root)},
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The root of a project copy with one release of the real data; ``releases/latest`` points to it."""
    root = copy_project(tmp_path_factory.mktemp("faults") / "project")
    result = build(root, "--release", "2026-02-01.1")
    assert result.returncode == 0, result.stderr
    assert latest(root / "releases") == root / "releases" / "2026-02-01.1"
    return root
