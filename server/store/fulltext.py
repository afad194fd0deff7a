"""The full-text index of a release: SQLite FTS5 (the standard library's sqlite3), BM25, stemming.

Built by the build into the release folder (``search.sqlite``, listed in the manifest like every file)
and opened read-only by the server, one connection per search. Each thing is one row with three
columns: its names, its aliases (``skos:altLabel``, ``skos:hiddenLabel``, former names) and its
descriptions. Words are folded (case, diacritics) and stemmed with Snowball before they reach FTS5:
Dutch text with the Dutch stemmer, English with the English one, text without a language with both;
so "ondernemingsraden" and "ondernemingsraad" meet. BM25 (FTS5's ``bm25()``) ranks, a name counting
more than an alias and an alias more than a description; a query that is a thing's whole name or
alias, folded, ranks that thing first (the ``names`` table).

User input never reaches FTS5's query syntax: a query is cut to MAX_QUERY_CHARS characters and
MAX_TERMS words, each word is reduced to letters and digits and written as a quoted string, so
``OR``, ``NEAR``, ``*``, ``^``, ``-``, quotes and column filters are words like any other. A search
returns at most MAX_LIMIT things, and SQLite stops a statement past MAX_STEPS virtual-machine steps.
FTS5 and BM25: https://sqlite.org/fts5.html (§3 query syntax, §5.1.1 bm25).
"""

from __future__ import annotations

import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from pathlib import Path

import snowballstemmer

NAME, ALIAS, DESCRIPTION = "name", "alias", "description"
KINDS = (NAME, ALIAS, DESCRIPTION)
WEIGHTS = (10.0, 6.0, 1.0)  # bm25() weight of the names, aliases and descriptions columns
MAX_QUERY_CHARS, MAX_TERMS, MAX_LIMIT = 200, 8, 50
MAX_STEPS = 2_000_000  # SQLite VM steps one search may take (checked every PROGRESS_EVERY)
PROGRESS_EVERY = 1000
STEMMERS = {"nl": "dutch", "en": "english"}
_WORD = re.compile(r"[^\W_]+")

SCHEMA = """
CREATE VIRTUAL TABLE things USING fts5(iri UNINDEXED, names, aliases, descriptions,
                                       tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE names (key TEXT NOT NULL, iri TEXT NOT NULL, label TEXT NOT NULL);
CREATE INDEX names_by_key ON names (key);
"""


@dataclass(frozen=True)
class Entry:
    """One text of a thing: a name, an alias or a description, with its language ("" if none)."""

    iri: str
    kind: str
    text: str
    lang: str = ""


@dataclass(frozen=True)
class Hit:
    iri: str
    exact: str | None  # the name or alias the query is, when it is one


def fold(text: str) -> list[str]:
    """The words of ``text``, lower case and without diacritics (``Mariëtte`` -> ``mariette``)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return _WORD.findall("".join(c for c in plain if not unicodedata.combining(c)))


def key(text: str) -> str:
    """What a name and a query are compared on for an exact match."""
    return " ".join(fold(text))


@lru_cache(maxsize=65536)
def stems(word: str, lang: str = "") -> tuple[str, ...]:
    """The word and its stems: in ``lang``'s stemmer, or in Dutch and English for text without one."""
    languages = [STEMMERS[lang]] if lang in STEMMERS else list(STEMMERS.values())
    found = [word] + [_stemmer(name).stemWord(word) for name in languages]
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=4)
def _stemmer(name: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(name)


def indexed(text: str, lang: str = "") -> str:
    return " ".join(s for word in fold(text) for s in stems(word, lang))


def write(path: Path, entries: Iterable[Entry]) -> int:
    """Write the index of ``entries`` (those of one thing next to each other) to ``path``, a new file;
    the number of things in it. One thing's texts are held at a time."""
    if path.exists():
        path.unlink()
    connection = sqlite3.connect(path)
    things = 0
    try:
        connection.executescript(SCHEMA)
        for iri, texts in groupby(entries, key=lambda entry: entry.iri):
            row: dict[str, list[str]] = {kind: [] for kind in KINDS}
            exact: set[tuple[str, str, str]] = set()
            for entry in texts:
                row[entry.kind].append(indexed(entry.text, entry.lang))
                if entry.kind in (NAME, ALIAS) and key(entry.text):
                    exact.add((key(entry.text), iri, entry.text))
            # Each word once per column: a name given in two languages counts no more than one name, so
            # BM25 prefers the thing whose name is mostly the query (a person over their memberships).
            columns = (" ".join(dict.fromkeys(" ".join(row[k]).split())) for k in KINDS)
            connection.execute("INSERT INTO things VALUES (?, ?, ?, ?)", (iri, *columns))
            connection.executemany("INSERT INTO names VALUES (?, ?, ?)", sorted(exact))
            things += 1
        connection.execute("INSERT INTO things(things) VALUES ('optimize')")
        connection.commit()
    finally:
        connection.close()
    with path.open("rb") as stream:
        os.fsync(stream.fileno())
    return things


def match_expression(query: str, prefix: bool = False) -> str | None:
    """The FTS5 query for what a person typed, or None when it holds no word.

    Each word becomes ``("word" OR "stem" …)``, and all words must match; with ``prefix`` the last word
    may be unfinished (``"ham"*``). Words are letters and digits only, quoted: no FTS5 operator survives.
    """
    words = fold(query[:MAX_QUERY_CHARS])[:MAX_TERMS]
    if not words:
        return None
    groups = []
    for i, word in enumerate(words):
        options = [f'"{s}"' for s in stems(word)]
        if prefix and i == len(words) - 1:
            options.append(f'"{word}"*')
        groups.append("(" + " OR ".join(options) + ")")
    return " AND ".join(groups)


class FullTextIndex:
    """A release's ``search.sqlite``, read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def connect(self) -> sqlite3.Connection:
        """A read-only connection to the index, its work bounded by MAX_STEPS; the caller closes it."""
        connection = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
        steps = iter(range(MAX_STEPS // PROGRESS_EVERY))
        connection.set_progress_handler(lambda: next(steps, None) is None, PROGRESS_EVERY)
        return connection

    def search(self, query: str, limit: int = 20, prefix: bool = False) -> list[Hit]:
        """The things ``query`` finds, best first: exact names and aliases, then by BM25."""
        limit = max(1, min(limit, MAX_LIMIT))
        expression = match_expression(query, prefix)
        if expression is None:
            return []
        connection = self.connect()
        try:
            exact = connection.execute("SELECT iri, MIN(label) FROM names WHERE key = ? GROUP BY iri ORDER BY iri "
                                       "LIMIT ?", (key(query[:MAX_QUERY_CHARS]), limit)).fetchall()
            # Matches in a name first, then in aliases and descriptions, each by BM25.
            ranked = [row for match in (f"names : ({expression})", expression) for row in connection.execute(
                "SELECT iri FROM things WHERE things MATCH ? ORDER BY bm25(things, 0, ?, ?, ?), iri LIMIT ?",
                (match, *WEIGHTS, limit)).fetchall()]
        except sqlite3.OperationalError as exc:
            if "interrupted" not in str(exc):
                raise
            return []  # past MAX_STEPS: no query of MAX_TERMS words comes near it on a real release
        finally:
            connection.close()
        hits = [Hit(iri, label) for iri, label in exact]
        seen = {hit.iri for hit in hits}
        for (iri,) in ranked:
            if iri not in seen:
                seen.add(iri)
                hits.append(Hit(iri, None))
        return hits[:limit]
