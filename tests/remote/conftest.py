"""Real SPARQL engines on loopback (``tests.remote.engines``), each holding the release built from the
real data: ``oxigraph serve`` and Virtuoso, both run by every test session. The release is built once in a
temporary copy of the project, published into the engine with ``ser-kg publish``, and served by an
app over the embedded store and by an app over each engine: the ``backend`` fixture is one of them,
so a test written once runs against every backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server import settings as settings_module
from server.cli import main
from server.pipeline.releases.release import latest
from server.settings import Settings
from server.web.runner import embedded_release, remote_app
from tests.release.conftest import copy_project, env_for
from tests.remote.engines import VIRTUOSO, VIRTUOSO_INI, Oxigraph, Virtuoso

VERSION = "2026-01-01.1"
RESULT_LIMIT = 500  # small enough that a test can cut an answer, large enough for the pages
BACKENDS = ["embedded", "oxigraph", "virtuoso"]


@pytest.fixture(scope="session")
def remote_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the project with one release built from the real data; its environment is set while in use."""
    root = copy_project(tmp_path_factory.mktemp("remote-project"))
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env_for(root).items():
            mp.setenv(key, value)
        assert main(["build", "--release", VERSION]) == 0
    assert latest(root / "releases") is not None
    yield root


def project_settings(root: Path, **changes: Any) -> Settings:
    return settings_module.load(env_for(root)).replace(**{"result_limit": RESULT_LIMIT, **changes})


def publish(root: Path, store_url: str, **env: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {**env_for(root), **env}.items():
            mp.setenv(key, value)
        assert main(["publish", "--to", store_url]) == 0


@pytest.fixture(scope="session")
def oxigraph(remote_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    engine = Oxigraph(tmp_path_factory.mktemp("oxigraph-db"))
    engine.start()
    try:
        publish(remote_project, engine.store_url)
        yield engine
    finally:
        engine.stop()


@pytest.fixture(scope="session")
def virtuoso(remote_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    if not (VIRTUOSO and VIRTUOSO_INI.is_file()):
        pytest.fail("Virtuoso is not installed: `./dev test` installs Debian's virtuoso-opensource")
    engine = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    engine.start()
    try:
        publish(remote_project, engine.store_url, SER_KG_STORE_USER="dba", SER_KG_STORE_PASSWORD=engine.password)
        yield engine
    finally:
        engine.stop()


@dataclass
class Backend:
    name: str
    app: FastAPI
    client: TestClient
    close: Callable[[], None]  # the app's workers or connections, and the store it was opened over


def open_backend(name: str, root: Path, request: pytest.FixtureRequest, **changes: Any) -> Backend:
    """The app of ``name`` as the server composes it (``server.web.runner``), over the project at ``root``."""
    if name == "virtuoso":
        changes = {"store_timeout_parameter": "timeout", **changes}
    settings = project_settings(root, **changes)
    if name == "embedded":
        release = latest(settings.releases_dir)
        assert release is not None
        app, close = embedded_release(settings.replace(query_workers=1), release, earlier=False)
    else:
        app, close = remote_app(settings, request.getfixturevalue(name).query_url)
    return Backend(name, app, TestClient(app, follow_redirects=False), close)


@pytest.fixture(scope="session")
def backends(remote_project: Path, request: pytest.FixtureRequest) -> Iterator[dict[str, Backend]]:
    """One app per backend, opened the first time a test asks for it."""
    opened: dict[str, Backend] = {}

    class Lazy(dict[str, Backend]):
        def __missing__(self, name: str) -> Backend:
            opened[name] = self[name] = open_backend(name, remote_project, request)
            return opened[name]

    yield Lazy()
    for backend in opened.values():
        backend.client.close()
        backend.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, backends: dict[str, Backend]) -> Backend:
    return backends[request.param]
