"""Periods as OWL-Time intervals: when a membership, a seat allocation, a covenant ... holds.

Every record that holds for a period gets one ``time:Interval``: a membership through
``org:memberDuring`` (W3C ORG), everything else through ``dct:temporal``. The interval has a
``time:hasBeginning`` and a ``time:hasEnd``, each a ``time:Instant`` that carries its date with exactly
the precision of the source: ``time:inXSDDate`` (a day), ``time:inXSDgYearMonth`` (a month) or
``time:inXSDgYear`` (a year).

- No end date in the record: the interval has no ``time:hasEnd`` (it is still running, as far as the
  sources show).
- ``tot: onbekend`` (see ``records.UNKNOWN``): it certainly ended, on a date the sources do not give;
  the interval has a ``time:hasEnd`` instant without a value.
- No start date: no ``time:hasBeginning``.

So that dates of different precision can be compared without taking strings apart, each instant with
a value also carries the first and the last day it may stand for, as ``xsd:date``: ``ser:vroegsteDatum``
and ``ser:laatsteDatum`` ("1990" is 1990-01-01 to 1990-12-31, "1990-02" is 1990-02-01 to 1990-02-28).
They are derived from the value, never given instead of it.

The interval and its instants are parts of the record's description, so their IRIs are the record's
IRI with a fragment: ``…/id/lidmaatschap/{key}#periode``, ``#begin`` and ``#einde``.

A post (``org:Post``) is ``org:heldBy`` the people whose membership in it is still running.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, TIME, XSD

from server.pipeline.sources.fields import UNKNOWN, ser
from server.pipeline.sources.files import Record, Sources
from server.pipeline.sources.records import BY_NAME
from server.rdf.iris import thing
from server.rdf.namespaces import DEFAULT_BASE

if TYPE_CHECKING:
    from server.pipeline.graph.reader import Reader, TripleSink

# record type -> (fields that give the beginning, first given wins; field of the end; the link)
PERIODS: dict[str, tuple[tuple[str, ...], str, URIRef]] = {
    "lidmaatschap": (("van",), "tot", ORG.memberDuring),
    "zetelverdeling": (("van",), "tot", DCTERMS.temporal),
    "financiering": (("van",), "tot", DCTERMS.temporal),
    "convenant": (("ondertekend",), "tot", DCTERMS.temporal),
    "akkoord": (("ondertekend", "bereikt"), "tot", DCTERMS.temporal),
    "orgaan": (("opgericht",), "opgeheven", DCTERMS.temporal),
}

# The OWL-Time property for each precision.
VALUE_PROPERTY = {XSD.date: TIME.inXSDDate, XSD.gYearMonth: TIME.inXSDgYearMonth, XSD.gYear: TIME.inXSDgYear}
EARLIEST, LATEST = ser("vroegsteDatum"), ser("laatsteDatum")


@dataclass(frozen=True)
class Instant:
    iri: URIRef
    value: Literal | None  # None: the sources do not date it

    def bounds(self) -> tuple[date, date] | None:
        return None if self.value is None else bounds(self.value)


@dataclass(frozen=True)
class Period:
    owner: URIRef
    link: URIRef
    iri: URIRef
    beginning: Instant | None
    end: Instant | None  # None: still running


def bounds(value: Literal) -> tuple[date, date]:
    """The first and the last day a date of any precision may stand for."""
    text = str(value)
    if value.datatype == XSD.gYear:
        year = int(text)
        return date(year, 1, 1), date(year, 12, 31)
    if value.datatype == XSD.gYearMonth:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    day = date.fromisoformat(text)
    return day, day


def _date(record: Record, name: str, reader: Reader) -> Literal | None:
    spec = record.type.field(name)
    value = record.values.get(name)
    if spec is None or not isinstance(value, str):
        return None
    try:
        return reader.date(spec, value.strip())
    except ValueError:
        return None  # reported where the field itself is read


def periods(sources: Sources, reader: Reader) -> Iterator[tuple[Record, Period]]:
    """The period of every record that holds for one."""
    for type_name, (starts, end_field, link) in PERIODS.items():
        for record in sources.by_type(type_name):
            owner = URIRef(thing(DEFAULT_BASE, record.type.name, record.key))
            begin = next((v for v in (_date(record, name, reader) for name in starts) if v is not None), None)
            beginning = Instant(URIRef(owner + "#begin"), begin) if begin is not None else None
            raw_end = record.values.get(end_field)
            end: Instant | None = None
            if isinstance(raw_end, str) and raw_end.strip() == UNKNOWN:
                end = Instant(URIRef(owner + "#einde"), None)
            elif (value := _date(record, end_field, reader)) is not None:
                end = Instant(URIRef(owner + "#einde"), value)
            yield record, Period(owner, link, URIRef(owner + "#periode"), beginning, end)


def emit(sources: Sources, reader: Reader, sink: TripleSink,
         field_sink: Callable[[Record, str], TripleSink] | None = None) -> None:
    """Write every period, its instants, and the current holders of each post. ``field_sink`` gives the
    sink of one field of a record (reification.FieldSources.sink): an instant's value is written to
    that of the field it comes from, so a source named for the field reaches it."""
    for record, period in periods(sources, reader):
        starts, end_field, _link = PERIODS[record.type.name]
        start_field = next((n for n in starts if _date(record, n, reader) is not None), None)
        sink.add((period.owner, period.link, period.iri))
        sink.add((period.iri, RDF.type, TIME.Interval))
        for link, instant, name in ((TIME.hasBeginning, period.beginning, start_field),
                                    (TIME.hasEnd, period.end, end_field)):
            if instant is None:
                continue
            out = field_sink(record, name) if field_sink is not None and name is not None else sink
            sink.add((period.iri, link, instant.iri))
            sink.add((instant.iri, RDF.type, TIME.Instant))
            if instant.value is not None:
                first, last = bounds(instant.value)
                out.add((instant.iri, VALUE_PROPERTY[instant.value.datatype or XSD.date], instant.value))
                sink.add((instant.iri, EARLIEST, Literal(first.isoformat(), datatype=XSD.date)))
                sink.add((instant.iri, LATEST, Literal(last.isoformat(), datatype=XSD.date)))
        if record.type.name == "lidmaatschap" and period.end is None:
            _holder(record, reader, sink)


def _holder(record: Record, reader: Reader, sink: TripleSink) -> None:
    post, person = record.values.get("functie"), record.values.get("persoon")
    post_field, person_field = BY_NAME["lidmaatschap"].field("functie"), BY_NAME["lidmaatschap"].field("persoon")
    if not isinstance(post, str) or not isinstance(person, str) or post_field is None or person_field is None:
        return
    try:
        sink.add((reader.ref(post_field, post.strip()), ORG.heldBy, reader.ref(person_field, person.strip())))
    except ValueError:
        return  # a key that points nowhere, reported where the field itself is read
