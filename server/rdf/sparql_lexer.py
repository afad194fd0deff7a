"""The terminals of a SPARQL query (SPARQL 1.1 Query §19.8), cut in time linear in the query's length.

:func:`tokens` yields IRIREF, prefixed names, blank node labels, variables, strings, language tags,
numbers, words (keywords and function names) and punctuation; whitespace and comments are dropped.
:mod:`server.rdf.sparql_policy` decides on these tokens what a public query may do, and it runs on
every query a client sends, so its cost must not depend on what the client chose to send.

Why a hand-written scanner rather than one regular expression: the single alternation this replaced
(``re.finditer`` over every terminal) took time quadratic in the query. At each position it tried a
prefixed name first, and a run such as ``a.a.a.a…`` (20,000 characters, the longest query allowed)
was scanned to its end, found not to be followed by ``:``, and scanned again from the next position:
about 5 s of the event loop, during which no route (``/-/health`` included) answered. Unterminated
strings with escaped quotes (``'\\'\\'\\'…``) did the same. No regular expression can remember what
an earlier failed attempt found; this scanner does. Its rules:

* every pattern below fails, if at all, within its first three characters: after that, each repeat
  is possessive (``*+``, ``++``), so the regex engine never gives back what it took, and one scan
  costs the length of what it took (``tests/rdf/test_sparql_lexer.py`` checks the patterns' syntax
  trees for this);
* where the grammar must look past a run to decide (a prefix needs a ``:`` right after it; a string
  needs its closing quote), the run is taken once, the decision is made on the character after it,
  and what that proves about the positions inside the run is remembered, so no run is scanned twice;
* :attr:`Lexer.steps` counts the characters scanned plus one per scan, the scanner's whole work, so
  that a test can show it is linear without a clock.

The tokens are those the single alternation gave (checked against it on random text in the test), in
its order of preference, which follows the grammar's longest-match rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_PN_CHARS_BASE = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d" \
                 "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
QUOTES = ("'", '"')

_SPACE = re.compile(r"\s++|#[^\n\r]*+")
# A run of the characters a prefix may hold: a prefix is the whole run, if ':' follows and it does not
# end in '.'; otherwise no position inside the run starts a prefix (the run from there ends at the same place).
_PREFIX_RUN = re.compile(f"[{_PN_CHARS_BASE}][{_PN_CHARS}.]*+")
_LOCAL = re.compile(f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:[{_PN_CHARS}.:]|{_PLX})*+")  # trailing dots given back
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*+")  # an IRI if '>' follows
_LONG = {q: re.compile(f"{q}{q}{q}(?:[^{q}\\\\]|\\\\.|{q}(?!{q}{q}))*+", re.DOTALL) for q in QUOTES}  # then q*3
_SHORT = {q: re.compile(f"{q}(?:[^{q}\\\\\\n\\r]|\\\\.)*+", re.DOTALL) for q in QUOTES}  # then q
_OTHER = re.compile(
    "|".join(
        (
            f"(?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*+)",
            f"(?P<bnode>_:[{_PN_CHARS_U}0-9][{_PN_CHARS}.]*+)",  # trailing dots given back
            r"(?P<lang>@[a-zA-Z]++(?:-[a-zA-Z0-9]++)*+(?:--[a-zA-Z]++)?+)",
            r"(?P<number>(?:[0-9]++\.?+[0-9]*+|\.[0-9]++)(?:[eE][+-]?+[0-9]++)?+)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*+)",
            r"(?P<punct>\^\^|\|\||&&|!=|<=|>=|.)",
        )
    ),
    re.DOTALL,
)
PATTERNS: tuple[re.Pattern[str], ...] = (_SPACE, _PREFIX_RUN, _LOCAL, _IRI, *_LONG.values(), *_SHORT.values(),
                                         _OTHER)


@dataclass(frozen=True)
class Token:
    kind: str  # iri, var, bnode, pname, string, lang, number, word, punct
    text: str
    offset: int


def tokens(query: str) -> Iterator[Token]:
    """The significant tokens of ``query``; whitespace and comments are dropped."""
    return iter(Lexer(query))


def position(query: str, offset: int) -> str:
    """``line:column`` (both from 1) of a character offset, as the engine's parser reports them."""
    line = query.count("\n", 0, offset) + 1
    column = offset - (query.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


class Lexer:
    """The tokens of one query, and the work it took to cut them (:attr:`steps`)."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.steps = 0
        self._no_prefix_before = 0  # positions before this start no prefixed name
        self._short_open_before = dict.fromkeys(QUOTES, 0)  # a short string opened before this never closes
        self._long_open = dict.fromkeys(QUOTES, False)  # a long string opened from here on never closes

    def _scan(self, pattern: re.Pattern[str], pos: int) -> int:
        """The end of what ``pattern`` takes at ``pos`` (``pos`` itself when it takes nothing)."""
        match = pattern.match(self.query, pos)
        end = pos if match is None else match.end()
        self.steps += end - pos + 1
        return end

    def _without_trailing_dots(self, start: int, end: int) -> int:
        """``end`` moved back over the plain dots a name may not end in (an escaped ``\\.`` stays)."""
        query = self.query
        while end > start + 1 and query[end - 1] == "." and query[end - 2] != "\\":
            end -= 1
            self.steps += 1
        return end

    def __iter__(self) -> Iterator[Token]:
        query = self.query
        pos = 0
        while pos < len(query):
            end = self._scan(_SPACE, pos)
            if end > pos:
                pos = end
                continue
            kind, end = self._token(pos)
            yield Token(kind, query[pos:end], pos)
            pos = end

    def _token(self, pos: int) -> tuple[str, int]:
        char = self.query[pos]
        if char in QUOTES:
            end = self._string(pos, char)
            if end is not None:
                return "string", end
        elif char == "<":
            end = self._scan(_IRI, pos)
            if self.query.startswith(">", end):
                return "iri", end + 1
        elif char == ":":
            return "pname", self._local(pos + 1)
        elif pos >= self._no_prefix_before and _PREFIX_RUN.match(char):
            end = self._scan(_PREFIX_RUN, pos)
            if self.query.startswith(":", end) and self.query[end - 1] != ".":
                return "pname", self._local(end + 1)
            self._no_prefix_before = end
        match = _OTHER.match(self.query, pos)
        assert match is not None  # the last alternative takes any character
        kind, end = match.lastgroup or "punct", match.end()
        self.steps += end - pos + 1
        if kind == "bnode":
            end = self._without_trailing_dots(pos + 2, end)
        return kind, end

    def _local(self, pos: int) -> int:
        """The end of the local part of a prefixed name that starts at ``pos`` (it may be empty)."""
        end = self._scan(_LOCAL, pos)
        return self._without_trailing_dots(pos, end) if end > pos else pos

    def _string(self, pos: int, quote: str) -> int | None:
        """The end of the string that opens at ``pos``, or None when it never closes.

        A long string that does not close runs to the end of the query, and so does every long string
        of that quote opened later: they share its last unit. A short string that does not close stops
        at the same place as every later one of that quote opened inside it (inside it, each such quote
        is escaped, so the later scan steps in time with this one).
        """
        if self.query.startswith(quote * 3, pos) and not self._long_open[quote]:
            end = self._scan(_LONG[quote], pos)
            if self.query.startswith(quote * 3, end):
                return end + 3
            self._long_open[quote] = True
        if pos < self._short_open_before[quote]:
            return None
        end = self._scan(_SHORT[quote], pos)
        if self.query.startswith(quote, end):
            return end + 1
        self._short_open_before[quote] = end
        return None
