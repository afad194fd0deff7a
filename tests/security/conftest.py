"""Fixtures for the hostile-input tests: a release whose data is itself hostile, and the real server.

``hostile_release`` is the tiny fixture release plus things whose labels, descriptions and links are
HTML and JavaScript, and links with ``javascript:`` and ``data:`` IRIs: what a compromised source
record, or a mistake, could put into a release. ``served_tiny`` runs ``ser-kg serve`` itself (the
real runner, its uvicorn settings and its query workers) over the tiny release.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bench.load.harness import Served
from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.runner import embedded_app
from tests.conftest import FIXTURES

BASE = "https://data.ser.nl/"
EVIL = f"{BASE}id/organisatie/evil"
DATA = f"<{BASE}graph/data>"
SCRIPT = "<script>window.pwned=1</script>"
ATTRIBUTE = "\"'><img src=x onerror=\"window.pwned=2\">"
CLOSE_SCRIPT = "</script><script>window.pwned=3</script>"
MARKERS = ("window.pwned",)


def _literal(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SKOS = "http://www.w3.org/2004/02/skos/core#"
HOSTILE_QUADS = [
    f"<{EVIL}> {TYPE} <http://www.w3.org/ns/org#FormalOrganization> {DATA} .",
    f"<{EVIL}> {TYPE} <{BASE}def/Evil> {DATA} .",
    f"<{EVIL}> <{SKOS}prefLabel> {_literal('Evil ' + SCRIPT + ATTRIBUTE, 'nl')} {DATA} .",
    f"<{EVIL}> <{SKOS}prefLabel> {_literal('Evil ' + SCRIPT, 'en')} {DATA} .",
    f"<{EVIL}> <{SKOS}altLabel> {_literal(CLOSE_SCRIPT, 'nl')} {DATA} .",
    f"<{EVIL}> <http://purl.org/dc/terms/description> {_literal(ATTRIBUTE + CLOSE_SCRIPT)} {DATA} .",
    f"<{EVIL}> <http://xmlns.com/foaf/0.1/homepage> <javascript:window.pwned=4> {DATA} .",
    f"<{EVIL}> <http://xmlns.com/foaf/0.1/page> <data:text/html,%3Cscript%3Ewindow.pwned=5%3C/script%3E> {DATA} .",
    f"<{EVIL}> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <JavaScript:window.pwned=6> {DATA} .",
    f"<{BASE}def/Evil> <http://www.w3.org/2000/01/rdf-schema#label> {_literal('Kwaad ' + SCRIPT, 'nl')} "
    f"<{BASE}graph/ontology> .",
    f"<{BASE}def/Evil> <http://www.w3.org/2000/01/rdf-schema#label> {_literal('Evil ' + ATTRIBUTE, 'en')} "
    f"<{BASE}graph/ontology> .",
]


def copy_tiny_release(releases: Path) -> Path:
    """The tiny fixture release in a releases folder of its own, with ``latest`` pointing to it."""
    manifest = json.loads((FIXTURES / "release" / "manifest.json").read_text("utf-8"))
    target = releases / manifest["version"]
    shutil.copytree(FIXTURES / "release", target)
    (releases / "latest").symlink_to(target.name)
    return target


@pytest.fixture(scope="session")
def hostile_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "releases" / "6.6.6"
    folder.mkdir(parents=True)
    quads = (FIXTURES / "release" / "ser.nq").read_text("utf-8") + "\n".join(HOSTILE_QUADS) + "\n"
    (folder / "ser.nq").write_text(quads, encoding="utf-8")
    count = sum(1 for _ in ox.parse(quads.encode(), format=ox.RdfFormat.N_QUADS))
    listed = {"name": "ser.nq", "media_type": "application/n-quads", "bytes": len(quads.encode()),
              "sha256": hashlib.sha256(quads.encode()).hexdigest()}
    manifest = {"version": "6.6.6", "created": "2026-01-01T00:00:00+00:00", "base_iri": BASE, "triples": count,
                "files": [listed]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (folder.parent / "latest").symlink_to("6.6.6")
    return folder


@pytest.fixture(scope="session")
def hostile_app(hostile_release: Path, settings: Settings) -> Iterator[FastAPI]:
    changed = settings.replace(releases_dir=hostile_release.parent, store_dir=hostile_release.parent / "store")
    store = EmbeddedStore.open(hostile_release, changed.store_dir)
    app, close = embedded_app(changed.replace(query_workers=1), store, earlier=False)
    yield app
    close()
    store.close()


@pytest.fixture
def hostile(hostile_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(hostile_app, follow_redirects=False) as client:
        yield client


@pytest.fixture(scope="module")
def served_tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("served")
    copy_tiny_release(root / "releases")
    env = {"SER_KG_RELEASES_DIR": str(root / "releases"), "SER_KG_STORE_DIR": str(root / "store"),
           "SER_KG_QUERY_WORKERS": "1", "SER_KG_QUERY_TIMEOUT": "2"}
    with Served(env, log=root / "serve.log") as served:
        yield served
