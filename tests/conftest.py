"""Shared fixtures: a tiny release, its store, the app, a test client and a live server.

A test module that sets ``ON_EVERY_BACKEND = True`` runs each of its tests that use ``client`` three
times: on the embedded store, and on ``oxigraph serve`` and Virtuoso holding the same tiny release
(started on loopback for the session, ``tests/remote/engines.py``), so the protocol, negotiation and
page tests hold for every backend (issue 5).

The network is blocked for every test: a socket may connect to loopback addresses and Unix sockets only,
so a test that would reach the internet fails instead of passing by luck. The SPARQL workers, separate
processes, cut themselves off the network on their own (``server.store.workers.isolation``).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server import settings as settings_module
from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.app import App
from server.web.runner import embedded_app, remote_app

FIXTURES = Path(__file__).parent / "fixtures"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(sock: socket.socket, address: Any) -> bool:
    if sock.family == socket.AF_UNIX:
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(sock: socket.socket, address: Any) -> None:
    if not _is_local(sock, address):
        raise ConnectionRefusedError(f"tests may not reach the network (connect to {address!r})")
    _real_connect(sock, address)


def _guarded_connect_ex(sock: socket.socket, address: Any) -> int:
    if not _is_local(sock, address):
        raise ConnectionRefusedError(f"tests may not reach the network (connect to {address!r})")
    return _real_connect_ex(sock, address)


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", _guarded_connect)
        mp.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
        yield


@pytest.fixture(scope="session")
def tiny_release_dir() -> Path:
    """A release of a few dozen SER-like quads in the three named graphs (manifest.json + ser.nq)."""
    return FIXTURES / "release"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings_module.load({}).replace(store_dir=tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="session")
def store(settings: Settings, tiny_release_dir: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore.open(tiny_release_dir, settings.store_dir)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def make_app(store: EmbeddedStore, settings: Settings) -> Iterator[Callable[..., App]]:
    """Build an app over the tiny store with some settings changed; its query workers run until the end."""
    closers: list[Callable[[], None]] = []

    def build(**changes: Any) -> App:
        changed = settings.replace(**changes) if changes else settings
        app, close = embedded_app(changed, store, earlier=False)
        closers.append(close)
        return app

    yield build
    for close in closers:
        close()


BACKENDS = ("embedded", "oxigraph", "virtuoso")


# Markers that the fast loop leaves out (README, "The fast loop"): set here from where a test lives
# and what it uses, so that no test file has to remember them.
ENGINE_BACKENDS = {"oxigraph", "virtuoso"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests = Path(__file__).parent
    for item in items:
        folder = item.path.relative_to(tests).parts[0]
        params = getattr(getattr(item, "callspec", None), "params", {})
        if folder == "remote" or params.get("backend_name") in ENGINE_BACKENDS:
            item.add_marker(pytest.mark.engines)
        if folder == "fuzz":
            item.add_marker(pytest.mark.fuzz)
        if "browser" in item.path.stem:
            item.add_marker(pytest.mark.browser)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if getattr(metafunc.module, "ON_EVERY_BACKEND", False) and "client" in metafunc.fixturenames:
        metafunc.parametrize("backend_name", BACKENDS, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "embedded"))


@pytest.fixture(scope="session")
def tiny_oxigraph(tiny_release_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.remote.engines import Oxigraph, holding

    with holding(Oxigraph(tmp_path_factory.mktemp("tiny-oxigraph")), tiny_release_dir) as engine:
        yield engine


@pytest.fixture(scope="session")
def tiny_virtuoso(tiny_release_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.remote.engines import Virtuoso, holding

    with holding(Virtuoso(tmp_path_factory.mktemp("tiny-virtuoso")), tiny_release_dir) as engine:
        yield engine


@pytest.fixture(scope="session")
def app(make_app: Callable[..., FastAPI], backend_name: str, request: pytest.FixtureRequest,
        settings: Settings, tiny_release_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    if backend_name == "embedded":
        yield make_app()
        return
    engine = request.getfixturevalue(f"tiny_{backend_name}")
    releases = tmp_path_factory.mktemp(f"releases-{backend_name}")
    (releases / "0.0.0-fixture").symlink_to(tiny_release_dir.resolve())  # found by the version the engine names
    changed = settings.replace(releases_dir=releases,
                               store_timeout_parameter="timeout" if backend_name == "virtuoso" else "")
    app, close = remote_app(changed, engine.query_url)
    try:
        yield app
    finally:
        close()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving an app on a free loopback port, in a background thread."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="live-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 120  # a hang guard, not a speed test
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(60)


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    """The app served by uvicorn on a free loopback port; ``live_server.url`` is its base URL."""
    with LiveServer(app) as server:
        yield server


class Recorder:
    """A local HTTP server that records every request it gets: the witness that nothing went out."""

    def __init__(self) -> None:
        import http.server

        self.requests: list[tuple[str, str]] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                recorder.requests.append((self.command, self.path))
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

            do_GET = do_POST = _record

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def http_recorder() -> Iterator[Recorder]:
    """A local HTTP server on a free port; ``http_recorder.requests`` lists what reached it."""
    recorder = Recorder()
    recorder.thread.start()
    yield recorder
    recorder.server.shutdown()
    recorder.server.server_close()
