"""The cheap lane: which queries may skip the killable worker, and what stands behind those that do.

The proof (``server.rdf.sparql_cheap``) is attacked with every query of the other hostile-input tests
and with shapes made to look cheap while being expensive; the lane (``server.store.workers.lanes``) must
answer with the worker lane's bytes and headers, fall back to the workers when its threads are busy, and
end the process (through its watchdog) when an in-process query outlives the time limit.
"""

from __future__ import annotations

import ast
import asyncio
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.errors import QueryTimeout, SerKgError
from server.rdf.sparql_cheap import MAX_CHEAP_CHARS, MAX_PATTERNS, cheap_rows
from server.rdf.sparql_lexer import tokens
from server.rdf.sparql_policy import inspect
from server.store.base import Answer, Job
from server.store.workers.lanes import STUCK_EXIT, TwoLanes, Watchdog
from server.web.app import App

HERE = Path(__file__).parent
S = "<https://data.ser.nl/id/organisatie/ser>"
P = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
C = "<http://www.w3.org/ns/org#FormalOrganization>"
RESULT_LIMIT = 10000  # the setting's default
XSD = "http://www.w3.org/2001/XMLSchema#"
FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def rows(query: str) -> int | None:
    return inspect(query, []).cheap_rows


def _texts(node: ast.AST) -> list[str]:
    """The strings a test module's expression makes: constants, f-strings (holes filled), and
    expressions of constants such as ``"1+" * 7000`` (evaluated without names)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)]
    if isinstance(node, ast.BinOp):
        try:
            value = eval(compile(ast.Expression(node), "<security test>", "eval"), {"__builtins__": {}})
        except Exception:  # noqa: BLE001 (names of the test module: not a constant expression)
            return []
        return [value] if isinstance(value, str) else []
    return []


def security_queries() -> list[str]:
    found: list[str] = []
    for module in sorted(HERE.glob("test_*.py")):
        if module.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            found.extend(t for t in _texts(node) if FORM.search(t))
    return found


def test_every_query_of_the_security_tests_is_refused_or_not_cheap() -> None:
    queries = security_queries()
    assert len(queries) > 50  # the collection found the other tests' queries
    proven = []
    for query in queries:
        try:
            shape = inspect(query, [])
        except SerKgError:
            continue
        if shape.cheap_within(RESULT_LIMIT):
            proven.append(query)
    # Only a DESCRIBE of a few named resources, and the values of one named resource, are bounded among them.
    one_resource = r"SELECT \?\w+ WHERE \{ <[^>\s]*> \?\w+ \?\w+( FILTER\(isLiteral\(\?\w+\)\))? \}"
    assert all(re.fullmatch(r"DESCRIBE(\s+<[^>\s]*>){1,4}", q) or re.fullmatch(one_resource, q) for q in proven), proven


ADVERSARIAL = {
    "a LIMIT that is not an integer": f"SELECT ?p ?o WHERE {{ {S} ?p ?o }} LIMIT 1e9",
    "the whole store": "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
    "a variable subject and object": f"SELECT * WHERE {{ ?s {P} ?o }} LIMIT 10",
    "a cartesian product of constant patterns": f"SELECT * WHERE {{ {S} ?p ?o . {C} ?q ?r }} LIMIT 10",
    "a product of one subject's values": f"SELECT * WHERE {{ {S} ?p ?o ; {P} ?l }} LIMIT 10",
    "a product of three": f"SELECT * {{ {S} ?a ?b . {S} ?c ?d . {S} ?e ?f }} LIMIT 1",
    "an OPTIONAL chain": f"SELECT * {{ {S} ?p ?o OPTIONAL {{ ?o ?q ?r OPTIONAL {{ ?r ?x ?y }} }} }} LIMIT 5",
    "VALUES with many rows": f"SELECT * {{ VALUES ?s {{ {' '.join([S] * 500)} }} ?s ?p ?o }} LIMIT 5",
    "a zero-or-more path": f"SELECT * {{ {S} {P}* ?o }} LIMIT 5",
    "a one-or-more path": f"SELECT * {{ {S} {P}+ ?o }} LIMIT 5",
    "a sequence path": f"SELECT * {{ {S} {P}/{P} ?o }} LIMIT 5",
    "an alternative path": f"SELECT * {{ {S} {P}|{P} ?o }} LIMIT 5",
    "an inverse path": f"SELECT * {{ {S} ^{P} ?o }} LIMIT 5",
    "a negated property set": f"SELECT * {{ {S} !{P} ?o }} LIMIT 5",
    "a bracketed path": f"SELECT * {{ {S} ({P}) ?o }} LIMIT 5",
    "FILTER regex over constants": f"SELECT * {{ {S} ?p ?o FILTER regex('aaaaaaaaaaaa!', '(a+)+$') }} LIMIT 5",
    "FILTER EXISTS": f"SELECT * {{ {S} ?p ?o FILTER EXISTS {{ ?a ?b ?c }} }} LIMIT 5",
    "FILTER NOT EXISTS": f"SELECT * {{ {S} ?p ?o FILTER NOT EXISTS {{ ?a ?b ?c }} }} LIMIT 5",
    "a huge LIMIT": f"SELECT * {{ {S} ?p ?o }} LIMIT 100000000000",
    "a huge OFFSET": f"SELECT * {{ {S} ?p ?o }} LIMIT 1 OFFSET 100000000000",
    "a nested SELECT": f"SELECT * {{ {{ SELECT * {{ ?s ?p ?o }} }} {S} ?p ?o }} LIMIT 1",
    "a nested SELECT with a LIMIT": "SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 1 } } LIMIT 1",
    "GRAPH ?g": f"SELECT * {{ GRAPH ?g {{ {S} ?p ?o }} }} LIMIT 5",
    "GRAPH of a constant": f"SELECT * {{ GRAPH <https://data.ser.nl/graph/data> {{ {S} ?p ?o }} }} LIMIT 5",
    "UNION": f"SELECT * {{ {{ {S} ?p ?o }} UNION {{ ?s ?p ?o }} }} LIMIT 5",
    "MINUS": f"SELECT * {{ {S} ?p ?o MINUS {{ ?s ?p ?o }} }} LIMIT 5",
    "BIND": f"SELECT * {{ {S} ?p ?o BIND(?o AS ?x) }} LIMIT 5",
    "an aggregate": f"SELECT (COUNT(*) AS ?n) {{ ?s a {C} }} LIMIT 1",
    "GROUP BY": f"SELECT ?s {{ ?s a {C} }} GROUP BY ?s LIMIT 1",
    "ORDER BY over a class": f"SELECT ?s {{ ?s a {C} }} ORDER BY ?s LIMIT 1",
    "ORDER BY an expression": f"SELECT ?o {{ {S} ?p ?o }} ORDER BY STRLEN(?o) LIMIT 1",
    "DISTINCT over a class": f"SELECT DISTINCT ?p {{ ?s ?p {C} }} LIMIT 1",
    "a blank node subject": "SELECT * { [] ?p ?o } LIMIT 1",
    "a blank node label": "SELECT * { _:b ?p ?o } LIMIT 1",
    "a collection": f"SELECT * {{ {S} ?p (1 2 3) }} LIMIT 1",
    "FROM": f"SELECT * FROM <https://data.ser.nl/graph/data> {{ {S} ?p ?o }} LIMIT 1",
    "CONSTRUCT": f"CONSTRUCT {{ {S} ?p ?o }} WHERE {{ {S} ?p ?o }} LIMIT 1",
    "DESCRIBE of a variable": "DESCRIBE ?s WHERE { ?s ?p ?o }",
    "DESCRIBE of many resources": f"DESCRIBE {' '.join([S] * 5)}",
    "ASK over the whole store": "ASK { ?s ?p ?o . ?o ?q ?r }",
    "an expression in SELECT": f"SELECT (CONCAT(?o, ?o) AS ?x) {{ {S} ?p ?o }} LIMIT 1",
    "a trailing clause": f"SELECT * {{ {S} ?p ?o }} LIMIT 1 VALUES ?o {{ 1 2 3 }}",
    "too many patterns": "SELECT * { " + " . ".join(f"{S} ?p ?o{i}" for i in range(MAX_PATTERNS + 1)) + " } LIMIT 1",
    "too long": f"SELECT * {{ {S} ?p ?o FILTER(?o != '{'x' * MAX_CHEAP_CHARS}') }} LIMIT 1",
    "a two-hop walk": f"SELECT * {{ {S} ?p ?o . ?o ?q ?r }} LIMIT 1",
    "a join through an unbounded pattern": f"SELECT * {{ {S} {P} ?l . ?x {P} ?l }} LIMIT 5",
    "a function hidden in a FILTER": f"SELECT * {{ {S} ?p ?o FILTER(STRLEN(REPLACE(?o, '.', 'xx')) > 1) }} LIMIT 1",
    "a function named by an IRI": f"SELECT * {{ {S} ?p ?o FILTER(<{XSD}integer>(?o) > 1) }} LIMIT 1",
    "a function named by a prefixed name": "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
                                           f"SELECT * {{ {S} ?p ?o FILTER(xsd:string(?o) = 'x') }} LIMIT 1",
    "a keyword in the LIMIT's place": f"SELECT * {{ {S} ?p ?o }} LIMIT SERVICE",
    # Joined only through a predicate variable, each pattern multiplies the rows: the in-degree of S to
    # the fourth, under a FILTER no engine pushes down, ran for 31 s on the release.
    "a self-join of an object through its predicate": "SELECT * { " + " . ".join(f"?x{i} ?p {S}" for i in range(4))
    + " FILTER((?x0 = ?x3 && ?x0 != ?x0) || (?x3 = ?x0 && ?x3 != ?x3)) } LIMIT 1",
    "a self-join of a subject through its predicate": "SELECT * { " + " . ".join(f"{S} ?p ?o{i}" for i in range(4))
    + " FILTER(?o0 != ?o0 || ?o3 != ?o3) } LIMIT 1",
    "two lookups joined through a predicate alone": f"ASK {{ ?a ?p {S} . ?b ?p {C} }}",
    "a class without a LIMIT": f"SELECT ?s {{ ?s a {C} }}",
    "an object lookup without a LIMIT": f"SELECT ?s ?p {{ ?s ?p {S} }}",
}


@pytest.mark.parametrize("query", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_an_expensive_or_unknown_shape_is_not_cheap(query: str) -> None:
    try:
        shape = inspect(query, [])
    except SerKgError:
        return  # refused outright: never runs anywhere
    assert not shape.cheap_within(RESULT_LIMIT)


BOUNDED = {
    "the values of one resource": (f"SELECT ?p ?o WHERE {{ {S} ?p ?o }} LIMIT 100", 100),
    "one property of one resource": (f"SELECT ?l {{ {S} {P} ?l FILTER(lang(?l) = 'nl') }} LIMIT 10", 10),
    "the members of a class, a page": (f"SELECT ?s {{ ?s a {C} }} LIMIT 20 OFFSET 40", 60),
    "sorted values of one resource": (f"SELECT ?p ?o {{ {S} ?p ?o }} ORDER BY ?p DESC(?o) LIMIT 50", 50),
    "distinct predicates of one resource": (f"SELECT DISTINCT ?p {{ {S} ?p ?o }} LIMIT 50", 50),
    "two lookups joined": (f"SELECT ?x {{ ?x a {C} . ?x {P} \"SER\"@nl }} LIMIT 5", 5),
    "with prefixes": (f"PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?l {{ {S} skos:prefLabel ?l ; "
                      "skos:altLabel ?l } LIMIT 5", 5),
    "an existence check": (f"ASK {{ {S} a {C} }}", 1),
    "a describe-shape": (f"DESCRIBE {S}", 0),
    "a literal lookup": (f"SELECT ?s {{ ?s {P} \"SER\"@nl }} LIMIT 3", 3),
    "the values of one resource, no LIMIT": (f"SELECT ?p ?o WHERE {{ {S} ?p ?o }}", 0),
    "one value under two properties, no LIMIT": (f"SELECT ?a {{ {S} {P} ?a ; ?q ?a }}", 0),
    "one resource's values shared with another": (f"SELECT ?o {{ {S} ?p ?o . {C} ?q ?o }} LIMIT 5", 5),
}


@pytest.mark.parametrize(("query", "expected"), BOUNDED.values(), ids=BOUNDED.keys())
def test_lookups_and_small_describe_shapes_are_cheap(query: str, expected: int) -> None:
    assert rows(query) == expected
    assert cheap_rows(query, list(tokens(query))) == expected


LOOKUP = f"SELECT ?p ?o WHERE {{ {S} ?p ?o }} LIMIT 100"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def two_apps(make_app: Callable[..., App]) -> tuple[App, App]:
    """The same release with the cheap lane and without it, a result limit of 3."""
    return make_app(query_workers=1, result_limit=3), make_app(query_workers=1, result_limit=3, cheap_lane=False)


@pytest.mark.parametrize("query", [LOOKUP, f"ASK {{ {S} ?p ?o }}", f"DESCRIBE {S}",
                                   f"SELECT ?p ?o WHERE {{ {S} ?p ?o }} LIMIT 2"])
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv", "text/turtle"])
def test_both_lanes_give_the_same_bytes_and_headers(two_apps: tuple[App, App], query: str, accept: str) -> None:
    lanes, workers = two_apps
    assert isinstance(lanes.context.pool, TwoLanes) and not isinstance(workers.context.pool, TwoLanes)
    with TestClient(lanes) as fast, TestClient(workers) as slow:
        before = lanes.context.pool.cheap_jobs
        a = fast.get("/sparql", params={"query": query}, headers={"Accept": accept})
        b = slow.get("/sparql", params={"query": query}, headers={"Accept": accept})
        ran_in_process = lanes.context.pool.cheap_jobs - before
    assert a.status_code == b.status_code
    assert a.content == b.content
    assert a.headers == b.headers
    if a.status_code == 200:
        expected = 0 if query.endswith("LIMIT 100") else 1  # a LIMIT above the result limit goes to a worker
        assert ran_in_process == expected
    if query.startswith("DESCRIBE") and a.status_code == 200:
        assert a.headers["SER-KG-Truncated"] == "true"  # the row cap, with its signal, in-process too


def test_a_protocol_dataset_or_a_limit_over_the_result_limit_sends_a_lookup_to_a_worker(
        two_apps: tuple[App, App]) -> None:
    lanes = two_apps[0]
    assert isinstance(lanes.context.pool, TwoLanes)
    within = f"SELECT ?p ?o WHERE {{ {S} ?p ?o }} LIMIT 3"  # the result limit is 3
    cases: list[tuple[dict[str, str], int]] = [
        ({"query": f"{within} # a", "default-graph-uri": "https://data.ser.nl/graph/data"}, 0),
        ({"query": f"SELECT ?p ?o WHERE {{ {S} ?p ?o }} LIMIT 4"}, 0),
        ({"query": f"{within} # b"}, 1),
    ]
    with TestClient(lanes) as client:
        for params, expected in cases:
            before, workers_before = lanes.context.pool.cheap_jobs, lanes.context.pool.pool.jobs
            assert client.get("/sparql", params=params, headers=JSON).status_code == 200
            in_process = lanes.context.pool.cheap_jobs - before
            assert (in_process, lanes.context.pool.pool.jobs - workers_before) == (expected, 1 - expected)
        metrics = client.get("/-/metrics").text
    counted = next(line for line in metrics.splitlines() if line.startswith("ser_kg_sparql_in_process_total "))
    assert float(counted.split()[1]) == lanes.context.pool.cheap_jobs >= 1


class _Pool:
    """Stands for the worker pool: counts what it runs."""

    def __init__(self, timeout: float = 5.0) -> None:
        self.timeout, self.limit, self.prefixes = timeout, 10, {}
        self.database = Path("/nonexistent")
        self.timeouts = self.restarts = self.alive = 0
        self.ready = True
        self.ran: list[Job] = []

    def health(self) -> dict[str, object]:
        return {}

    def start(self) -> bool:
        return True

    def close(self) -> None:
        pass

    async def run(self, job: Job) -> Answer:
        self.ran.append(job)
        return Answer("boolean", b"pool", 1, False, 0.0)


class _Store:
    """Stands for the engine: a query blocks until released, as a stuck evaluation would."""

    def __init__(self) -> None:
        self.entered, self.release = threading.Event(), threading.Event()

    def query(self, query: str, **options: Any) -> Any:
        self.entered.set()
        self.release.wait(30)
        raise RuntimeError("released")


def _lanes(pool: _Pool, store: _Store, watchdog: Watchdog, threads: int = 1) -> TwoLanes:
    lanes = TwoLanes(pool, threads=threads, opener=lambda _: store, watchdog=watchdog)  # type: ignore[arg-type]
    lanes.start()
    return lanes


def test_the_watchdog_ends_the_process_when_a_query_outlives_the_limit() -> None:
    now = [100.0]
    exits: list[int] = []
    dog = Watchdog(2.0, clock=lambda: now[0], exit=exits.append)
    assert not dog.check()
    token = dog.begin()
    now[0] += 2.0
    assert not dog.check() and exits == []  # at the limit, not past it
    now[0] += 0.01
    assert dog.check() and exits == [STUCK_EXIT]
    dog.end(token)
    exits.clear()
    now[0] += 100
    assert not dog.check() and exits == []  # nothing running: nothing to stop


def test_a_stuck_in_process_query_answers_503_and_the_watchdog_fires() -> None:
    pool, store, exits = _Pool(timeout=0.2), _Store(), []
    now = [0.0]
    dog = Watchdog(0.2, clock=lambda: now[0], exit=exits.append, interval=3600)  # looked at by hand below
    lanes = _lanes(pool, store, dog)
    try:
        with pytest.raises(QueryTimeout, match="query_timeout"):
            asyncio.run(lanes.run(Job(query="ASK {}", format="json", cheap=True)))
        assert store.entered.is_set() and pool.ran == []
        now[0] = 1.0
        assert dog.check() and exits == [STUCK_EXIT]
    finally:
        store.release.set()
        lanes.close()


def test_a_cheap_query_goes_to_the_workers_when_every_thread_is_busy() -> None:
    pool, store = _Pool(), _Store()
    lanes = _lanes(pool, store, Watchdog(5.0, exit=lambda code: None, interval=3600))

    async def scenario() -> Answer:
        stuck = asyncio.ensure_future(lanes.run(Job(query="ASK {}", format="json", cheap=True)))
        await asyncio.get_running_loop().run_in_executor(None, store.entered.wait, 30)
        answer = await lanes.run(Job(query="ASK { <a> ?p ?o }", format="json", cheap=True))
        store.release.set()
        with pytest.raises(SerKgError):
            await stuck
        return answer

    try:
        assert asyncio.run(scenario()).body == b"pool"
        assert [j.query for j in pool.ran] == ["ASK { <a> ?p ?o }"]
    finally:
        store.release.set()
        lanes.close()


def test_a_job_not_proven_cheap_always_goes_to_the_workers() -> None:
    pool, store = _Pool(), _Store()
    lanes = _lanes(pool, store, Watchdog(5.0, exit=lambda code: None, interval=3600))
    try:
        assert asyncio.run(lanes.run(Job(query="SELECT * { ?s ?p ?o }", format="json"))).body == b"pool"
        assert not store.entered.is_set()
    finally:
        lanes.close()
