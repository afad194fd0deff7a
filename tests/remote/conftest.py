"""Real SPARQL engines on loopback, each holding the release built from the real data.

``oxigraph serve`` (the ``oxigraph`` package from PyPI) always runs; Virtuoso Open Source (Debian's
``virtuoso-opensource``, installed by ``./dev test``) runs where it is installed, with a database of its
own, ``ResultSetMaxRows`` raised above the result limit, and a random ``dba`` password set at start for
this test session only (a fresh database comes with ``dba``/``dba``). The release is built once in a
temporary copy of the project, published into the engine with ``ser-kg publish``, and served by an
app over the embedded store and by an app over each engine: the ``backend`` fixture is one of them,
so a test written once runs against every backend.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server import settings as settings_module
from server.build.release import latest
from server.cli import main
from server.settings import Settings
from server.store.base import QueryRunner, Store
from server.store.embedded import EmbeddedStore
from server.store.remote import RemoteRunner, RemoteStore, engine_from
from server.web.app import create_app
from server.web.runner import pool_for
from tests.conftest import free_port
from tests.release.conftest import copy_project, env_for

VERSION = "2026-01-01.1"
RESULT_LIMIT = 500  # small enough that a test can cut an answer, large enough for the pages
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
VIRTUOSO = shutil.which("virtuoso-t")
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
# Virtuoso is opt-in (SER_KG_TEST_VIRTUOSO=1) until its remaining differences are fixed: the syntax error
# text, ORDER BY on literals of mixed types, and a protocol default graph of one graph.
WITH_VIRTUOSO = bool(VIRTUOSO and VIRTUOSO_INI.is_file() and os.environ.get("SER_KG_TEST_VIRTUOSO"))
BACKENDS = ["embedded", "oxigraph", *(["virtuoso"] if WITH_VIRTUOSO else [])]


class Oxigraph:
    """``oxigraph serve`` on a free loopback port over a database folder; it can be stopped and started."""

    name = "oxigraph"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.query_url = f"{self.root}/query"
        self.store_url = f"{self.root}/store"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", str(self.folder), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until_up(self.query_url + "?query=ASK%7B%7D", self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


class Virtuoso:
    """Virtuoso on free loopback ports over a database folder of its own."""

    name = "virtuoso"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sql_port, self.port = free_port(), free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.query_url = f"{self.root}/sparql"
        self.store_url = f"{self.root}/sparql-graph-crud-auth"  # digest authentication
        self.password = secrets.token_urlsafe(16)
        self.process: subprocess.Popen[bytes] | None = None
        db = folder / "db"
        db.mkdir(parents=True, exist_ok=True)
        ini = VIRTUOSO_INI.read_text(encoding="utf-8").replace("/var/lib/virtuoso-opensource-7/db", str(db))
        ini = re.sub(r"(?m)^ServerPort\s*=\s*1111", f"ServerPort = 127.0.0.1:{self.sql_port}", ini)
        ini = re.sub(r"(?m)^ServerPort\s*=\s*8890", f"ServerPort = 127.0.0.1:{self.port}", ini)
        ini = re.sub(r"(?m)^ResultSetMaxRows\s*=.*", "ResultSetMaxRows = 1000000", ini)
        self.ini = folder / "virtuoso.ini"
        self.ini.write_text(ini, encoding="utf-8")
        self.fresh = True

    def start(self) -> None:
        self.process = subprocess.Popen([str(VIRTUOSO), "+configfile", str(self.ini), "+foreground"],
                                        cwd=self.folder / "db", stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until_up(self.query_url + "?query=ASK%7B%7D", self.process, seconds=60)
        if self.fresh:  # replace the well-known default password before anything else happens
            subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba",
                            f"exec=USER_SET_PASSWORD('dba', '{self.password}');"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
            self.fresh = False

    def stop(self) -> None:
        Oxigraph.stop(self)  # type: ignore[arg-type]


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the engine exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1, trust_env=False).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


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
    return settings_module.load(env_for(root)).replace(result_limit=RESULT_LIMIT, **changes)


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
    if "virtuoso" not in BACKENDS:
        pytest.skip("Virtuoso is not installed (./dev test installs it)")
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
    store: Store
    runner: QueryRunner


def open_backend(name: str, root: Path, request: pytest.FixtureRequest, **changes: Any) -> Backend:
    if name == "virtuoso":
        changes = {"store_timeout_parameter": "timeout", **changes}
    settings = project_settings(root, **changes)
    store: Store
    runner: QueryRunner
    if name == "embedded":
        release = latest(settings.releases_dir)
        assert release is not None
        embedded = EmbeddedStore.open(release, settings.store_dir)
        store, runner = embedded, pool_for(settings.replace(query_workers=1), embedded)
        runner.start()
    else:
        engine = request.getfixturevalue(name)
        store = RemoteStore.open(engine_from(engine.query_url, settings), settings.base_iri, settings.releases_dir)
        runner = RemoteRunner(store, limit=settings.result_limit)
    app = create_app(settings, store, runner)
    return Backend(name, app, TestClient(app, follow_redirects=False), store, runner)


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
        backend.runner.close()
        backend.store.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, backends: dict[str, Backend]) -> Backend:
    return backends[request.param]
