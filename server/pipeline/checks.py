"""SPARQL checks: every ``queries/checks/*.rq`` must return no rows, or the release is refused.

Checks say what SHACL cannot say easily: cross-record rules such as "a chair's terms do not overlap".
The first comment line of a check is its title; each returned row is one problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from server.errors import Problem, QueryRejected, SourceError
from server.store.base import Row
from server.store.oxigraph.memory import MemoryDataset


@dataclass(frozen=True)
class Failure:
    check: str  # file name
    title: str
    rows: list[Row]

    def __str__(self) -> str:
        shown = "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in self.rows[:5])
        more = f" (and {len(self.rows) - 5} more)" if len(self.rows) > 5 else ""
        return f"{self.check}: {self.title}: {shown}{more}"


def title_of(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return "(untitled)"


def run_checks(checks_dir: Path, dataset: MemoryDataset, prefixes: dict[str, str]) -> list[Failure]:
    failures = []
    problems = []
    for path in sorted(checks_dir.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        try:
            rows = list(dataset.select(text, prefixes))
        except QueryRejected as exc:
            problems.append(Problem(f"queries/checks/{path.name}", "", "", f"not a valid check query: {exc}"))
            continue
        if rows:
            failures.append(Failure(path.name, title_of(text), rows))
    if problems:
        raise SourceError(problems)
    return failures
