"""`ser-kg build` on hostile records (findings 15 and 16 of issue 14): each gives exit code 1 and a
message with the file and the line (and the record and field where there is one), no traceback, no
new release, and the release already published stays byte for byte as it was."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from server.cli import main
from server.pipeline.releases.release import latest
from tests.release.conftest import copy_project, env_for

pytestmark = pytest.mark.slow

SOURCE = "https://www.ser.nl/nl/ser/over-ser/wat-is-de-ser"  # cited by the SER's own record already


def record(body: str) -> str:
    return f"\n- key: vijandig\n{body}  soort: [adviesorgaan]\n  bronnen: [{SOURCE}]\n"


# (text appended to data/organisaties.yaml, text of the line the message must name, words it must hold)
HOSTILE: dict[str, tuple[str, str, str]] = {
    "an alias bomb": (record('  naam:\n    nl: &l0 Bom\n  andereNamen:\n    nl: [*l0, *l0, *l0, *l0]\n'),
                      "nl: &l0 Bom", ": an anchor (&l0) is not allowed in a record file"),
    "a self-referencing alias": (record("  naam: &zelf\n    nl: *zelf\n"), "naam: &zelf",
                                 ": an anchor (&zelf) is not allowed"),
    "a list used as a key": (record("  naam:\n    nl: Lijst\n  ? [a, b]\n  : c\n"), "? [a, b]",
                             ": a field name must be plain text"),
    "a value over the limit": (record(f"  naam:\n    nl: Groot\n  omschrijving:\n    nl: {'woord ' * 4000}\n"),
                               "nl: woord woord", "at most 20,000 are allowed"),
    "a NUL in a label": (record('  naam:\n    nl: "Nul\\0teken"\n'), "  naam:",
                         " record 'vijandig' field 'naam': nl: character U+0000"),
    "an ESC in a label": (record('  naam:\n    nl: "\\e[31mRood"\n'), "  naam:",
                          " record 'vijandig' field 'naam': nl: character U+001B"),
    "a bidi override in a label": (record('  naam:\n    nl: "gpj.\\u202Eexe"\n'), "  naam:",
                                   " record 'vijandig' field 'naam': nl: character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    "a bidi isolate in a name": (record('  naam:\n    nl: Isolaat\n  andereNamen:\n    en: ["a\\u2067b"]\n'),
                                 "  andereNamen:", " record 'vijandig' field 'andereNamen': en: character U+2067"),
}


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_records_are_refused_with_their_place_and_publish_nothing(
        project: Path, released: Path, tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "p")
    shutil.copytree(project / "releases", root / "releases", symlinks=True)
    appended, marker, words = HOSTILE[case]
    target = root / "data" / "organisaties.yaml"
    original = target.read_text(encoding="utf-8")
    text = original + appended
    target.write_text(text, encoding="utf-8")
    line = 1 + next(i for i, t in enumerate(text.splitlines()) if i >= original.count("\n") and marker in t)
    before = sorted(p.name for p in (root / "releases").iterdir())
    published = digests(root / "releases" / released.name)
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env_for(root).items():
            mp.setenv(key, value)
        code = main(["build"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert f"data/organisaties.yaml:{line}:" in err and words in err, err
    assert "Traceback" not in err
    assert sorted(p.name for p in (root / "releases").iterdir()) == before
    assert latest(root / "releases") == root / "releases" / released.name
    assert digests(root / "releases" / released.name) == published
