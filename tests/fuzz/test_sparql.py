"""SPARQL fuzzing: queries built from the SPARQL 1.1 grammar (§19), and the project's own queries
mutated, sent to the endpoint. Every answer is bounded: a result (cut at the result limit), a 4xx
saying what is wrong, or a 503 at the time limit. Never another 5xx, and never a hang (the client's
timeout fails the test).

The grammar strategy covers the constructs that stress an engine: property paths (inverse, sequence,
alternative, negated sets, ``*``/``+``/``?``), nested groups, OPTIONAL, UNION, MINUS, FILTER with
functions and REGEX, BIND, VALUES, GRAPH, subqueries, aggregates, ORDER BY, huge LIMITs, odd literals,
and now and then a SERVICE or a FROM that must be refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st

from server.settings import PROJECT_ROOT
from tests.conftest import LiveServer

BASE = "https://data.ser.nl/"
CLIENT_TIMEOUT = 30.0
BOUNDED = {200, 400, 403, 406, 413, 414, 503}

VARIABLES = st.sampled_from(["?s", "?p", "?o", "?x", "?y", "$z", "?label"])
IRIS = st.sampled_from([
    f"<{BASE}id/organisatie/ser>", f"<{BASE}def/Advies>", f"<{BASE}def/documentsoort>", f"<{BASE}graph/data>",
    "<http://www.w3.org/2004/02/skos/core#prefLabel>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
    "<urn:x:y>", "<>", "<#frag>", "<relative/iri>", "<http://example.org/é%20x>", "rdf:type", "ser:Advies",
    "skos:prefLabel", "dct:title", "undeclared:thing", "a",
])
SAFE_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=20)
LITERALS = st.one_of(
    SAFE_TEXT.map(lambda t: json.dumps(t, ensure_ascii=False)),  # a valid, escaped string
    SAFE_TEXT.map(lambda t: f"'{t}'"),  # may be broken on purpose
    st.tuples(SAFE_TEXT, st.sampled_from(["nl", "en", "x-y", "a-b-c-d", "123"])).map(lambda t: f'"{t[0]!s}"@{t[1]}'),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["true", "false", '"1"^^xsd:integer', '"x"^^xsd:date', '"NaN"^^xsd:double', "1e308", "-0.0"]),
)
TERMS = st.one_of(VARIABLES, IRIS, LITERALS)


def _paths() -> st.SearchStrategy[str]:
    leaf = st.one_of(IRIS.filter(lambda i: i != "<>"), st.just("!(rdf:type|^skos:prefLabel)"))
    return st.recursive(leaf, lambda inner: st.one_of(
        inner.map(lambda p: f"^{p}"),
        inner.map(lambda p: f"({p})*"), inner.map(lambda p: f"({p})+"), inner.map(lambda p: f"({p})?"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}/{t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]}|{t[1]})"),
    ), max_leaves=6)


def _expressions() -> st.SearchStrategy[str]:
    leaf = st.one_of(VARIABLES, LITERALS, IRIS)
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(st.sampled_from(["STR", "LANG", "UCASE", "STRLEN", "isIRI", "isLiteral", "BOUND", "ABS",
                                   "DATATYPE", "ENCODE_FOR_URI", "SHA256", "YEAR", "IRI", "BNODE", "ROUND"]), inner)
        .map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "=", "!=", "<", ">=", "&&", "||"]), inner)
        .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, st.sampled_from(['"^(a+)+$"', '"(((("', '"[a-z]{100}"', '".*"', '"\\\\d"']),
                  st.sampled_from(["", ', "i"', ', "xq"', ', "z"'])).map(lambda t: f"REGEX(STR({t[0]}), {t[1]}{t[2]})"),
        st.tuples(inner, inner).map(lambda t: f"CONCAT(STR({t[0]}), STR({t[1]}))"),
        st.tuples(inner, inner, inner).map(lambda t: f"IF({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(inner, inner).map(lambda t: f"COALESCE({t[0]}, {t[1]})"),
        inner.map(lambda e: f"!{e}"),
    ), max_leaves=5)


PATHS = _paths()
EXPRESSIONS = _expressions()
TRIPLES = st.tuples(st.one_of(VARIABLES, IRIS), st.one_of(VARIABLES, PATHS), TERMS).map(" ".join)


def _groups() -> st.SearchStrategy[str]:
    leaf = st.lists(TRIPLES, min_size=1, max_size=3).map(" . ".join)
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: f"{t[0]} . {t[1]}"),
        st.tuples(inner, EXPRESSIONS).map(lambda t: f"{t[0]} FILTER({t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} OPTIONAL {{ {t[1]} }}"),
        st.tuples(inner, inner).map(lambda t: f"{{ {t[0]} }} UNION {{ {t[1]} }}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} MINUS {{ {t[1]} }}"),
        st.tuples(inner, EXPRESSIONS, VARIABLES).map(lambda t: f"{t[0]} BIND({t[1]} AS {t[2]})"),
        st.tuples(inner, VARIABLES, st.lists(TERMS, max_size=4)).map(
            lambda t: f"{t[0]} VALUES {t[1]} {{ {' '.join(x for x in t[2] if not x.startswith(('?', '$')))} }}"),
        st.tuples(st.one_of(VARIABLES, IRIS), inner).map(lambda t: f"GRAPH {t[0]} {{ {t[1]} }}"),
        inner.map(lambda g: f"{{ SELECT * WHERE {{ {g} }} LIMIT 5 }}"),
    ), max_leaves=5)


GROUPS = _groups()
PROLOGUE = ("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX dct: <http://purl.org/dc/terms/> "
            f"PREFIX ser: <{BASE}def/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> ")
MODIFIERS = st.tuples(
    st.sampled_from(["", "ORDER BY ?s", "ORDER BY DESC(STR(?o)) ?s", "GROUP BY ?s",
                     "GROUP BY ?s HAVING (COUNT(*) > 1)"]),
    st.sampled_from(["", "LIMIT 10", "LIMIT 0", "LIMIT 99999999999999999999", "OFFSET 5 LIMIT 2", "OFFSET -1"]),
)


@st.composite
def queries(draw: st.DrawFn) -> str:
    group = draw(GROUPS)
    order, limit = draw(MODIFIERS)
    form = draw(st.sampled_from(["select", "distinct", "count", "ask", "construct", "describe"]))
    # Now and then a form that must be refused: a foreign graph, or a federated query.
    dataset = draw(st.sampled_from(["", "", "", "", f"FROM <{BASE}graph/data> ", "FROM <http://127.0.0.1:9/x> "]))
    if draw(st.sampled_from([False] * 9 + [True])):
        group = f"SERVICE <http://127.0.0.1:9/sparql> {{ {group} }}"
    body = f"{dataset}WHERE {{ {group} }}"
    if form == "select":
        text = f"SELECT * {body} {order if not order.startswith('GROUP') else ''} {limit}"
    elif form == "distinct":
        text = f"SELECT DISTINCT ?s ?o {body} {order} {limit}"
    elif form == "count":
        text = f"SELECT ?s (COUNT(*) AS ?n) (SAMPLE(?o) AS ?one) {body} GROUP BY ?s {limit}"
    elif form == "ask":
        text = f"ASK {body}"
    elif form == "construct":
        text = f"CONSTRUCT {{ ?s ?p ?o }} {body} {limit}"
    else:
        text = f"DESCRIBE ?s {body} {limit}"
    return PROLOGUE + text


SEEDS = sorted(p.read_text("utf-8") for folder in ("examples", "competency")
               for p in (PROJECT_ROOT / "queries" / folder).glob("*.rq"))
FRAGMENTS = ["{", "}", "(", ")", ".", ";", ",", '"', "'", "<", ">", "?x", "*", "|", "/", "^", "!", "+", "\\",
             "SERVICE <http://127.0.0.1:9/>", "FILTER(", "OPTIONAL {", "UNION", "GRAPH ?g {", "\x00", "\\u0053",
             "#", "\n", "é", "\U0001f600", "\ufeff", "LIMIT 1", "SELECT", "WHERE", "a", "[]", "()", "_:b", "@nl",
             "^^xsd:integer", "1e999", "INSERT DATA { <a> <b> <c> }", "LOAD <http://127.0.0.1:9/>"]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        end = draw(st.integers(min_value=at, max_value=min(len(text), at + 40)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate", "replace"]))
        if action == "delete":
            text = text[:at] + text[end:]
        elif action == "insert":
            text = text[:at] + draw(st.sampled_from(FRAGMENTS)) + text[at:]
        elif action == "duplicate":
            text = text[:end] + text[at:end] + text[end:]
        else:
            text = text[:at] + draw(st.text(max_size=8)) + text[end:]
    return text


@pytest.fixture(scope="module")
def endpoint(make_app: Callable[..., FastAPI]) -> Iterator[httpx.Client]:
    with LiveServer(make_app(query_timeout=1.0, result_limit=50)) as server, \
            httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as http:
        yield http


def check(http: httpx.Client, query: str, accept: str = "application/sparql-results+json, text/turtle;q=0.9") -> None:
    response = http.post("/sparql", data={"query": query}, headers={"Accept": accept})
    assert response.status_code in BOUNDED, (response.status_code, query, response.text[:300])
    if response.status_code == 503:
        assert "query_timeout" in response.text or "try again" in response.text, response.text
    if response.status_code >= 400:
        assert response.text.strip(), "a refusal says why"


MORE = settings().max_examples * 5  # queries are cheap here (a few ms): five times the profile's examples


@settings(max_examples=MORE)
@given(query=queries())
def test_grammar_generated_queries_get_bounded_answers(endpoint: httpx.Client, query: str) -> None:
    check(endpoint, query)


@settings(max_examples=MORE)
@given(query=mutated(), accept=st.sampled_from(["application/sparql-results+json", "text/csv", "text/turtle",
                                                 "application/sparql-results+xml", "*/*"]))
def test_mutated_queries_get_bounded_answers(endpoint: httpx.Client, query: str, accept: str) -> None:
    check(endpoint, query, accept)


def test_the_endpoint_answers_after_the_fuzzing(endpoint: httpx.Client) -> None:
    response = endpoint.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and response.json()["boolean"] is True
