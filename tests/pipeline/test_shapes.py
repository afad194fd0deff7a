"""The SHACL shapes in shapes/, run against their fixtures (the W3C SHACL test-suite pattern).

Each node shape has a folder tests/fixtures/shapes/<ShapeName>/. A ``valid-*.ttl`` there must give no
result at all; an ``invalid-*.ttl`` must give exactly the results listed in its ``# expect:`` lines,
compared as a multiset of (focus node, path, constraint component, severity). Only the shape under
test is loaded, so that a fixture holds just what that shape looks at (shapes/README.md).
The other tests keep the shapes in step with server/pipeline/sources/records.py and with the house rules.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from server.pipeline.sources.fields import PARTS, Field, RecordType
from server.pipeline.sources.records import TYPES
from server.rdf.namespaces import DEFAULT_BASE

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT / "shapes"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
SERSH = DEFAULT_BASE + "def/shapes/"
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
EXPECT = re.compile(r"^#\s*expect:\s*(.*)$")
PREFIX = re.compile(r"^@prefix\s+([\w-]*):\s*<([^>]*)>\s*\.", re.MULTILINE)

Result = tuple[str, str, str, str]  # focus, path ("-", "<iri>" or "^<iri>"), component, severity


@cache
def shapes_graph() -> Graph:
    graph = Graph()
    for path in sorted(SHAPES.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@cache
def shapes_file(name: str) -> Graph:
    return Graph().parse(SHAPES / name, format="turtle")


def node_shapes(graph: Graph) -> set[URIRef]:
    """The shapes that select focus nodes themselves: the ones with a target."""
    return {s for p in TARGETS for s in graph.subjects(p, None) if isinstance(s, URIRef)}


def only(shape: URIRef) -> Graph:
    """The part of the shapes graph that ``shape`` reaches: its property shapes, SPARQL constraints,
    lists and prefix declarations. Other shapes are left out, so only ``shape`` picks focus nodes."""
    source, graph = shapes_graph(), Graph()
    todo: list[Node] = [shape]
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in source.predicate_objects(node):
            graph.add((node, p, o))
            if isinstance(o, BNode) or (isinstance(o, URIRef) and o.startswith(SERSH)):
                todo.append(o)
    return graph


def local(iri: Node | None) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def path_text(graph: Graph, path: Node | None) -> str:
    if path is None:
        return "-"
    if isinstance(path, URIRef):
        return f"<{path}>"
    inverse = graph.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return f"^<{inverse}>"
    raise AssertionError(f"no notation for the path {path!r}; write expectations for IRI or ^IRI paths")


def results(data: Graph, shape: URIRef) -> Counter[Result]:
    _conforms, report, _text = validate(data, shacl_graph=only(shape), inference="none", advanced=True)
    assert isinstance(report, Graph)
    return Counter(
        (
            str(report.value(r, SH.focusNode)),
            path_text(report, report.value(r, SH.resultPath)),
            local(report.value(r, SH.sourceConstraintComponent)),
            local(report.value(r, SH.resultSeverity)),
        )
        # sh:result only: pyshacl also nests the results behind an sh:node failure as sh:detail
        for r in report.objects(None, SH.result)
    )


def expected(text: str) -> Counter[Result]:
    """The ``# expect: <focus> <path or -> <component> <severity>`` lines; names may use the file's prefixes."""
    prefixes = dict(PREFIX.findall(text))

    def iri(token: str) -> str:
        if token.startswith("<") and token.endswith(">"):
            return str(token[1:-1])
        prefix, colon, name = token.partition(":")
        if not colon or prefix not in prefixes:
            raise AssertionError(f"cannot read {token!r}: write <iri> or a prefixed name declared in the file")
        return str(prefixes[prefix] + name)

    out: Counter[Result] = Counter()
    for line in text.splitlines():
        match = EXPECT.match(line.strip())
        if not match:
            continue
        tokens = match.group(1).split()
        assert len(tokens) == 4, f"write '# expect: <focus> <path or -> <component> <severity>', not {line!r}"
        focus, path, component, severity = tokens
        if path != "-":
            path = f"^<{iri(path[1:])}>" if path.startswith("^") else f"<{iri(path)}>"
        out[(iri(focus), path, component, severity)] += 1
    return out


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("*/*.ttl"))


@pytest.mark.parametrize("fixture", fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_gives_exactly_the_expected_results(fixture: Path) -> None:
    shape = URIRef(SERSH + fixture.parent.name)
    assert shape in node_shapes(shapes_graph()), f"{fixture.parent.name} is not a node shape in shapes/"
    text = fixture.read_text(encoding="utf-8")
    want = expected(text)
    if fixture.name.startswith("valid-"):
        assert not want, "a valid fixture expects no results; remove its '# expect:' lines"
    else:
        assert fixture.name.startswith("invalid-"), "fixtures are named valid-*.ttl or invalid-*.ttl"
        assert want, "an invalid fixture lists the results it must give in '# expect:' lines"
    got = results(Graph().parse(data=text, format="turtle"), shape)
    assert got == want, f"missing: {sorted((want - got).elements())}\nunexpected: {sorted((got - want).elements())}"


def test_shape_files_parse_and_declare_node_shapes() -> None:
    for path in sorted(SHAPES.glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        assert node_shapes(graph), f"{path.name} has no node shape with a target"
    assert {p.name for p in SHAPES.glob("*.ttl")} >= {"ser.ttl", "recommended.ttl"}


def test_shapes_graph_is_well_formed_shacl() -> None:
    # meta_shacl validates the shapes against the SHACL-for-SHACL shapes (SHACL §C) before the data.
    conforms, _report, text = validate(Graph(), shacl_graph=shapes_graph(), meta_shacl=True, advanced=True)
    assert conforms, text


def test_every_node_shape_has_a_fixture_folder_with_valid_and_invalid_files() -> None:
    for shape in sorted(node_shapes(shapes_graph())):
        assert str(shape).startswith(SERSH), f"{shape} is not under {SERSH}"
        folder = FIXTURES / local(shape)
        names = [p.name for p in folder.glob("*.ttl")]
        assert any(n.startswith("valid-") for n in names), f"{folder} has no valid-*.ttl"
        assert any(n.startswith("invalid-") for n in names), f"{folder} has no invalid-*.ttl"


def test_every_fixture_folder_names_a_node_shape() -> None:
    shapes = {local(s) for s in node_shapes(shapes_graph())}
    stale = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name not in shapes)
    assert not stale, f"fixture folders without a shape: {stale}"


def shape_for(record_type: RecordType) -> URIRef:
    shapes = list(shapes_file("ser.ttl").subjects(SH.targetClass, record_type.rdf_class))
    assert len(shapes) == 1, f"{record_type.name}: {len(shapes)} shapes in ser.ttl target {record_type.rdf_class}"
    return shapes[0]  # type: ignore[return-value]


def part_shape(part: str) -> URIRef:
    _link, cls = PARTS[part]
    shapes = list(shapes_file("ser.ttl").subjects(SH.targetClass, cls))
    assert len(shapes) == 1, f"part {part}: {len(shapes)} shapes in ser.ttl target {cls}"
    return shapes[0]  # type: ignore[return-value]


@pytest.mark.parametrize("record_type", TYPES, ids=lambda t: t.name)
def test_every_record_class_is_the_target_of_a_violation_shape(record_type: RecordType) -> None:
    assert shape_for(record_type).startswith(SERSH)


def property_shapes(graph: Graph, shape: Node, field: Field) -> list[Node]:
    path: Node = field.predicate
    found = []
    for prop in graph.objects(shape, SH.property):
        actual = graph.value(prop, SH.path)
        if field.inverse:
            if actual is None or isinstance(actual, URIRef) or graph.value(actual, SH.inversePath) != path:
                continue
        elif actual != path:
            continue
        found.append(prop)
    return found


KIND_CHECK = {  # the constraint that says a value is of the field's kind
    "text": SH.languageIn, "date": SH["or"], "int": SH.datatype, "decimal": SH.datatype, "bool": SH.datatype,
    "duration": SH.datatype, "string": SH.datatype, "url": SH.nodeKind, "ref": SH.nodeKind, "concept": SH.node,
}


@pytest.mark.parametrize("record_type", TYPES, ids=lambda t: t.name)
def test_every_field_of_a_record_type_is_guarded_by_its_shape(record_type: RecordType) -> None:
    graph = shapes_file("ser.ttl")
    for field in record_type.fields:
        # a field written on a part of the record (records.PARTS) is guarded by the shape of the part's class
        shape = shape_for(record_type) if field.part is None else part_shape(field.part)
        props = property_shapes(graph, shape, field)
        where = f"{record_type.name}.{field.name}"
        assert props, f"{where}: no property shape on {field.predicate}"

        def has(p: URIRef, value: Node | None = None, props: list[Node] = props) -> bool:
            return any((prop, p, value) in graph if value is not None else graph.value(prop, p) for prop in props)

        shared = sum(f.predicate == field.predicate and not f.inverse for f in record_type.fields) > 1
        if field.required and field.unknown is not None:
            # required, but it may be 'onbekend': a SPARQL constraint asks for a value or ser:waardeOnbekend
            local = str(field.predicate).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            selects = [str(graph.value(c, SH.select)) for c in graph.objects(shape_for(record_type), SH.sparql)]
            assert any("ser:waardeOnbekend" in q and local in q for q in selects), (
                f"{where} is required or 'onbekend': expected a SPARQL constraint on {field.predicate} "
                "or ser:waardeOnbekend")
        elif field.required:
            minimum = SH.qualifiedMinCount if field.kind == "text" else SH.minCount
            assert has(minimum, Literal(1)), f"{where} is required: expected {minimum.n3()} 1"
        if not field.many:
            if field.kind == "text":
                assert has(SH.uniqueLang, Literal(True)), f"{where}: one text per language needs sh:uniqueLang"
            else:
                maximum = SH.qualifiedMaxCount if shared else SH.maxCount
                assert has(maximum, Literal(1)), f"{where} takes one value: expected {maximum.n3()} 1"
        check = SH.nodeKind if field.iri_template else KIND_CHECK[field.kind]
        assert shared or has(check), f"{where}: a {field.kind} value needs {check.n3()}"
        if field.kind == "ref":
            assert has(SH["class"]) or has(SH["or"]), f"{where}: a ref needs sh:class"
        if field.pattern and field.kind == "string" and not shared:
            assert has(SH.pattern), f"{where}: records.py gives a pattern, the shape has none"
        if field.link:
            link = Field(field.name, "url", field.link[0])
            assert property_shapes(graph, shape, link), f"{where}: no property shape on {field.link[0]}"
        if field.part:
            link = Field(field.name, "ref", PARTS[field.part][0])
            assert property_shapes(graph, shape_for(record_type), link), f"{where}: no property shape on the link"


def texts(graph: Graph, subject: Node, predicate: URIRef) -> set[str | None]:
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)}


def test_every_shape_is_named_and_explained_in_dutch_and_english() -> None:
    graph = shapes_graph()
    for shape in sorted({s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(SERSH)}):
        assert {"nl", "en"} <= texts(graph, shape, RDFS.label), f"{shape}: rdfs:label in nl and en"
        if (shape, RDF.type, SH.NodeShape) in graph:
            explained = texts(graph, shape, RDFS.comment) | texts(graph, shape, SH.description)
            assert {"nl", "en"} <= explained, f"{shape}: rdfs:comment in nl and en"
            assert graph.value(shape, SH.message) is None, f"{shape}: put messages on its constraints"
        if (shape, RDF.type, SH.PropertyShape) in graph or (shape, RDF.type, SH.SPARQLConstraint) in graph:
            assert {"nl", "en"} <= texts(graph, shape, SH.message), f"{shape}: sh:message in nl and en"


def test_every_constraint_of_a_node_shape_is_a_named_shape_with_a_message() -> None:
    graph = shapes_graph()
    for shape in node_shapes(graph):
        for p in (SH.property, SH.sparql):
            for part in graph.objects(shape, p):
                assert isinstance(part, URIRef), f"{shape}: give its {p.n3()} an IRI, so results can point to it"
                assert {"nl", "en"} <= texts(graph, part, SH.message), f"{part}: sh:message in nl and en"


def severities(graph: Graph) -> dict[Node, Node | None]:
    shapes = set(node_shapes(graph)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    return {s: graph.value(s, SH.severity) for s in shapes}


def test_ser_shapes_are_violations_and_recommended_shapes_are_warnings() -> None:
    hard = severities(shapes_file("ser.ttl"))
    assert all(v in (None, SH.Violation) for v in hard.values()), "ser.ttl holds Violations only"
    soft = severities(shapes_file("recommended.ttl"))
    wrong = sorted(str(s) for s, v in soft.items() if v != SH.Warning)
    assert not wrong, f"severity is not inherited: give each shape sh:severity sh:Warning: {wrong}"


def test_sparql_names_our_iris_only_through_declared_prefixes() -> None:
    # The build rebases terms and xsd:anyURI literals; a full IRI inside a query string would stay behind.
    graph = shapes_graph()
    for query in graph.objects(None, SH.select):
        assert DEFAULT_BASE not in str(query), f"use a declared prefix instead of the base IRI in:\n{query}"
    for namespace in graph.objects(None, SH.namespace):
        assert isinstance(namespace, Literal) and namespace.datatype == XSD.anyURI


def test_concept_fields_check_the_scheme_their_concepts_live_in() -> None:
    graph = shapes_file("ser.ttl")
    for record_type in TYPES:
        shape = shape_for(record_type)
        for field in (f for f in record_type.fields if f.kind == "concept"):
            (prop,) = property_shapes(graph, shape, field)
            scheme = URIRef(f"{DEFAULT_BASE}id/begrippenkader/{field.targets[0]}")
            inner = [q for n in graph.objects(prop, SH.node) for q in graph.objects(n, SH.property)]
            assert any(
                graph.value(q, SH.path) == SKOS.inScheme and graph.value(q, SH.hasValue) == scheme for q in inner
            ), f"{record_type.name}.{field.name}: no check that the concept is in {scheme}"


def test_dates_accept_exactly_the_three_precisions() -> None:
    graph = shapes_file("ser.ttl")
    for record_type in TYPES:
        shape = shape_for(record_type)
        for field in (f for f in record_type.fields if f.kind == "date"):
            (prop,) = property_shapes(graph, shape, field)
            head = graph.value(prop, SH["or"])
            assert head is not None, f"{record_type.name}.{field.name}: dates need sh:or"
            options = Collection(graph, head)
            types = {graph.value(o, SH.datatype) for o in options}
            assert types == {XSD.date, XSD.gYearMonth, XSD.gYear}, f"{record_type.name}.{field.name}: {types}"


VOCAB_FILES = sorted((ROOT / "ontology" / "vocab").glob("*.ttl"))


@pytest.mark.skipif(not VOCAB_FILES, reason="ontology/vocab/ has no concept schemes yet")
def test_the_ontology_and_the_concept_schemes_give_no_violation() -> None:
    graph = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")) + VOCAB_FILES:
        graph.parse(path, format="turtle")
    _conforms, report, text = validate(graph, shacl_graph=shapes_graph(), inference="none", advanced=True)
    assert isinstance(report, Graph)
    violations = [r for r in report.objects(None, SH.result) if (r, SH.resultSeverity, SH.Violation) in report]
    assert not violations, text
