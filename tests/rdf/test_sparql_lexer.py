"""The SPARQL lexer does work linear in the query, whatever the query, and cuts what the grammar cuts.

The work is counted by the lexer itself (``Lexer.steps``: characters scanned plus one per scan), which is
the whole of it because its patterns cannot backtrack: the first test reads their syntax trees. No test
here reads a clock.
"""

from __future__ import annotations

import random
import re
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Callable
from typing import Any

import pytest

from server.rdf import sparql_lexer
from server.rdf.sparql_lexer import PATTERNS, Lexer, tokens

PREFIX_BOUND = 4  # characters a pattern may take before its first run: where it can still fail


def _problems(items: Any, state: Any, where: str) -> list[str]:
    """What in one sequence of a parsed pattern could make the regex engine give back what it took."""
    problems: list[str] = []
    prefix, after_run = 0, False
    for op, av in items:
        low, high = sre_parse.SubPattern(state, [(op, av)]).getwidth()
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] != av[1]:
            problems.append(f"{where}: a greedy or lazy repeat {{{av[0]},{av[1]}}} can backtrack: make it possessive")
        if after_run and low > 0:
            problems.append(f"{where}: {op} must match after a run, so the run could be scanned in vain")
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            problems += _problems(av[2], state, where)
        elif op == sre.SUBPATTERN:
            problems += _problems(av[3], state, where)
        elif op == sre.BRANCH:
            for alternative in av[1]:
                problems += _problems(alternative, state, where)
        elif op in (sre.ASSERT, sre.ASSERT_NOT) and sre_parse.SubPattern(state, av[1]).getwidth()[1] > PREFIX_BOUND:
            problems.append(f"{where}: a lookaround reads more than {PREFIX_BOUND} characters")
        if not after_run:
            if high > PREFIX_BOUND:
                after_run = True
            else:
                prefix += high
                if prefix > PREFIX_BOUND:
                    problems.append(f"{where}: it can fail after more than {PREFIX_BOUND} characters")
    return problems


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.pattern[:40])
def test_the_lexers_patterns_cannot_backtrack(pattern: re.Pattern[str]) -> None:
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    assert _problems(parsed.data, parsed.state, pattern.pattern[:60]) == []


def test_the_check_catches_the_patterns_that_took_quadratic_time() -> None:
    for text in (r"[a.]*[a]:", r"'(?:[^'\\]|\\.)*'", r"(?:\s+|#)*BASE"):
        parsed = sre_parse.parse(text)
        assert _problems(parsed.data, parsed.state, text), text


# Inputs of the kind that froze the server: runs that look like a prefixed name until their last character.
ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "a. (a prefix without its colon)": lambda n: "a." * n,
    "a: (names of names)": lambda n: "a:" * n,
    "dots after a letter": lambda n: "a" + "." * (2 * n),
    "a long local name of dots and colons": lambda n: "ex:" + "a.:" * n,
    "escapes in a local name": lambda n: "ex:" + "\\-." * n,
    "an unclosed string of escaped quotes": lambda n: "'" + "\\'" * n,
    'an unclosed "string" of escaped quotes': lambda n: '"' + '\\"' * n,
    "unclosed long strings": lambda n: "'''" + "\\'''" * n,
    "unclosed IRIs": lambda n: "<a" * n,
    "a blank node ending in dots": lambda n: "_:a" + "." * (2 * n),
    "percent signs without digits": lambda n: "a:%2" * n,
    "non-ASCII names without colons": lambda n: "\u00e9.\u00b7" * n,
    "everything at once": lambda n: "a.b-c:'\\'<x \"\\\" _:b. ?v @en- 1.e+ " * (n // 16),
}


@pytest.mark.parametrize("make", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_the_lexers_work_is_linear_in_the_query(make: Callable[[int], str]) -> None:
    def work(query: str) -> int:
        lexer = Lexer(query)
        for _ in lexer:
            pass
        return lexer.steps

    short, long = make(5000), make(10000)
    assert work(long) <= 6 * len(long) + 16  # the old lexer scanned 'a.' * 10,000 about 50 million times
    assert work(long) <= 2 * work(short) + 16


# The single alternation the lexer replaced, which cut the grammar's terminals right but in quadratic time.
_C = sparql_lexer
_PREFIX = f"[{_C._PN_CHARS_BASE}](?:[{_C._PN_CHARS}.]*[{_C._PN_CHARS}])?"
_LOCAL = f"(?:[{_C._PN_CHARS_U}:0-9]|{_C._PLX})(?:(?:[{_C._PN_CHARS}.:]|{_C._PLX})*(?:[{_C._PN_CHARS}:]|{_C._PLX}))?"
REFERENCE = re.compile("|".join((
    r"(?P<ws>\s+)",
    r"(?P<comment>#[^\n\r]*)",
    r"(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
    r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\")",
    r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
    f"(?P<var>[?$][{_C._PN_CHARS_U}0-9][{_C._PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
    f"(?P<bnode>_:[{_C._PN_CHARS_U}0-9](?:[{_C._PN_CHARS}.]*[{_C._PN_CHARS}])?)",
    f"(?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)",
    r"(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)",
    r"(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)",
    r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
    r"(?P<punct>\^\^|\|\||&&|!=|<=|>=|.)",
)), re.DOTALL)
PIECES = [*"aZ_:.-\\%2F'\"<>#@?$ \n\r\t1e+{}()!=|^&\u00e9\u1680\u00b7", "'''", '"""', "\\.", "\\'", "%2E", "SELECT",
          "ex:", "_:"]


def test_the_lexer_cuts_what_the_single_pattern_cut() -> None:
    rng = random.Random(14)
    for _ in range(20000):
        query = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))
        expected = [(m.lastgroup, m.group(), m.start()) for m in REFERENCE.finditer(query)
                    if m.lastgroup not in ("ws", "comment")]
        assert [(t.kind, t.text, t.offset) for t in tokens(query)] == expected, query
