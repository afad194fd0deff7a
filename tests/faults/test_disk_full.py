"""A disk that fills up during a build: exit 3 with a message naming the file, and nothing published.

The full disk is injected where the release writer writes: an Oxigraph dump sent to ``/dev/full``
(the kernel's own ENOSPC, with Oxigraph's own error, which carries no errno), and ``OSError(ENOSPC)``
from gzip's copy, a text file, ``fsync`` (where delayed writes fail), the lock file and the new
``latest`` link. After each, the release that was current is byte for byte the same, ``latest``
still points to it, no staging folder is left and no new release folder is listed.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from server.cli import main
from server.pipeline.releases.release import LOCK, TMP_PREFIX, latest
from server.store.oxigraph.memory import MemoryDataset
from tests.release.conftest import copy_project, env_for

pytestmark = pytest.mark.slow

CURRENT = "2026-04-01.1"
FULL = os.strerror(errno.ENOSPC)  # "No space left on device"


def enospc(*_args: Any, **_kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, FULL)


def dump_turtle_to_dev_full(mp: pytest.MonkeyPatch) -> None:
    original = MemoryDataset.dump

    def dump(self: MemoryDataset, path: Path, fmt: str, *rest: Any) -> None:
        original(self, Path("/dev/full") if fmt == "turtle" else path, fmt, *rest)

    mp.setattr(MemoryDataset, "dump", dump)


def gzip_runs_out(mp: pytest.MonkeyPatch) -> None:
    def copy(src: Any, dst: Any, length: int = 0) -> None:
        dst.write(src.read(4096))  # part of it is written first
        enospc()

    mp.setattr(shutil, "copyfileobj", copy)


def on_write_text_of(name: str) -> Callable[[pytest.MonkeyPatch], None]:
    def inject(mp: pytest.MonkeyPatch) -> None:
        original = Path.write_text

        def write_text(self: Path, *args: Any, **kwargs: Any) -> int:
            if self.name == name:
                enospc()
            return original(self, *args, **kwargs)

        mp.setattr(Path, "write_text", write_text)

    return inject


INJECTIONS: dict[str, tuple[Callable[[pytest.MonkeyPatch], None], str]] = {
    # what runs out -> (how, the file the message names: a pattern under releases/)
    "an Oxigraph dump (/dev/full)": (dump_turtle_to_dev_full, rf"{re.escape(TMP_PREFIX)}[^/ ]+/ser\.ttl"),
    "gzip": (gzip_runs_out, rf"{re.escape(TMP_PREFIX)}[^/ ]+/ser\.trig\.gz"),
    "the manifest": (on_write_text_of("manifest.json"), rf"{re.escape(TMP_PREFIX)}[^/ ]+/manifest\.json"),
    "fsync": (lambda mp: mp.setattr(os, "fsync", enospc), rf"{re.escape(TMP_PREFIX)}[^/ ]+/[^/ ]+"),
    "the lock file": (lambda mp: mp.setattr(os, "pwrite", enospc), re.escape(LOCK)),
    "the latest link": (lambda mp: mp.setattr(Path, "symlink_to", enospc), "latest"),
}


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = copy_project(tmp_path_factory.mktemp("disk-full"))
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env_for(root).items():
            mp.setenv(key, value)
        assert main(["build", "--release", CURRENT]) == 0
    yield root


@pytest.mark.parametrize("where", list(INJECTIONS))
def test_a_full_disk_is_exit_3_naming_the_file_and_publishes_nothing(
        project: Path, where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    releases = project / "releases"
    for key, value in env_for(project).items():
        monkeypatch.setenv(key, value)
    before = digests(releases / CURRENT)
    listed = sorted(p.name for p in releases.iterdir())
    capsys.readouterr()

    inject, named = INJECTIONS[where]
    with monkeypatch.context() as mp:
        inject(mp)
        code = main(["build"])
    err = capsys.readouterr().err

    assert code == 3, err
    assert re.search(rf"cannot write {re.escape(str(releases))}/{named}: No space left on device", err), err
    assert "nothing was published" in err and "Traceback" not in err
    assert latest(releases) == releases / CURRENT
    assert digests(releases / CURRENT) == before
    assert sorted(p.name for p in releases.iterdir()) == listed  # no staging folder, no new release
    assert not list(releases.glob(f"{TMP_PREFIX}*"))


def test_after_a_full_disk_the_next_build_publishes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in env_for(project).items():
        monkeypatch.setenv(key, value)
    assert main(["build", "--release", "2026-04-02.1"]) == 0
    assert latest(project / "releases") == project / "releases" / "2026-04-02.1"
