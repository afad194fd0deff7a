"""Source records -> RDF triples, checking every value against its field's kind on the way.

The IRIs are minted under the production base (``DEFAULT_BASE``); the release rebases them when the
``base_iri`` setting differs. A value that cannot be read becomes a :class:`Problem`, and the transform
carries on, so that one run reports every problem.

Every value is checked for characters that have no place in a label or a name: control characters
(Unicode category Cc: NUL, ESC, ...), format characters (Cf: the bidi overrides U+202A-U+202E and
isolates U+2066-U+2069, zero-width characters), surrogates, private-use and unassigned code points,
and line and paragraph separators. XML 1.0 forbids most of them, so RDF/XML and SPARQL XML results
would break, and the rest reorder or hide text on a page. Tab and line breaks are allowed only in
``text`` fields, whose white space is folded into single spaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, XSD
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from server.errors import Problem
from server.pipeline import checkdigits, reification
from server.pipeline.records import BY_NAME, NESTED, PARTS, Field, ser
from server.pipeline.sources import Record, Sources, Value, fields_of
from server.rdf.iris import is_key, thing
from server.rdf.namespaces import DEFAULT_BASE
from server.store.terms import triples_of

LANGUAGES = ("nl", "en")
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
DURATION = re.compile(r"^P(?=\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?$")
URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
INTEGER = re.compile(r"^\d+$")
BOOLEANS = {"ja": True, "nee": False}
FOLDED = frozenset("\t\n\r")  # white space a text field may hold: it is folded into spaces


def unsafe_character(text: str, folded: bool = False) -> str | None:
    """Why ``text`` cannot be published, or None: the first character that is not printable text.

    ``str.isprintable`` is false exactly for the categories C* and Z* other than the space; of the Z*
    only the line and paragraph separators are refused (a no-break space is text).
    """
    if text.isprintable():
        return None
    for position, char in enumerate(text):
        if char.isprintable() or (folded and char in FOLDED) or unicodedata.category(char) == "Zs":
            continue
        if char in FOLDED:
            return (f"a tab or line break (at position {position + 1}) is allowed only in text fields "
                    "(nl: ..., en: ...); write this value on one line")
        name = unicodedata.name(char, "") or {"Cc": "a control character", "Cs": "a surrogate",
                                              "Co": "a private-use character"}.get(unicodedata.category(char),
                                                                                  "an unassigned code point")
        return (f"character U+{ord(char):04X} ({name}) at position {position + 1} is not allowed: control, "
                "format and bidi characters break RDF/XML, SPARQL XML results and pages; remove it")
    return None


class Reader:
    """Reads one record's values into RDF objects, collecting problems."""

    def __init__(self, index: dict[str, list[str]], concepts: set[str], problems: list[Problem]) -> None:
        self.index = index  # key -> record types that have it
        self.concepts = concepts
        self.problems = problems

    def objects(self, record: Record, spec: Field, value: Value) -> list[URIRef | Literal]:
        if spec.kind == "text":
            return self._text(record, spec, value)
        items = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not spec.many:
            self.problems.append(record.problem(spec.name, "takes one value, not a list"))
            return []
        out: list[URIRef | Literal] = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                self.problems.append(record.problem(spec.name, f"expected a {spec.kind} value, got {item!r}"))
                continue
            unsafe = unsafe_character(item.strip())
            if unsafe:
                self.problems.append(record.problem(spec.name, unsafe))
                continue
            if spec.unknown is not None and item.strip() == spec.unknown:
                continue  # an end the sources do not date: the interval's end instant has no value
            read = READERS[spec.kind]
            try:
                out.append(read(self, spec, item.strip()))
            except ValueError as exc:
                self.problems.append(record.problem(spec.name, f"{item!r}: {exc}"))
        return out

    def _text(self, record: Record, spec: Field, value: Value) -> list[URIRef | Literal]:
        if not isinstance(value, dict):
            self.problems.append(record.problem(spec.name, "write text per language, such as 'nl: ...' and 'en: ...'"))
            return []
        out: list[URIRef | Literal] = []
        refused = False  # a text refused for its characters: saying that it is missing would be noise
        for lang, texts in value.items():
            if lang not in LANGUAGES:
                self.problems.append(record.problem(spec.name, f"language {lang!r} is not one of {LANGUAGES}"))
                continue
            items = texts if isinstance(texts, list) else [texts]
            if isinstance(texts, list) and not spec.many:
                self.problems.append(record.problem(spec.name, f"{lang}: takes one text, not a list"))
                continue
            for text in items:
                if not isinstance(text, str) or not text.strip():
                    self.problems.append(record.problem(spec.name, f"{lang}: empty text"))
                    continue
                unsafe = unsafe_character(text, folded=True)
                if unsafe:
                    self.problems.append(record.problem(spec.name, f"{lang}: {unsafe}"))
                    refused = True
                    continue
                out.append(Literal(" ".join(text.split()), lang=lang))
        if spec.required and not refused and not any(isinstance(o, Literal) and o.language == "nl" for o in out):
            self.problems.append(record.problem(spec.name, "needs a Dutch ('nl') text"))
        return out

    def string(self, spec: Field, text: str) -> URIRef | Literal:
        if spec.pattern and not re.match(spec.pattern, text):
            raise ValueError(f"does not match the pattern {spec.pattern}")
        failure = checkdigits.CHECKS[spec.check](text) if spec.check else None
        if failure:
            raise ValueError(failure)
        if spec.iri_template:
            return URIRef(spec.iri_template.format(text))
        return Literal(text)

    def date(self, spec: Field, text: str) -> Literal:
        match = DATE.match(text)
        if not match:
            raise ValueError("a date is YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = match.groups()
        if day:
            try:
                date(int(year), int(month), int(day))
            except ValueError as exc:
                raise ValueError(f"not a real date ({exc})") from None
            return Literal(text, datatype=XSD.date)
        if month:
            if not 1 <= int(month) <= 12:
                raise ValueError("the month must be 01 to 12")
            return Literal(text, datatype=XSD.gYearMonth)
        return Literal(text, datatype=XSD.gYear)

    def integer(self, spec: Field, text: str) -> Literal:
        if not INTEGER.match(text):
            raise ValueError("expected a whole number of 0 or more")
        return Literal(str(int(text)), datatype=XSD.integer)

    def decimal(self, spec: Field, text: str) -> Literal:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError("expected a number such as 21966000 or 6.5") from None
        if not number.is_finite():
            raise ValueError("expected a finite number")
        return Literal(str(number), datatype=XSD.decimal)

    def boolean(self, spec: Field, text: str) -> Literal:
        if text not in BOOLEANS:
            raise ValueError("write 'ja' or 'nee'")
        return Literal(BOOLEANS[text])

    def duration(self, spec: Field, text: str) -> Literal:
        if not DURATION.match(text):
            raise ValueError("expected an ISO 8601 duration such as P5Y or P3Y6M")
        return Literal(text, datatype=XSD.duration)

    def url(self, spec: Field, text: str) -> URIRef:
        if not URL.match(text):
            raise ValueError("expected an http(s) URL without spaces")
        if spec.pattern and not re.match(spec.pattern, text):
            raise ValueError(f"does not match the pattern {spec.pattern}")
        return URIRef(text)

    def ref(self, spec: Field, text: str) -> URIRef:
        type_name, _, key = text.rpartition("/")
        if type_name and type_name not in spec.targets:
            raise ValueError(f"'{type_name}' is not a type this field can point to ({', '.join(spec.targets)})")
        if not is_key(key):
            raise ValueError("not a record key")
        candidates = [t for t in self.index.get(key, []) if t in spec.targets and (not type_name or t == type_name)]
        if not candidates:
            raise ValueError(f"no {' or '.join(spec.targets)} record has this key")
        if len(candidates) > 1:
            raise ValueError(f"ambiguous: write {' or '.join(f'{t}/{key}' for t in candidates)}")
        return URIRef(thing(DEFAULT_BASE, candidates[0], key))

    def concept(self, spec: Field, text: str) -> URIRef:
        scheme = spec.targets[0]
        if not is_key(text):
            raise ValueError("not a concept key")
        iri = thing(DEFAULT_BASE, scheme, text)
        if iri not in self.concepts:
            raise ValueError(f"no concept with this key in ontology/vocab/{scheme}.ttl")
        return URIRef(iri)


READERS: dict[str, Callable[[Reader, Field, str], URIRef | Literal]] = {
    "string": Reader.string,
    "date": Reader.date,
    "int": Reader.integer,
    "decimal": Reader.decimal,
    "bool": Reader.boolean,
    "duration": Reader.duration,
    "url": Reader.url,
    "ref": Reader.ref,
    "concept": Reader.concept,
}


def _index(sources: Sources, problems: list[Problem]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    seen: dict[str, Record] = {}
    for record in sources.all_records():
        if record.ref in seen:
            first = seen[record.ref]
            what = "this URL is described" if record.type.identity == "url" else "key used"
            problems.append(record.problem(record.type.identity,
                                           f"{what} twice (first at {first.file}:{first.line}); keep one"))
            continue
        seen[record.ref] = record
        index.setdefault(record.key, []).append(record.type.name)
    return index


class TripleSink(Protocol):
    def add(self, triple: tuple[Node, Node, Node], /) -> object: ...


class NTriples:
    """A triple sink that keeps N-Triples lines: a fraction of the memory of an rdflib graph, which at a
    million triples (a gigabyte) is more than the rest of the build together."""

    def __init__(self) -> None:
        self.lines: set[str] = set()

    def add(self, triple: tuple[Node, Node, Node], /) -> None:
        self.lines.add(_nt_row(triple))

    def __len__(self) -> int:
        return len(self.lines)

    def subjects(self) -> set[str]:
        return {line[1:line.index(">")] for line in self.lines if line.startswith("<")}

    def nquads(self, graph: str) -> bytes:
        suffix = f" <{graph}> .\n"
        return "".join(line[:-3] + suffix for line in sorted(self.lines)).encode("utf-8")

    def graph(self) -> Graph:
        graph = Graph()
        graph.addN((s, p, o, graph) for s, p, o in triples_of("".join(self.lines).encode("utf-8")))
        return graph


def to_graph(sources: Sources, vocab: Graph) -> tuple[Graph, list[Problem]]:
    """The data graph of all records as an rdflib graph, and every problem found on the way."""
    graph = Graph()
    return graph, emit(sources, vocab, graph)


def emit(sources: Sources, vocab: Graph, sink: TripleSink) -> list[Problem]:
    """Write the triples of all records to ``sink``; return every problem found on the way."""
    from server.pipeline.inference import Entailing  # it imports TripleSink from here

    sink = Entailing(sink, vocab)  # superclasses and superproperties too (data/README.md, "Inference")
    problems = list(sources.problems)
    concepts = {str(s) for s in vocab.subjects(RDF.type, SKOS.Concept)}
    reader = Reader(_index(sources, problems), concepts, problems)
    per_field = reification.FieldSources(sink, problems)  # sources named per field: see reification.py
    for record in sources.all_records():
        subject = _subject(record, problems)
        if subject is None:
            continue
        sink.add((subject, RDF.type, record.type.rdf_class))
        for name in record.values:
            if record.type.field(name) is None and not reification.takes(record, name):
                extra = [reification.FIELD] if reification.takes(record, reification.FIELD) else []
                known = ", ".join([f.name for f in record.type.fields] + extra)
                problems.append(record.problem(name, f"unknown field; {record.type.name} records have: {known}"))
        for spec in record.type.fields:
            if spec.required and spec.name not in record.values:
                problems.append(record.problem(spec.name, "required field is missing"))
        for spec, value in fields_of(record):
            out = per_field.sink(record, spec.name)
            if spec.required and isinstance(value, str) and value.strip() == spec.unknown:  # known to exist
                out.add((subject, ser("waardeOnbekend"), spec.predicate))
            for obj in reader.objects(record, spec, value):
                if spec.part is not None:
                    node = URIRef(f"{subject}#{spec.part}")
                    link, cls = PARTS[spec.part]
                    sink.add((subject, link, node))
                    sink.add((node, RDF.type, cls))
                    out.add((node, spec.predicate, obj))
                    continue
                out.add((obj, spec.predicate, subject) if spec.inverse else (subject, spec.predicate, obj))
                if spec.link and isinstance(obj, Literal):
                    out.add((subject, spec.link[0], URIRef(spec.link[1].format(obj))))
        if record.parent is not None:
            parent = URIRef(thing(DEFAULT_BASE, record.parent.type.name, record.parent.key))
            sink.add((parent, NESTED[record.parent.type.name].link, subject))
    _check_one_of(sources, problems)
    _retire(sources, reader, sink, problems)
    _materialise_requesters(sources, reader, sink)
    # Imported here, as they use this module's Reader (and labels uses citations, which imports it).
    from server.pipeline import labels, periods

    periods.emit(sources, reader, sink, per_field.sink)
    labels.emit(sources, vocab, reader, sink)
    return problems


def _subject(record: Record, problems: list[Problem]) -> URIRef | None:
    """The record's IRI: ``/id/{type}/{key}``, or for a source its own URL (``records.RecordType.identity``)."""
    if record.type.identity == "key":
        return URIRef(thing(DEFAULT_BASE, record.type.name, record.key))
    problem = unsafe_character(record.key) or (None if URL.match(record.key) else "expected an http(s) URL "
                                                "without spaces")
    if problem:
        problems.append(record.problem(record.type.identity, problem))
        return None
    return URIRef(record.key)


# Record types where at least one of two fields must be given.
ONE_OF: dict[str, tuple[str, str]] = {"advies": ("titel", "label")}


def _check_one_of(sources: Sources, problems: list[Problem]) -> None:
    for type_name, (a, b) in ONE_OF.items():
        for record in sources.by_type(type_name):
            if a not in record.values and b not in record.values:
                problems.append(record.problem(a, f"give '{a}' (the official title) or '{b}' (a descriptive name)"))


RETIRED_ON = Field("datum", "date", DCTERMS.date)


def _retire(sources: Sources, reader: Reader, graph: TripleSink, problems: list[Problem]) -> None:
    live = {r.ref for r in sources.all_records()}
    for ret in sources.retirements:
        type_name, _, key = ret.ref.partition("/")
        if type_name not in BY_NAME or not is_key(key):
            problems.append(Problem(ret.file, ret.ref, "iri", "write the retired IRI as type/key", ret.line))
            continue
        if ret.ref in live:
            problems.append(Problem(ret.file, ret.ref, "iri", "this record still exists; remove it from its file "
                                    "or from the retirements", ret.line))
            continue
        subject = URIRef(thing(DEFAULT_BASE, type_name, key))
        graph.add((subject, OWL.deprecated, Literal(True)))
        if ret.successor:
            if ret.successor not in live:
                problems.append(Problem(ret.file, ret.ref, "opvolger", f"no record {ret.successor!r}", ret.line))
            else:
                s_type, _, s_key = ret.successor.partition("/")
                graph.add((subject, DCTERMS.isReplacedBy, URIRef(thing(DEFAULT_BASE, s_type, s_key))))
        if ret.date:
            try:
                graph.add((subject, DCTERMS.date, reader.date(RETIRED_ON, ret.date)))
            except ValueError as exc:
                problems.append(Problem(ret.file, ret.ref, "datum", str(exc), ret.line))
        for lang, text in ret.reason.items():
            unsafe = unsafe_character(text, folded=True) if isinstance(text, str) else None
            if unsafe:
                problems.append(Problem(ret.file, ret.ref, "reden", f"{lang}: {unsafe}", ret.line))
            elif lang in LANGUAGES and isinstance(text, str):
                graph.add((subject, SKOS.changeNote, Literal(text, lang=lang)))
        for source in ret.sources:
            if isinstance(source, str) and URL.match(source):
                graph.add((subject, DCTERMS.source, URIRef(source)))
            else:
                problems.append(Problem(ret.file, ret.ref, "bronnen", f"{source!r} is not an http(s) URL", ret.line))


def _materialise_requesters(sources: Sources, reader: Reader, sink: TripleSink) -> None:
    """ser:aangevraagdDoor = ser:naAanvraag / ser:aanvrager (the property chain in the ontology)."""
    by_key = {r.key: r for r in sources.by_type("adviesaanvraag")}
    requester, requested_by = BY_NAME["adviesaanvraag"].field("aanvrager"), ser("aangevraagdDoor")
    assert requester is not None
    for advies in sources.by_type("advies"):
        key = advies.values.get("aanvraag")
        request = by_key.get(key.rpartition("/")[2]) if isinstance(key, str) else None
        if request is None:
            continue  # no request, or a key that points nowhere (already reported)
        subject = URIRef(thing(DEFAULT_BASE, "advies", advies.key))
        names = request.values.get("aanvrager") or []
        for name in names if isinstance(names, list) else [names]:
            try:
                sink.add((subject, requested_by, reader.ref(requester, str(name).strip())))
            except ValueError:
                continue  # reported where the request itself is read
