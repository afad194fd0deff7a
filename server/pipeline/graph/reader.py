"""Reading one record's values into RDF terms, checking each against its field's kind: the values every
part of the transform writes (``transform``, ``periods``, ``labels``, ``citations``, ``inference``).

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

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from server.errors import Problem
from server.pipeline.sources import checkdigits
from server.pipeline.sources.fields import Field
from server.pipeline.sources.files import Record, Value
from server.rdf.iris import is_key, thing
from server.rdf.namespaces import DEFAULT_BASE

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


class TripleSink(Protocol):
    def add(self, triple: tuple[Node, Node, Node], /) -> object: ...
