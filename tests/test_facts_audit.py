"""The audit of the fact dossiers against the records (``docs/facts-audit/*.md``) is complete and true.

The dossiers (``docs/facts/ser-facts.md`` and its addendum ``ser-facts-2.md``, which wins where they
disagree) mark each fact ``seen`` (the value stands in the cited source) or ``recalled``. Every ``seen``
row must have one row in the audit, found by the dossier's file and line and repeating the row's first
cell, with a status:

- ``encoded``: the fact is in the records named under *where* (``file.yaml#key``, comma-separated);
- ``partly``: some of it is; the note says what is not and why;
- ``not encoded``: the note says why (a fact about another body, a value the model has no place for, ...).

The counts in each audit file's first line are the counts of its rows.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from server.settings import PROJECT_ROOT

DOSSIERS = PROJECT_ROOT / "docs" / "facts"
AUDIT = PROJECT_ROOT / "docs" / "facts-audit"
DATA = PROJECT_ROOT / "data"
STATUSES = ("encoded", "partly", "not encoded")
HEADING = re.compile(r"^#{2,3} (§?[A-Z]?\d+(?:\.\d+)?)[. ]")
COUNTS = re.compile(r"(\d+) rows?: (\d+) encoded, (\d+) partly, (\d+) not encoded")


@dataclass(frozen=True)
class Seen:
    place: str  # file:line of the dossier row
    section: str
    fact: str  # the row's first cell


@dataclass(frozen=True)
class Audited:
    file: str  # the audit file
    place: str
    fact: str
    status: str
    where: tuple[str, ...]
    note: str


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def seen_rows() -> list[Seen]:
    found = []
    for path in sorted(DOSSIERS.glob("ser-facts*.md")):
        section = ""
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            heading = HEADING.match(line)
            if heading:
                section = heading.group(1)
                continue
            if not line.startswith("| "):
                continue
            row = cells(line)
            if row[-1].startswith("seen") and not set(row[0]) <= set("-: "):
                found.append(Seen(f"{path.name}:{number}", section, row[0]))
    return found


def audited_rows() -> list[Audited]:
    found = []
    for path in sorted(AUDIT.glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = cells(line) if line.startswith("| ") else []
            if len(row) != 5 or row[0] in ("line", "") or set(row[0]) <= set("-: "):
                continue
            where = tuple(w.strip().strip("`") for w in row[3].split(",") if w.strip())
            found.append(Audited(path.name, row[0].strip("`"), row[1], row[2], where, row[4]))
    return found


def record_keys() -> dict[str, set[str]]:
    keys = {}
    for path in sorted(DATA.glob("*.yaml")):
        records = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        keys[path.name] = {str(r["key"]) for r in records if isinstance(r, dict) and "key" in r}
    return keys


def test_the_dossiers_are_in_the_repository() -> None:
    names = {p.name for p in DOSSIERS.glob("ser-facts*.md")}
    assert names == {"ser-facts.md", "ser-facts-2.md"}
    assert len(seen_rows()) > 500


def test_every_seen_row_of_the_dossiers_is_audited_once() -> None:
    seen = {s.place: s for s in seen_rows()}
    audited = audited_rows()
    twice = [place for place, n in Counter(a.place for a in audited).items() if n > 1]
    assert twice == [], f"audited more than once: {twice}"
    missing = sorted(set(seen) - {a.place for a in audited}, key=lambda p: (p.split(":")[0], int(p.split(":")[1])))
    assert missing == [], f"{len(missing)} seen rows not audited, such as {[seen[p].fact for p in missing[:5]]} " \
                          f"at {missing[:5]}"
    unknown = [a.place for a in audited if a.place not in seen]
    assert unknown == [], f"audit rows for lines that are not seen rows of a dossier: {unknown}"


def test_each_audit_row_repeats_its_dossier_row_s_fact() -> None:
    seen = {s.place: s for s in seen_rows()}
    wrong = [(a.file, a.place, a.fact, seen[a.place].fact) for a in audited_rows()
             if a.place in seen and a.fact != seen[a.place].fact]
    assert wrong == []


def test_each_status_is_known_and_explained_when_not_plainly_encoded() -> None:
    rows = audited_rows()
    assert [(a.place, a.status) for a in rows if a.status not in STATUSES] == []
    assert [a.place for a in rows if a.status != "encoded" and not a.note] == []
    assert [a.place for a in rows if a.status != "not encoded" and not a.where] == []


def test_each_place_named_as_where_a_fact_is_exists() -> None:
    keys = record_keys()
    wrong = []
    for a in audited_rows():
        for where in a.where:
            file, _, key = where.partition("#")
            if file.endswith(".yaml"):
                if file not in keys or (key and key not in keys[file]):
                    wrong.append((a.place, where))
            elif not (PROJECT_ROOT / file).exists():
                wrong.append((a.place, where))
    assert wrong == []


@pytest.mark.parametrize("path", sorted(AUDIT.glob("*.md")), ids=lambda p: p.name)
def test_the_counts_at_the_top_of_an_audit_file_are_its_rows(path: Path) -> None:
    first = path.read_text(encoding="utf-8").split("\n\n", 2)[1]
    counts = COUNTS.search(first)
    assert counts is not None, f"{path.name}: no line such as '12 rows: 10 encoded, 1 partly, 1 not encoded'"
    rows = [a for a in audited_rows() if a.file == path.name]
    status = Counter(a.status for a in rows)
    assert tuple(int(n) for n in counts.groups()) == (
        len(rows), status["encoded"], status["partly"], status["not encoded"])
