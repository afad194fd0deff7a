"""Sources as data (server/pipeline/graph/citations.py): each cited URL is described once in bronnen.yaml and
published under its own address with a label; a citation without an entry, an entry without a citation
and an entry given twice are refused with the file, the line and the record."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DC, DCTERMS, RDF, RDFS

from server.errors import Problem
from server.pipeline.graph import citations, transform
from server.pipeline.sources import files as sources
from server.pipeline.sources.fields import ser
from tests.pipeline.test_transform import ID, VOCAB

ORGS = """\
- key: ser
  naam: {nl: Sociaal-Economische Raad}
  soort: [adviesorgaan]
  bronnen:
    - https://www.ser.nl/a
    - https://www.nrc.nl/nieuws/1996/03/02/b
"""

BRONNEN = """\
- url: https://www.ser.nl/a
  titel:
    nl: Werken zonder Armoede
  uitgever: SER
  uitgegevenDoor: ser
  omschrijving:
    nl: Publicatiepagina van de verkenning
    en: Publication page of the exploratory study
  datum: 2021
- url: https://www.nrc.nl/nieuws/1996/03/02/b
  uitgever: NRC
  omschrijving:
    nl: Nieuwsbericht over nieuwe kroonleden
    en: News report on new crown members
  datum: 1996-03-02
  archief: [https://web.archive.org/web/1996/https://www.nrc.nl/nieuws/1996/03/02/b]
"""


def run(tmp_path: Path, files: dict[str, str], vocab: str = VOCAB) -> tuple[Graph, list[Problem]]:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for name, text in files.items():
        (data / name).write_text(textwrap.dedent(text), encoding="utf-8")
    ontology = Graph().parse(data=vocab, format="turtle")
    read = sources.read(data, tmp_path)
    graph = Graph()
    problems = transform.emit(read, ontology, graph)
    return graph, problems + citations.emit(read, ontology, graph)


def where(problems: list[Problem]) -> list[tuple[str, str, str, int | None]]:
    return [(p.file, p.record, p.field, p.line) for p in problems]


def test_a_described_source_is_published_under_its_own_url_with_its_properties(tmp_path: Path) -> None:
    graph, problems = run(tmp_path, {"organisaties.yaml": ORGS, "bronnen.yaml": BRONNEN})
    assert problems == []
    page, news = URIRef("https://www.ser.nl/a"), URIRef("https://www.nrc.nl/nieuws/1996/03/02/b")
    assert (URIRef(ID + "organisatie/ser"), DCTERMS.source, page) in graph  # dct:source is the document itself
    assert (page, RDF.type, ser("Bron")) in graph
    assert (page, DCTERMS.title, Literal("Werken zonder Armoede", lang="nl")) in graph
    assert (page, DC.publisher, Literal("SER")) in graph
    assert (page, DCTERMS.publisher, URIRef(ID + "organisatie/ser")) in graph
    assert graph.value(news, DCTERMS.issued) == Literal("1996-03-02", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#date"))
    assert (news, URIRef("https://schema.org/archivedAt"),
            URIRef("https://web.archive.org/web/1996/https://www.nrc.nl/nieuws/1996/03/02/b")) in graph


def test_the_label_is_the_publisher_and_the_title_or_else_the_description(tmp_path: Path) -> None:
    graph, _ = run(tmp_path, {"organisaties.yaml": ORGS, "bronnen.yaml": BRONNEN})
    # With a title: the title, which (given in Dutch only) names it in English too, as every thing has a
    # name in both languages (server/pipeline/graph/labels.py). Without: the description, never as dct:title.
    assert set(graph.objects(URIRef("https://www.ser.nl/a"), RDFS.label)) == {
        Literal("SER: Werken zonder Armoede", lang="nl"), Literal("SER: Werken zonder Armoede", lang="en")}
    news = URIRef("https://www.nrc.nl/nieuws/1996/03/02/b")
    assert set(graph.objects(news, RDFS.label)) == {Literal("NRC: Nieuwsbericht over nieuwe kroonleden", lang="nl"),
                                                     Literal("NRC: News report on new crown members", lang="en")}
    assert graph.value(news, DCTERMS.title) is None


def test_a_citation_without_an_entry_names_the_file_the_line_of_the_url_and_the_record(tmp_path: Path) -> None:
    bronnen = BRONNEN.split("- url: https://www.nrc.nl")[0]
    _, problems = run(tmp_path, {"organisaties.yaml": ORGS, "bronnen.yaml": bronnen})
    assert where(problems) == [("data/organisaties.yaml", "ser", "bronnen", 6)]
    assert problems[0].message.startswith("https://www.nrc.nl/nieuws/1996/03/02/b is not described in "
                                          "data/bronnen.yaml")


def test_without_bronnen_yaml_every_citation_is_refused(tmp_path: Path) -> None:
    orgs = ORGS.replace("  bronnen:\n    - https://www.ser.nl/a\n    - https://www.nrc.nl/nieuws/1996/03/02/b\n",
                        "  bronnen: [https://www.ser.nl/a]\n")
    _, problems = run(tmp_path, {"organisaties.yaml": orgs})
    assert where(problems) == [("data/organisaties.yaml", "ser", "bronnen", 4)]  # a flow list: its field's line


def test_a_retirement_citing_an_undescribed_source_is_refused_at_its_line(tmp_path: Path) -> None:
    retired = "- iri: organisatie/oud\n  bronnen:\n    - https://www.ser.nl/a\n    - https://example.org/oud\n"
    _, problems = run(tmp_path, {"organisaties.yaml": ORGS, "bronnen.yaml": BRONNEN, "ingetrokken.yaml": retired})
    assert where(problems) == [("data/ingetrokken.yaml", "organisatie/oud", "bronnen", 4)]


def test_an_entry_that_nothing_cites_is_refused(tmp_path: Path) -> None:
    extra = BRONNEN + "- url: https://example.org/ongebruikt\n  uitgever: X\n  omschrijving: {nl: Niets}\n"
    _, problems = run(tmp_path, {"organisaties.yaml": ORGS, "bronnen.yaml": extra})
    assert where(problems) == [("data/bronnen.yaml", "https://example.org/ongebruikt", "url", 17)]
    assert "no record cites this source" in problems[0].message


def test_an_entry_given_twice_is_refused(tmp_path: Path) -> None:
    twice = BRONNEN + "- url: https://www.ser.nl/a\n  uitgever: SER\n  omschrijving: {nl: Nog eens}\n"
    _, problems = run(tmp_path, {"organisaties.yaml": ORGS, "bronnen.yaml": twice})
    assert where(problems) == [("data/bronnen.yaml", "https://www.ser.nl/a", "url", 17)]
    assert "this URL is described twice (first at data/bronnen.yaml:1)" in problems[0].message


@pytest.mark.parametrize(("entry", "field", "words"), [
    ("- url: niet een url\n  uitgever: X\n  omschrijving: {nl: Y}\n", "url", "expected an http(s) URL"),
    ("- url: https://example.org/z\n  omschrijving: {nl: Y}\n", "uitgever", "required field is missing"),
    ("- url: https://example.org/z\n  uitgever: X\n", "omschrijving", "required field is missing"),
    ("- url: https://example.org/z\n  uitgever: X\n  omschrijving: {en: Only English}\n", "omschrijving",
     "needs a Dutch ('nl') text"),
    ("- url: https://example.org/z\n  uitgever: X\n  omschrijving: {nl: Y}\n  uitgegevenDoor: niemand\n",
     "uitgegevenDoor", "no organisatie record has this key"),
    ("- uitgever: X\n  omschrijving: {nl: Y}\n", "url", "every record needs a 'url'"),
    ('- url: https://example.org/z\n  uitgever: X\n  omschrijving: {nl: "a\\u202Eb"}\n', "omschrijving",
     "character U+202E"),
    ('- url: "https://example.org/z\\u202E"\n  uitgever: X\n  omschrijving: {nl: Y}\n', "url", "character U+202E"),
])
def test_a_malformed_entry_names_its_field(tmp_path: Path, entry: str, field: str, words: str) -> None:
    orgs = ORGS.replace("    - https://www.nrc.nl/nieuws/1996/03/02/b\n", "    - https://example.org/z\n")
    bronnen = BRONNEN.split("- url: https://www.nrc.nl")[0] + entry
    _, problems = run(tmp_path, {"organisaties.yaml": orgs, "bronnen.yaml": bronnen})
    mine = [p for p in problems if p.file == "data/bronnen.yaml"]
    assert [p.field for p in mine] == [field] and words in mine[0].message, problems


def test_a_concept_scheme_citing_an_undescribed_source_is_refused(tmp_path: Path) -> None:
    vocab = VOCAB + "<https://data.ser.nl/id/begrippenkader/x> <http://purl.org/dc/terms/source> " \
                    "<https://example.org/schema-bron> .\n"
    _, problems = run(tmp_path, {"organisaties.yaml": ORGS, "bronnen.yaml": BRONNEN}, vocab)
    assert where(problems) == [("ontology/", "https://data.ser.nl/id/begrippenkader/x", "dct:source", None)]
