"""Stateless replicas: separate ``ser-kg serve`` processes give the same responses and ETags, whether they
share one engine (``--store URL``: two on oxigraph, one on Virtuoso) or each holds its own embedded copy
of the same release: the same bytes, also for a CONSTRUCT and a SELECT without ORDER BY, which the
server writes in one canonical order whatever the engine's (docs/deploy.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.release.conftest import env_for
from tests.remote.conftest import VERSION
from tests.remote.engines import Oxigraph, Virtuoso, wait_until_up

SER = "https://data.ser.nl/"
REQUESTS = [
    ("/sparql", {"query": f"CONSTRUCT WHERE {{ <{SER}id/organisatie/ser> ?p ?o }}"}, "text/turtle"),
    ("/sparql", {"query": f"SELECT ?p ?o WHERE {{ <{SER}id/organisatie/ser> ?p ?o }}"}, "text/csv"),
    ("/sparql", {"query": f"SELECT ?a WHERE {{ ?a a <{SER}def/Advies> }} ORDER BY ?a"},
     "application/sparql-results+json"),
    ("/doc/organisatie/ser", {}, "text/turtle"),
    ("/doc/def/Datum", {}, "text/turtle"),  # blank nodes: every load labels them anew, the document canonically
    ("/sparql", {}, "text/turtle"),  # the Service Description
    ("/doc/organisatie/ser", {}, "text/html"),
    ("/id/organisatie/ser", {}, "text/html"),
    ("/", {}, "text/html"),
    ("/catalog", {}, "text/turtle"),
    (f"/downloads/{VERSION}/manifest.json", {}, "*/*"),
]


def serve(root: Path, store_dir: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, **env_for(root), "SER_KG_STORE_DIR": str(store_dir), "SER_KG_QUERY_WORKERS": "1"}
    process = subprocess.Popen([sys.executable, "-m", "server", "serve", "--port", str(port), *options], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def replicas(remote_project: Path, oxigraph: Oxigraph, virtuoso: Virtuoso,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    started = {
        "engine-a": serve(remote_project, tmp_path_factory.mktemp("a"), "--store", oxigraph.query_url),
        "engine-b": serve(remote_project, tmp_path_factory.mktemp("b"), "--store", oxigraph.query_url),
        "virtuoso": serve(remote_project, tmp_path_factory.mktemp("v"), "--store", virtuoso.query_url),
        "embedded-a": serve(remote_project, tmp_path_factory.mktemp("c")),
        "embedded-b": serve(remote_project, tmp_path_factory.mktemp("d")),
    }
    try:
        for process, url in started.values():
            wait_until_up(url + "/-/health", process, seconds=60)
        yield {name: url for name, (_, url) in started.items()}
    finally:
        for process, _ in started.values():
            process.terminate()
        for process, _ in started.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            if process.stderr:
                process.stderr.close()


def answers(replicas: dict[str, str], path: str, params: dict[str, str], accept: str) -> dict[str, tuple[object, ...]]:
    seen = {}
    for name, url in replicas.items():
        # One Host for all, as behind a load balancer: the Service Description names the endpoint it was asked at.
        response = httpx.get(url + path, params=params, headers={"Accept": accept, "Host": "data.ser.nl"},
                             trust_env=False)
        seen[name] = (response.status_code, response.headers.get("etag"), response.headers.get("content-type"),
                      response.content)
    return seen


@pytest.mark.parametrize(("path", "params", "accept"), REQUESTS)
def test_every_replica_answers_alike_with_the_same_etag(replicas: dict[str, str], path: str,
                                                        params: dict[str, str], accept: str) -> None:
    seen = answers(replicas, path, params, accept)
    first = seen["engine-a"]
    assert first[0] in (200, 303) and (first[1] or first[0] == 303)
    assert all(answer == first for answer in seen.values()), {n: a[:3] for n, a in seen.items()}
