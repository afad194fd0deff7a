"""The language of a page: Dutch or English, and the words and dates a page shows in it.

The language is chosen, in this order, by ``?lang=`` (which also sets a cookie, so that the choice
sticks), by the ``lang`` cookie, and by the Accept-Language header (RFC 9110 §12.5.4). Dutch is the
default: the dataset is Dutch first. The words of the interface live in one file, ``words.toml``, a table
per part of the site, so that a translator edits one place and a missing translation is refused when the
server starts rather than shown on a page.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

LANGUAGES = ("nl", "en")
DEFAULT = "nl"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

WORDS_FILE = Path(__file__).with_name("words.toml")


def table(section: str) -> Mapping[str, tuple[str, str]]:
    """One table of ``words.toml``: key -> (Dutch, English)."""
    return _catalogue()[section]


def words_in(words: Mapping[str, tuple[str, str]], lang: str) -> dict[str, str]:
    """A table's words in ``lang`` (English for "en", Dutch otherwise)."""
    index = 1 if lang == "en" else 0
    return {key: pair[index] for key, pair in words.items()}


def read_catalogue(path: Path) -> dict[str, dict[str, tuple[str, str]]]:
    """The tables of a words file; a value that is not two texts (Dutch, English) is refused, named."""
    with path.open("rb") as file:
        read = tomllib.load(file)
    catalogue: dict[str, dict[str, tuple[str, str]]] = {}
    for section, entries in read.items():
        if not isinstance(entries, dict):
            raise ValueError(f"{path}: {section} must be a table [{section}] of words")
        catalogue[section] = {}
        for key, pair in entries.items():
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(w, str) and w for w in pair)):
                raise ValueError(f"{path}: [{section}] {key} must be [Dutch, English], two texts; it is {pair!r}")
            catalogue[section][key] = (pair[0], pair[1])
    return catalogue


@functools.cache
def _catalogue() -> dict[str, dict[str, tuple[str, str]]]:
    return read_catalogue(WORDS_FILE)


# Interface words of the header, footer and resource pages: key -> (nl, en).
WORDS = table("site")

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


@dataclass(frozen=True)
class Choice:
    lang: str
    set_cookie: bool  # the choice came from ?lang= and should stick


def choose(query_lang: str | None, cookie: str | None, accept_language: str | None) -> Choice:
    if query_lang in LANGUAGES:
        return Choice(query_lang, True)
    if cookie in LANGUAGES:
        return Choice(cookie, False)
    return Choice(from_accept_language(accept_language), False)


def from_accept_language(header: str | None) -> str:
    """The supported language the client ranks highest; Dutch when it names none of ours."""
    best, best_q = DEFAULT, 0.0
    for position, part in enumerate((header or "")[:1024].split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        # Earlier entries win ties: that is the client's own order.
        score = q - position * 1e-6
        if primary in LANGUAGES and score > best_q:
            best, best_q = primary, score
    return best


def word(key: str, lang: str) -> str:
    nl, en = WORDS[key]
    return en if lang == "en" else nl


def human_date(lexical: str, datatype: str, lang: str) -> str:
    """A date literal as a person writes it: '6 september 2013', 'maart 1950', '1950'."""
    months = MONTHS.get(lang, MONTHS[DEFAULT])
    local = datatype.rsplit("#", 1)[-1]
    try:
        if local == "gYear":
            return str(int(lexical[:4]))
        if local == "gYearMonth":
            year, month = lexical[:7].split("-")
            return f"{months[int(month) - 1]} {int(year)}"
        if local == "date":
            d = date.fromisoformat(lexical[:10])
            return f"{d.day} {months[d.month - 1]} {d.year}"
        if local == "dateTime":
            dt = datetime.fromisoformat(lexical.replace("Z", "+00:00"))
            zone = " UTC" if dt.utcoffset() is not None and not dt.utcoffset() else ""
            return f"{dt.day} {months[dt.month - 1]} {dt.year}, {dt:%H:%M}{zone}"
    except (ValueError, IndexError):
        pass
    return lexical


def human_size(size: int, lang: str) -> str:
    units = ("bytes", "kB", "MB", "GB")
    value = float(size)
    unit = 0
    while value >= 1000 and unit < len(units) - 1:
        value /= 1000
        unit += 1
    text = f"{int(value)}" if unit == 0 else f"{value:.1f}"
    if lang == "nl":
        text = text.replace(".", ",")
    return f"{text} {units[unit]}"


def human_number(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "nl" else text
