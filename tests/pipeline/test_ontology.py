"""The ontology (ontology/ser.ttl) and the names of external terms (ontology/labels.ttl) agree with the
record table in server/pipeline/sources/records.py: every term the build writes is declared or named, in Dutch and
English, with the OWL type, domain and range that the field's kind implies (ontology/README.md).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from server.pipeline.sources.fields import SER, Field, ser
from server.pipeline.sources.records import BY_NAME, NESTED, TYPES

ONTOLOGY_DIR = Path(__file__).resolve().parents[2] / "ontology"
ONTOLOGY = URIRef(SER + "ser")
DECLARATIONS = (OWL.Class, RDFS.Datatype, OWL.ObjectProperty, OWL.DatatypeProperty)  # the file's section order
TERM = re.compile(r"[A-Za-z][A-Za-z0-9]*")
SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")

# The range a field's kind implies; ref ranges come from the target record types.
RANGES = {
    "text": RDF.langString, "string": XSD.string, "date": ser("Datum"), "int": XSD.integer,
    "decimal": XSD.decimal, "bool": XSD.boolean, "duration": XSD.duration, "url": FOAF.Document,
    "concept": SKOS.Concept,
}
# Superclass axioms of ORG that ser.ttl does not repeat (it states nothing about external terms).
EXTERNAL_SUPERCLASSES = {ORG.FormalOrganization: ORG.Organization, ORG.OrganizationalUnit: ORG.Organization}
# Declared although no field writes them: a superclass, the date datatype, a derived property.
MODEL_ONLY = {ser("Overeenkomst"), ser("Datum"), ser("aangevraagdDoor")}
# Derived by server/pipeline/graph/periods.py from each instant's value, not written by a field.
MODEL_ONLY |= {ser("vroegsteDatum"), ser("laatsteDatum")}
# Written by server/pipeline/transform.py in place of a required value given as 'onbekend', not by a field.
MODEL_ONLY |= {ser("waardeOnbekend")}
# Deprecated, still declared so that links keep resolving (ontology/README.md, "Versioning").
MODEL_ONLY |= {ser("doelstelling"), ser("motto")}
# Written by the server's SPARQL Service Description (server/web/sparql/service_description.py), not by the build.
MODEL_ONLY |= {ser(t) for t in ("maxQueryLength", "maxRequestBytes", "queryTimeout", "resultLimit", "truncationHeader")}
LIST_TERMS = {RDF.first, RDF.rest, RDF.nil}
RESERVED = {"ser", "shapes"}  # the ontology IRI and the shapes namespace sit beside the terms


@dataclass(frozen=True)
class Use:
    """One way the build writes a predicate: <subject_class> predicate <object>."""

    predicate: URIRef
    kind: str
    subject_class: URIRef
    object_class: URIRef | None  # None: the object is any IRI (iri_template)
    where: str


def common_class(targets: tuple[str, ...]) -> URIRef:
    classes = {BY_NAME[t].rdf_class for t in targets}
    if len(classes) == 1:
        return classes.pop()
    supers = {EXTERNAL_SUPERCLASSES.get(c) for c in classes}
    assert len(supers) == 1 and None not in supers, f"no common class for targets {targets}"
    return supers.pop()  # type: ignore[return-value]


def field_use(record_class: URIRef, f: Field, where: str) -> Use:
    if f.kind == "ref":
        target = common_class(f.targets)
        if f.inverse:
            return Use(f.predicate, f.kind, target, record_class, where)
        return Use(f.predicate, f.kind, record_class, target, where)
    obj = None if f.iri_template else RANGES[f.kind]
    return Use(f.predicate, f.kind, record_class, obj, where)


def record_uses() -> list[Use]:
    uses = []
    for t in TYPES:
        for f in t.fields:
            uses.append(field_use(t.rdf_class, f, f"{t.name}.{f.name}"))
            if f.link:
                uses.append(Use(f.link[0], "url", t.rdf_class, None, f"{t.name}.{f.name} (link)"))
    for parent, nested in NESTED.items():
        uses.append(Use(nested.link, "ref", BY_NAME[parent].rdf_class,
                        BY_NAME[nested.record_type].rdf_class, f"{parent}.{nested.name}"))
    return uses


USES = record_uses()
OWN_USES = [u for u in USES if u.predicate.startswith(SER)]
OWN_CLASSES = sorted({t.rdf_class for t in TYPES if t.rdf_class.startswith(SER)})


def is_own(term: Node) -> bool:
    return isinstance(term, URIRef) and term.startswith(SER) and bool(TERM.fullmatch(term[len(SER):]))


def text(name: str) -> str:
    return (ONTOLOGY_DIR / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "ser.ttl", format="turtle")


@pytest.fixture(scope="module")
def labels() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "labels.ttl", format="turtle")


def declared(onto: Graph) -> dict[URIRef, list[Node]]:
    terms: dict[URIRef, list[Node]] = {}
    for kind in DECLARATIONS:
        for s in onto.subjects(RDF.type, kind):
            if isinstance(s, URIRef):
                terms.setdefault(s, []).append(kind)
    return terms


def superclasses(onto: Graph, cls: Node) -> set[Node]:
    """cls and everything above it, by ser.ttl's subClassOf and the ORG axioms above."""
    seen, todo = set(), [cls]
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo += list(onto.objects(c, RDFS.subClassOf))
            todo += [EXTERNAL_SUPERCLASSES[c]] if isinstance(c, URIRef) and c in EXTERNAL_SUPERCLASSES else []
    return seen


def covers(onto: Graph, bound: Node, cls: Node) -> bool:
    """Is every instance of cls within bound (a class, or an owl:unionOf of classes)?"""
    if isinstance(bound, BNode):
        members = onto.value(bound, OWL.unionOf)
        return members is not None and any(covers(onto, m, cls) for m in Collection(onto, members))
    return bound in superclasses(onto, cls)


def langs(graph: Graph, term: Node, predicate: URIRef) -> list[str]:
    return sorted(o.language or "" for o in graph.objects(term, predicate) if isinstance(o, Literal))


@pytest.mark.parametrize("name", ["ser.ttl", "labels.ttl"])
def test_ontology_file_parses_as_turtle_and_is_not_empty(name: str) -> None:
    assert len(Graph().parse(ONTOLOGY_DIR / name, format="turtle")) > 100


def test_ontology_has_a_semver_version_and_a_version_iri_built_from_it(onto: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in onto
    version = str(onto.value(ONTOLOGY, OWL.versionInfo))
    assert SEMVER.fullmatch(version), f"owl:versionInfo {version!r} is not MAJOR.MINOR.PATCH"
    assert onto.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY}/{version}")


def test_ontology_header_is_titled_described_and_licensed_in_both_languages(onto: Graph) -> None:
    for predicate in (RDFS.label, DCTERMS.title, DCTERMS.description):
        assert langs(onto, ONTOLOGY, predicate) == ["en", "nl"], predicate
    assert onto.value(ONTOLOGY, DCTERMS.license) == URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
    assert onto.value(ONTOLOGY, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")) == Literal("ser")


@pytest.mark.parametrize("cls", OWN_CLASSES, ids=lambda c: c[len(SER):])
def test_every_record_class_of_ours_is_declared_as_an_owl_class(onto: Graph, cls: URIRef) -> None:
    assert declared(onto).get(cls) == [OWL.Class]


@pytest.mark.parametrize("use", OWN_USES, ids=lambda u: u.where)
def test_every_predicate_of_ours_has_the_owl_type_and_range_its_field_kind_implies(
        onto: Graph, use: Use) -> None:
    is_object = use.kind in ("ref", "concept", "url") or use.object_class is None
    expected = OWL.ObjectProperty if is_object else OWL.DatatypeProperty
    assert declared(onto).get(use.predicate) == [expected]
    ranges = list(onto.objects(use.predicate, RDFS.range))
    assert len(ranges) == 1, f"{use.predicate} needs exactly one rdfs:range"
    if use.kind == "ref":
        assert use.object_class is not None
        assert covers(onto, ranges[0], use.object_class), f"range {ranges[0]} excludes {use.object_class}"
    else:
        assert ranges[0] == use.object_class


@pytest.mark.parametrize("use", OWN_USES, ids=lambda u: u.where)
def test_the_domain_of_each_predicate_of_ours_admits_every_record_type_using_it(
        onto: Graph, use: Use) -> None:
    domains = list(onto.objects(use.predicate, RDFS.domain))
    assert len(domains) == 1, f"{use.predicate} needs exactly one rdfs:domain (a union where several)"
    assert covers(onto, domains[0], use.subject_class), f"domain excludes {use.subject_class}"


def test_requested_by_is_the_chain_of_request_and_requester(onto: Graph) -> None:
    chain = onto.value(ser("aangevraagdDoor"), OWL.propertyChainAxiom)
    assert chain is not None
    assert list(Collection(onto, chain)) == [ser("naAanvraag"), ser("aanvrager")]


def test_the_date_datatype_is_the_union_of_day_month_and_year(onto: Graph) -> None:
    union = onto.value(onto.value(ser("Datum"), OWL.equivalentClass), OWL.unionOf)
    assert union is not None
    assert set(Collection(onto, union)) == {XSD.date, XSD.gYearMonth, XSD.gYear}


def test_every_declared_term_has_one_label_and_one_definition_per_language(onto: Graph) -> None:
    for term in declared(onto):
        assert langs(onto, term, RDFS.label) == ["en", "nl"], term
        assert langs(onto, term, SKOS.definition) == ["en", "nl"], term
        assert langs(onto, term, RDFS.comment) in ([], ["en", "nl"]), term
        assert onto.value(term, RDFS.isDefinedBy) == ONTOLOGY, term


def test_term_names_are_camel_case_ascii_and_not_reserved(onto: Graph) -> None:
    for term in declared(onto):
        name = term[len(SER):]
        assert TERM.fullmatch(name) and name not in RESERVED, f"{name!r} cannot be a term name"
        upper = onto.value(term, RDF.type) in (OWL.Class, RDFS.Datatype)
        assert name[0].isupper() == upper, f"{name}: classes and datatypes UpperCamel, properties lowerCamel"


def test_every_term_of_ours_that_the_ontology_mentions_is_declared(onto: Graph) -> None:
    mentioned = {t for triple in onto for t in triple if is_own(t) and t != ONTOLOGY}
    assert mentioned - set(declared(onto)) == set()


def test_every_declared_term_is_written_by_the_build_or_listed_as_model_only(onto: Graph) -> None:
    written = {u.predicate for u in USES} | {t.rdf_class for t in TYPES}
    assert set(declared(onto)) - written - MODEL_ONLY == set()
    assert all(term in declared(onto) for term in MODEL_ONLY)


def external_terms(onto: Graph) -> list[URIRef]:
    """Every class and predicate outside our namespace that the data or the ontology uses."""
    terms = {RDF.type} | {u.predicate for u in USES} | {t.rdf_class for t in TYPES}
    things = {o for p in (DCTERMS.license, DCTERMS.publisher) for o in onto.objects(ONTOLOGY, p)}
    terms |= {t for triple in onto for t in triple if isinstance(t, URIRef)} - things - LIST_TERMS
    return sorted(t for t in terms if not t.startswith(SER) and t != ONTOLOGY)


@pytest.mark.parametrize("term", external_terms(Graph().parse(ONTOLOGY_DIR / "ser.ttl")), ids=str)
def test_every_external_term_is_named_in_dutch_and_english(labels: Graph, term: URIRef) -> None:
    assert langs(labels, term, RDFS.label) == ["en", "nl"]
    assert langs(labels, term, SKOS.definition) == ["en", "nl"]


def test_labels_file_says_only_names_and_definitions_of_external_terms(labels: Graph) -> None:
    assert set(labels.predicates()) == {RDFS.label, SKOS.definition}
    assert [s for s in labels.subjects() if not isinstance(s, URIRef) or s.startswith(SER)] == []


def test_no_term_is_declared_twice_and_sections_are_sorted(onto: Graph, labels: Graph) -> None:
    blocks = re.findall(r"^ser:(\w+) a (\S+) ;$", text("ser.ttl"), re.MULTILINE)
    names = [name for name, _ in blocks]
    assert [n for n, count in Counter(names).items() if count > 1] == []
    assert {ser(n) for n in names} == set(declared(onto)), "every declaration starts a line: ser:Term a ..."
    order = [onto.namespace_manager.expand_curie(kind) for _, kind in blocks]
    keys = [(DECLARATIONS.index(kind), name) for kind, (name, _) in zip(order, blocks, strict=True)]
    assert keys == sorted(keys), "classes, datatypes, object and datatype properties, each sorted"

    subjects = re.findall(r"^(\w+):(\w+)$", text("labels.ttl"), re.MULTILINE)
    assert [s for s, count in Counter(subjects).items() if count > 1] == []
    assert subjects == sorted(subjects), "labels.ttl: sorted by prefix, then local name"
    assert {labels.namespace_manager.expand_curie(f"{p}:{n}") for p, n in subjects} == set(labels.subjects())
