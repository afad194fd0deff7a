"""Read the curated source records in ``data/`` into plain records, and say everything that is wrong
with them at once.

The files are YAML (see ``data/README.md`` for why). Every scalar is read as text, whatever it looks
like, so that ``2014`` stays a year and ``nee`` stays a word; each field's kind (``records.py``) then
says how to read it. Problems carry the file, the line, the record and the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from server.errors import Problem
from server.pipeline.records import BY_NAME, NESTED, TOP_LEVEL, Field, RecordType
from server.rdf.iris import is_key

Value = str | list[Any] | dict[str, Any]

RETIRED_FILE = "ingetrokken.yaml"


@dataclass
class Record:
    type: RecordType
    key: str
    file: str
    line: int
    values: dict[str, Value] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    children: list[Record] = field(default_factory=list)
    parent: Record | None = None

    @property
    def ref(self) -> str:
        return f"{self.type.name}/{self.key}"

    def problem(self, field_name: str, message: str) -> Problem:
        line = self.lines.get(field_name, self.line)
        return Problem(self.file, self.key, field_name, message, line)


@dataclass
class Retirement:
    """An IRI that was published once and is withdrawn: it answers 410, or redirects to its successor."""

    ref: str  # type/key of the retired IRI
    successor: str | None
    date: str | None
    reason: dict[str, Any]
    sources: list[str]
    file: str
    line: int


@dataclass
class Sources:
    records: list[Record]
    retirements: list[Retirement]
    problems: list[Problem]

    def by_type(self, name: str) -> list[Record]:
        return [r for r in self.all_records() if r.type.name == name]

    def all_records(self) -> Iterator[Record]:
        for record in self.records:
            yield record
            yield from record.children


def _plain(node: yaml.Node) -> Any:
    """A YAML node as str / list / dict, every scalar kept as its text."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {_plain(k): _plain(v) for k, v in node.value}
    raise TypeError(node)


def _compose(path: Path, display: str, problems: list[Problem]) -> yaml.Node | None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.compose(stream, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        problems.append(Problem(display, "", "", f"not valid YAML: {exc.problem}", line))
    except UnicodeDecodeError as exc:
        problems.append(Problem(display, "", "", f"not UTF-8 text: {exc.reason} at byte {exc.start}"))
    return None


def _records_in(node: yaml.Node, display: str, problems: list[Problem]) -> Iterator[yaml.MappingNode]:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(display, "", "", "the file must be a list of records (each starting with '- key:')",
                                node.start_mark.line + 1))
        return
    for item in node.value:
        if isinstance(item, yaml.MappingNode):
            yield item
        else:
            problems.append(Problem(display, "", "", "each list item must be a record of 'field: value' lines",
                                    item.start_mark.line + 1))


def _make_record(node: yaml.MappingNode, rtype: RecordType, display: str, problems: list[Problem],
                 parent: Record | None = None) -> Record | None:
    values: dict[str, Value] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        name = _plain(key_node)
        if not isinstance(name, str):
            problems.append(Problem(display, "", "", "field names must be text", key_node.start_mark.line + 1))
            continue
        if name in values:
            problems.append(Problem(display, "", name, "field given twice", key_node.start_mark.line + 1))
            continue
        values[name] = _plain(value_node)
        lines[name] = key_node.start_mark.line + 1
    line = node.start_mark.line + 1
    key = values.pop("key", None)
    label = f"{parent.key}/…" if parent else ""
    if not isinstance(key, str) or not key:
        problems.append(Problem(display, label, "key", "every record needs a 'key'", line))
        return None
    if not is_key(key):
        problems.append(Problem(display, key, "key", "a key is lower-case letters and digits joined by '-' "
                                "(such as 2021-werken-zonder-armoede)", lines.get("key", line)))
        return None
    full_key = f"{parent.key}-{key}" if parent else key
    return Record(rtype, full_key, display, line, values, lines, parent=parent)


def read(data_dir: Path, root: Path | None = None) -> Sources:
    """Read every record file that ``records.py`` names. Missing files are fine; stray ``.yaml`` files are not."""
    problems: list[Problem] = []
    records: list[Record] = []
    retirements: list[Retirement] = []
    root = root or data_dir.parent
    known = {t.file for t in TOP_LEVEL} | {RETIRED_FILE}
    for path in sorted(data_dir.glob("*.y*ml")):
        if path.name not in known:
            problems.append(Problem(_display(path, root), "", "", f"unknown file; record files are: {sorted(known)}"))
    for rtype in TOP_LEVEL:
        path = data_dir / rtype.file
        if not path.exists():
            continue
        display = _display(path, root)
        node = _compose(path, display, problems)
        if node is None:
            continue
        for item in _records_in(node, display, problems):
            record = _make_record(item, rtype, display, problems)
            if record is None:
                continue
            records.append(record)
            nested = NESTED.get(rtype.name)
            if nested is None:
                continue
            child_type = BY_NAME[nested.record_type]
            children_node = next((v for k, v in item.value if _plain(k) == nested.name), None)
            record.values.pop(nested.name, None)
            if children_node is None:
                continue
            for child_node in _records_in(children_node, display, problems):
                child = _make_record(child_node, child_type, display, problems, parent=record)
                if child is not None:
                    record.children.append(child)
    retired_path = data_dir / RETIRED_FILE
    if retired_path.exists():
        retirements = _read_retirements(retired_path, _display(retired_path, root), problems)
    return Sources(records, retirements, problems)


def _read_retirements(path: Path, display: str, problems: list[Problem]) -> list[Retirement]:
    node = _compose(path, display, problems)
    if node is None:
        return []
    out: list[Retirement] = []
    for item in _records_in(node, display, problems):
        values = _plain(item)
        line = item.start_mark.line + 1
        ref = values.get("iri")
        if not isinstance(ref, str):
            problems.append(Problem(display, "", "iri", "each retirement needs 'iri: type/key'", line))
            continue
        unknown = set(values) - {"iri", "opvolger", "datum", "reden", "bronnen"}
        if unknown:
            problems.append(Problem(display, ref, ", ".join(sorted(unknown)), "unknown field", line))
        sources = values.get("bronnen") or []
        out.append(Retirement(ref, values.get("opvolger"), values.get("datum"), values.get("reden") or {},
                              sources if isinstance(sources, list) else [sources], display, line))
    return out


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def fields_of(record: Record) -> Iterable[tuple[Field, Value]]:
    for name, value in record.values.items():
        spec = record.type.field(name)
        if spec is not None:
            yield spec, value
