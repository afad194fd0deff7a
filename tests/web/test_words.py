"""The words of the interface come from one file, server/web/words.toml, a table per part of the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.web import language
from server.web.metadata import changes
from server.web.search import search
from server.web.sparql import words
from server.web.views import pages


def test_every_part_of_the_site_reads_its_table_from_the_one_file() -> None:
    catalogue = language.read_catalogue(language.WORDS_FILE)
    assert set(catalogue) == {"site", "query", "changes", "search", "views"}
    assert catalogue["site"] == language.WORDS
    assert catalogue["query"] == words.WORDS
    assert catalogue["changes"] == changes.WORDS
    assert catalogue["search"] == search.WORDS
    assert catalogue["views"] == pages.PAGE_WORDS


def test_each_word_is_given_in_dutch_and_english() -> None:
    assert language.word("changes", "nl") == "Wijzigingen"
    assert language.word("changes", "en") == "Changes"
    assert words.words("en")["previous"] == "Previous"
    assert search.words("nl")["title"] == "Zoeken"
    assert pages.word("chair", "en") == "Chair"


@pytest.mark.parametrize(("text", "named"), [
    ('[site]\nhome = ["Home"]\n', "[site] home must be [Dutch, English]"),
    ('[site]\nhome = ["Home", ""]\n', "[site] home must be [Dutch, English]"),
    ('[site]\nhome = ["Thuis", "Home", "Heim"]\n', "[site] home must be [Dutch, English]"),
    ('site = "Home"\n', "site must be a table [site]"),
])
def test_a_word_without_both_languages_is_refused_naming_the_file_table_and_key(
        tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "words.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"words\.toml") as refused:
        language.read_catalogue(path)
    assert named in str(refused.value)
