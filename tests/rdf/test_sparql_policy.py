"""The query policy: updates, SERVICE and foreign graphs are refused; everything else is left to the parser.

Keywords count only where the grammar has keywords: inside strings, IRIs, comments, prefixed names and
variables they are data. The last test checks the lexer against rdflib's full SPARQL parser.
"""

from __future__ import annotations

import re

import pytest
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from server.errors import QueryRejected, UpdateRefused
from server.rdf.sparql_policy import check_dataset, inspect, position, tokens

BASE = "https://data.ser.nl/"
GRAPHS = (f"{BASE}graph/ontology", f"{BASE}graph/data", f"{BASE}graph/metadata")

ACCEPTED = [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("select * { ?s ?p ?o }", "SELECT"),
    ("ASK { ?s ?p ?o }", "ASK"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <https://data.ser.nl/id/organisatie/ser>", "DESCRIBE"),
    ("PREFIX ser: <https://data.ser.nl/def/>\nSELECT ?a { ?a a ser:Advies }", "SELECT"),
    ("BASE <http://example.org/>\nPREFIX : <x#>\nASK { :a :b :c }", "ASK"),
    ("# DELETE everything? No: a comment\nSELECT * {}", "SELECT"),
    ('SELECT * { ?s ?p "INSERT DATA { <a> <b> <c> }" }', "SELECT"),
    ("SELECT * { ?s ?p 'SERVICE <http://evil.example/> {}' }", "SELECT"),
    ('SELECT * { ?s ?p """LOAD <http://x>\nDROP ALL""" }', "SELECT"),
    ("SELECT * { <http://example.org/SERVICE> ?p ?o }", "SELECT"),
    ("PREFIX service: <http://example.org/>\nSELECT * { service:load service: ?o }", "SELECT"),
    ("PREFIX ex: <http://example.org/>\nSELECT * { ?s ex:delete ?o . ?s ex:o.SERVICE ?x }", "SELECT"),
    ("SELECT ?insert ?load $service { ?insert ?load $service }", "SELECT"),
    ('SELECT * { ?s ?p "x"@service }', "SELECT"),  # a language tag, not a keyword
    ("SELECT * { _:service ?p ?o }", "SELECT"),
    ("SELECT * FROM <https://data.ser.nl/graph/data> { ?s ?p ?o }", "SELECT"),
    ("SELECT * FROM NAMED <https://data.ser.nl/graph/ontology> { GRAPH ?g { ?s ?p ?o } }", "SELECT"),
    ("PREFIX g: <https://data.ser.nl/graph/>\nSELECT * FROM g:data { ?s ?p ?o }", "SELECT"),
    ("BASE <https://data.ser.nl/graph/>\nSELECT * FROM <metadata> { ?s ?p ?o }", "SELECT"),
    ("SELECT * { GRAPH <http://elsewhere.example/g> { ?s ?p ?o } }", "SELECT"),  # no fetch: just a name
    ("SELECT * WHERE { ?a ?b ?c FILTER(?a<?b) }", "SELECT"),
    ("SELEKT * {}", None),  # no query form: the engine's parser will say what is wrong
]


@pytest.mark.parametrize(("query", "form"), ACCEPTED)
def test_policy_accepts_read_queries(query: str, form: str | None) -> None:
    assert inspect(query, GRAPHS).form == form


UPDATES = [
    "INSERT DATA { <a> <b> <c> }",
    "insert data { <a> <b> <c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "LOAD SILENT <http://127.0.0.1:9/data.ttl> INTO GRAPH <g>",
    "CLEAR ALL",
    "DROP GRAPH <https://data.ser.nl/graph/data>",
    "CREATE GRAPH <g>",
    "ADD DEFAULT TO <g>",
    "MOVE <a> TO <b>",
    "COPY <a> TO <b>",
    "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }",
    "SELECT * {} ; INSERT DATA { <a> <b> <c> }",
    "# a comment first\n  DeLeTe DATA { <a> <b> <c> }",
]


@pytest.mark.parametrize("query", UPDATES)
def test_policy_refuses_every_update_with_403(query: str) -> None:
    with pytest.raises(UpdateRefused, match="read-only") as info:
        inspect(query, GRAPHS)
    assert info.value.http_status == 403


SERVICES = [
    "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o . SERVICE ?endpoint { ?s ?p ?o } }",
    "PREFIX ex: <http://127.0.0.1:9/>\nSELECT * { SERVICE ex:sparql { ?s ?p ?o } }",
    "SELECT*{?s ?p ?o.SERVICE<http://127.0.0.1:9/>{}}",
    "SELECT * { { SELECT * { SERVICE <http://x/> {} } } }",
    "ASK {\n  # a comment\n  SERVICE <http://x/> {}\n}",
]


@pytest.mark.parametrize("query", SERVICES)
def test_policy_refuses_service(query: str) -> None:
    with pytest.raises(QueryRejected, match=r"SERVICE at [0-9]+:[0-9]+ is not allowed") as info:
        inspect(query, GRAPHS)
    assert info.value.http_status == 400


FOREIGN = [
    ("SELECT * FROM <http://127.0.0.1:9/data.ttl> { ?s ?p ?o }", "FROM <http://127.0.0.1:9/data.ttl>"),
    ("SELECT * FROM NAMED <http://127.0.0.1:9/g> { ?s ?p ?o }", "FROM NAMED <http://127.0.0.1:9/g>"),
    ("PREFIX ex: <http://evil.example/>\nSELECT * FROM ex:data {}", "FROM <http://evil.example/data>"),
    ("BASE <http://evil.example/>\nSELECT * FROM <data> {}", "FROM <http://evil.example/data>"),
    ("SELECT * FROM <file:///etc/passwd> {}", "FROM <file:///etc/passwd>"),
    ("SELECT * FROM undeclared:data {}", "FROM at 1:10 needs an IRI"),
]


@pytest.mark.parametrize(("query", "message"), FOREIGN)
def test_policy_refuses_graphs_outside_the_release(query: str, message: str) -> None:
    with pytest.raises(QueryRejected) as info:
        inspect(query, GRAPHS)
    assert message in str(info.value)
    assert info.value.http_status == 400


def test_from_graphs_are_reported_in_the_shape() -> None:
    shape = inspect(f"SELECT * FROM <{GRAPHS[1]}> FROM NAMED <{GRAPHS[0]}> {{}}", GRAPHS)
    assert shape.from_graphs == (GRAPHS[1],)
    assert shape.from_named == (GRAPHS[0],)
    assert shape.has_dataset
    assert not inspect("SELECT * {}", GRAPHS).has_dataset


def test_protocol_dataset_must_name_release_graphs() -> None:
    check_dataset("default-graph-uri", [GRAPHS[1]], GRAPHS)
    with pytest.raises(QueryRejected, match=re.escape("named-graph-uri=http://127.0.0.1:9/g is not allowed")):
        check_dataset("named-graph-uri", ["http://127.0.0.1:9/g"], GRAPHS)


def test_refusal_names_line_and_column() -> None:
    query = "PREFIX ex: <http://example.org/>\nSELECT * {\n  ?s ?p ?o .\n    SERVICE <http://x/> {}\n}"
    with pytest.raises(QueryRejected, match="SERVICE at 4:5 "):
        inspect(query, GRAPHS)


@pytest.mark.parametrize(("text", "offset", "expected"), [("abc", 0, "1:1"), ("a\nbc", 3, "2:2"), ("\n\n", 2, "3:1")])
def test_position_counts_lines_and_columns_from_one(text: str, offset: int, expected: str) -> None:
    assert position(text, offset) == expected


def test_tokens_skip_comments_and_keep_iris_whole() -> None:
    kinds = [(t.kind, t.text) for t in tokens("SELECT ?x # SERVICE\n{ <http://a#b> ex:c 'd' 1.5 }")]
    assert kinds == [("word", "SELECT"), ("var", "?x"), ("punct", "{"), ("iri", "<http://a#b>"),
                     ("pname", "ex:c"), ("string", "'d'"), ("number", "1.5"), ("punct", "}")]


def _rdflib_verdict(query: str) -> str:
    """What rdflib's complete grammar says: update, service, or query."""
    try:
        tree = parseQuery(query)
    except Exception:  # noqa: BLE001 - any parse failure means "not a query" here
        parseUpdate(query)
        return "update"
    return "service" if "ServiceGraphPattern" in repr(tree) else "query"


def _policy_verdict(query: str) -> str:
    try:
        inspect(query, GRAPHS)
    except UpdateRefused:
        return "update"
    except QueryRejected as exc:
        return "service" if "SERVICE" in str(exc) else "graph"
    return "query"


@pytest.mark.parametrize(
    "query",
    [q for q, _ in ACCEPTED if "SELEKT" not in q and "?a<?b" not in q] + UPDATES[:-2] + SERVICES,
)
def test_policy_agrees_with_rdflib_parser(query: str) -> None:
    assert _policy_verdict(query) == _rdflib_verdict(query)


def test_deep_nesting_is_refused_before_it_reaches_the_engine() -> None:
    inspect("SELECT * WHERE " + "{" * 150 + "?s ?p ?o" + "}" * 150, GRAPHS)
    with pytest.raises(QueryRejected, match="more than 200 levels deep"):
        inspect("SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }", GRAPHS)


@pytest.mark.parametrize(("query", "declares"), [
    ("BASE <http://example.org/>\nASK {}", True),
    ("# a comment\nprefix ex: <http://example.org/>\n  base <http://example.org/> ASK {}", True),
    (" " * 5000 + "# BASE <x>\n" * 500 + "BASE <http://example.org/> ASK {}", True),
    (" " * 5000 + "ASK {}", False),  # the pattern that looked for a BASE took exponential time on this
    ("ASK { ?s ?p 'BASE <x>' }", False),
    ("ASK {} BASE <http://example.org/>", False),  # not in the prologue: the engine will refuse it
])
def test_the_shape_says_whether_the_prologue_declares_a_base(query: str, declares: bool) -> None:
    assert inspect(query, GRAPHS).declares_base is declares
