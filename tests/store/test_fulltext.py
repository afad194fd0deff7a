"""The full-text index: words people use, stemmed, ranked by BM25, exact names first, input never syntax."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from server.store import fulltext
from server.store.fulltext import ALIAS, DESCRIPTION, NAME, Entry, FullTextIndex

ID = "https://data.ser.nl/id/"
# A small graph of the things the real data may not hold yet, as the build hands them to the index.
ENTRIES = [
    Entry(ID + "persoon/mariette-hamer", NAME, "Mariëtte Hamer"),
    Entry(ID + "persoon/mariette-hamer", DESCRIPTION, "Voorzitter van de SER van 2014 tot 2022.", "nl"),
    Entry(ID + "organisatie/tweede-kamer", NAME, "Tweede Kamer der Staten-Generaal", "nl"),
    Entry(ID + "organisatie/tweede-kamer", ALIAS, "Kamer", "nl"),
    Entry(ID + "fonds/awf", NAME, "Algemeen Werkloosheidsfonds", "nl"),
    Entry(ID + "fonds/awf", ALIAS, "Awf", "nl"),
    Entry(ID + "begrip/cao", NAME, "collectieve arbeidsovereenkomst", "nl"),
    Entry(ID + "begrip/cao", ALIAS, "cao", "nl"),
    Entry(ID + "organisatie/fnv", NAME, "FNV"),
    Entry(ID + "organisatie/fnv", DESCRIPTION, "Vakbond die cao's afsluit; cao-onderhandelingen, cao na cao.", "nl"),
    Entry(ID + "begrip/poldermodel", NAME, "Poldermodel", "nl"),
    Entry(ID + "begrip/poldermodel", DESCRIPTION, "De Nederlandse overlegeconomie: werkgevers, werknemers en "
          "overheid zoeken samen overeenstemming.", "nl"),
    Entry(ID + "wet/wor", NAME, "Wet op de ondernemingsraden", "nl"),
    Entry(ID + "wet/wor", NAME, "Works Councils Act", "en"),
    Entry(ID + "orgaan/cbm", NAME, "Commissie Bevordering Medezeggenschap", "nl"),
    Entry(ID + "orgaan/cbm", DESCRIPTION, "Helpt de ondernemingsraad en de medezeggenschap.", "nl"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> FullTextIndex:
    path = tmp_path_factory.mktemp("fulltext") / "search.sqlite"
    assert fulltext.write(path, ENTRIES) == 8
    return FullTextIndex(path)


def iris(index: FullTextIndex, query: str, **kw: object) -> list[str]:
    return [hit.iri.removeprefix(ID) for hit in index.search(query, **kw)]  # type: ignore[arg-type]


@pytest.mark.parametrize(("query", "first"), [
    ("Hamer", "persoon/mariette-hamer"),
    ("hamer", "persoon/mariette-hamer"),
    ("Mariette Hamer", "persoon/mariette-hamer"),  # without the diaeresis
    ("Awf", "fonds/awf"),  # an alias
    ("AWF", "fonds/awf"),
    ("werkloosheidsfonds", "fonds/awf"),
    ("cao", "begrip/cao"),  # the alias itself first, before a description that says cao three times
    ("overlegeconomie", "begrip/poldermodel"),  # a word of a description
    ("ondernemingsraad", "wet/wor"),  # stemmed: the name says "ondernemingsraden"
    ("works council", "wet/wor"),  # English, stemmed: "Councils"
    ("Kamer", "organisatie/tweede-kamer"),
])
def test_words_people_use_find_the_right_thing_first(index: FullTextIndex, query: str, first: str) -> None:
    assert iris(index, query)[0] == first


def test_hamer_finds_hamer_and_not_kamer(index: FullTextIndex) -> None:
    assert iris(index, "Hamer") == ["persoon/mariette-hamer"]


def test_a_name_counts_more_than_a_description(index: FullTextIndex) -> None:
    assert iris(index, "ondernemingsraad") == ["wet/wor", "orgaan/cbm"]


def test_an_exact_name_or_alias_is_marked_and_ranks_first(index: FullTextIndex) -> None:
    hits = index.search("cao")
    assert [(h.iri.removeprefix(ID), h.exact) for h in hits] == [("begrip/cao", "cao"), ("organisatie/fnv", None)]


def test_the_last_word_may_be_unfinished(index: FullTextIndex) -> None:
    assert iris(index, "Mariëtte Ham", prefix=True) == ["persoon/mariette-hamer"]
    assert iris(index, "Mariëtte Ham") == []


HOSTILE = ['NEAR(hamer kamer)', '"', '""', 'hamer OR kamer', 'hamer NOT mariette', '-hamer', 'names:hamer',
           '^hamer', 'hamer*', '*', '(', ')', 'hamer AND', "'; DROP TABLE things; --", "{names aliases}: hamer",
           "\x00hamer", "hamer + kamer", "\\", "ham\u0301er"]


@pytest.mark.parametrize("query", HOSTILE)
def test_fts_syntax_in_a_query_is_only_words(index: FullTextIndex, query: str) -> None:
    expression = fulltext.match_expression(query, prefix=True)
    if expression is not None:
        assert re.fullmatch(r'\((?:"[^\W_]+"\*?(?: OR "[^\W_]+"\*?)*)\)(?: AND \((?:"[^\W_]+"\*?(?: OR '
                            r'"[^\W_]+"\*?)*)\))*', expression), expression
    index.search(query, prefix=True)  # never an FTS5 syntax error
    assert "organisatie/tweede-kamer" not in iris(index, query) or "kamer" in fulltext.fold(query)


def test_the_work_of_a_query_is_bounded(index: FullTextIndex) -> None:
    expression = fulltext.match_expression("hamer " * 1000)
    assert expression is not None and expression.count(" AND ") == fulltext.MAX_TERMS - 1
    assert fulltext.match_expression("x" * 10_000) == '("' + "x" * fulltext.MAX_QUERY_CHARS + '")'
    assert len(index.search("r", limit=10_000, prefix=True)) <= fulltext.MAX_LIMIT


def test_the_server_opens_the_index_read_only(index: FullTextIndex) -> None:
    connection = index.connect()
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            connection.execute("DELETE FROM names")
    finally:
        connection.close()


def test_dutch_and_english_text_are_stemmed_in_their_own_language() -> None:
    assert fulltext.stems("ondernemingsraden", "nl") == ("ondernemingsraden", "ondernemingsraad")
    assert fulltext.stems("councils", "en") == ("councils", "council")
    assert fulltext.stems("councils") == ("councils", "council")  # no language: both stemmers


def test_writing_replaces_an_older_file(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite"
    fulltext.write(path, ENTRIES)
    fulltext.write(path, ENTRIES[:2])
    assert [h.iri for h in FullTextIndex(path).search("Hamer")] == [ID + "persoon/mariette-hamer"]
    assert FullTextIndex(path).search("Awf") == []
