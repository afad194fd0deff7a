"""Two builds at once: the second is refused at once, and the first one's staging folder is untouched.

The first build is held inside a stage by its own progress callback (the ``step`` of
``server.pipeline.stages.build``), waiting on an event the test sets, so the second build starts while
the first is certainly running, with its ``.tmp-`` folder half written. A lock held by another process
is a child that takes the lock the same way and waits for a line on its stdin.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from server import settings as settings_module
from server.cli import main
from server.pipeline import stages
from server.pipeline.releases.release import LOCK, TMP_PREFIX, latest
from tests.release.conftest import copy_project, env_for

pytestmark = pytest.mark.slow

HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.ftruncate(fd, 0)
os.pwrite(fd, f"{os.getpid()}\\n".encode(), 0)
print("held", flush=True)
sys.stdin.readline()
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = copy_project(tmp_path / "project")
    for key, value in env_for(root).items():
        monkeypatch.setenv(key, value)
    return root


def staging(root: Path) -> list[Path]:
    return sorted((root / "releases").glob(f"{TMP_PREFIX}*"))


def test_a_second_build_is_refused_while_the_first_runs_and_leaves_its_staging_alone(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inside, go_on = threading.Event(), threading.Event()
    outcome: list[object] = []

    def step(message: str) -> None:
        if message == "writing ser.nq":  # ser.trig is written: the staging folder holds a dump
            inside.set()
            assert go_on.wait(timeout=120)

    def first() -> None:
        try:
            outcome.append(stages.build(settings_module.load(), version="2026-03-01.1", step=step))
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread, which fails on it
            outcome.append(exc)
            inside.set()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert inside.wait(timeout=120)
        assert not outcome, outcome
        [folder] = staging(project)
        before = {p.name: p.stat().st_size for p in folder.iterdir()}
        assert "ser.trig" in before

        assert main(["build", "--release", "2026-03-01.2"]) == 3
        err = capsys.readouterr().err
        lock = project / "releases" / LOCK
        assert f"another build is running: {lock} is held by process {os.getpid()}" in err
        assert "Traceback" not in err
        assert staging(project) == [folder]
        assert {p.name: p.stat().st_size for p in folder.iterdir()} == before
    finally:
        go_on.set()
        thread.join(timeout=300)
    written, _checked = outcome[0]  # type: ignore[misc]
    assert written.version == "2026-03-01.1"
    assert latest(project / "releases") == project / "releases" / "2026-03-01.1"
    assert not (project / "releases" / "2026-03-01.2").exists()
    assert staging(project) == []


def test_a_lock_held_by_another_process_names_that_process(project: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    lock = project / "releases" / LOCK
    lock.parent.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        assert main(["build"]) == 3
        assert f"{lock} is held by process {holder.pid}" in capsys.readouterr().err
        assert [p.name for p in (project / "releases").iterdir()] == [LOCK]  # nothing was started
    finally:
        holder.communicate("\n", timeout=30)
    # The lock goes with its holder: the next build runs.
    assert main(["build", "--release", "2026-03-02.1"]) == 0
    assert latest(project / "releases") == project / "releases" / "2026-03-02.1"
