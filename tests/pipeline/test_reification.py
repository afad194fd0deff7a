"""Per-fact sources (server/pipeline/graph/reification.py): ``bronnenPerVeld`` names the sources of one field,
every mistake in it is reported with file, line, record and field, and each triple the field writes
becomes one rdf:Statement with those sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from server.errors import Problem
from server.pipeline.graph import reification
from server.pipeline.graph.transform import NTriples
from server.pipeline.releases import identifiers
from server.pipeline.sources import files as sources
from server.rdf.namespaces import SCHEMA
from tests.pipeline.test_citations import run as run_with_citations
from tests.pipeline.test_transform import ID

NRC96 = "https://www.nrc.nl/nieuws/1996/03/02/a"
NRC06 = "https://www.nrc.nl/nieuws/2006/03/25/b"

PEOPLE = """\
- key: ad-kolnaar
  naam: Ad Kolnaar
  bronnen: [https://www.nrc.nl/nieuws/1996/03/02/a]
"""

ORGS = """\
- key: ser
  naam: {nl: Sociaal-Economische Raad}
  soort: [adviesorgaan]
  bronnen: [https://www.nrc.nl/nieuws/1996/03/02/a]
"""

BRONNEN = """\
- url: https://www.nrc.nl/nieuws/1996/03/02/a
  uitgever: NRC
  omschrijving: {nl: Nieuwsbericht over nieuwe kroonleden}
- url: https://www.nrc.nl/nieuws/2006/03/25/b
  uitgever: NRC
  omschrijving: {nl: Nieuwsbericht over vijf nieuwe leden}
"""

VOCAB = f"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{ID}organisatiesoort/adviesorgaan> a skos:Concept .
<{ID}rol/kroonlid> a skos:Concept .
"""


def membership(per_field: str, extra: str = "") -> str:
    """A membership with two sources, ``per_field`` as its bronnenPerVeld lines (already indented)."""
    return f"""\
- key: kroonlid-1996-ad-kolnaar
  persoon: ad-kolnaar
  organisatie: ser
  rol: kroonlid
  van: 1996-04-01
{extra}  bronnen:
    - {NRC96}
    - {NRC06}
  bronnenPerVeld:
{per_field}"""


def run(tmp_path: Path, memberships: str) -> tuple[Graph, list[Problem]]:
    files = {"personen.yaml": PEOPLE, "organisaties.yaml": ORGS, "bronnen.yaml": BRONNEN,
             "lidmaatschappen.yaml": memberships}
    return run_with_citations(tmp_path, files, VOCAB)


MEMBER = URIRef(ID + "lidmaatschap/kroonlid-1996-ad-kolnaar")
START = (MEMBER, SCHEMA.startDate, Literal("1996-04-01", datatype=XSD.date))


def statements(graph: Graph) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, RDF.Statement) if isinstance(s, URIRef))


def test_a_field_with_its_own_source_gets_one_statement_per_triple(tmp_path: Path) -> None:
    graph, problems = run(tmp_path, membership(f"    van: {NRC96}\n"))
    assert problems == []
    node = URIRef(f"{MEMBER}#bron-van-{reification.digest(START)}")
    assert node in statements(graph)
    # Every statement is one of the field's (another model of van may write more triples for it).
    assert all(str(s).startswith(f"{MEMBER}#bron-van-") for s in statements(graph))
    assert {o for s in statements(graph) for o in graph.objects(s, DCTERMS.source)} == {URIRef(NRC96)}
    assert set(graph.predicate_objects(node)) == {
        (RDF.type, RDF.Statement),
        (RDF.subject, MEMBER), (RDF.predicate, SCHEMA.startDate), (RDF.object, START[2]),
        (DCTERMS.source, URIRef(NRC96)),
        (RDFS.label, Literal("Bron van 'van' in lidmaatschap/kroonlid-1996-ad-kolnaar", lang="nl")),
        (RDFS.label, Literal("Source of 'van' in lidmaatschap/kroonlid-1996-ad-kolnaar", lang="en")),
    }
    assert START in graph  # the fact itself is still asserted
    assert set(graph.objects(MEMBER, DCTERMS.source)) == {URIRef(NRC96), URIRef(NRC06)}


def test_several_sources_and_several_fields(tmp_path: Path) -> None:
    per_field = f"    van: [{NRC96}, {NRC06}]\n    rol: {NRC06}\n"
    graph, problems = run(tmp_path, membership(per_field))
    assert problems == []
    by_predicate = {graph.value(s, RDF.predicate): set(graph.objects(s, DCTERMS.source)) for s in statements(graph)}
    assert by_predicate[SCHEMA.startDate] == {URIRef(NRC96), URIRef(NRC06)}
    assert by_predicate[URIRef("http://www.w3.org/ns/org#role")] == {URIRef(NRC06)}
    member = URIRef("http://www.w3.org/ns/org#member")  # persoon: a field without its own sources
    assert not [s for s in statements(graph) if graph.value(s, RDF.predicate) == member]


def test_records_without_per_field_sources_have_no_statements(tmp_path: Path) -> None:
    graph, problems = run(tmp_path, membership("").replace("  bronnenPerVeld:\n", ""))
    assert problems == []
    assert statements(graph) == []


MEMBERSHIP_FILE = "data/lidmaatschappen.yaml"
KEY = "kroonlid-1996-ad-kolnaar"


@pytest.mark.parametrize(("per_field", "field", "line", "message"), [
    (f"    tot: {NRC96}\n", "bronnenPerVeld.tot", 10, "this record gives no 'tot'"),
    (f"    kleur: {NRC96}\n", "bronnenPerVeld.kleur", 10, "'kleur' is not a field of lidmaatschap records"),
    (f"    bronnen: {NRC96}\n", "bronnenPerVeld.bronnen", 10, "'bronnen' is not a field"),
    ("    van: https://example.org/elders\n", "bronnenPerVeld.van", 10,
     "https://example.org/elders is not among this record's 'bronnen': add it there"),
    (f"    van: [{NRC96}, {NRC96}]\n", "bronnenPerVeld.van", 10, f"{NRC96} is given twice"),
    ("    van: []\n", "bronnenPerVeld.van", 10, "expected the URL of a source"),
    ("    van: {nl: tekst}\n", "bronnenPerVeld.van", 10, "expected the URL of a source"),
    (f"    - {NRC96}\n", "bronnenPerVeld", 9, "expected a mapping of fields to sources"),
])
def test_mistakes_are_reported_with_file_line_record_and_field(tmp_path: Path, per_field: str, field: str,
                                                               line: int, message: str) -> None:
    graph, problems = run(tmp_path, membership(per_field))
    assert [(p.file, p.record, p.field, p.line) for p in problems] == [(MEMBERSHIP_FILE, KEY, field, line)]
    assert message in problems[0].message
    assert statements(graph) == []


def test_the_line_is_that_of_the_field_named(tmp_path: Path) -> None:
    per_field = f"    van: {NRC96}\n    persoon: {NRC96}\n    namens: {NRC06}\n"
    _graph, problems = run(tmp_path, membership(per_field))
    assert [(p.field, p.line) for p in problems] == [("bronnenPerVeld.namens", 12)]


def test_a_per_field_source_must_be_described_in_bronnen_yaml(tmp_path: Path) -> None:
    """It is one of the record's bronnen, so the citation check names it there, at its list item."""
    undescribed = "https://example.org/niet-beschreven"
    text = membership(f"    van: {undescribed}\n").replace(f"    - {NRC06}\n", f"    - {NRC06}\n    - {undescribed}\n")
    _graph, problems = run(tmp_path, text)
    assert [(p.file, p.record, p.field, p.line) for p in problems] == [(MEMBERSHIP_FILE, KEY, "bronnen", 9)]
    assert "is not described in data/bronnen.yaml" in problems[0].message


def test_a_record_type_without_sources_takes_no_per_field_sources(tmp_path: Path) -> None:
    allocation = f"""\
- key: 1996
  naam: {{nl: Zetelverdeling 1996}}
  bronnen: [{NRC96}]
  zetels:
    - key: ser
      organisatie: ser
      geleding: kroonleden
      zetels: 11
      bronnenPerVeld:
        zetels: {NRC96}
"""
    files = {"organisaties.yaml": ORGS, "bronnen.yaml": BRONNEN, "zetelverdelingen.yaml": allocation}
    vocab = VOCAB + f"<{ID}geleding/kroonleden> a <http://www.w3.org/2004/02/skos/core#Concept> .\n"
    _graph, problems = run_with_citations(tmp_path, files, vocab)
    problems = [p for p in problems if p.field != "url"]  # the 2006 source is described but not cited here
    assert [(p.record, p.field) for p in problems] == [("1996-ser", "bronnenPerVeld")]
    assert "unknown field" in problems[0].message


def test_triples_written_for_a_field_outside_the_field_loop_get_its_sources(tmp_path: Path) -> None:
    """The hook: code that writes a field's triples itself (an interval for van/tot, say) asks for the
    field's sink, and every triple it writes there, types aside, is described with the field's sources."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "lidmaatschappen.yaml").write_text(membership(f"    van: {NRC96}\n"), encoding="utf-8")
    (record,) = sources.read(data, tmp_path).by_type("lidmaatschap")
    sink, problems = NTriples(), []
    fields = reification.FieldSources(sink, problems)
    interval, begin = URIRef(f"{MEMBER}#periode"), URIRef(f"{MEMBER}#begin")
    out = fields.sink(record, "van")
    written = [(MEMBER, URIRef("http://www.w3.org/ns/org#memberDuring"), interval),
               (interval, URIRef("http://www.w3.org/2006/time#hasBeginning"), begin),
               (begin, URIRef("http://www.w3.org/2006/time#inXSDDate"), START[2])]
    for triple in [*written, (begin, RDF.type, URIRef("http://www.w3.org/2006/time#Instant"))]:
        out.add(triple)
    assert fields.sink(record, "rol") is sink  # a field without its own sources writes straight through
    graph = sink.graph()
    described = {(graph.value(s, RDF.subject), graph.value(s, RDF.predicate), graph.value(s, RDF.object))
                 for s in graph.subjects(RDF.type, RDF.Statement)}
    assert described == set(written)
    assert problems == []


def test_the_statement_iri_depends_on_the_triple_only() -> None:
    other = (MEMBER, SCHEMA.startDate, Literal("1996-04", datatype=XSD.gYearMonth))
    assert reification.digest(START) != reification.digest(other)
    assert len(reification.digest(START)) == 8


def test_a_misspelt_field_name_is_told_the_right_one(tmp_path: Path) -> None:
    text = membership(f"    van: {NRC96}\n").replace("  bronnenPerVeld:", "  bronnenPerveld:")
    _graph, problems = run(tmp_path, text)
    assert [(p.field, p.line) for p in problems] == [("bronnenPerveld", 9)]
    assert problems[0].message.endswith(", bronnen, bronnenPerVeld")


def test_a_statement_that_goes_with_a_corrected_fact_is_not_a_withdrawn_thing(tmp_path: Path) -> None:
    """The statement is a part of its record's document (a hash IRI): when the fact is corrected its
    IRI changes, and the persistent-identifier rule still holds as long as the record is there."""
    base = "https://data.ser.nl/"
    old_statement = f"{MEMBER}#bron-van-{reification.digest(START)}"
    (tmp_path / "manifest.json").write_text(json.dumps({"version": "2026-01-01.1", "base_iri": base}))
    (tmp_path / "ser.nq").write_text(
        f"<{old_statement}> <{RDF.subject}> <{MEMBER}> <{base}graph/data> .\n"
        f"<{MEMBER}> <{SCHEMA.startDate}> \"1996-04-01\"^^<{XSD.date}> <{base}graph/data> .\n", encoding="utf-8")
    fact = (MEMBER, SCHEMA.startDate, Literal("1996-04", datatype=XSD.gYearMonth))
    corrected = f"{MEMBER}#bron-van-{reification.digest(fact)}"
    assert identifiers.disappeared(tmp_path, {str(MEMBER), corrected}, base) == []
    (gone,) = identifiers.disappeared(tmp_path, set(), base)  # the record is missing: named once
    assert gone.record == "lidmaatschap/kroonlid-1996-ad-kolnaar"


def test_a_source_named_for_van_reaches_the_beginning_of_the_period(tmp_path: Path) -> None:
    graph, problems = run(tmp_path, membership(f"    van: {NRC96}\n"))
    assert problems == []
    begin = URIRef(f"{MEMBER}#begin")
    time = "http://www.w3.org/2006/time#"
    (statement,) = [s for s in statements(graph) if graph.value(s, RDF.subject) == begin]
    assert graph.value(statement, RDF.predicate) == URIRef(time + "inXSDDate")
    assert graph.value(statement, RDF.object) == START[2]
    assert set(graph.objects(statement, DCTERMS.source)) == {URIRef(NRC96)}
    # The bounds the build derives from the value are not the source's: no statement for them.
    assert {graph.value(s, RDF.predicate) for s in statements(graph)} == {SCHEMA.startDate, URIRef(time + "inXSDDate")}
