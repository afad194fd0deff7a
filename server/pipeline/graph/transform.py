"""Source records -> RDF triples, checking every value against its field's kind on the way.

The IRIs are minted under the production base (``DEFAULT_BASE``); the release rebases them when the
``base_iri`` setting differs. A value that cannot be read becomes a :class:`Problem`, and the transform
carries on, so that one run reports every problem.

Each value is read and checked by ``reader.Reader``; the periods, labels and citations of the records
(``periods``, ``labels``, ``citations``) and the entailed triples (``inference``) are written here too.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from server.errors import Problem
from server.pipeline.graph import labels, periods, reification
from server.pipeline.graph.inference import Entailing
from server.pipeline.graph.reader import LANGUAGES, URL, Reader, TripleSink, unsafe_character
from server.pipeline.sources.fields import PARTS, Field, ser
from server.pipeline.sources.files import Record, Sources, fields_of
from server.pipeline.sources.records import BY_NAME, NESTED
from server.rdf.iris import is_key, thing
from server.rdf.namespaces import DEFAULT_BASE
from server.store.terms import triples_of


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
