"""Prometheus metrics at /-/metrics and the health check at /-/health."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from server.web.metrics import MULTIPROCESS_ENV, Metrics

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?q ?r ?t }"


def sample(text: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert match, f"{series} is missing"
    return float(match.group(1))


def test_metrics_count_requests_by_route_and_status(client: TestClient) -> None:
    before = client.get("/-/metrics").text
    series = 'ser_kg_http_requests_total{method="GET",route="/sparql",status="200"}'
    start = sample(before, series) if series in before else 0
    client.get("/sparql", params={"query": "ASK {}"})
    after = client.get("/-/metrics")
    assert after.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert sample(after.text, series) == start + 1
    assert 'ser_kg_http_request_duration_seconds_bucket{le="+Inf",route="/sparql"}' in after.text
    assert "# TYPE ser_kg_http_request_duration_seconds histogram" in after.text


def test_metrics_count_timeouts_and_worker_restarts(make_app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(make_app(query_timeout=0.5)) as client:
        assert client.get("/sparql", params={"query": RUNAWAY}).status_code == 503
        text = client.get("/-/metrics").text
    assert sample(text, "ser_kg_sparql_query_timeouts_total") == 1
    assert sample(text, "ser_kg_sparql_worker_restarts_total") == 1
    assert sample(text, 'ser_kg_sparql_queries_total{outcome="timeout"}') == 1
    assert sample(text, 'ser_kg_release_info{version="0.0.0-fixture"}') == 1


def test_metrics_count_cache_hits(client: TestClient) -> None:
    query = {"query": "SELECT * WHERE { ?s a ?c } LIMIT 1 # metrics"}
    client.get("/sparql", params=query)
    hits = sample(client.get("/-/metrics").text, "ser_kg_sparql_cache_hits_total")
    client.get("/sparql", params=query)
    assert sample(client.get("/-/metrics").text, "ser_kg_sparql_cache_hits_total") == hits + 1


def test_health_reports_release_and_workers_or_engine(client: TestClient, backend_name: str) -> None:
    response = client.get("/-/health")
    assert response.status_code == 200
    found = {"query_workers": 2, "query_workers_wanted": 2} if backend_name == "embedded" else {"engine": "reachable"}
    assert response.json() == {"status": "ok", "release": "0.0.0-fixture", **found}


def test_histogram_buckets_are_cumulative() -> None:
    metrics = Metrics(multiprocess_dir="")
    for value in (0.0005, 0.05, 0.05, 50.0):
        metrics.observe("ser_kg_http_request_duration_seconds", (("route", "/x"),), value)
    text = metrics.render().decode()
    assert sample(text, 'ser_kg_http_request_duration_seconds_bucket{le="0.001",route="/x"}') == 1
    assert sample(text, 'ser_kg_http_request_duration_seconds_bucket{le="0.05",route="/x"}') == 3
    assert sample(text, 'ser_kg_http_request_duration_seconds_bucket{le="+Inf",route="/x"}') == 4
    assert sample(text, 'ser_kg_http_request_duration_seconds_count{route="/x"}') == 4


def test_label_values_are_escaped() -> None:
    metrics = Metrics(multiprocess_dir="")
    metrics.inc("ser_kg_sparql_queries_total", (("outcome", 'a"b\\c\nd'),))
    assert 'ser_kg_sparql_queries_total{outcome="a\\"b\\\\c\\nd"} 1.0' in metrics.render().decode()


def series(text: str) -> set[str]:
    """The series of an exposition: each sample's name and labels, without its value."""
    return {line.rsplit(" ", 1)[0] for line in text.splitlines() if line and not line.startswith("#")}


def test_unknown_paths_add_no_series(make_app) -> None:  # type: ignore[no-untyped-def]
    """Each label value is a series kept for ever: a path a client makes up must never become one."""
    def unknown(i: int) -> str:
        kind = ("/static/", "/nothing/", "/id/", "/doc/", "/-/")[i % 5]
        return f"{kind}{i}-{'x' * 200}"

    with TestClient(make_app()) as client:
        for i in range(5):  # each kind of path once, so that its route and status are counted
            client.get(unknown(i))
        client.get("/-/metrics")
        before = client.get("/-/metrics").text
        for i in range(5, 255):
            assert client.get(unknown(i)).status_code in (404, 414)
        client.get("/-/metrics")
        after = client.get("/-/metrics").text
    assert series(after) == series(before)
    assert 'route="/static/{path}"' in after and 'route="unmatched"' in after
    assert "x" * 200 not in after
    assert len(after) < len(before) + 1024  # only counts grew


# One server process of several: counts requests, samples its pool, and stays alive until told to stop.
SERVER_PROCESS = """
import sys
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from server.web.metrics import Metrics, RequestMetrics

metrics = Metrics()
metrics.samplers.append(lambda: [("ser_kg_sparql_workers_alive", (), 2.0),
                                 ("ser_kg_release_info", (("version", "1.0.0"),), 1.0)])
app = Starlette(routes=[Route("/x/{n}", lambda request: PlainTextResponse("x"))])
app.add_middleware(RequestMetrics, metrics=metrics, router=app.router)
with TestClient(app) as client:
    for n in range(int(sys.argv[1])):
        client.get(f"/x/{n}")
metrics.inc("ser_kg_sparql_queries_total", (("outcome", "ok"),))
print("counted", flush=True)
sys.stdin.read()
metrics.close()
"""


def test_several_server_processes_are_counted_together(tmp_path: Path) -> None:
    env = {**os.environ, MULTIPROCESS_ENV: str(tmp_path)}
    processes = [subprocess.Popen([sys.executable, "-c", SERVER_PROCESS, str(n)], env=env, text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE) for n in (3, 4)]
    try:
        for process in processes:
            assert process.stdout is not None and process.stdout.readline() == "counted\n"
        live = Metrics(multiprocess_dir=str(tmp_path)).render().decode()
    finally:
        for process in processes:
            process.communicate("", timeout=120)  # a hang guard
    assert [p.returncode for p in processes] == [0, 0]
    assert sample(live, 'ser_kg_http_requests_total{method="GET",route="/x/{n}",status="200"}') == 7
    assert sample(live, 'ser_kg_http_request_duration_seconds_count{route="/x/{n}"}') == 7
    assert sample(live, 'ser_kg_sparql_queries_total{outcome="ok"}') == 2
    assert sample(live, "ser_kg_sparql_workers_alive") == 4
    assert sample(live, 'ser_kg_release_info{version="1.0.0"}') == 1
    after = Metrics(multiprocess_dir=str(tmp_path)).render().decode()
    assert sample(after, 'ser_kg_http_requests_total{method="GET",route="/x/{n}",status="200"}') == 7
    assert "ser_kg_sparql_workers_alive 4" not in after  # the processes are gone, and so are their workers
