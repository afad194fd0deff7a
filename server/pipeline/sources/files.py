"""Read the curated source records in ``data/`` into plain records, and say everything that is wrong
with them at once.

The files are YAML (see ``data/README.md`` for why). Every scalar is read as text, whatever it looks
like, so that ``2014`` stays a year and ``nee`` stays a word; each field's kind (``records.py``) then
says how to read it. Problems carry the file, the line, the record and the field.

The files are read by :func:`compose`, which is safe with hostile input where YAML itself is not:
libyaml's C parser makes the events, and a composer of our own turns them into nodes, refusing at the
event that starts them (so with its line) anchors and aliases (an alias bomb of a few hundred bytes
expands to gigabytes; a self-referencing one never ends), a list or mapping used as a field name,
nesting deeper than ``MAX_DEPTH`` and a value longer than ``MAX_VALUE_CHARS``. A file over
``MAX_FILE_BYTES`` is not parsed at all. PyYAML's own composer offers none of these bounds, and no
YAML library at hand does; that is why this one is hand-written. The limits are documented in
``data/README.md`` ("Limits").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.reader import ReaderError

from server.errors import Problem
from server.pipeline.sources.fields import Field, RecordType
from server.pipeline.sources.records import BY_NAME, NESTED, TOP_LEVEL
from server.rdf.iris import is_key

Value = str | list[Any] | dict[str, Any]

RETIRED_FILE = "ingetrokken.yaml"

# Limits on a record file, far above any real one (the longest value in data/ is about 1,100
# characters, the largest file under 40 KB; the benchmark's million-triple data stays under 64 MiB).
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_VALUE_CHARS = 20_000
MAX_DEPTH = 16  # file > record > field > language > list is 5; nested records add 3
STR, SEQ, MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


@dataclass
class Record:
    type: RecordType
    key: str
    file: str
    line: int
    values: dict[str, Value] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    item_lines: dict[str, list[int]] = field(default_factory=dict)  # a list field: the line of each item
    key_lines: dict[str, dict[str, int]] = field(default_factory=dict)  # a mapping field: the line of each key
    children: list[Record] = field(default_factory=list)
    parent: Record | None = None

    @property
    def ref(self) -> str:
        return f"{self.type.name}/{self.key}"

    def problem(self, field_name: str, message: str, item: int | None = None) -> Problem:
        """A problem with a field, at its line; with ``item``, at the line of that item of a list."""
        items = self.item_lines.get(field_name, [])
        line = items[item] if item is not None and item < len(items) else self.lines.get(field_name, self.line)
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
    source_lines: list[int] = field(default_factory=list)  # the line of each of ``sources``


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


class _Refused(Exception):
    """YAML that is valid but not allowed in a record file, at a line."""

    def __init__(self, message: str, event: Event) -> None:
        super().__init__(message)
        self.line = event.start_mark.line + 1 if event.start_mark else None


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # only its parser is used: the events


def compose(text: str) -> yaml.Node | None:
    """The one document of a record file as YAML nodes, refusing what :data:`MAX_DEPTH` and the
    rest of the module docstring forbid; ``None`` for an empty file."""
    events = yaml.parse(text, Loader=_LOADER)
    root: yaml.Node | None = None
    for event in events:
        if isinstance(event, DocumentStartEvent):
            if root is not None:
                raise _Refused("a record file holds one YAML document; remove the second '---'", event)
            root = _node(events, next(events), 0)
    return root


def _node(events: Iterator[Event], event: Event, depth: int) -> yaml.Node:
    if isinstance(event, AliasEvent):
        raise _Refused(f"an alias (*{event.anchor}) is not allowed in a record file: write the value out "
                       "in full", event)
    if isinstance(event, NodeEvent) and event.anchor is not None:
        raise _Refused(f"an anchor (&{event.anchor}) is not allowed in a record file: write each value out "
                       "in full", event)
    if isinstance(event, ScalarEvent):
        if len(event.value) > MAX_VALUE_CHARS:
            raise _Refused(f"a value of {len(event.value):,} characters; at most {MAX_VALUE_CHARS:,} are "
                           "allowed", event)
        return yaml.ScalarNode(STR, event.value, _mark(event.start_mark), _mark(event.end_mark))
    if depth >= MAX_DEPTH:
        raise _Refused(f"nested more than {MAX_DEPTH} levels deep", event)
    if isinstance(event, SequenceStartEvent):
        items: list[yaml.Node] = []
        for item in events:
            if isinstance(item, SequenceEndEvent):
                return yaml.SequenceNode(SEQ, items, _mark(event.start_mark), _mark(item.end_mark))
            items.append(_node(events, item, depth + 1))
    if isinstance(event, MappingStartEvent):
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        for item in events:
            if isinstance(item, MappingEndEvent):
                return yaml.MappingNode(MAP, pairs, _mark(event.start_mark), _mark(item.end_mark))
            key = _node(events, item, depth + 1)
            if not isinstance(key, yaml.ScalarNode):
                raise _Refused("a field name must be plain text, not a list or a mapping", item)
            pairs.append((key, _node(events, next(events), depth + 1)))
    raise _Refused(f"unexpected YAML {type(event).__name__}", event)  # the parser never sends one


def _mark(mark: Any) -> Any:
    """libyaml's marks and PyYAML's have the same ``line``; the stubs know only PyYAML's."""
    return mark


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _compose(path: Path, display: str, problems: list[Problem], max_bytes: int) -> yaml.Node | None:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            problems.append(Problem(display, "", "", f"{size:,} bytes; a record file may hold at most "
                                    f"{max_bytes:,} (split it, or see data/README.md, 'Limits')"))
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(display, "", "", f"cannot read the file ({exc.strerror})"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(display, "", "", f"not UTF-8 text: {exc.reason} at byte {exc.start}",
                                raw.count(b"\n", 0, exc.start) + 1))
        return None
    try:
        return compose(text)
    except _Refused as exc:
        problems.append(Problem(display, "", "", str(exc), exc.line))
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        problems.append(Problem(display, "", "", f"not valid YAML: {exc.problem}", line))
    except ReaderError as exc:  # a raw control character, which YAML does not allow
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problems.append(Problem(display, "", "", f"not valid YAML: character U+{code:04X} ({exc.reason}); "
                                "remove it", _line_at(text, exc.position)))
    except yaml.YAMLError as exc:
        problems.append(Problem(display, "", "", f"not valid YAML: {exc}"))
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
    item_lines: dict[str, list[int]] = {}
    key_lines: dict[str, dict[str, int]] = {}
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
        if isinstance(value_node, yaml.SequenceNode):
            item_lines[name] = [item.start_mark.line + 1 for item in value_node.value]
        if isinstance(value_node, yaml.MappingNode):
            key_lines[name] = {str(k.value): k.start_mark.line + 1 for k, _ in value_node.value}
    line = node.start_mark.line + 1
    identity = rtype.identity
    key = values.pop(identity, None)
    label = f"{parent.key}/…" if parent else ""
    if not isinstance(key, str) or not key.strip():
        problems.append(Problem(display, label, identity, f"every record needs a '{identity}'", line))
        return None
    if identity == "url":  # checked as a URL where the other URLs are (transform.py)
        return Record(rtype, key.strip(), display, line, values, lines, item_lines, key_lines)
    if not is_key(key):
        problems.append(Problem(display, key, "key", "a key is lower-case letters and digits joined by '-' "
                                "(such as 2021-werken-zonder-armoede)", lines.get("key", line)))
        return None
    full_key = f"{parent.key}-{key}" if parent else key
    return Record(rtype, full_key, display, line, values, lines, item_lines, key_lines, parent=parent)


def read(data_dir: Path, root: Path | None = None, max_file_bytes: int = MAX_FILE_BYTES) -> Sources:
    """Read every record file that ``records.py`` names. Missing files are fine; stray ``.yaml`` files are not.

    A file larger than ``max_file_bytes`` is one problem and is not parsed."""
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
        node = _compose(path, display, problems, max_file_bytes)
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
        retirements = _read_retirements(retired_path, _display(retired_path, root), problems, max_file_bytes)
    return Sources(records, retirements, problems)


def _read_retirements(path: Path, display: str, problems: list[Problem], max_bytes: int) -> list[Retirement]:
    node = _compose(path, display, problems, max_bytes)
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
        source_node = next((v for k, v in item.value if _plain(k) == "bronnen"), None)
        source_lines = ([n.start_mark.line + 1 for n in source_node.value]
                        if isinstance(source_node, yaml.SequenceNode) else [])
        out.append(Retirement(ref, values.get("opvolger"), values.get("datum"), values.get("reden") or {},
                              sources if isinstance(sources, list) else [sources], display, line, source_lines))
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
