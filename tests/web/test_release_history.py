"""Every release still answerable: ``/sparql?release=V`` (the earlier release's answer while the current one
is served), the mementos of ``/doc/`` (RFC 7089: TimeGate, memento, TimeMap) and the citations of ``/cite/``.

Two small releases made from the tiny fixture: the earlier one lacks the title of one advisory report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.errors import SettingError
from server.settings import Settings
from server.settings import load as load_settings
from server.web.reloading import Served
from server.web.runner import open_release

OLD, NEW = "2026-01-01.1", "2026-02-01.1"
DROPPED = '<https://data.ser.nl/id/advies/werken-zonder-armoede> <http://purl.org/dc/terms/title> '
TITLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://purl.org/dc/terms/title> ?t }"
ASK_DROPPED = "ASK { <https://data.ser.nl/id/advies/werken-zonder-armoede> <http://purl.org/dc/terms/title> ?t }"


def make_release(source: Path, target: Path, version: str, created: str, drop: str | None = None) -> Path:
    """A release folder of ``source``'s quads (without the lines that start with ``drop``)."""
    target.mkdir(parents=True)
    lines = (source / "ser.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    body = "".join(line for line in lines if drop is None or not line.startswith(drop)).encode("utf-8")
    (target / "ser.nq").write_bytes(body)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(version=version, created=created, files=[{
        "name": "ser.nq", "media_type": "application/n-quads", "bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest()}])
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def history(tiny_release_dir: Path, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("history")
    make_release(tiny_release_dir, root / "releases" / OLD, OLD, "2026-01-01T00:00:00+00:00", drop=DROPPED)
    make_release(tiny_release_dir, root / "releases" / "2025-06-01.1", "2025-06-01.1", "2025-06-01T00:00:00+00:00")
    new = make_release(tiny_release_dir, root / "releases" / NEW, NEW, "2026-02-01T00:00:00+00:00")
    served = settings.replace(releases_dir=root / "releases", store_dir=root / "store", query_workers=1,
                              queryable_releases=2, release_doi="10.5281/ser-kg.{version}")
    opened = open_release(served, new)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def client(history: Served) -> Iterator[TestClient]:
    with TestClient(history.app) as test_client:
        yield test_client


def ask(client: TestClient, query: str, **params: str) -> tuple[bool, str]:
    response = client.get("/sparql", params={"query": query, **params},
                          headers={"accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"]), response.headers["ser-kg-release"]


def test_a_query_against_an_earlier_release_gets_that_releases_answer_while_the_current_one_is_served(
        client: TestClient) -> None:
    assert ask(client, ASK_DROPPED) == (True, NEW)
    assert ask(client, ASK_DROPPED, release=OLD) == (False, OLD)
    assert ask(client, ASK_DROPPED, release=NEW) == (True, NEW)
    posted = client.post(f"/sparql?release={OLD}", content=TITLES.encode(),
                         headers={"content-type": "application/sparql-query", "accept": "text/csv"})
    current = client.post("/sparql", content=TITLES.encode(),
                          headers={"content-type": "application/sparql-query", "accept": "text/csv"})
    assert posted.headers["ser-kg-release"] == OLD
    assert int(posted.text.split()[1]) == int(current.text.split()[1]) - 1


def test_an_earlier_release_has_the_same_policy_and_limits(client: TestClient) -> None:
    update = client.post(f"/sparql?release={OLD}", content=b"DELETE WHERE { ?s ?p ?o }",
                         headers={"content-type": "application/sparql-update"})
    assert update.status_code == 403
    service = client.get("/sparql", params={"query": "SELECT * { SERVICE <http://example.org/> { ?s ?p ?o } }",
                                            "release": OLD})
    assert service.status_code == 400
    many = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }", "release": OLD},
                      headers={"accept": "application/sparql-results+json"})
    assert many.headers["ser-kg-result-limit"] == "10000" and many.headers["ser-kg-release"] == OLD


@pytest.mark.parametrize(("version", "status", "named"), [
    ("2025-06-01.1", 410, "/downloads/2025-06-01.1/"),  # a release, but past queryable_releases
    ("1999-01-01.1", 404, "no such release"),
    ("x" * 65, 400, "not a release version"),
])
def test_a_release_that_cannot_be_answered_is_a_client_error_naming_the_parameter(
        client: TestClient, version: str, status: int, named: str) -> None:
    response = client.get("/sparql", params={"query": "ASK {}", "release": version})
    assert response.status_code == status
    assert "release" in response.text and named in response.text


def test_two_release_parameters_are_refused(client: TestClient) -> None:
    response = client.get(f"/sparql?query=ASK%20%7B%7D&release={OLD}&release={NEW}")
    assert response.status_code == 400 and "'release'" in response.text


def test_a_server_on_a_remote_engine_says_that_release_scoped_queries_need_the_embedded_store(
        store: object, settings: Settings) -> None:
    from server.store.oxigraph.embedded import EmbeddedStore
    from server.web.app import create_app
    from server.web.archive import Archive, ReleaseUnavailable

    assert isinstance(store, EmbeddedStore)
    archive = Archive(settings, store, None, None, remote=True)
    create_app(settings, store, None, archive=archive)
    with pytest.raises(ReleaseUnavailable, match="release-scoped requests need the embedded store") as caught:
        archive.find(OLD)
    assert caught.value.http_status == 400


@pytest.mark.parametrize("value", ["0", "-1", "three"])
def test_queryable_releases_must_be_a_positive_number_named_in_the_error(value: str) -> None:
    with pytest.raises(SettingError, match="SER_KG_QUERYABLE_RELEASES"):
        load_settings({"SER_KG_QUERYABLE_RELEASES": value})
