"""What SHACL validation finds, and where in ``data/`` it was found: the values both engines give.

pyshacl (``validate``) and the compiled engine (``shacl_engine``) return a :class:`Report` of
:class:`Result` values; ``locations`` adds to each the :class:`Place` of its record and field. They live
here, below all three, so that none of them imports another for its types.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph


@dataclass(frozen=True)
class Place:
    """A record, and the field within it, as the person who edits ``data/`` finds it."""

    file: str
    line: int
    record: str
    field: str | None

    def __str__(self) -> str:
        field = f" field {self.field!r}" if self.field else ""
        return f"{self.file}:{self.line}: record {self.record!r}{field}"


@dataclass(frozen=True)
class Result:
    focus: str
    path: str | None
    component: str
    severity: str  # Violation, Warning or Info
    message: str
    shape: str
    place: Place | None = None  # the record and field in data/ (server/pipeline/shacl/locations.py)

    def __str__(self) -> str:
        component = self.component.rsplit('#', 1)[-1]
        path = f" {self.path}" if self.path else ""
        if self.place is None:
            return f"[{self.severity}] <{self.focus}>{path}: {self.message} ({component})"
        path = "" if not self.path else f" ^<{self.path[1:]}>" if self.path.startswith("^") else f" <{self.path}>"
        return f"{self.place}: [{self.severity}] {self.message} ({component}; <{self.focus}>{path})"


@dataclass
class Report:
    results: list[Result]
    graph: Graph

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations
