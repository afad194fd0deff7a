"""Where a SHACL result comes from in ``data/``: the record of its focus node and the field of its path.

A shape speaks of IRIs and RDF properties (``<https://data.ser.nl/id/persoon/x>`` and ``foaf:name``);
the person who edits the records thinks of files, lines, records and YAML fields
(``data/personen.yaml:12: record 'x' field 'naam'``). :class:`Locator` keeps, for every record the
build read, the IRI it was minted as (``transform._subject``), its file and line and the line of each
field; the field of a result path is the one whose predicate ``records.py`` declares for the focus
node's record type (``^p`` for a field written the other way round, ``inverse``). The IRI and the
property stay in the message as its detail.

A focus node that no record minted (a concept of ``ontology/vocab/``, a term of the ontology) keeps
the IRI alone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from rdflib.namespace import TIME

from server.pipeline.graph.periods import PERIODS
from server.pipeline.shacl.results import Place, Result
from server.pipeline.sources.fields import RecordType
from server.pipeline.sources.files import Record, Sources
from server.pipeline.sources.records import NESTED
from server.rdf.namespaces import DEFAULT_BASE


@dataclass(frozen=True)
class _Entry:
    file: str
    line: int
    key: str
    type: RecordType | None  # None: a retirement in ingetrokken.yaml
    lines: dict[str, int]
    given: frozenset[str]  # the fields the record gives


# The fields of a retirement (data/ingetrokken.yaml) and the properties transform._retire writes.
RETIREMENT_FIELDS = {
    "http://purl.org/dc/terms/isReplacedBy": "opvolger",
    "http://purl.org/dc/terms/date": "datum",
    "http://www.w3.org/2004/02/skos/core#changeNote": "reden",
    "http://purl.org/dc/terms/source": "bronnen",
    "http://www.w3.org/2002/07/owl#deprecated": "iri",
}


def _move(iri: str, base: str) -> str:
    return base + iri[len(DEFAULT_BASE):] if base != DEFAULT_BASE and iri.startswith(DEFAULT_BASE) else iri


class Locator:
    """Focus node IRI -> record (file, line), result path -> YAML field."""

    def __init__(self, entries: dict[str, _Entry] | None = None, base: str = DEFAULT_BASE) -> None:
        self._entries = entries or {}
        self._base = base

    @classmethod
    def of(cls, sources: Sources, base: str = DEFAULT_BASE) -> Locator:
        entries: dict[str, _Entry] = {}
        for record in sources.all_records():
            iri = _iri(record, base)
            if iri is not None and iri not in entries:  # a key used twice: the first record, as transform
                entries[iri] = _Entry(record.file, record.line, record.key, record.type, dict(record.lines),
                                      frozenset(record.values) | _nested(record))
        for retired in sources.retirements:
            type_name, _, key = retired.ref.partition("/")
            iri = f"{base}id/{type_name}/{key}"
            entries.setdefault(iri, _Entry(retired.file, retired.line, retired.ref, None, {}, frozenset()))
        return cls(entries, base)

    def place(self, focus: str, path: str | None) -> Place | None:
        """The record that minted ``focus`` and the field of ``path`` in it, or None if no record did."""
        entry = self._entries.get(focus)
        if entry is not None:
            field = self._field(entry, path) if path else None
        else:  # a part of a record's description: its period (periods.py), ``{record}#periode`` ...
            owner, _, fragment = focus.partition("#")
            entry = self._entries.get(owner) if fragment else None
            if entry is None:
                return None
            field = _period_field(entry, fragment, path)
        line = entry.lines.get(field.split(" or ")[0], entry.line) if field else entry.line
        return Place(entry.file, line, entry.key, field)

    def _field(self, entry: _Entry, path: str) -> str | None:
        if entry.type is None:
            return RETIREMENT_FIELDS.get(path)
        inverse = path.startswith("^")
        predicate = path[1:] if inverse else path
        names = [f.name for f in entry.type.fields
                 if _move(str(f.predicate), self._base) == predicate and f.inverse == inverse]
        nested = NESTED.get(entry.type.name)
        if nested is not None and not inverse and _move(str(nested.link), self._base) == predicate:
            names.append(nested.name)
        if entry.type.name in PERIODS and predicate == str(PERIODS[entry.type.name][2]) and not inverse:
            return _period_field(entry, "periode", None)
        return _chosen(entry, names)


def _chosen(entry: _Entry, names: list[str]) -> str | None:
    given = [name for name in names if name in entry.given]
    chosen = given or names  # two fields with one property (tooi and wikidata): the one written
    return " or ".join(chosen) if chosen else None


def _period_field(entry: _Entry, fragment: str, path: str | None) -> str | None:
    """The field behind a part of a record: for its period the date fields (``#begin`` the start,
    ``#einde`` the end, ``#periode`` the one its path leads to, or both), for a statement node of a
    field's own sources ``bronnenPerVeld``, for a part (records.PARTS, ``#geo``) the field of its path."""
    if fragment.startswith("bron-"):  # a field's own sources (reification.py: #bron-{field}-{hash})
        return "bronnenPerVeld"
    if entry.type is not None and any(f.part == fragment for f in entry.type.fields):  # records.PARTS
        return _chosen(entry, [f.name for f in entry.type.fields
                               if f.part == fragment and (path is None or str(f.predicate) == path)])
    if entry.type is None or entry.type.name not in PERIODS:
        return None
    starts, end, _link = PERIODS[entry.type.name]
    start = next((name for name in starts if name in entry.given), starts[0])
    if fragment == "begin" or (fragment == "periode" and path == str(TIME.hasBeginning)):
        return start
    if fragment == "einde" or (fragment == "periode" and path == str(TIME.hasEnd)):
        return end
    return _chosen(entry, [start, end]) if fragment == "periode" else None


def _iri(record: Record, base: str) -> str | None:
    if record.type.identity == "url":
        return record.key
    return f"{base}id/{record.type.name}/{record.key}"


def _nested(record: Record) -> frozenset[str]:
    nested = NESTED.get(record.type.name)
    return frozenset({nested.name}) if nested is not None and record.children else frozenset()


def located(results: list[Result], locator: Locator) -> list[Result]:
    """The results with the place of each in ``data/`` (where a record minted its focus node)."""
    return [dataclasses.replace(r, place=locator.place(r.focus, r.path)) for r in results]

