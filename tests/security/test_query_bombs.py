"""Query bombs: cartesian products, deep property paths, huge regexes, and answers built to be huge.

Each bomb gets a bounded answer: a result cut at the result limit (and flagged), a 400 naming what to
change, or a 503 at the time limit. Never a 500, and never a hang: every request has a client-side
timeout far above the server's limit, and the test fails if it is reached. After the bombs, the
endpoint still answers.

Bombs that may run until stopped go to a server with a short time limit, and a 503 is one of their
bounded answers. Bombs whose answer must be a 200 or a 400 go to a server whose time limit no such
query can reach on any machine, so that no answer here depends on the machine's speed. (The six-way
cartesian product of tests/web/test_sparql_safety.py is not repeated here.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI

from server.store.workers.worker import MAX_ANSWER_BYTES
from tests.conftest import LiveServer

TIMEOUT = 2.0  # the query_timeout of the server for bombs that may run until stopped
PATIENCE = 120.0  # the query_timeout of the server for bombs that must be answered
CLIENT_TIMEOUT = 300.0  # "never a hang": past this the test fails
P = "<https://data.ser.nl/def/documentsoort>"
SER = "PREFIX s: <https://data.ser.nl/def/> "


def doubled(times: int, select_length: bool) -> str:
    """A literal that doubles ``times`` times: 2**times characters from a one-character seed."""
    binds = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(times))
    shown = f"(STRLEN(?v{times}) AS ?n)" if select_length else f"?v{times}"
    return f'SELECT {shown} WHERE {{ BIND("x" AS ?v0) {binds} }}'


def values(n: int) -> str:
    return " ".join(str(i) for i in range(n))


# name -> (query, Accept, the statuses that are a bounded answer)
BOMBS: dict[str, tuple[str, str, set[int]]] = {
    "cartesian of two VALUES": (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {values(2000)} }} VALUES ?b {{ {values(2000)} }} }}",
        "application/sparql-results+json", {200, 503}),
    "cartesian sorted": ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 1",
                         "application/sparql-results+json", {200, 503}),
    "cartesian constructed": ("CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }", "application/n-triples",
                              {200, 503}),
    "cartesian concatenated": ("SELECT (STRLEN(GROUP_CONCAT(STR(?c))) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",
                               "application/sparql-results+json", {200, 400, 503}),
    "cartesian in nested OPTIONALs": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c " + "OPTIONAL { ?a ?b ?c " * 100 + "}" * 100 + " }",
        "application/sparql-results+json", {200, 503}),
    "500 UNIONs": ("SELECT (COUNT(*) AS ?n) WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 500) + " }",
                   "application/sparql-results+json", {200, 503}),
    "path of 1200 steps": (SER + "SELECT * WHERE { ?s " + "/".join(["s:documentsoort"] * 1200) + " ?o }",
                           "application/sparql-results+json", {200, 503}),
    "path of nested stars": ("SELECT * WHERE { ?s " + "(" * 60 + P + ")*" * 60 + " ?o } LIMIT 10",
                             "application/sparql-results+json", {200, 503}),
    "path nested past the limit": ("SELECT * WHERE { ?s " + "(" * 250 + P + ")*" * 250 + " ?o }",
                                   "application/sparql-results+json", {400}),
    "path closure of everything": ("SELECT (COUNT(*) AS ?n) WHERE { ?s (!<urn:none>|^!<urn:none>)* ?o }",
                                   "application/sparql-results+json", {200, 503}),
    "path of 1500 alternatives": (
        "SELECT * WHERE { ?s " + "|".join(f"<urn:p{i}>" for i in range(1500)) + " ?o }",
        "application/sparql-results+json", {200, 503}),
    "regex with nested quantifiers": (
        'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(CONCAT(STR(?o), STR(?o), STR(?o)), "^(a+)+$")) }',
        "application/sparql-results+json", {200}),
    "regex with a huge repetition": ('SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "(a{1000}){1000}")) }',
                                     "application/sparql-results+json", {200, 400}),
    "regex of 18,000 characters": (
        'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "' + "[a-z]{100}" * 1800 + '")) }',
        "application/sparql-results+json", {200, 400}),
    "regex that is not one": ('SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "((((")) }',
                              "application/sparql-results+json", {200, 400}),
    "replace with an explosive pattern": ('SELECT (REPLACE(STR(?o), "(.*)*", "$1$1$1$1") AS ?x) WHERE { ?s ?p ?o }',
                                          "application/sparql-results+json", {200, 400}),
    "a string doubled to 128 MiB, measured": (doubled(27, True), "application/sparql-results+json", {200, 503}),
    "a string doubled to 32 MiB, returned": (doubled(25, False), "application/sparql-results+json", {400}),
    "every description": ("DESCRIBE ?s WHERE { ?s ?p ?o }", "text/turtle", {200}),
}


@pytest.fixture(scope="module")
def bombed(make_app: Callable[..., FastAPI]) -> Iterator[LiveServer]:
    with LiveServer(make_app(query_timeout=TIMEOUT)) as server:
        yield server


@pytest.fixture(scope="module")
def patient(make_app: Callable[..., FastAPI]) -> Iterator[LiveServer]:
    with LiveServer(make_app(query_timeout=PATIENCE)) as server:
        yield server


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_query_bomb_gets_a_bounded_answer(request: pytest.FixtureRequest, name: str) -> None:
    query, accept, bounded = BOMBS[name]
    server: LiveServer = request.getfixturevalue("bombed" if 503 in bounded else "patient")
    with httpx.Client(base_url=server.url, timeout=CLIENT_TIMEOUT) as http:
        response = http.post("/sparql", data={"query": query}, headers={"Accept": accept})
        assert response.status_code in bounded, (response.status_code, response.text[:300])
        assert len(response.content) <= MAX_ANSWER_BYTES
        if response.status_code == 503:
            assert "query_timeout" in response.text or "try again" in response.text
        elif response.status_code == 400:
            assert response.text.strip(), "a 400 says what to change"
        lookup = http.get("/sparql", params={"query": f"ASK {{ ?s {P} ?o }} # after {name}"},
                          headers={"Accept": "application/sparql-results+json"})
        assert lookup.status_code == 200 and lookup.json()["boolean"] is True


def test_the_size_cap_names_what_to_do(patient: LiveServer) -> None:
    response = httpx.post(patient.url + "/sparql", data={"query": doubled(25, False)}, timeout=CLIENT_TIMEOUT)
    assert response.status_code == 400
    assert "larger than 32 MiB" in response.text and "LIMIT" in response.text


def test_a_constructed_cartesian_product_is_cut_and_flagged(patient: LiveServer) -> None:
    response = httpx.post(patient.url + "/sparql", data={"query": BOMBS["cartesian constructed"][0]},
                          headers={"Accept": "application/n-triples"}, timeout=CLIENT_TIMEOUT)
    assert response.status_code == 200
    assert response.headers["ser-kg-truncated"] == "true"
    assert len(response.text.splitlines()) == int(response.headers["ser-kg-result-limit"])
