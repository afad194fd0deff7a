"""Which public queries are cheap enough to run in the server's own process, proven on their tokens.

A public query normally runs in a killable worker process (``server.store.workers``), at the cost of a
round trip. A query whose shape bounds its work can skip that trip and run in-process (the cheap lane,
``server.store.workers.lanes``), where it cannot be killed, only outlived by a watchdog that recycles
the whole front process. So the proof errs one way only: whatever it cannot read as one of the shapes
below is not cheap, and goes to a worker as before. It reads the tokens of ``server.rdf.sparql_lexer``
(after the policy accepted them) with a small recursive-descent parser of this subset of SPARQL 1.1:

* a prologue of ``PREFIX`` and ``BASE`` declarations, then one of
* ``DESCRIBE`` of at most ``MAX_DESCRIBED`` IRIs, with no ``WHERE``: the triples of a few resources;
* ``ASK`` or ``SELECT [DISTINCT|REDUCED] ?v ... | *`` with one group ``{ ... }`` of at most
  ``MAX_PATTERNS`` triple patterns and ``FILTER`` s, and, for ``SELECT``, an integer ``LIMIT`` (and
  ``OFFSET``) whose sum is the bound the endpoint compares with the result limit; without a
  ``LIMIT`` only when every pattern has a constant subject (the values of a few resources, which the
  result limit caps as any answer).

Every triple pattern has a constant subject (an IRI lookup) or a constant object (with a constant or
variable predicate); the predicate is a variable, an IRI or ``a``: no property path of any kind
(``/ | ^ * + ? !`` or brackets), no blank nodes or collections. The patterns must be connected through
the variables of their subjects and objects: two patterns with no such variable in common would be a
cartesian product, and two that share only a predicate variable multiply their fan-outs (``?a ?p <x> .
?b ?p <x>`` reads the in-degree of ``<x>`` squared; four such patterns and a FILTER that no engine can
push down ran for 31 s on the release). Joined through a subject or an object, each further pattern adds
only the few predicates between two nodes, so a query reads about as many rows as its first pattern.
A ``FILTER`` holds only
variables, constants, comparisons, ``&& || !`` and the functions of ``FILTER_FUNCTIONS`` (``LANG``,
``STR``...: no ``REGEX``, no ``EXISTS``, no function named by an IRI). ``ORDER BY`` (of variables only)
and ``DISTINCT`` read every row before the first is written, so they are allowed only when every pattern
has a constant subject (the rows are those of a few resources, not of a whole class). Anything else
(``OPTIONAL``, ``UNION``, ``MINUS``, ``VALUES``, ``BIND``, ``GRAPH``, ``FROM``, ``SERVICE``, subqueries,
aggregates, ``GROUP BY``, expressions in ``SELECT``, ``CONSTRUCT``) makes a query not cheap, as does a
text longer than ``MAX_CHEAP_CHARS``.

The proof bounds the shape, not the data: a constant object can still be a class with many members. The
LIMIT stops such a scan early; the time limit and the watchdog stand behind it. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.rdf.sparql_lexer import Token

MAX_CHEAP_CHARS = 2000
MAX_PATTERNS = 6
MAX_DESCRIBED = 4
FILTER_FUNCTIONS = frozenset({"LANG", "LANGMATCHES", "STR", "ISIRI", "ISURI", "ISLITERAL", "ISBLANK", "BOUND",
                              "DATATYPE", "SAMETERM", "TRUE", "FALSE"})
_FILTER_OPERATORS = frozenset({"(", ")", ",", "=", "!=", "<", ">", "<=", ">=", "&&", "||", "!", "^^"})
_CONSTANTS = frozenset({"iri", "pname"})
_LITERALS = frozenset({"string", "number"})


class _NotCheap(Exception):
    """The query left the subset this module can bound."""


class _Parser:
    def __init__(self, toks: Sequence[Token]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self, ahead: int = 0) -> Token | None:
        j = self.i + ahead
        return self.toks[j] if j < len(self.toks) else None

    def word(self, ahead: int = 0) -> str:
        tok = self.peek(ahead)
        return tok.text.upper() if tok is not None and tok.kind == "word" else ""

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise _NotCheap
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.text.upper() != text:
            raise _NotCheap

    def at_end(self) -> bool:
        return self.i >= len(self.toks)


def cheap_rows(query: str, toks: Sequence[Token]) -> int | None:
    """The rows a cheap query can ask the engine for (LIMIT + OFFSET; 1 for ASK; 0 for a DESCRIBE or a
    SELECT of constant subjects without a LIMIT, capped by the result limit as any answer), or None when
    the query is not proven cheap."""
    if len(query) > MAX_CHEAP_CHARS:
        return None
    try:
        return _query(_Parser(toks))
    except _NotCheap:
        return None


def _query(p: _Parser) -> int:
    while p.word() in ("PREFIX", "BASE"):
        p.i += 3 if p.word() == "PREFIX" else 2
    form = p.word()
    p.i += 1
    if form == "DESCRIBE":
        described = 0
        while not p.at_end():
            if p.take().kind not in _CONSTANTS:
                raise _NotCheap
            described += 1
        if not 0 < described <= MAX_DESCRIBED:
            raise _NotCheap
        return 0
    if form == "ASK":
        _where(p, ordered_or_distinct=False)
        if not p.at_end():
            raise _NotCheap
        return 1
    if form != "SELECT":
        raise _NotCheap
    distinct = p.word() in ("DISTINCT", "REDUCED")
    p.i += distinct
    tok = p.peek()
    if tok is not None and tok.text == "*":
        p.i += 1
    else:
        count = 0
        while (tok := p.peek()) is not None and tok.kind == "var":
            p.i += 1
            count += 1
        if not count:
            raise _NotCheap
    group = p.i
    _where(p, ordered_or_distinct=False)  # parsed once to find what follows, checked again below
    ordered = p.word() == "ORDER"
    if ordered:
        p.i += 1
        p.expect("BY")
        while p.peek() is not None and (p.peek().kind == "var" or p.word() in ("ASC", "DESC")):  # type: ignore[union-attr]
            if p.take().kind != "var":
                p.expect("(")
                if p.take().kind != "var":
                    raise _NotCheap
                p.expect(")")
    bounds = {"LIMIT": -1, "OFFSET": 0}
    while p.word() in bounds:
        name = p.word()
        p.i += 1
        tok = p.take()
        if tok.kind != "number" or not tok.text.isdecimal():
            raise _NotCheap
        bounds[name] = int(tok.text)
    if not p.at_end():
        raise _NotCheap
    unlimited = bounds["LIMIT"] < 0
    if ordered or distinct or unlimited:
        p.i = group
        _where(p, ordered_or_distinct=True)  # every subject a constant: the rows of a few resources
    return 0 if unlimited else bounds["LIMIT"] + bounds["OFFSET"]


def _where(p: _Parser, *, ordered_or_distinct: bool) -> None:
    if p.word() == "WHERE":
        p.i += 1
    p.expect("{")
    patterns: list[tuple[Token, Token, Token]] = []
    while (tok := p.peek()) is not None and tok.text != "}":
        if tok.text == ".":
            p.i += 1
        elif p.word() == "FILTER":
            p.i += 1
            _filter(p)
        else:
            patterns.extend(_triples(p))
    p.expect("}")
    if not 0 < len(patterns) <= MAX_PATTERNS:
        raise _NotCheap
    for subject, _, obj in patterns:
        subject_bound = subject.kind in _CONSTANTS
        if ordered_or_distinct and not subject_bound:
            raise _NotCheap
        if not (subject_bound or obj.kind in _CONSTANTS or obj.kind in _LITERALS):
            raise _NotCheap
    _connected(patterns)


def _triples(p: _Parser) -> list[tuple[Token, Token, Token]]:
    """One subject with its predicate-object list (``;`` and ``,``)."""
    subject = p.take()
    if subject.kind not in ("var", "iri", "pname"):
        raise _NotCheap
    found = []
    while True:
        verb = p.take()
        if not (verb.kind in ("var", "iri", "pname") or (verb.kind == "word" and verb.text == "a")):
            raise _NotCheap
        while True:
            found.append((subject, verb, _object(p)))
            if (tok := p.peek()) is not None and tok.text == ",":
                p.i += 1
                continue
            break
        if (tok := p.peek()) is not None and tok.text == ";":
            while (tok := p.peek()) is not None and tok.text == ";":
                p.i += 1
            if (tok := p.peek()) is not None and tok.text in (".", "}"):
                return found
            continue
        return found


def _object(p: _Parser) -> Token:
    tok = p.take()
    if tok.kind in ("var", "iri", "pname", "number"):
        return tok
    if tok.kind == "word" and tok.text.lower() in ("true", "false"):
        return Token("number", tok.text, tok.offset)  # a constant, as a literal
    if tok.kind != "string":
        raise _NotCheap
    nxt = p.peek()
    if nxt is not None and nxt.kind == "lang":
        p.i += 1
    elif nxt is not None and nxt.text == "^^":
        p.i += 1
        if p.take().kind not in _CONSTANTS:
            raise _NotCheap
    return tok


def _filter(p: _Parser) -> None:
    """A bracketed FILTER of comparisons over variables and constants, and the functions allowed."""
    p.expect("(")
    depth = 1
    previous = "punct"
    while depth:
        tok = p.take()
        if tok.kind == "punct":
            if tok.text not in _FILTER_OPERATORS or (tok.text == "(" and previous in _CONSTANTS):
                raise _NotCheap  # an IRI before a bracket calls a function: a cast, or an engine's own
            depth += (tok.text == "(") - (tok.text == ")")
        elif tok.kind == "word":
            if tok.text.upper() not in FILTER_FUNCTIONS:
                raise _NotCheap
        elif tok.kind not in ("var", "iri", "pname", "string", "lang", "number"):
            raise _NotCheap
        previous = tok.kind


def _connected(patterns: list[tuple[Token, Token, Token]]) -> None:
    """Every pattern with a variable subject or object shares one with the others, through a chain of
    subjects and objects: no cartesian product, and no join through a predicate variable alone."""
    groups = [{t.text for t in (subject, obj) if t.kind == "var"} for subject, _, obj in patterns]
    groups = [g for g in groups if g]
    if not groups:
        return
    reached = set(groups[0])
    rest = groups[1:]
    grew = True
    while rest and grew:
        grew = False
        for g in list(rest):
            if g & reached:
                reached |= g
                rest.remove(g)
                grew = True
    if rest:
        raise _NotCheap
