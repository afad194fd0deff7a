"""Periods as OWL-Time intervals, names for every thing, and the materialised hierarchies
(server/pipeline/graph/periods.py, labels.py, inference.py)."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF, RDFS, SKOS, TIME, XSD

from server.errors import Problem
from server.pipeline.graph import transform
from server.pipeline.graph.periods import bounds
from server.pipeline.sources import files as sources
from server.pipeline.sources.fields import ser
from server.rdf.namespaces import SCHEMA

ID = "https://data.ser.nl/id/"

VOCAB = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<{ID}organisatiesoort/adviesorgaan> a skos:Concept .
<{ID}rol/voorzitter> a skos:Concept ; skos:prefLabel "Voorzitter"@nl, "Chair"@en .
<{ID}rol/lid> a skos:Concept ; skos:prefLabel "Lid"@nl, "Member"@en .
<{ID}geleding/werknemers> a skos:Concept ; skos:prefLabel "Werknemers"@nl, "Employees"@en .
<{ID}geleding/kroonleden> a skos:Concept ; skos:prefLabel "Kroonleden"@nl, "Crown members"@en .
<{ID}adressoort/bezoekadres> a skos:Concept ; skos:prefLabel "Bezoekadres"@nl, "Visiting address"@en .
org:FormalOrganization rdfs:subClassOf org:Organization .
org:Organization rdfs:subClassOf foaf:Agent .
foaf:Person rdfs:subClassOf foaf:Agent .
<https://data.ser.nl/def/historischeNaam> rdfs:subPropertyOf skos:hiddenLabel .
"""

FILES = {
    "organisaties.yaml": """\
        - key: ser
          naam: {nl: Sociaal-Economische Raad, en: Social and Economic Council}
          andereNamen: {nl: [SER], en: [SER]}
          historischeNamen: {nl: [Oude Raad]}
          soort: [adviesorgaan]
          bronnen: [https://example.org/ser]
        - key: fnv
          naam: {nl: Federatie Nederlandse Vakbeweging}
          andereNamen: {nl: [FNV]}
          soort: [adviesorgaan]
          bronnen: [https://example.org/fnv]
        """,
    "personen.yaml": """\
        - key: kim-putters
          naam: Kim Putters
          bronnen: [https://example.org/kp]
        - key: frans-de-vries
          naam: Frans de Vries
          bronnen: [https://example.org/fdv]
        """,
    "functies.yaml": """\
        - key: voorzitter
          naam: {nl: Voorzitter van de SER, en: Chair of the SER}
          rol: voorzitter
          in: ser
          bronnen: [https://example.org/f]
        """,
    "lidmaatschappen.yaml": """\
        - key: voorzitter-1950
          persoon: frans-de-vries
          organisatie: ser
          rol: voorzitter
          functie: voorzitter
          van: "1950"
          tot: onbekend
          bronnen: [https://example.org/fdv]
        - key: voorzitter-2022
          persoon: kim-putters
          organisatie: ser
          rol: voorzitter
          functie: voorzitter
          van: "2022-09-16"
          bronnen: [https://example.org/kp]
        - key: lid
          persoon: kim-putters
          organisatie: ser
          rol: lid
          van: "2017"
          tot: "2022-09"
          bronnen: [https://example.org/kp]
        """,
    "zetelverdelingen.yaml": """\
        - key: "2023"
          naam: {nl: Zetelverdeling van 2023, en: Seat allocation of 2023}
          van: "2023"
          bronnen: [https://example.org/z]
          zetels:
            - key: fnv
              organisatie: fnv
              geleding: werknemers
              zetels: "8"
            - key: kroonleden
              geleding: kroonleden
              zetels: "1"
        """,
    "adressen.yaml": """\
        - key: bezoek
          organisatie: ser
          soort: bezoekadres
          straat: Bezuidenhoutseweg 60
          postcode: 2594 AW
          plaats: Den Haag
          bronnen: [https://example.org/a]
        """,
}


def run(tmp_path: Path, files: dict[str, str]) -> tuple[Graph, list[Problem]]:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for name, text in files.items():
        (data / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return transform.to_graph(sources.read(data, tmp_path), Graph().parse(data=VOCAB, format="turtle"))


@pytest.fixture
def graph(tmp_path: Path) -> Graph:
    graph, problems = run(tmp_path, FILES)
    assert problems == []
    return graph


def term(key: str) -> URIRef:
    return URIRef(f"{ID}lidmaatschap/{key}")


def labels(graph: Graph, subject: URIRef) -> dict[str, str]:
    return {str(o.language): str(o) for o in graph.objects(subject, RDFS.label) if isinstance(o, Literal)}


@pytest.mark.parametrize(("value", "first", "last"), [
    (Literal("1990", datatype=XSD.gYear), date(1990, 1, 1), date(1990, 12, 31)),
    (Literal("2020-02", datatype=XSD.gYearMonth), date(2020, 2, 1), date(2020, 2, 29)),
    (Literal("2019-02", datatype=XSD.gYearMonth), date(2019, 2, 1), date(2019, 2, 28)),
    (Literal("2014-09-10", datatype=XSD.date), date(2014, 9, 10), date(2014, 9, 10)),
])
def test_a_date_of_any_precision_stands_for_its_first_to_its_last_day(value: Literal, first: date, last: date) -> None:
    assert bounds(value) == (first, last)


def test_a_running_term_has_a_beginning_at_the_source_precision_and_no_end(graph: Graph) -> None:
    period = URIRef(term("voorzitter-2022") + "#periode")
    assert (term("voorzitter-2022"), ORG.memberDuring, period) in graph
    assert (period, RDF.type, TIME.Interval) in graph
    begin = graph.value(period, TIME.hasBeginning)
    assert begin == URIRef(term("voorzitter-2022") + "#begin")
    assert (begin, RDF.type, TIME.Instant) in graph
    assert graph.value(begin, TIME.inXSDDate) == Literal("2022-09-16", datatype=XSD.date)
    assert graph.value(begin, ser("vroegsteDatum")) == Literal("2022-09-16", datatype=XSD.date)
    assert graph.value(period, TIME.hasEnd) is None


def test_an_end_the_sources_do_not_date_is_an_instant_without_a_value(graph: Graph) -> None:
    period = URIRef(term("voorzitter-1950") + "#periode")
    begin, end = graph.value(period, TIME.hasBeginning), graph.value(period, TIME.hasEnd)
    assert graph.value(begin, TIME.inXSDgYear) == Literal("1950", datatype=XSD.gYear)
    assert (begin, ser("laatsteDatum"), Literal("1950-12-31", datatype=XSD.date)) in graph
    assert end is not None and (end, RDF.type, TIME.Instant) in graph
    assert {p for p, _ in graph.predicate_objects(end)} == {RDF.type, RDFS.label}
    assert graph.value(term("voorzitter-1950"), SCHEMA.endDate) is None  # no convenience date either


def test_a_month_end_is_kept_as_a_month(graph: Graph) -> None:
    end = graph.value(URIRef(term("lid") + "#periode"), TIME.hasEnd)
    assert graph.value(end, TIME.inXSDgYearMonth) == Literal("2022-09", datatype=XSD.gYearMonth)
    assert graph.value(end, ser("laatsteDatum")) == Literal("2022-09-30", datatype=XSD.date)
    assert graph.value(term("lid"), SCHEMA.endDate) == Literal("2022-09", datatype=XSD.gYearMonth)


def test_other_things_that_hold_for_a_period_have_dct_temporal(graph: Graph) -> None:
    allocation = URIRef(f"{ID}zetelverdeling/2023")
    period = graph.value(allocation, DCTERMS.temporal)
    assert period == URIRef(allocation + "#periode")
    assert graph.value(graph.value(period, TIME.hasBeginning), TIME.inXSDgYear) == Literal("2023", datatype=XSD.gYear)


def test_a_post_is_held_by_the_person_whose_term_runs(graph: Graph) -> None:
    holders = set(graph.objects(URIRef(f"{ID}functie/voorzitter"), ORG.heldBy))
    assert holders == {URIRef(f"{ID}persoon/kim-putters")}


def test_onbekend_is_only_an_end(tmp_path: Path) -> None:
    files = dict(FILES)
    files["lidmaatschappen.yaml"] = FILES["lidmaatschappen.yaml"].replace('van: "2017"', "van: onbekend")
    _, problems = run(tmp_path, files)
    assert [(p.record, p.field) for p in problems] == [("lid", "van")]


def test_helper_things_are_named_by_the_rule(graph: Graph) -> None:
    assert labels(graph, term("voorzitter-2022")) == {"nl": "Kim Putters \u2013 voorzitter, SER (2022\u2013)",
                                                      "en": "Kim Putters \u2013 chair, SER (2022\u2013)"}
    assert labels(graph, term("voorzitter-1950"))["nl"] == "Frans de Vries \u2013 voorzitter, SER (1950\u2013?)"
    assert labels(graph, URIRef(f"{ID}zeteltoewijzing/2023-fnv")) == {"nl": "FNV: 8 zetels (2023)",
                                                                      "en": "FNV: 8 seats (2023)"}
    assert labels(graph, URIRef(f"{ID}zeteltoewijzing/2023-kroonleden"))["en"] == "Crown members: 1 seat (2023)"
    address = "Bezoekadres, SER: Bezuidenhoutseweg 60, 2594 AW Den Haag"
    assert labels(graph, URIRef(f"{ID}adres/bezoek"))["nl"] == address
    end = URIRef(term("voorzitter-1950") + "#einde")
    assert labels(graph, end)["en"] == "End of Frans de Vries \u2013 chair, SER (1950\u2013?): unknown"


def test_every_thing_has_a_name_in_dutch_and_in_english(graph: Graph) -> None:
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    assert {s for s in subjects if set(labels(graph, s)) != {"nl", "en"}} == set()
    # A name given in Dutch only names the thing in English too; a person's name is the same in both.
    assert labels(graph, URIRef(f"{ID}organisatie/fnv"))["en"] == "Federatie Nederlandse Vakbeweging"
    assert labels(graph, URIRef(f"{ID}persoon/kim-putters")) == {"nl": "Kim Putters", "en": "Kim Putters"}


def test_superclasses_and_superproperties_are_materialised(graph: Graph) -> None:
    ser_iri = URIRef(f"{ID}organisatie/ser")
    assert {ORG.FormalOrganization, ORG.Organization, FOAF.Agent} <= set(graph.objects(ser_iri, RDF.type))
    assert (URIRef(f"{ID}persoon/kim-putters"), RDF.type, FOAF.Agent) in graph
    assert (ser_iri, SKOS.hiddenLabel, Literal("Oude Raad", lang="nl")) in graph
    assert (ser_iri, RDF.type, ORG.Membership) not in graph
