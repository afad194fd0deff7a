"""Per-fact sources: a field of a record can name the sources that show it, and the graph says so for
each triple the field writes, as an RDF 1.1 reification (RDF Schema 1.1 §5.3, "Reification
vocabulary"; RDF 1.1 Semantics, appendix D "Reification").

A record lists all its sources in ``bronnen``; where one source shows one field and another source the
rest, ``bronnenPerVeld`` says which (``data/README.md``, "Per-fact sources")::

    bronnen:
      - https://www.nrc.nl/nieuws/1996/03/02/...
      - https://www.nrc.nl/nieuws/2006/03/25/...
    bronnenPerVeld:
      van: https://www.nrc.nl/nieuws/1996/03/02/...     # or a list: [url, url]

Each source named there must be one of the record's ``bronnen`` (which the build checks against
``data/bronnen.yaml``), and each field must be a field the record gives. In the graph, every triple the
field wrote gets a statement node under the record's IRI::

    <https://data.ser.nl/id/lidmaatschap/x#bron-van-1a2b3c4d> a rdf:Statement ;
        rdf:subject <https://data.ser.nl/id/lidmaatschap/x> ;
        rdf:predicate schema:startDate ;
        rdf:object "1996-04-01"^^xsd:date ;
        dct:source <https://www.nrc.nl/nieuws/1996/03/02/...> .

The hook: the transform writes each field's triples to the sink :meth:`FieldSources.sink` gives it.
For a field with its own sources that sink passes every triple on and writes its statement node with
it, so whatever a field writes (one ``schema:startDate`` triple, or the triples of an OWL-Time
interval) is what its sources are attached to; ``rdf:type`` triples are left out, since a source
shows a value, not the class of a helper node. Code that writes a field's triples outside the
transform's field loop asks for the same sink with the record and the field's name, whenever it runs.
The fragment ends in eight hex digits of a hash of the triple, so a statement's IRI stays the same
while the record's other values change.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from server.errors import Problem
from server.pipeline.sources.fields import SOURCES
from server.pipeline.sources.files import Record
from server.rdf.iris import thing
from server.rdf.namespaces import DEFAULT_BASE

FIELD = "bronnenPerVeld"
HOW = f"write one line per field under '{FIELD}', such as 'van: <url>' or 'van: [<url>, <url>]'"

Triple = tuple[Node, Node, Node]


class Sink(Protocol):
    def add(self, triple: Triple, /) -> object: ...


class _WithStatements:
    """Passes the triples of one field on to the sink, each with its statement node."""

    def __init__(self, sink: Sink, record: Record, field: str, urls: list[str]) -> None:
        self._sink = sink
        self._record = record
        self._field = field
        self._urls = urls
        self._subject = thing(DEFAULT_BASE, record.type.name, record.key)

    def add(self, triple: Triple, /) -> None:
        add = self._sink.add
        add(triple)
        if triple[1] == RDF.type:
            return
        node = URIRef(f"{self._subject}#bron-{self._field}-{digest(triple)}")
        add((node, RDF.type, RDF.Statement))
        add((node, RDF.subject, triple[0]))
        add((node, RDF.predicate, triple[1]))
        add((node, RDF.object, triple[2]))
        for url in self._urls:
            add((node, DCTERMS.source, URIRef(url)))
        add((node, RDFS.label, Literal(f"Bron van '{self._field}' in {self._record.ref}", lang="nl")))
        add((node, RDFS.label, Literal(f"Source of '{self._field}' in {self._record.ref}", lang="en")))


def takes(record: Record, name: str) -> bool:
    """Is ``name`` the per-field sources of a record type that cites sources?"""
    return name == FIELD and record.type.field(SOURCES.name) is not None


def read(record: Record, problems: list[Problem]) -> dict[str, list[str]]:
    """The record's per-field sources, field -> URLs; each mistake becomes a problem at its line."""
    value = record.values.get(FIELD)
    if value is None or not takes(record, FIELD):
        return {}
    if not isinstance(value, dict) or not value:
        problems.append(record.problem(FIELD, f"expected a mapping of fields to sources: {HOW}"))
        return {}
    cited = record.values.get(SOURCES.name)
    cited_urls = {u.strip() for u in (cited if isinstance(cited, list) else [cited]) if isinstance(u, str)}
    lines = record.key_lines.get(FIELD, {})
    out: dict[str, list[str]] = {}
    for name, urls in value.items():
        where = f"{FIELD}.{name}"

        def problem(message: str, name: str = name, where: str = where) -> None:
            problems.append(Problem(record.file, record.key, where, message, lines.get(name, record.line)))

        spec = record.type.field(name)
        if spec is None or spec is SOURCES:
            known = ", ".join(f.name for f in record.type.fields if f is not SOURCES)
            problem(f"'{name}' is not a field of {record.type.name} records; name one of: {known}")
            continue
        if name not in record.values:
            problem(f"this record gives no '{name}': name sources only for the fields it gives")
            continue
        items = urls if isinstance(urls, list) else [urls]
        if not items or not all(isinstance(u, str) and u.strip() for u in items):
            problem(f"expected the URL of a source, or a list of them: {HOW}")
            continue
        chosen: list[str] = []
        for url in (u.strip() for u in items):
            if url in chosen:
                problem(f"{url} is given twice; name it once")
            elif url not in cited_urls:
                problem(f"{url} is not among this record's 'bronnen': add it there (and describe it in "
                        "data/bronnen.yaml) or name one of the sources the record cites")
            else:
                chosen.append(url)
        if len(chosen) == len(items):
            out[name] = chosen
    return out


class FieldSources:
    """The sinks the transform writes each field of each record to: straight through for a field
    without its own sources, else through a :class:`_WithStatements` that adds the statement nodes."""

    def __init__(self, sink: Sink, problems: list[Problem]) -> None:
        self._sink = sink
        self._problems = problems
        self._read: dict[int, dict[str, list[str]]] = {}

    def sink(self, record: Record, field: str) -> Sink:
        """Where the triples of ``record``'s ``field`` are written."""
        key = id(record)
        if key not in self._read:
            self._read[key] = read(record, self._problems)
        urls = self._read[key].get(field)
        return self._sink if urls is None else _WithStatements(self._sink, record, field, urls)


def digest(triple: Triple) -> str:
    """Eight hex digits of the triple's N-Triples line: the same triple, the same statement IRI."""
    return hashlib.sha256(_nt_row(triple).encode("utf-8")).hexdigest()[:8]
