"""A name in Dutch and in English for every thing of the data graph: ``rdfs:label`` ``@nl`` and ``@en``.

The rule (data/README.md, "Names"):

- A thing with a name of its own is labelled with it: ``naam`` (the shortest of ``naam`` and
  ``andereNamen`` where another label is built from it), ``titel`` or ``label``, a person's ``naam``,
  a source's "publisher: title". Where the name exists in one language only, the other label repeats
  it (a name is not translated).
- The helper things are named from the things they link:
  a membership "Kim Putters - voorzitter, SER (2022-)" (with en dashes; the years of its period, nothing
  after the dash while it runs, "?" for a date the sources do not give; no years when no year of it is known),
  a seat assignment "FNV: 8 zetels (2023)" (the year its allocation began, or the allocation's name),
  a key figure "SER: begroting 21966000 (2021)", an address "Bezoekadres, SER: Bezuidenhoutseweg 60,
  2594 AW Den Haag", its coordinates "Coördinaten van <address>: 52.0857799, 4.3299348", a period
  "Periode van <its owner>", its instants "Begin van <owner>: 2022-09-16" and "Einde van <owner>: onbekend".
- A withdrawn IRI: "Ingetrokken: persoon/<key>".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from server.pipeline.graph import citations, periods
from server.pipeline.sources.files import Record, Sources, Value
from server.pipeline.sources.records import BY_NAME
from server.rdf.iris import is_key, thing
from server.rdf.namespaces import DEFAULT_BASE

if TYPE_CHECKING:
    from server.pipeline.graph.reader import Reader, TripleSink

LANGS = ("nl", "en")
DASH = "\u2013"  # an en dash, between a person and a role and between two years
Names = dict[str, str]  # language -> text

# The field that holds a record's own name, first given wins; a type not listed here is named by its
# `naam` field where it has one.
NAME_FIELDS: dict[str, tuple[str, ...]] = {
    "organisatie": ("naam",), "orgaan": ("naam",), "functie": ("naam",), "zetelverdeling": ("naam",),
    "financiering": ("naam",), "taak": ("naam",), "persoon": ("naam",), "advies": ("titel", "label"),
    "adviesaanvraag": ("label",), "akkoord": ("titel",), "convenant": ("titel",), "wet": ("titel",),
}
# Fields already written as rdfs:label: only the languages they miss are added.
LABEL_FIELDS = {("advies", "label"), ("adviesaanvraag", "label")}
WORDS = {
    "nl": {"seat": "zetel", "seats": "zetels", "period": "periode van", "begin": "begin van",
           "end": "einde van", "unknown": "onbekend", "box": "Postbus", "retired": "ingetrokken",
           "geo": "coördinaten van"},
    "en": {"seat": "seat", "seats": "seats", "period": "period of", "begin": "beginning of",
           "end": "end of", "unknown": "unknown", "box": "PO Box", "retired": "withdrawn",
           "geo": "coordinates of"},
}


def _texts(value: Value | None) -> dict[str, list[str]]:
    """The texts of a field per language: a text field's own, or a plain string in both languages."""
    if isinstance(value, str):
        return {lang: [" ".join(value.split())] for lang in LANGS} if value.strip() else {}
    if not isinstance(value, dict):
        return {}
    out: dict[str, list[str]] = {}
    for lang, texts in value.items():
        items = texts if isinstance(texts, list) else [texts]
        found = [" ".join(t.split()) for t in items if isinstance(t, str) and t.strip()]
        if lang in LANGS and found:
            out[lang] = found
    return out


def _complete(names: dict[str, list[str]]) -> Names:
    """One text per language; a language without one takes the other's (Dutch first)."""
    first = {lang: texts[0] for lang, texts in names.items() if texts}
    if not first:
        return {}
    fallback = first.get("nl") or next(iter(first.values()))
    return {lang: first.get(lang, fallback) for lang in LANGS}


def _lower(text: str) -> str:
    """'Voorzitter' -> 'voorzitter' inside a label, but 'SER' stays 'SER'."""
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


class Namer:
    """The names of the records (full and short) and of the concepts, by IRI."""

    def __init__(self, sources: Sources, vocab: Graph, reader: Reader) -> None:
        self.reader = reader
        self.full: dict[str, Names] = {}
        self.short: dict[str, Names] = {}
        for record in sources.all_records():
            fields = NAME_FIELDS.get(record.type.name) or (("naam",) if record.type.field("naam") else ())
            if not fields:
                continue
            own = next((t for t in (_texts(record.values.get(f)) for f in fields) if t), {})
            iri = thing(DEFAULT_BASE, record.type.name, record.key)
            self.full[iri] = _complete(own)
            others = _texts(record.values.get("andereNamen"))
            both = {lang: own.get(lang, []) + others.get(lang, []) for lang in LANGS}
            self.short[iri] = _complete({lang: sorted(texts, key=len) for lang, texts in both.items() if texts})
        self.concepts: dict[str, Names] = {}
        for concept, label in vocab.subject_objects(SKOS.prefLabel):
            if isinstance(label, Literal) and label.language in LANGS:
                self.concepts.setdefault(str(concept), {})[label.language] = str(label)

    def ref(self, record: Record, name: str, short: bool = True) -> Names:
        spec, value = record.type.field(name), record.values.get(name)
        if spec is None or not isinstance(value, str):
            return {}
        try:
            iri = str(self.reader.ref(spec, value.strip()))
        except ValueError:
            return {}
        return (self.short if short else self.full).get(iri, {})

    def concept(self, record: Record, name: str) -> Names:
        spec, value = record.type.field(name), record.values.get(name)
        if spec is None or not isinstance(value, str):
            return {}
        try:
            names = self.concepts.get(str(self.reader.concept(spec, value.strip())), {})
        except ValueError:
            return {}
        return _complete({lang: [_lower(text)] for lang, text in names.items()})


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _years(period: periods.Period | None) -> str:
    if period is None or not any(i is not None and i.value is not None for i in (period.beginning, period.end)):
        return ""  # no year of it is known: no years, rather than two question marks
    begin = str(period.beginning.value)[:4] if period.beginning and period.beginning.value is not None else "?"
    end = "" if period.end is None else (str(period.end.value)[:4] if period.end.value is not None else "?")
    return f" ({begin}{DASH}{end})"


def _value(record: Record, name: str) -> str:
    value = record.values.get(name)
    return " ".join(value.split()) if isinstance(value, str) else ""


def _membership(namer: Namer, record: Record, period: periods.Period | None) -> Names:
    person, role, where = namer.ref(record, "persoon"), namer.concept(record, "rol"), namer.ref(record, "organisatie")
    if not (person and role and where):
        return {}
    return {lang: f"{person[lang]} {DASH} {role[lang]}, {where[lang]}{_years(period)}" for lang in LANGS}


def _assignment(namer: Namer, record: Record, allocation_year: str, allocation: Names) -> Names:
    who = namer.ref(record, "organisatie") or namer.concept(record, "geleding")
    seats = _value(record, "zetels")
    if not who or not seats:
        return {}
    out = {}
    for lang in LANGS:
        when = allocation_year or _lower(allocation.get(lang, ""))
        noun = WORDS[lang]["seat" if seats == "1" else "seats"]
        out[lang] = _upper(f"{who[lang]}: {seats} {noun}" + (f" ({when})" if when else ""))
    return out


def _figure(namer: Namer, record: Record) -> Names:
    where, quantity = namer.ref(record, "organisatie"), namer.concept(record, "grootheid")
    value = _value(record, "waarde")
    if not (where and quantity and value):
        return {}
    year = _value(record, "peiljaar")
    return {lang: f"{where[lang]}: {quantity[lang]} {value}" + (f" ({year})" if year else "") for lang in LANGS}


def _address(namer: Namer, record: Record) -> Names:
    where, kind = namer.ref(record, "organisatie"), namer.concept(record, "soort")
    place = f"{_value(record, 'postcode')} {_value(record, 'plaats')}".strip()
    if not (where and kind and place):
        return {}
    out = {}
    for lang in LANGS:
        street = _value(record, "straat") or (f"{WORDS[lang]['box']} {_value(record, 'postbus')}"
                                              if _value(record, "postbus") else "")
        out[lang] = _upper(f"{kind[lang]}, {where[lang]}: " + (f"{street}, " if street else "") + place)
    return out


def _part_names(record: Record, iri: str, owner: Names) -> Iterator[tuple[URIRef, Names]]:
    """A part of a record (records.PARTS) is named after its owner and its values: "Coördinaten van
    <address>: 52.0857799, 4.3299348"."""
    values: dict[str, list[str]] = {}
    for spec in record.type.fields:
        if spec.part is not None and _value(record, spec.name):
            values.setdefault(spec.part, []).append(_value(record, spec.name))
    for part, given in values.items():
        yield URIRef(f"{iri}#{part}"), {lang: _upper(f"{WORDS[lang][part]} {owner[lang]}: {', '.join(given)}")
                                        for lang in LANGS}


def _period_names(owner: Names, period: periods.Period) -> Iterator[tuple[URIRef, Names]]:
    yield period.iri, {lang: _upper(f"{WORDS[lang]['period']} {owner[lang]}") for lang in LANGS}
    for word, instant in (("begin", period.beginning), ("end", period.end)):
        if instant is not None:
            yield instant.iri, {lang: _upper(f"{WORDS[lang][word]} {owner[lang]}: "
                                       + (str(instant.value) if instant.value is not None else WORDS[lang]["unknown"]))
                                for lang in LANGS}


def names(sources: Sources, vocab: Graph, reader: Reader) -> Iterator[tuple[URIRef, Names]]:
    """Every thing of the data graph and its name per language."""
    namer = Namer(sources, vocab, reader)
    by_owner = {str(p.owner): p for _, p in periods.periods(sources, reader)}
    own: dict[str, Names] = {}
    for record in sources.all_records():
        if record.type.identity == "url":
            found = {str(label.language): [str(label)] for label in citations.label(record)}
            if found:
                yield URIRef(record.key), _complete(found)
            continue
        iri = thing(DEFAULT_BASE, record.type.name, record.key)
        period = by_owner.get(iri)
        if iri in namer.full:
            label = namer.full[iri]
        elif record.type.name == "lidmaatschap":
            label = _membership(namer, record, period)
        elif record.type.name == "zeteltoewijzing" and record.parent is not None:
            parent = thing(DEFAULT_BASE, record.parent.type.name, record.parent.key)
            start = by_owner.get(parent)
            year = str(start.beginning.value)[:4] if start and start.beginning and start.beginning.value else ""
            label = _assignment(namer, record, year, namer.full.get(parent, {}))
        elif record.type.name == "kerncijfer":
            label = _figure(namer, record)
        elif record.type.name == "adres":
            label = _address(namer, record)
        else:
            label = {}
        own[iri] = label
        if label:
            yield URIRef(iri), label
            yield from _part_names(record, iri, label)
    for owner, period in by_owner.items():
        if own.get(owner):
            yield from _period_names(own[owner], period)
    for retired in sources.retirements:
        type_name, _, key = retired.ref.partition("/")
        if type_name in BY_NAME and is_key(key):
            yield URIRef(thing(DEFAULT_BASE, type_name, key)), {
                lang: _upper(f"{WORDS[lang]['retired']}: {retired.ref}") for lang in LANGS}


def _given(record: Record) -> set[str]:
    """The languages in which the record's own fields already write an rdfs:label."""
    return {lang for (type_name, name) in LABEL_FIELDS if type_name == record.type.name
            for lang in _texts(record.values.get(name))}


def emit(sources: Sources, vocab: Graph, reader: Reader, sink: TripleSink) -> None:
    """Write ``rdfs:label`` in Dutch and English for every thing the records describe (a source's
    label in the languages of its description is the one citations.emit writes; the sink keeps one)."""
    given = {thing(DEFAULT_BASE, r.type.name, r.key): _given(r) for r in sources.all_records()
             if r.type.identity == "key"}
    for iri, label in names(sources, vocab, reader):
        present = given.get(str(iri), set())
        for lang, text in label.items():
            if lang not in present:
                sink.add((iri, RDFS.label, Literal(text, lang=lang)))
