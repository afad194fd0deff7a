"""Every test file in tests/ is collected by a plain ``pytest`` run.

pytest skips folders that match its ``norecursedirs`` (``build``, ``dist``, ``venv``, dot-folders and
more) and files whose module cannot be imported under another file's name. Either hides a whole folder
of tests from ``./dev test`` and CI without a word, so this test asks pytest itself what it collects.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def files_on_disk() -> set[str]:
    return {str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("test_*.py")}


@pytest.mark.slow
def test_every_test_file_is_collected() -> None:
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert listing.returncode == 0, listing.stdout[-3000:] + listing.stderr[-3000:]
    collected = {line.split("::", 1)[0] for line in listing.stdout.splitlines() if "::" in line}
    assert files_on_disk() - collected == set()


def test_no_test_folder_has_a_name_pytest_skips() -> None:
    skipped = {"build", "dist", "venv", "node_modules", "CVS", "_darcs", "{arch}"}
    folders = {path.name for path in (ROOT / "tests").rglob("*") if path.is_dir()}
    assert folders & skipped == set()


# An assert on how long something took: a clock difference or a duration compared with a bound. A wait
# with a deadline (``assert time.monotonic() < deadline``) is a hang guard and is not matched.
TIMED = re.compile(r"assert .*((perf_counter|monotonic|time)\(\)\s*-|\b(elapsed|latenc\w*|duration)\b\s*[<>]"
                   r"|max\(latenc)")


def test_no_test_asserts_a_wall_clock_duration() -> None:
    """Speed belongs in bench/: on a loaded machine any time bound in a test fails now and then."""
    timed = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in sorted((ROOT / "tests").rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if TIMED.search(line)]
    assert timed == []
