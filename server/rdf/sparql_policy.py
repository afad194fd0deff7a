"""What a public SPARQL query may do here: read, inside this release, and nothing else.

The query text is cut into the terminals of the SPARQL 1.1 grammar (SPARQL 1.1 Query §19.8: IRIREF,
prefixed names, variables, strings, comments, language tags; ``server.rdf.sparql_lexer``, in linear time),
so that a keyword is only ever found where the grammar has a keyword, never inside a string, an IRI, a
comment or a prefixed name such as ``ex:service``. On those tokens the policy refuses:

* SPARQL Update (§3 of SPARQL 1.1 Update: INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY,
  WITH, USING): the endpoint is read-only (403);
* ``SERVICE`` (SPARQL 1.1 Federated Query): the endpoint makes no outbound request (400);
* brackets nested more than ``MAX_NESTING`` deep, which would crash the engine's parser (400);
* expressions the engine's recursive parser cannot take (400): more than ``MAX_OPERATORS`` operators in
  one expression or path (``1+1+…``: the parser builds one level per operator and overflows its stack
  some 7,000 terms in), more than ``MAX_OPERATOR_RUN`` operators in a row (``!!!…``, about 9,400);
* ``ORDER BY`` in a query with a zero-length property path (``p?``, ``p*``), which aborts the engine
  (pyoxigraph 0.5.13; the report is ``docs/upstream/oxigraph-order-by-zero-length-path.md``) (400);
* ``FROM`` / ``FROM NAMED`` and the protocol's ``default-graph-uri`` / ``named-graph-uri`` (SPARQL 1.1
  Protocol §2.1.4) that name anything but the release's own graphs (400).

Whether an accepted query is cheap enough for the in-process lane is proven on the same tokens
(``server.rdf.sparql_cheap``, :attr:`QueryShape.cheap_rows`).

Pure: no I/O. The engine's parser still has the last word on syntax; this module only decides what is
allowed, and reports the line and column of what it refuses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NoReturn
from urllib.parse import urljoin

from server.errors import QueryRejected, UpdateRefused
from server.rdf.sparql_cheap import cheap_rows
from server.rdf.sparql_lexer import Token, position, tokens

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
MAX_NESTING = 200  # the engine's recursive parser overflows its stack some thousands of levels down
_OPENERS, _CLOSERS = frozenset("{(["), frozenset("})]")
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"}
)

READ_ONLY = "this endpoint is read-only and accepts SPARQL queries only (SELECT, ASK, CONSTRUCT, DESCRIBE)"


@dataclass(frozen=True)
class QueryShape:
    """What the policy learnt about an accepted query."""

    form: str | None  # SELECT, ASK, CONSTRUCT or DESCRIBE; None when no query form was found
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    ordered: bool = False  # ORDER BY anywhere in the query: the engine's order is the answer's
    declares_base: bool = False  # a BASE in the prologue: the endpoint must not declare another
    cheap_rows: int | None = None  # proven cheap, asking for this many rows (server.rdf.sparql_cheap)

    def cheap_within(self, result_limit: int) -> bool:
        """Proven cheap, asking for no more rows than the result limit allows."""
        return self.cheap_rows is not None and self.cheap_rows <= result_limit

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)


@dataclass
class _Prologue:
    base: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)

    def resolve(self, token: Token) -> str | None:
        if token.kind == "iri":
            iri = token.text[1:-1]
            return urljoin(self.base, iri) if self.base else iri
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            namespace = self.prefixes.get(prefix)
            return None if namespace is None else namespace + re.sub(r"\\(.)", r"\1", local)
        return None


def inspect(query: str, allowed_graphs: Iterable[str]) -> QueryShape:
    """The shape of ``query``, or :class:`QueryRejected` / :class:`UpdateRefused` naming what is refused."""
    allowed = frozenset(allowed_graphs)
    toks = list(tokens(query))
    prologue = _Prologue()
    form: str | None = None
    from_graphs: list[str] = []
    from_named: list[str] = []
    depth = 0
    ordered = False
    for i, tok in enumerate(toks):
        if tok.kind == "punct":
            depth += (tok.text in _OPENERS) - (tok.text in _CLOSERS)
            if depth > MAX_NESTING:
                raise QueryRejected(f"the query nests brackets more than {MAX_NESTING} levels deep "
                                    f"(at {position(query, tok.offset)})")
            continue
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        # Only when refusing: counting lines for every word would take time quadratic in the query.
        where = _Where(query, tok.offset)
        if word in UPDATE_KEYWORDS:
            raise UpdateRefused(f"{word} at {where} is SPARQL Update: {READ_ONLY}.")
        if word == "SERVICE":
            raise QueryRejected(
                f"SERVICE at {where} is not allowed: this endpoint never sends requests to other "
                "endpoints. Run the federated query from your own SPARQL client instead."
            )
        if form is None and word in QUERY_FORMS:
            form = word
        elif word == "ORDER" and i + 1 < len(toks) and toks[i + 1].text.upper() == "BY":
            ordered = True
        elif word == "PREFIX" and form is None and i + 2 < len(toks):
            name, namespace = toks[i + 1], toks[i + 2]
            if name.kind == "pname" and name.text.endswith(":") and namespace.kind == "iri":
                prologue.prefixes[name.text[:-1]] = prologue.resolve(namespace) or ""
        elif word == "BASE" and form is None and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            prologue.base = prologue.resolve(toks[i + 1])
        elif word == "FROM" and i + 1 < len(toks):
            named = toks[i + 1].kind == "word" and toks[i + 1].text.upper() == "NAMED"
            target = toks[i + 2] if named and i + 2 < len(toks) else toks[i + 1]
            iri = prologue.resolve(target)
            clause = "FROM NAMED" if named else "FROM"
            if iri is None:
                raise QueryRejected(f"{clause} at {where} needs an IRI (or a declared prefixed name).")
            if iri not in allowed:
                _refuse_graph(f"{clause} <{iri}> at {where}", allowed)
            (from_named if named else from_graphs).append(iri)
    _check_engine_limits(query, toks, ordered)
    return QueryShape(form, tuple(from_graphs), tuple(from_named), ordered, prologue.base is not None,
                      cheap_rows(query, toks))


@dataclass(frozen=True)
class _Where:
    """The line and column of a token, counted when a message needs them."""

    query: str
    offset: int

    def __str__(self) -> str:
        return position(self.query, self.offset)


def check_dataset(parameter: str, iris: Iterable[str], allowed_graphs: Iterable[str]) -> None:
    """Refuse a protocol dataset (``default-graph-uri`` / ``named-graph-uri``) outside the release."""
    allowed = frozenset(allowed_graphs)
    for iri in iris:
        if iri not in allowed:
            _refuse_graph(f"{parameter}={iri}", allowed)


def _refuse_graph(what: str, allowed: frozenset[str]) -> NoReturn:
    names = ", ".join(f"<{g}>" for g in sorted(allowed))
    raise QueryRejected(
        f"{what} is not allowed: this endpoint never fetches remote data, and only the graphs of "
        f"this release can be named: {names}."
    )


# Expression limits. Measured on pyoxigraph 0.5.13 with the 8 MiB stack of a worker's main thread: a
# chain of about 7,000 ``+`` or 9,400 ``!`` crashes the parser (SIGSEGV), 4,000 of either inside 199
# brackets parse. A real query has tens of operators in one expression; the bounds leave room for the
# path bombs of tests/security/test_query_bombs.py (1,500 alternatives), which the engine evaluates.
MAX_OPERATORS = 2000  # operators in one expression or path: between two clauses, or in one (...)
MAX_OPERATOR_RUN = 64  # operators in a row, as in !!!!x or - - - 1
_OPERATORS = frozenset({"!", "+", "-", "*", "/", "|", "^", "?", "&&", "||", "=", "!=", "<", ">", "<=", ">="})
_CLAUSE = frozenset({"{", "}", ".", ";", ","})  # outside brackets, these end an expression or a path
_PATH_END = frozenset({"iri", "pname"})  # a ? or * right after these (or after "a") is a path modifier
ZERO_LENGTH_REPORT = "docs/upstream/oxigraph-order-by-zero-length-path.md"


def _check_engine_limits(query: str, toks: list[Token], ordered: bool) -> None:
    """Refuse what crashes the engine rather than what breaks a rule: one linear pass over the tokens."""
    parens = 0
    operators = run = 0
    zero_length: Token | None = None
    previous: Token | None = None
    for tok in toks:
        if tok.kind == "punct":
            if tok.text == "(":
                parens += 1
            elif tok.text == ")":
                parens = max(parens - 1, 0)
            if tok.text in _OPERATORS:
                operators += 1
                run += 1
                if run > MAX_OPERATOR_RUN:
                    raise QueryRejected(f"the query has more than {MAX_OPERATOR_RUN} operators in a row (at "
                                        f"{position(query, tok.offset)}), more than the engine can parse")
                if operators > MAX_OPERATORS:
                    raise QueryRejected(f"an expression or path of the query has more than {MAX_OPERATORS} "
                                        f"operators (at {position(query, tok.offset)}), more than the engine "
                                        "can parse: split it, or use VALUES or IN for long lists")
                if tok.text in ("?", "*") and previous is not None and zero_length is None and (
                        previous.kind in _PATH_END or previous.text in (")", "a")):
                    zero_length = tok
            else:
                run = 0
                if parens == 0 and tok.text in _CLAUSE:
                    operators = 0
        else:
            run = 0
            if parens == 0 and tok.kind == "word":
                operators = 0
        previous = tok
    if ordered and zero_length is not None:
        raise QueryRejected(
            f"ORDER BY with a zero-length property path ({zero_length.text!r} at "
            f"{position(query, zero_length.offset)}) is refused: it crashes this endpoint's SPARQL engine "
            f"(pyoxigraph 0.5.13, see {ZERO_LENGTH_REPORT}). Sort the results on your side, or use a path "
            "of at least one step (p+)."
        )
