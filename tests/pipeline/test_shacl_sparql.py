"""The SPARQL validation engine gives exactly pyshacl's results (server/pipeline/shacl/sparql.py, shacl_engine.py).

pyshacl is the reference: for every shape fixture, for the real data and for the real data with a
violation of each constraint component planted in it, both engines must report the same multiset
of (focus, path, component, severity); on the real data messages and source shapes too.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, ORG, RDF, SH, SKOS, XSD

from server.pipeline.assemble import Assembled, assemble, to_nquads
from server.pipeline.shacl.engine import validate_sparql
from server.pipeline.shacl.results import Report, Result
from server.pipeline.shacl.sparql import UnsupportedShape, compile_shapes
from server.pipeline.shacl.validate import load_shapes, validate
from server.pipeline.shacl.values import SAFE_LEXICAL, datatype_ok
from server.settings import PROJECT_ROOT
from server.store.oxigraph.memory import MemoryDataset
from tests.pipeline.test_shapes import SERSH, fixture_files, only

BASE = "https://data.ser.nl/"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
SER = BASE + "def/"

Key = tuple[str, str | None, str, str]


def keys(report: Report) -> Counter[Key]:
    return Counter((r.focus, r.path, r.component.rsplit("#", 1)[-1], r.severity) for r in report.results)


def both(data: Graph, shapes: Graph) -> tuple[Report, Report]:
    return validate(data, shapes), validate_sparql(MemoryDataset(to_nquads({BASE + "graph/data": data})), shapes, data)


@pytest.mark.parametrize("fixture", fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_compiled_shapes_give_pyshacls_results_on_every_fixture(fixture: Path) -> None:
    reference, compiled = both(Graph().parse(fixture, format="turtle"), only(URIRef(SERSH + fixture.parent.name)))
    assert keys(compiled) == keys(reference)
    assert compiled.conforms == reference.conforms


@cache
def real() -> tuple[Assembled, Graph]:
    return assemble(PROJECT_ROOT, BASE), load_shapes(PROJECT_ROOT / "shapes", BASE)


def full(results: list[Result]) -> Counter[tuple[str, str | None, str, str, str, str]]:
    return Counter((r.focus, r.path, r.component, r.severity, r.message, r.shape) for r in results)


def test_compiled_shapes_give_pyshacls_results_messages_and_shapes_on_the_real_data() -> None:
    assembled, shapes = real()
    with assembled.with_ontology() as graph:
        reference = validate(graph, shapes)
    compiled = validate_sparql(MemoryDataset(assembled.nquads()), shapes, assembled.data)
    assert reference.results, "the real data has warnings; a comparison of two empty reports proves little"
    assert full(compiled.results) == full(reference.results)


def first(graph: Graph, cls: URIRef, having: URIRef | None = None) -> URIRef:
    nodes = sorted(s for s in graph.subjects(RDF.type, cls)
                   if isinstance(s, URIRef) and (having is None or graph.value(s, having) is not None))
    assert nodes, f"the real data has no {cls}"
    return nodes[0]


def plant(data: Graph) -> set[tuple[str, str]]:
    """Break the real data once per constraint component; the (focus, component) pairs that must be reported."""
    org, other = sorted(s for s in data.subjects(RDF.type, ORG.FormalOrganization) if isinstance(s, URIRef))[:2]
    seat = first(data, URIRef(SER + "Zeteltoewijzing"))
    source, founded = URIRef(DCT + "source"), URIRef(SCHEMA + "foundingDate")
    data.remove((org, source, None))
    data.remove((org, founded, None))
    data.remove((org, SKOS.prefLabel, None))
    data.remove((seat, URIRef(SER + "aantalZetels"), None))
    data.remove((other, URIRef(SCHEMA + "dissolutionDate"), None))
    data.remove((other, founded, None))
    stranger = URIRef(BASE + "id/organisatie/bestaat-niet")
    wrong_scheme = first(data, SKOS.Concept, SKOS.inScheme)
    for triple in [
        (org, SKOS.prefLabel, Literal("Only English", lang="en")),  # QualifiedMinCount (no Dutch name)
        (org, SKOS.altLabel, Literal("Anders", lang="de")),  # LanguageIn
        (org, URIRef(DCT + "description"), Literal("een", lang="nl")),  # UniqueLang
        (org, URIRef(DCT + "description"), Literal("twee", lang="nl")),
        (org, founded, Literal("gisteren")),  # Or (a date)
        (org, URIRef(SER + "statutaireZetel"), Literal("Den Haag", lang="nl")),  # Datatype xsd:string
        (org, URIRef(SER + "statutaireZetel"), Literal("Utrecht")),  # MaxCount
        (org, FOAF.homepage, Literal("https://ser.nl")),  # NodeKind
        (org, FOAF.page, URIRef("ftp://ser.nl/")),  # Pattern
        (org, ORG.subOrganizationOf, stranger),  # Class
        (org, ORG.classification, wrong_scheme),  # Node (a concept of another scheme)
        (org, URIRef("http://www.w3.org/2002/07/owl#sameAs"), URIRef("http://www.wikidata.org/entity/Q1")),
        (org, URIRef("http://www.w3.org/2002/07/owl#sameAs"), URIRef("http://www.wikidata.org/entity/Q2")),
        (seat, URIRef(SER + "aantalZetels"), Literal("-1", datatype=XSD.nonNegativeInteger)),  # folded datatype
        (other, founded, Literal("2020-01-01", datatype=XSD.date)),  # SPARQL: dissolved before founded
        (other, URIRef(SCHEMA + "dissolutionDate"), Literal("2019", datatype=XSD.gYear)),
    ]:
        data.add(triple)
    return {(str(org), c) for c in ("MinCount", "MaxCount", "Datatype", "NodeKind", "Class", "LanguageIn",
                                    "UniqueLang", "Pattern", "Or", "Node", "QualifiedMinCount", "QualifiedMaxCount")
            } | {(str(seat), "Datatype"), (str(other), "SPARQL")}


def test_compiled_shapes_agree_with_pyshacl_on_a_violation_of_every_component() -> None:
    assembled, shapes = real()
    data = Graph()
    data += assembled.data
    data += assembled.ontology
    wanted = plant(data)
    reference, compiled = both(data, shapes)
    assert keys(compiled) == keys(reference)
    reported = {(f, c.removesuffix("ConstraintComponent")) for f, _p, c, _s in keys(compiled)}
    assert wanted <= reported, f"not reported: {sorted(wanted - reported)}"
    assert not compiled.conforms


def test_the_report_graph_has_a_result_per_result_and_inverse_paths_as_nodes() -> None:
    _assembled, shapes = real()
    person = URIRef(BASE + "id/persoon/niemand")
    data = Graph()
    data.add((person, RDF.type, FOAF.Person))
    report = validate_sparql(MemoryDataset(to_nquads({BASE + "graph/data": data})), shapes, data)
    graph = report.graph
    (node,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(node, SH.conforms) == Literal(False)
    assert len(list(graph.objects(node, SH.result))) == len(report.results)
    inverse = [r for r in report.results if r.path == f"^{ORG.member}"]
    assert inverse and inverse[0].severity == "Warning"
    paths = {graph.value(p, SH.inversePath) for p in graph.objects(None, SH.resultPath)}
    assert ORG.member in paths


SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:S sh:targetClass ex:C ; sh:property ex:P . ex:P sh:path ex:p ; {extra} .
"""


@pytest.mark.parametrize(("extra", "feature"), [
    ("sh:minLength 3", "sh:minLength"),
    ("sh:in ( 1 2 )", "sh:in"),
    ("sh:path ( ex:a ex:b )", "a path other than an IRI"),
    ("sh:node [ sh:minCount 1 ]", "sh:minCount"),
    ("sh:qualifiedValueShape [ sh:datatype <http://www.w3.org/2001/XMLSchema#date> ] ; sh:qualifiedMinCount 1",
     "sh:datatype other than xsd:string"),
])
def test_a_feature_the_compiler_does_not_know_is_refused_with_the_shape_named(extra: str, feature: str) -> None:
    shapes = Graph().parse(data=SHAPE.replace("{extra}", extra), format="turtle")
    if extra.startswith("sh:path"):
        shapes.remove((URIRef("http://example.org/P"), SH.path, URIRef("http://example.org/p")))
    with pytest.raises(UnsupportedShape, match=re.escape(feature)) as error:
        compile_shapes(shapes)
    assert "http://example.org/P" in str(error.value)


@pytest.mark.parametrize(("select", "feature"), [
    ("SELECT $this WHERE { { SELECT ?x WHERE { ?x ?p ?o } } }", "sub-select"),
    ("SELECT $this (COUNT(?o) AS ?n) WHERE { $this ?p ?o }", "aggregates without GROUP BY $this"),
    ("SELECT ?o WHERE { $this ?p ?o }", "does not project $this"),
    ("SELECT $this WHERE { $this ?p $currentShape }", "$currentShape"),
])
def test_a_sparql_constraint_the_compiler_cannot_prebind_is_refused(select: str, feature: str) -> None:
    shapes = Graph().parse(data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S sh:targetClass ex:C ; sh:sparql ex:Q . ex:Q sh:select "{select}" .""", format="turtle")
    with pytest.raises(UnsupportedShape, match=re.escape(feature)):
        compile_shapes(shapes)


@pytest.mark.parametrize(("datatype", "lexical"), [
    (XSD.date, "2024-02-28"), (XSD.date, "1999-12-01"), (XSD.gYear, "2024"), (XSD.gYearMonth, "2024-12"),
    (XSD.boolean, "true"), (XSD.boolean, "false"), (XSD.integer, "-12"), (XSD.nonNegativeInteger, "0"),
    (XSD.decimal, "-1.25"), (XSD.decimal, "3"), (XSD.duration, "P1Y"), (XSD.duration, "P2M"),
    (XSD.duration, "P1Y2M3D"), (XSD.duration, "P10D"),
])
def test_a_lexical_form_sparql_passes_without_asking_rdflib_is_one_rdflib_accepts(datatype: URIRef,
                                                                                  lexical: str) -> None:
    assert re.search(SAFE_LEXICAL[datatype], lexical), "the sample should match the safe pattern"
    assert datatype_ok(Literal(lexical, datatype=datatype), datatype)


@pytest.mark.parametrize(("datatype", "lexical"), [
    (XSD.date, "2024-02-30"), (XSD.date, "2024-2-1"), (XSD.boolean, "yes"), (XSD.duration, "P"),
    (XSD.decimal, "1.2.3"), (XSD.gYear, "24"),
])
def test_a_doubtful_lexical_form_is_left_to_rdflib(datatype: URIRef, lexical: str) -> None:
    assert not re.search(SAFE_LEXICAL[datatype], lexical)


def test_without_the_rdflib_graph_only_the_folded_integer_type_goes_unseen() -> None:
    """At scale the build keeps no rdflib graph of the data; the engine then judges values as Oxigraph
    holds them. The one difference: an integer subtype is folded into xsd:integer, so the planted
    "-1"^^xsd:nonNegativeInteger is no Datatype violation there (its Pattern violation remains)."""
    assembled, shapes = real()
    data = Graph()
    data += assembled.data
    data += assembled.ontology
    plant(data)
    memory = MemoryDataset(to_nquads({BASE + "graph/data": data}))
    with_graph = keys(validate_sparql(memory, shapes, data))
    without = keys(validate_sparql(memory, shapes, None))
    assert without - with_graph == Counter()
    gone = with_graph - without
    assert [(path, component) for _focus, path, component, _severity in gone] == [
        (SER + "aantalZetels", "DatatypeConstraintComponent")]


RANGE_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S sh:targetClass ex:C ; sh:property ex:Lat , ex:Open , ex:Day .
ex:Lat sh:path ex:lat ; sh:minInclusive -90.0 ; sh:maxInclusive 90 .
ex:Open sh:path ex:open ; sh:minExclusive 0 ; sh:maxExclusive 1.5 .
ex:Day sh:path ex:day ; sh:minInclusive "2000-01-01"^^xsd:date ; sh:maxExclusive "2001-01-01"^^xsd:date .
"""
EX = "http://example.org/"


@pytest.mark.parametrize(("path", "value", "component"), [
    ("lat", Literal("-90.5", datatype=XSD.decimal), "MinInclusive"),
    ("lat", Literal("91", datatype=XSD.integer), "MaxInclusive"),
    ("open", Literal("0", datatype=XSD.integer), "MinExclusive"),
    ("open", Literal("1.5", datatype=XSD.decimal), "MaxExclusive"),
    ("open", Literal("1.50", datatype=XSD.decimal), "MaxExclusive"),  # the same number, another lexical form
    ("lat", Literal("12"), "MinInclusive"),  # a string does not compare with a number
    ("lat", URIRef(EX + "north"), "MaxInclusive"),  # nor does an IRI
    ("lat", Literal("1.2.3", datatype=XSD.decimal), "MinInclusive"),  # an ill-typed literal
    ("day", Literal("1999-12-31", datatype=XSD.date), "MinInclusive"),
    ("day", Literal("2001-01-01", datatype=XSD.date), "MaxExclusive"),
    # a year against dates: rdflib's order decides (it fails the upper bound), not SPARQL's
    ("day", Literal("2000", datatype=XSD.gYear), "MaxExclusive"),
])
def test_a_value_out_of_range_fails_in_both_engines(path: str, value: URIRef | Literal, component: str) -> None:
    shapes = Graph().parse(data=RANGE_SHAPES, format="turtle")
    data = Graph()
    focus = URIRef(EX + "x")
    data.add((focus, RDF.type, URIRef(EX + "C")))
    data.add((focus, URIRef(EX + path), value))
    reference, compiled = both(data, shapes)
    assert keys(compiled) == keys(reference)
    assert (str(focus), EX + path, component + "ConstraintComponent", "Violation") in keys(compiled)


@pytest.mark.parametrize(("path", "value"), [
    ("lat", Literal("-90", datatype=XSD.integer)), ("lat", Literal("90.0", datatype=XSD.decimal)),
    ("lat", Literal("52.0857799", datatype=XSD.decimal)), ("lat", Literal("4.5", datatype=XSD.double)),
    ("open", Literal("0.001", datatype=XSD.decimal)), ("open", Literal("1.4999", datatype=XSD.decimal)),
    ("day", Literal("2000-01-01", datatype=XSD.date)), ("day", Literal("2000-12-31", datatype=XSD.date)),
])
def test_a_value_in_range_passes_in_both_engines(path: str, value: Literal) -> None:
    shapes = Graph().parse(data=RANGE_SHAPES, format="turtle")
    data = Graph()
    data.add((URIRef(EX + "x"), RDF.type, URIRef(EX + "C")))
    data.add((URIRef(EX + "x"), URIRef(EX + path), value))
    reference, compiled = both(data, shapes)
    assert keys(compiled) == keys(reference) == Counter()
