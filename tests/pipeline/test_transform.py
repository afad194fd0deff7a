"""Source records -> RDF: every kind of value, and every kind of mistake reported with its place."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, RDF, RDFS, SKOS, XSD

from server.errors import Problem
from server.pipeline.graph import transform
from server.pipeline.sources import files as sources
from server.pipeline.sources.fields import ser
from server.rdf.namespaces import ELI, SCHEMA

ID = "https://data.ser.nl/id/"

VOCAB = f"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{ID}organisatiesoort/adviesorgaan> a skos:Concept .
<{ID}organisatiesoort/ministerie> a skos:Concept .
<{ID}documentsoort/advies> a skos:Concept .
<{ID}documentsoort/verkenning> a skos:Concept .
<{ID}regelingsoort/wet> a skos:Concept .
<{ID}orgaansoort/commissie> a skos:Concept .
<{ID}rol/lid> a skos:Concept .
<{ID}adressoort/bezoekadres> a skos:Concept ; skos:prefLabel "Bezoekadres"@nl , "Visiting address"@en .
"""


def run(tmp_path: Path, files: dict[str, str]) -> tuple[Graph, list[Problem]]:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for name, text in files.items():
        (data / name).write_text(textwrap.dedent(text), encoding="utf-8")
    vocab = Graph().parse(data=VOCAB, format="turtle")
    return transform.to_graph(sources.read(data, tmp_path), vocab)


ORGS = """\
- key: ser
  naam: {nl: Sociaal-Economische Raad, en: Social and Economic Council}
  andereNamen: {nl: [SER], en: [SER]}
  soort: [adviesorgaan]
  opgericht: 1950
  bronnen: [https://www.ser.nl/nl/ser/over-ser/wat-is-de-ser]
- key: ministerie-szw
  naam: {nl: Ministerie van Sociale Zaken en Werkgelegenheid}
  soort: [ministerie]
  bronnen: [https://example.org/szw]
"""


def test_records_become_typed_triples_with_sources(tmp_path: Path) -> None:
    graph, problems = run(tmp_path, {"organisaties.yaml": ORGS})
    assert problems == []
    ser_iri = URIRef(ID + "organisatie/ser")
    assert (ser_iri, RDF.type, ORG.FormalOrganization) in graph
    assert (ser_iri, SKOS.prefLabel, Literal("Sociaal-Economische Raad", lang="nl")) in graph
    assert (ser_iri, SKOS.altLabel, Literal("SER", lang="en")) in graph
    assert (ser_iri, SCHEMA.foundingDate, Literal("1950", datatype=XSD.gYear)) in graph
    assert (ser_iri, ORG.classification, URIRef(ID + "organisatiesoort/adviesorgaan")) in graph
    assert (ser_iri, DCTERMS.source, URIRef("https://www.ser.nl/nl/ser/over-ser/wat-is-de-ser")) in graph


@pytest.mark.parametrize(("text", "datatype"), [
    ("2014", XSD.gYear), ("2014-09", XSD.gYearMonth), ("2014-09-10", XSD.date),
])
def test_dates_keep_the_precision_of_the_source(tmp_path: Path, text: str, datatype: URIRef) -> None:
    orgs = ORGS.replace("opgericht: 1950", f"opgericht: {text}")
    graph, problems = run(tmp_path, {"organisaties.yaml": orgs})
    assert problems == []
    assert graph.value(URIRef(ID + "organisatie/ser"), SCHEMA.foundingDate) == Literal(text, datatype=datatype)


ADDRESS = """\
- key: ser-bezoekadres
  organisatie: ser
  soort: bezoekadres
  straat: Bezuidenhoutseweg 60
  postcode: 2594 AW
  plaats: Den Haag
  breedtegraad: "52.0857799"
  lengtegraad: "4.3299348"
  bronnen: [https://example.org/contact]
"""


def test_an_address_has_its_coordinates_as_a_named_point(tmp_path: Path) -> None:
    graph, problems = run(tmp_path, {"organisaties.yaml": ORGS, "adressen.yaml": ADDRESS})
    assert problems == []
    address = URIRef(ID + "adres/ser-bezoekadres")
    point = URIRef(ID + "adres/ser-bezoekadres#geo")
    assert list(graph.objects(address, SCHEMA.geo)) == [point]
    assert (point, RDF.type, SCHEMA.GeoCoordinates) in graph
    assert graph.value(point, SCHEMA.latitude) == Literal("52.0857799", datatype=XSD.decimal)
    assert graph.value(point, SCHEMA.longitude) == Literal("4.3299348", datatype=XSD.decimal)
    assert (point, RDFS.label, Literal("Coördinaten van Bezoekadres, SER: Bezuidenhoutseweg 60, 2594 AW Den Haag: "
                                       "52.0857799, 4.3299348", lang="nl")) in graph
    assert (point, RDFS.label, Literal("Coordinates of Visiting address, SER: Bezuidenhoutseweg 60, 2594 AW Den "
                                       "Haag: 52.0857799, 4.3299348", lang="en")) in graph
    assert graph.value(address, SCHEMA.latitude) is None


def test_a_coordinate_that_is_no_number_names_file_record_and_field(tmp_path: Path) -> None:
    graph, problems = run(tmp_path, {"organisaties.yaml": ORGS,
                                     "adressen.yaml": ADDRESS.replace('"4.3299348"', "4,33 OL")})
    assert [(p.file, p.record, p.field) for p in problems] == [("data/adressen.yaml", "ser-bezoekadres", "lengtegraad")]
    assert graph.value(URIRef(ID + "adres/ser-bezoekadres#geo"), SCHEMA.longitude) is None


def test_bwb_ids_link_to_wetten_overheid_nl(tmp_path: Path) -> None:
    laws = """\
    - key: wet-op-de-ser
      titel: {nl: Wet op de Sociaal-Economische Raad}
      soort: wet
      bwb: BWBR0002058
      stelsIn: [ser]
      bronnen: [https://wetten.overheid.nl/BWBR0002058]
    """
    graph, problems = run(tmp_path, {"organisaties.yaml": ORGS, "wetten.yaml": laws})
    assert problems == []
    law = URIRef(ID + "wet/wet-op-de-ser")
    assert (law, ELI.id_local, Literal("BWBR0002058")) in graph
    assert (law, SKOS.exactMatch, URIRef("https://wetten.overheid.nl/BWBR0002058")) in graph
    assert (law, ser("stelsIn"), URIRef(ID + "organisatie/ser")) in graph


def test_a_merger_becomes_an_org_change_event_between_the_organisations(tmp_path: Path) -> None:
    orgs = ORGS + """\
- key: vno
  naam: {nl: VNO}
  soort: [adviesorgaan]
  bronnen: [https://example.org/vno]
- key: vno-ncw
  naam: {nl: Vereniging VNO-NCW}
  soort: [adviesorgaan]
  leden: [vno]
  bronnen: [https://example.org/vno-ncw]
"""
    changes = """\
    - key: 1996-vno-ncw
      naam: {nl: VNO en NCW gaan samen in VNO-NCW}
      datum: 1996
      oorspronkelijk: [vno]
      resultaat: [vno-ncw]
      bronnen: [https://example.org/fusie]
    """
    graph, problems = run(tmp_path, {"organisaties.yaml": orgs, "organisatiewijzigingen.yaml": changes})
    assert problems == []
    change = URIRef(ID + "organisatiewijziging/1996-vno-ncw")
    assert (change, RDF.type, ORG.ChangeEvent) in graph
    assert (change, ORG.originalOrganization, URIRef(ID + "organisatie/vno")) in graph
    assert (change, ORG.resultingOrganization, URIRef(ID + "organisatie/vno-ncw")) in graph
    assert graph.value(change, DCTERMS.date) == Literal("1996", datatype=XSD.gYear)
    assert (URIRef(ID + "organisatie/vno-ncw"), ORG.hasMember, URIRef(ID + "organisatie/vno")) in graph


def test_a_change_event_pointing_to_an_unknown_organisation_is_a_problem(tmp_path: Path) -> None:
    changes = """\
    - key: fusie
      naam: {nl: Fusie}
      resultaat: [bestaat-niet]
      bronnen: [https://example.org/fusie]
    """
    _graph, problems = run(tmp_path, {"organisaties.yaml": ORGS, "organisatiewijzigingen.yaml": changes})
    assert [(p.record, p.field) for p in problems] == [("fusie", "resultaat")]


def test_requesters_of_an_advice_are_materialised_from_its_request(tmp_path: Path) -> None:
    files = {
        "organisaties.yaml": ORGS,
        "adviesaanvragen.yaml": """\
        - key: 2019-werkende-armen
          label: {nl: Adviesaanvraag werkende armen}
          datum: 2019-03-30
          aanvrager: [ministerie-szw]
          bronnen: [https://example.org/a]
        """,
        "adviezen.yaml": """\
        - key: 2021-werken-zonder-armoede
          titel: {nl: Werken zonder Armoede}
          soort: verkenning
          datum: 2021-09-28
          aanvraag: 2019-werkende-armen
          bronnen: [https://example.org/b]
        """,
    }
    graph, problems = run(tmp_path, files)
    assert problems == []
    advies = URIRef(ID + "advies/2021-werken-zonder-armoede")
    assert (advies, ser("aangevraagdDoor"), URIRef(ID + "organisatie/ministerie-szw")) in graph


def test_every_problem_is_reported_at_once_with_file_record_field_and_line(tmp_path: Path) -> None:
    bad = """\
    - key: 2021-werken-zonder-armoede
      soort: verkenning
      datum: 2021-02-30
      aanvraag: bestaat-niet
      bronnen: [https://example.org/b]
    - key: 2016-circulair
      titel: {nl: Werken aan een circulaire economie}
      soort: verslag
      datum: 2016
      kleur: blauw
      bronnen: [niet een url]
    """
    _graph, problems = run(tmp_path, {"organisaties.yaml": ORGS, "adviezen.yaml": bad})
    found = {(p.file, p.record, p.field, p.line) for p in problems}
    assert found == {
        ("data/adviezen.yaml", "2021-werken-zonder-armoede", "datum", 3),
        ("data/adviezen.yaml", "2021-werken-zonder-armoede", "aanvraag", 4),
        ("data/adviezen.yaml", "2021-werken-zonder-armoede", "titel", 1),
        ("data/adviezen.yaml", "2016-circulair", "soort", 8),
        ("data/adviezen.yaml", "2016-circulair", "kleur", 10),
        ("data/adviezen.yaml", "2016-circulair", "bronnen", 11),
    }
    by_field = {p.field: p.message for p in problems if p.record == "2021-werken-zonder-armoede"}
    assert "not a real date" in by_field["datum"]
    assert "no adviesaanvraag record has this key" in by_field["aanvraag"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("bwb", "BWB0002058", "does not match the pattern"),
    ("soort", "verordening", "no concept with this key"),
    ("stelsIn", "[niemand]", "no organisatie or orgaan record has this key"),
    ("datum", "27-01-1950", "a date is YYYY, YYYY-MM or YYYY-MM-DD"),
])
def test_a_bad_law_value_names_the_field(tmp_path: Path, field: str, value: str, message: str) -> None:
    law = {"titel": "{nl: Wet op de bedrijfsorganisatie}", "soort": "wet", "bwb": "BWBR0002058",
           "bronnen": "[https://example.org/w]"}
    law[field] = value
    text = "- key: wbo\n" + "".join(f"  {k}: {v}\n" for k, v in law.items())
    _graph, problems = run(tmp_path, {"organisaties.yaml": ORGS, "wetten.yaml": text})
    assert [(p.record, p.field) for p in problems] == [("wbo", field)]
    assert message in problems[0].message


def test_missing_required_fields_and_duplicate_keys_are_problems(tmp_path: Path) -> None:
    orgs = ORGS + "- key: ser\n  naam: {en: Only English}\n  bronnen: [https://example.org/x]\n"
    _graph, problems = run(tmp_path, {"organisaties.yaml": orgs})
    messages = {(p.record, p.field): p.message for p in problems}
    assert "key used twice" in messages[("ser", "key")]
    assert "required field is missing" in messages[("ser", "soort")]


UNDATED = """\
- key: ongedateerd
  label: {nl: Briefadvies zonder datum}
  soort: advies
  datum: {datum}
  bronnen: [https://example.org/ongedateerd]
"""


def test_an_undated_report_says_its_date_is_unknown_instead_of_giving_one(tmp_path: Path) -> None:
    graph, problems = run(tmp_path, {"adviezen.yaml": UNDATED.replace("{datum}", "onbekend")})
    assert problems == []
    report = URIRef(ID + "advies/ongedateerd")
    assert graph.value(report, DCTERMS.issued) is None
    assert list(graph.objects(report, ser("waardeOnbekend"))) == [DCTERMS.issued]
    graph, problems = run(tmp_path, {"adviezen.yaml": UNDATED.replace("{datum}", '"2015"')})
    assert problems == []
    assert graph.value(report, DCTERMS.issued) == Literal("2015", datatype=XSD.gYear)
    assert graph.value(report, ser("waardeOnbekend")) is None


def test_a_report_without_any_date_is_still_refused(tmp_path: Path) -> None:
    _graph, problems = run(tmp_path, {"adviezen.yaml": UNDATED.replace("  datum: {datum}\n", "")})
    assert [(p.record, p.field, p.message) for p in problems] == [
        ("ongedateerd", "datum", "required field is missing")]


SEEN = """\
- key: ser
  naam: {nl: Sociaal-Economische Raad}
  soort: [adviesorgaan]
  bronnen: [https://example.org/ser]
"""
SEEN_PEOPLE = "- key: jan\n  naam: Jan\n  bronnen: [https://example.org/jan]\n"
SEEN_TERM = """\
- key: lid-jan
  persoon: jan
  organisatie: organisatie/ser
  rol: lid
  gezienOp: ["2022-06", "2025"]
  bronnen: [https://example.org/lid]
"""


def test_a_date_seen_in_office_is_an_observation_that_claims_no_end(tmp_path: Path) -> None:
    files = {"organisaties.yaml": SEEN, "personen.yaml": SEEN_PEOPLE, "lidmaatschappen.yaml": SEEN_TERM}
    graph, problems = run(tmp_path, files)
    assert problems == []
    term = URIRef(ID + "lidmaatschap/lid-jan")
    assert set(graph.objects(term, ser("gezienOp"))) == {
        Literal("2022-06", datatype=XSD.gYearMonth), Literal("2025", datatype=XSD.gYear)}
    period = graph.value(term, ORG.memberDuring)
    assert period is not None
    assert graph.value(period, URIRef("http://www.w3.org/2006/time#hasEnd")) is None
    assert graph.value(term, SCHEMA.endDate) is None


def test_unknown_files_and_bad_yaml_are_reported(tmp_path: Path) -> None:
    _graph, problems = run(tmp_path, {"organisaties.yaml": "- key: ser\n  naam: [unclosed\n", "extra.yaml": "[]"})
    messages = sorted(str(p) for p in problems)
    assert any("data/extra.yaml" in m and "unknown file" in m for m in messages)
    assert any("data/organisaties.yaml" in m and "not valid YAML" in m for m in messages)


def test_retired_iris_are_marked_deprecated_and_point_to_their_successor(tmp_path: Path) -> None:
    retired = """\
    - iri: organisatie/sociaal-economische-raad
      opvolger: organisatie/ser
      datum: 2026-11-25
      reden: {nl: Dubbel ingevoerd., en: Entered twice.}
      bronnen: [https://www.ser.nl/]
    """
    graph, problems = run(tmp_path, {"organisaties.yaml": ORGS, "ingetrokken.yaml": retired})
    assert problems == []
    old = URIRef(ID + "organisatie/sociaal-economische-raad")
    assert (old, OWL.deprecated, Literal(True)) in graph
    assert (old, DCTERMS.isReplacedBy, URIRef(ID + "organisatie/ser")) in graph


def test_a_retired_key_that_is_still_in_use_is_a_problem(tmp_path: Path) -> None:
    retired = "- iri: organisatie/ser\n  bronnen: [https://www.ser.nl/]\n"
    _graph, problems = run(tmp_path, {"organisaties.yaml": ORGS, "ingetrokken.yaml": retired})
    assert [(p.record, p.field) for p in problems] == [("organisatie/ser", "iri")]
