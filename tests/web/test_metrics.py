"""Prometheus metrics at /-/metrics and the health check at /-/health."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from server.web.metrics import Histogram, Metrics

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
    assert 'ser_kg_http_request_duration_seconds_bucket{route="/sparql",le="+Inf"}' in after.text
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
    histogram = Histogram((0.1, 1.0))
    for value in (0.05, 0.5, 0.5, 5.0):
        histogram.observe(value)
    lines = list(histogram.lines("h", (("route", "/x"),)))
    assert lines[:3] == ['h_bucket{route="/x",le="0.1"} 1', 'h_bucket{route="/x",le="1.0"} 3',
                         'h_bucket{route="/x",le="+Inf"} 4']
    assert lines[-1] == 'h_count{route="/x"} 4'


def test_label_values_are_escaped() -> None:
    metrics = Metrics()
    metrics.inc("ser_kg_sparql_queries_total", (("outcome", 'a"b\\c\nd'),))
    assert 'ser_kg_sparql_queries_total{outcome="a\\"b\\\\c\\nd"} 1' in metrics.render()
