"""Names as a matcher sees them: Dutch and English names normalised into tokens, and two tokens compared.

Pure functions and tables, no I/O, so that table-driven tests cover them without a store or the web.
A name becomes tokens in these steps (the same for a query and for a label, so both meet halfway):

1. Unicode NFKD, combining marks dropped (``Financiën`` = ``Financien``, ``Quené`` = ``Quene``), lower case;
2. ``ij`` read as ``y`` (``Draijer`` = ``Drayer``), ``&`` read as ``en``;
3. every run of letters and digits is a token; hyphens, slashes, apostrophes and brackets separate
   tokens (``MKB-Nederland`` = ``MKB Nederland``); a short token written with a full stop (``J.``,
   ``Min.``) is an abbreviation, which matches any word it begins;
4. :data:`STOP_WORDS` and :data:`TITLES` are dropped, unless nothing else is left (``De``).

Two tokens match exactly, as an abbreviation of the other, as the prefix being typed (autocomplete),
or within a small edit distance (a typing error in a long word). Digits never match approximately:
2018 is not 2019.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

# Function words of Dutch and English names that say nothing about which thing is meant.
# "naar" is not one: "Naar een Energieakkoord ..." (a report) is not "Energieakkoord ..." (the agreement).
STOP_WORDS = frozenset((
    "de", "het", "een", "der", "den", "des", "van", "voor", "en", "op", "in", "te", "ter", "aan", "bij", "met",
    "over", "tot", "om", "uit", "s", "t",
    "the", "of", "and", "for", "a", "an", "on", "to", "at", "by",
))
# Honorifics and academic titles in front of people's names.
TITLES = frozenset(("dr", "drs", "prof", "mr", "ir", "ing", "dhr", "mevr", "mw", "ds", "jhr"))

ABBREVIATION_MAX = 4  # "Min.", "Ver.", "J.": longer words followed by a full stop end a sentence
EXACT, ABBREVIATED, TYPED = 1.0, 0.9, 0.95
NEAR, NEARER = 0.8, 0.9  # edit distance 2 and 1

_TOKEN = re.compile(r"([a-z0-9]+)(\.?)")
_SEPARATORS = re.compile(r"[^a-z0-9.]+")


@dataclass(frozen=True)
class Token:
    text: str
    abbreviation: bool = False  # written with a full stop: matches any word it begins
    typed: bool = False  # the word being typed, in autocomplete: matches any word it begins


def fold(text: str) -> str:
    """Lower case, without diacritics, ``ij`` as ``y``: the spelling every comparison starts from."""
    if text.isascii():  # most names: nothing to decompose
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return plain.replace("&", " en ").replace("ij", "y")


def tokens(text: str, *, typing: bool = False) -> tuple[Token, ...]:
    """The tokens of a name; with ``typing`` the last one is a prefix still being typed."""
    folded = _SEPARATORS.sub(" ", fold(text))
    found = [Token(word, abbreviation=bool(stop) and len(word) <= ABBREVIATION_MAX and word.isalpha())
             for word, stop in _TOKEN.findall(folded)]
    kept = [t for t in found if t.text not in STOP_WORDS and t.text not in TITLES] or found
    if typing and kept and not folded.endswith(" "):
        last = kept[-1]
        kept[-1] = Token(last.text, last.abbreviation, typed=True)
    return tuple(kept)


def key(parts: tuple[Token, ...]) -> str:
    return " ".join(t.text for t in parts)


def compact(parts: tuple[Token, ...]) -> str:
    """The tokens run together: ``Sociaaleconomische Raad`` meets ``Sociaal-Economische Raad``."""
    return "".join(t.text for t in parts)


def initials(parts: tuple[Token, ...]) -> str | None:
    """``wrr`` for Wetenschappelijke Raad voor het Regeringsbeleid; None for one word or with digits."""
    if len(parts) < 2 or not all(t.text.isalpha() for t in parts):
        return None
    return "".join(t.text[0] for t in parts)


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` when it exceeds ``limit`` (rapidfuzz, in C++)."""
    return int(Levenshtein.distance(a, b, score_cutoff=limit))


def allowed_edits(word: str) -> int:
    """How many typing errors a word may carry and still match: none in short words or numbers."""
    if not word.isalpha() or len(word) < 5:
        return 0
    return 1 if len(word) < 8 else 2


def similarity(query: Token, label: Token) -> float:
    """How well a query token matches a label token, from 0 (not at all) to 1 (the same word)."""
    if query.text == label.text:
        return EXACT
    if query.typed and label.text.startswith(query.text):
        return TYPED
    if query.abbreviation and label.text.startswith(query.text):
        return ABBREVIATED
    if label.abbreviation and query.text.startswith(label.text):
        return ABBREVIATED
    edits = min(allowed_edits(query.text), allowed_edits(label.text))
    if edits:
        found = distance(query.text, label.text, edits)
        if found <= edits:
            return NEARER if found == 1 else NEAR
    return 0.0


def camel_words(local_name: str) -> str:
    """``FormalOrganization`` -> ``Formal Organization``: class and property names as words."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local_name).replace("_", " ")
