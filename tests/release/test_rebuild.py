"""`ser-kg build --if-changed` (what `./dev serve` runs first) builds exactly when an input changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import main
from server.pipeline.releases.release import all_releases
from tests.release.conftest import copy_project, env_for

pytestmark = pytest.mark.slow


def test_a_build_if_changed_builds_exactly_when_an_input_changed_and_says_which(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path)
    for key, value in env_for(root).items():
        monkeypatch.setenv(key, value)

    def build() -> tuple[int, str, str]:
        code = main(["build", "--if-changed"])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = build()
    assert code == 0 and "there is no release" in err and out.startswith("released ")
    first = all_releases(root / "releases")
    assert len(first) == 1

    code, out, _err = build()
    assert code == 0 and "up to date" in out
    (root / "data" / "README.md").write_text("notes the build does not read\n", encoding="utf-8")
    code, out, _err = build()
    assert "up to date" in out and all_releases(root / "releases") == first

    people = root / "data" / "personen.yaml"
    people.write_text(people.read_text(encoding="utf-8") + "\n# a comment is a change of the file\n", encoding="utf-8")
    code, out, err = build()
    assert code == 0 and out.startswith("released ")
    assert err.splitlines()[0] == "building: data/personen.yaml changed"
    assert len(all_releases(root / "releases")) == 2
    code, out, _err = build()
    assert "up to date" in out
