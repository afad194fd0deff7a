"""Matching names without a store: the Dutch normaliser, token similarity, and the index's ranking.

Table-driven where the function is pure; the index is built from a handful of SER-like things, so
that each rule (abbreviations, former names, word order, subtitles, type filters) is seen alone.
"""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS, FOAF, SKOS

from server.web.search import names
from server.web.search.index import HIDDEN, Entity, NameIndex
from server.web.search.names import Token

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines

BASE = "https://data.ser.nl/"
HISTORIC = f"{BASE}def/historischeNaam"


@pytest.mark.parametrize(("text", "expected"), [
    ("Sociaal-Economische Raad", "sociaal economische raad"),
    ("Ministerie van Financiën", "ministerie financien"),
    ("Theo Quené", "theo quene"),
    ("Wiebe Draijer", "wiebe drayer"),
    ("Zaken & Werkgelegenheid", "zaken werkgelegenheid"),
    ("Prof. dr. Kim Putters", "kim putters"),
    ("'s-Gravenhage", "gravenhage"),
    ("The Terrace", "terrace"),
    ("De", "de"),  # nothing but a stop word: kept, or the name would vanish
    ("MKB-Nederland", "mkb nederland"),
    ("Land- en Tuinbouworganisatie", "land tuinbouworganisatie"),
])
def test_tokens_fold_case_diacritics_punctuation_and_stop_words(text: str, expected: str) -> None:
    assert names.key(names.tokens(text)) == expected


def test_a_short_word_with_a_full_stop_is_an_abbreviation_and_a_sentence_end_is_not() -> None:
    parts = names.tokens("J.W. de Pous. Min. van Financiën")
    assert [(t.text, t.abbreviation) for t in parts] == [
        ("j", True), ("w", True), ("pous", True), ("min", True), ("financien", False)]
    assert not names.tokens("Diversiteit in de top. Tijd voor versnelling")[-1].abbreviation


def test_only_the_last_word_is_unfinished_while_typing() -> None:
    assert [t.typed for t in names.tokens("ministerie van soc", typing=True)] == [False, True]
    assert not any(t.typed for t in names.tokens("ministerie van ", typing=True))


@pytest.mark.parametrize(("query", "label", "expected"), [
    (Token("ministerie"), Token("ministerie"), names.EXACT),
    (Token("min", abbreviation=True), Token("ministerie"), names.ABBREVIATED),
    (Token("teulings"), Token("teulings"), names.EXACT),
    (Token("coen"), Token("c", abbreviation=True), names.ABBREVIATED),
    (Token("minis", typed=True), Token("ministerie"), names.TYPED),
    (Token("werkgelegeheid"), Token("werkgelegenheid"), names.NEARER),
    (Token("ministery"), Token("ministry"), names.NEARER),
    (Token("kramer"), Token("cramer"), names.NEARER),
    (Token("pensioenfonds"), Token("pensioenfondsen"), names.NEAR),
    (Token("2018"), Token("2019"), 0.0),  # numbers never match approximately
    (Token("raad"), Token("road"), 0.0),  # short words neither
    (Token("min"), Token("ministerie"), 0.0),  # without a full stop, "min" is a word of its own
])
def test_similarity_of_two_tokens(query: Token, label: Token, expected: float) -> None:
    assert names.similarity(query, label) == expected


@pytest.mark.parametrize(("a", "b", "limit", "expected"), [
    ("kitten", "sitting", 3, 3), ("kitten", "sitting", 2, 3), ("abc", "abc", 1, 0), ("abc", "abcdef", 1, 2),
])
def test_distance_stops_at_the_limit(a: str, b: str, limit: int, expected: int) -> None:
    assert names.distance(a, b, limit) == expected


def thing(key: str, *labels: tuple[object, str, str | None], types: tuple[str, ...] = ()) -> Entity:
    return Entity(f"{BASE}id/{key}", types, tuple((str(p), Literal(t, lang=lang)) for p, t, lang in labels))


@pytest.fixture(scope="module")
def index() -> NameIndex:
    org = "http://www.w3.org/ns/org#FormalOrganization"
    unit = "http://www.w3.org/ns/org#OrganizationalUnit"
    return NameIndex([
        thing("organisatie/ser", (SKOS.prefLabel, "Sociaal-Economische Raad", "nl"),
              (SKOS.prefLabel, "Social and Economic Council of the Netherlands", "en"),
              (SKOS.altLabel, "SER", "nl"), types=(org,)),
        thing("organisatie/ser-curacao", (SKOS.prefLabel, "Sociaal Economische Raad (Curaçao)", "nl"), types=(org,)),
        thing("organisatie/ministerie-szw", (SKOS.prefLabel, "Ministerie van Sociale Zaken en Werkgelegenheid", "nl"),
              (SKOS.altLabel, "SZW", "nl"), types=(org,)),
        thing("organisatie/ministerie-az", (SKOS.prefLabel, "Ministerie van Algemene Zaken", "nl"),
              (SKOS.altLabel, "AZ", "nl"), types=(org,)),
        thing("organisatie/ministerie-ienw", (SKOS.prefLabel, "Ministerie van Infrastructuur en Waterstaat", "nl"),
              (HISTORIC, "Ministerie van Infrastructuur en Milieu", "nl"), (HISTORIC, "IenM", "nl"), types=(org,)),
        thing("organisatie/cbs", (SKOS.prefLabel, "Centraal Bureau voor de Statistiek", "nl"),
              (SKOS.altLabel, "CBS", "nl"), types=(org,)),
        thing("orgaan/commissie-bezwaarschriften", (SKOS.prefLabel, "Commissie Bezwaarschriften", "nl"),
              (SKOS.altLabel, "CBS", "nl"), types=(unit,)),
        thing("persoon/jan-de-pous", (FOAF.name, "Jan Willem de Pous", None)),
        thing("persoon/c-teulings", (FOAF.name, "C. Teulings", None)),
        thing("advies/diversiteit-in-de-top", (DCTERMS.title, "Diversiteit in de top. Tijd voor versnelling", "nl")),
        thing("akkoord/energieakkoord", (DCTERMS.title, "Energieakkoord voor duurzame groei", "nl")),
        thing("organisatie/borgingscommissie", (SKOS.prefLabel, "Borgingscommissie Energieakkoord", "nl")),
    ], {HISTORIC: HIDDEN})


def top(index: NameIndex, text: str, **options: object) -> tuple[str, float]:
    found = index.search(text, **options)  # type: ignore[arg-type]
    assert found, f"nothing found for {text!r}"
    return found[0].entity.iri.removeprefix(f"{BASE}id/"), found[0].score


@pytest.mark.parametrize(("query", "expected", "at_least"), [
    ("Sociaal-Economische Raad", "organisatie/ser", 100),
    ("sociaal economische raad", "organisatie/ser", 100),
    ("Sociaaleconomische Raad", "organisatie/ser", 99),  # only the spaces differ
    ("Raad, Sociaal-Economische", "organisatie/ser", 98),  # another word order
    ("SER", "organisatie/ser", 100),
    ("Ministerie van SZW", "organisatie/ministerie-szw", 95),  # the abbreviation read as the full name
    ("Ministerie van Sociale Zaken en Werkgelegenheid (SZW)", "organisatie/ministerie-szw", 95),
    ("Ministerie van Infrastructuur en Milieu", "organisatie/ministerie-ienw", 90),  # a former name
    ("IenM", "organisatie/ministerie-ienw", 90),
    ("J.W. de Pous", "persoon/jan-de-pous", 90),
    ("Coen Teulings", "persoon/c-teulings", 85),
    ("Diversiteit in de top", "advies/diversiteit-in-de-top", 95),  # the title without its subtitle
    ("Energieakkoord", "akkoord/energieakkoord", 80),  # the first words of a name
])
def test_the_index_ranks_the_meant_thing_first(index: NameIndex, query: str, expected: str, at_least: float) -> None:
    found, score = top(index, query)
    assert found == expected
    assert score >= at_least


def test_a_former_name_ranks_below_a_current_name_of_the_same_words() -> None:
    current = thing("a", (SKOS.prefLabel, "Raad voor Werk", "nl"))
    former = thing("b", (SKOS.prefLabel, "Iets anders", "nl"), (HISTORIC, "Raad voor Werk", "nl"))
    found = NameIndex([former, current], {HISTORIC: HIDDEN}).search("Raad voor Werk")
    assert [c.entity.iri for c in found] == [current.iri, former.iri]
    assert found[1].score == pytest.approx(100 * HIDDEN)


def test_an_abbreviation_shared_by_two_things_is_a_tie_until_a_type_decides(index: NameIndex) -> None:
    both = index.search("CBS")
    assert [c.score for c in both[:2]] == [100, 100]
    organisations = {f"{BASE}id/organisatie/cbs"}
    assert top(index, "CBS", accept=organisations) == ("organisatie/cbs", 100)


def test_typing_matches_the_unfinished_last_word(index: NameIndex) -> None:
    assert top(index, "ministerie van soc", typing=True)[0] == "organisatie/ministerie-szw"
    assert index.search("ministerie van soc") == [] or top(index, "ministerie van soc")[1] < 90


def test_a_name_with_a_word_more_scores_well_below_a_sure_match(index: NameIndex) -> None:
    found, score = top(index, "Sociaal-Economische Raad Aruba")
    assert found == "organisatie/ser" and score < 90


def test_nothing_matches_an_unknown_name_or_an_empty_query(index: NameIndex) -> None:
    assert index.search("Kamer van Koophandel") == []
    assert index.search("") == []
    assert index.search(" - ") == []


def test_a_query_is_read_up_to_a_bounded_number_of_words(index: NameIndex) -> None:
    from server.web.search.index import MAX_QUERY_WORDS

    assert top(index, "woord " * (MAX_QUERY_WORDS - 1) + "SZW")[0] == "organisatie/ministerie-szw"
    assert index.search("woord " * MAX_QUERY_WORDS + "SZW") == []  # the words beyond the bound are not read


@pytest.mark.parametrize("query", ["Ministerie", "ministerie van zaken", "Raad", "SER", "Energieakkoord", "c"])
def test_stopping_early_gives_the_scores_of_a_full_scan(index: NameIndex, query: str) -> None:
    for typing in (False, True):
        full = index.search(query, typing=typing, limit=1000)
        assert [c.score for c in index.search(query, typing=typing, limit=2)] == [c.score for c in full[:2]]
