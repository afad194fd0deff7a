"""The remote store against a real engine: publishing and its atomic switch, confinement to one release,
the time limit, and an engine that goes down and comes back.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from server.errors import QueryTimeout, ReleaseError, StoreError
from server.store.base import Job
from server.store.manifest import read_release
from server.store.remote.confinement import pointer_graph, versioned_graph
from server.store.remote.engine import Connections, Engine, fetch
from server.store.remote.publish import GraphStore, kept_versions, publish
from server.store.remote.store import RemoteRunner, RemoteStore, engine_from, row_cap_probe, syntax_error
from server.web.app import create_app
from tests.remote.conftest import VERSION, project_settings
from tests.remote.engines import Oxigraph, Virtuoso, holding

BASE = "https://data.ser.nl/"


@pytest.mark.parametrize("query", [
    "SELEC * WHERE { ?s ?p ?o }",
    "ASK { ?s ?p }",
    "PREFIX a: <x:>\n  ASK { ?s ?p ?o } LIMIT x",
    "CONSTRUCT { ?s ?p } WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o FILTER( }",
])
def test_syntax_error_is_worded_and_placed_as_the_embedded_store_does(query: str) -> None:
    with pytest.raises(SyntaxError) as raised:
        ox.Store().query(query)
    assert syntax_error(query) == f"syntax error: {raised.value}"


def test_syntax_check_of_an_ask_query_does_not_run_it() -> None:
    numbers = " ".join(str(n) for n in range(5000))
    bomb = f"ASK {{ VALUES ?a {{ {numbers} }} VALUES ?b {{ {numbers} }} VALUES ?c {{ {numbers} }} " \
           "FILTER(?a + ?b + ?c < 0) }"
    assert syntax_error(bomb) is None  # 125 billion rows: it returns only because nothing ran
    assert syntax_error("ASK { } GROUP BY ?s") is None


def fake_release(releases: Path, source: Path, version: str) -> Path:
    """A copy of ``source`` under another version: the same triples, a different release."""
    target = releases / version
    shutil.copytree(source, target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    (target / "manifest.json").write_text(json.dumps({**manifest, "version": version}), encoding="utf-8")
    return target


def test_publish_switches_atomically_keeps_the_previous_release_and_removes_older_ones(
        remote_project: Path, tmp_path: Path) -> None:
    engine = Oxigraph(tmp_path / "db")
    engine.start()
    try:
        source = remote_project / "releases" / VERSION
        releases = tmp_path / "releases"
        versions = ["2030-01-01.1", "2030-01-02.1", "2030-01-03.1"]
        for version in versions:
            fake_release(releases, source, version)
        graph_store = GraphStore(Engine(engine.store_url, timeout=10))
        settings = project_settings(remote_project, releases_dir=releases)
        served = []
        for version in versions:
            done = publish(read_release(releases / version), graph_store)
            assert done.version == version
            served.append(RemoteStore.open(engine_from(engine.query_url, settings), BASE, releases))
        assert [s.release.version for s in served] == versions
        assert kept_versions(graph_store.get(pointer_graph(BASE))) == [versions[2], versions[1]]
        assert graph_store.get(versioned_graph(BASE, versions[0], "data")) is None  # removed
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        # a server still on the previous release goes on answering, from that release only
        assert served[1].select(count) == served[2].select(count) != [{}]
        assert int(served[2].select(count)[0]["n"]) == json.loads((source / "manifest.json").read_text())["triples"]
        graph_store.close()
        for store in served:
            store.close()
    finally:
        engine.stop()


def test_engine_without_a_release_or_without_the_files_is_a_clear_error(remote_project: Path, oxigraph: Oxigraph,
                                                                        tmp_path: Path) -> None:
    settings = project_settings(remote_project)
    with pytest.raises(ReleaseError, match=r"holds no current release for base IRI https://example\.org/"):
        RemoteStore.open(engine_from(oxigraph.query_url, settings), "https://example.org/", settings.releases_dir)
    with pytest.raises(ReleaseError, match=f"release {VERSION} is current .* copy the release folder"):
        RemoteStore.open(engine_from(oxigraph.query_url, settings), BASE, tmp_path)


@pytest.mark.parametrize("engine_name", ["oxigraph", "virtuoso"])
@pytest.mark.parametrize("query", ["SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
                                   "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"])
def test_query_past_the_time_limit_is_stopped_and_named(remote_project: Path, request: pytest.FixtureRequest,
                                                        engine_name: str, query: str) -> None:
    """Never a partial answer as if it were whole: Virtuoso's "anytime" answer at its own timeout is a
    timeout here too."""
    engine = request.getfixturevalue(engine_name)
    settings = project_settings(remote_project, query_timeout=0.5,
                                store_timeout_parameter="timeout" if engine_name == "virtuoso" else "")
    store = RemoteStore.open(engine_from(engine.query_url, settings), BASE, settings.releases_dir)
    runner = RemoteRunner(store, limit=settings.result_limit)
    try:
        client = TestClient(create_app(settings, store, runner))
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 503, response.text[:300]
        assert "query_timeout" in response.text
        assert runner.timeouts == 1
    finally:
        store.close()


def test_virtuoso_answer_cut_at_its_own_timeout_is_a_timeout(virtuoso: Virtuoso) -> None:
    """Virtuoso stops a query at its ``timeout`` parameter and sends the rows found so far as a 200 (an
    "anytime" answer): here with a client deadline well past it, the partial count must not pass."""
    connections = Connections(Engine(virtuoso.query_url, timeout=30))
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }"
    try:
        with pytest.raises(QueryTimeout):
            fetch(connections, query, "timeout=300", triples=False)
    finally:
        connections.close()


def test_engine_down_is_503_naming_the_engine_and_the_server_recovers(remote_project: Path,
                                                                      oxigraph: Oxigraph) -> None:
    settings = project_settings(remote_project)
    store = RemoteStore.open(engine_from(oxigraph.query_url, settings), BASE, settings.releases_dir)
    runner = RemoteRunner(store, limit=settings.result_limit)
    client = TestClient(create_app(settings, store, runner), follow_redirects=False)
    queries = iter(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} LIMIT {n}" for n in range(1, 10))  # never cached
    try:
        assert client.get("/sparql", params={"query": next(queries)}).status_code == 200
        oxigraph.stop()
        down = client.get("/sparql", params={"query": next(queries)})
        assert down.status_code == 503
        assert f"the SPARQL engine at {oxigraph.query_url} does not answer" in down.text
        page = client.get("/doc/organisatie/ser", headers={"Accept": "text/turtle"})
        assert page.status_code == 503 and oxigraph.query_url in page.text
        assert client.get("/-/health").status_code == 503
        oxigraph.start()
        assert client.get("/sparql", params={"query": next(queries)}).status_code == 200
        assert client.get("/doc/organisatie/ser", headers={"Accept": "text/turtle"}).status_code == 200
        assert client.get("/-/health").status_code == 200
    finally:
        if oxigraph.process is None:
            oxigraph.start()
        store.close()


def test_publish_without_the_right_credentials_says_which_settings(remote_project: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401)

    graph_store = GraphStore(Engine("http://127.0.0.1:9/store", timeout=1),
                             client=httpx.Client(transport=httpx.MockTransport(refuse)))
    with pytest.raises(StoreError, match="SER_KG_STORE_USER and SER_KG_STORE_PASSWORD"):
        publish(read_release(remote_project / "releases" / VERSION), graph_store)


def test_engine_behind_digest_authentication_is_served_with_the_credentials_of_the_settings(
        remote_project: Path, virtuoso: Virtuoso) -> None:
    url = f"{virtuoso.root}/sparql-auth"  # Virtuoso's query endpoint that asks for HTTP digest credentials
    with pytest.raises(StoreError, match=f"the SPARQL engine at {url} answered 401"):
        RemoteStore.open(engine_from(url, project_settings(remote_project)), BASE,
                         remote_project / "releases")
    settings = project_settings(remote_project, store_user="dba", store_password=virtuoso.password,
                                store_timeout_parameter="timeout")
    store = RemoteStore.open(engine_from(url, settings), BASE, settings.releases_dir)
    try:
        client = TestClient(create_app(settings, store, RemoteRunner(store, limit=settings.result_limit)))
        response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                              headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200 and response.json()["boolean"] is True
        assert client.get("/doc/organisatie/ser", headers={"Accept": "text/turtle"}).status_code == 200
    finally:
        store.close()


@pytest.mark.parametrize("rows", [1, 9, 10, 500, 10_000])
def test_row_cap_probe_asks_for_one_row_more_than_the_limit(rows: int) -> None:
    assert len(list(ox.Store().query(row_cap_probe(rows)))) == rows + 1  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def capped_virtuoso(remote_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """Virtuoso with its row cap at 100, like the 10,000 it is packaged with."""
    engine = Virtuoso(tmp_path_factory.mktemp("capped-virtuoso"), max_rows=100)
    with holding(engine, remote_project / "releases" / VERSION):
        yield engine


def test_engine_that_cuts_answers_at_or_below_the_result_limit_is_refused_at_start(
        remote_project: Path, capped_virtuoso: Virtuoso) -> None:
    settings = project_settings(remote_project, result_limit=100)
    with pytest.raises(StoreError, match=r"cuts answers at 100 rows; it must send more than the setting "
                                         r"result_limit \(100\) \+ 1.*ResultSetMaxRows"):
        RemoteStore.open(engine_from(capped_virtuoso.query_url, settings), BASE, settings.releases_dir,
                         result_limit=100)


def test_answer_cut_at_the_engine_cap_is_flagged_or_refused_never_passed_as_whole(
        remote_project: Path, capped_virtuoso: Virtuoso) -> None:
    """Started with a small result limit; the cap of an engine can still be lowered under a running server."""
    settings = project_settings(remote_project, result_limit=98)
    store = RemoteStore.open(engine_from(capped_virtuoso.query_url, settings), BASE, settings.releases_dir,
                             result_limit=98)
    runner = RemoteRunner(store, limit=1000)  # as if the engine's cap were now below the server's limit
    try:
        job = Job(query="SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", format="csv")
        answer = asyncio.run(runner.run(job))
        assert (answer.count, answer.truncated) == (100, True)  # the public endpoint says SER-KG-Truncated
        # Pages and listings are built from trusted queries: one built from part of an answer would be wrong.
        with pytest.raises(StoreError, match=r"cut an answer at its row cap \(100 rows\).*ResultSetMaxRows"):
            store.select("SELECT ?s WHERE { ?s ?p ?o }")
        with pytest.raises(StoreError, match="cut an answer at its row cap"):
            create_app(settings, store, runner)  # the directory of names reads every label
    finally:
        store.close()
