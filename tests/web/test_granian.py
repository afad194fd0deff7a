"""``ser-kg serve`` under granian (setting http_server): how the runner hands the app to it, the headers
its processes send, and the real server answering, closing a connection whose headers never end, and
replacing a process that was killed; none of its processes outliving a supervisor killed with SIGKILL."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time
from pathlib import Path
from typing import Any

import granian.server
import httpx
import pytest
import uvicorn
from starlette.types import Message, Receive, Scope, Send

from bench.load.harness import Served, _children
from server import settings as settings_module
from server.errors import SettingError
from server.settings import Settings
from server.web import granian_front, runner
from server.web.metrics import MULTIPROCESS_ENV
from tests.security.conftest import copy_tiny_release


def test_http_server_is_uvicorn_or_granian() -> None:
    assert settings_module.load({}).http_server == "uvicorn"  # the default: bench/README.md
    assert settings_module.load({"SER_KG_HTTP_SERVER": "granian"}).http_server == "granian"
    with pytest.raises(SettingError, match="SER_KG_HTTP_SERVER"):
        settings_module.load({"SER_KG_HTTP_SERVER": "gunicorn"})


@pytest.mark.parametrize("processes", [1, 3])
def test_granian_runs_every_process_from_the_process_app(settings: Settings, tmp_path: Path, processes: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[tuple[str, dict[str, Any]]] = []

    class Server:  # granian's, recording what it is given
        def __init__(self, target: str, **options: Any) -> None:
            self.target, self.options = target, options

        def serve(self) -> None:
            started.append((self.target, self.options))

    monkeypatch.setattr(granian.server, "Server", Server)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("uvicorn must not run"))
    monkeypatch.setattr(os, "environ", {})
    monkeypatch.setattr(runner, "serving", lambda *a: pytest.fail("the parent must not serve the release"))
    prepared: list[Path] = []
    monkeypatch.setattr(runner, "prepare", lambda settings, release: prepared.append(release))
    changed = settings.replace(http_server="granian", server_processes=processes, port=8123, body_timeout=4.0)
    runner.run(changed, tmp_path / "1.0.0", pointer=lambda: None)
    assert prepared == [tmp_path / "1.0.0"]
    ((target, options),) = started
    assert target == runner.PROCESS_APP and options["factory"] is True and options["workers"] == processes
    assert options["port"] == 8123 and options["address"] == changed.host
    assert options["respawn_failed_workers"] is True and options["log_access"] is False
    assert options["workers_kill_timeout"] == granian_front.KILL_TIMEOUT
    assert options["http1_settings"].header_read_timeout == 4000
    assert json.loads(os.environ[runner.TARGET_ENV]) == {"release": str(tmp_path / "1.0.0"), "follow": True}
    assert os.environ["SER_KG_HTTP_SERVER"] == "granian"
    assert Path(os.environ[MULTIPROCESS_ENV]).is_dir()


async def _answer(app: Any, scope: Scope) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    client = scope["client"][0].encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"server", b"x"), (b"x-c", client)]})
    await send({"type": "http.response.body", "body": scope["scheme"].encode()})


def _scope(peer: str) -> Scope:
    return {"type": "http", "scheme": "http", "client": (peer, 5000), "path": "/", "method": "GET",
            "headers": [(b"x-forwarded-for", b"203.0.113.9"), (b"x-forwarded-proto", b"https")]}


@pytest.mark.parametrize(("allowed", "peer", "client", "scheme"), [
    ("", "127.0.0.1", b"127.0.0.1", b"http"),
    ("10.0.0.1", "127.0.0.1", b"127.0.0.1", b"http"),
    ("10.0.0.1", "10.0.0.1", b"203.0.113.9", b"https"),
])
def test_a_granian_process_hides_its_server_and_believes_only_the_named_proxies(
        settings: Settings, allowed: str, peer: str, client: bytes, scheme: bytes) -> None:
    app = granian_front.wrap(settings.replace(forwarded_allow_ips=allowed), _app)
    start, body = asyncio.run(_answer(app, _scope(peer)))
    assert [value for name, value in start["headers"] if name == b"server"] == [b""]
    assert (b"x-c", client) in start["headers"] and body["body"] == scheme


def _pid_with_parent(parent: int, old: set[int], wait: float = 40.0) -> int:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        fresh = set(_children(parent)) - old
        if fresh:
            return fresh.pop()
        time.sleep(0.2)
    raise AssertionError(f"no new process under {parent} within {wait:.0f} s")


def _healthy(url: str, wait: float = 40.0) -> httpx.Response:
    deadline = time.monotonic() + wait
    while True:
        try:
            response = httpx.get(url + "/-/health", timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer /-/health again within {wait:.0f} s")
        time.sleep(0.2)


@pytest.mark.slow
def test_granian_serves_with_the_security_headers_and_replaces_a_killed_process(tmp_path: Path) -> None:
    copy_tiny_release(tmp_path / "releases")
    env = {"SER_KG_RELEASES_DIR": str(tmp_path / "releases"), "SER_KG_STORE_DIR": str(tmp_path / "store"),
           "SER_KG_QUERY_WORKERS": "1", "SER_KG_HTTP_SERVER": "granian", "SER_KG_CHEAP_LANE": "off",
           "SER_KG_BODY_TIMEOUT": "1"}
    with Served(env, log=tmp_path / "serve.log") as served:
        for path in ("/sparql?query=ASK%7B%7D", "/doc/organisatie/ser", "/-/health"):
            response = httpx.get(served.url + path, timeout=10)
            assert response.status_code == 200, path
            assert response.headers["x-content-type-options"] == "nosniff", path
            assert "content-security-policy" in response.headers, path
            assert not response.headers.get("server"), path  # granian's name nowhere
        assert httpx.get(served.url + "/sparql?query=ASK%7B%7D", timeout=10).json() == {"head": {},
                                                                                         "boolean": True}
        with socket.create_connection(("127.0.0.1", served.port), timeout=30) as slow:
            slow.sendall(b"GET /-/health HTTP/1.1\r\nHost: x\r\n")  # and the rest of its headers never
            assert slow.recv(4096) == b""  # closed by the server after body_timeout, unanswered
        assert served.process is not None
        (process,) = _children(served.process.pid)  # one granian process for server_processes 1
        os.kill(process, signal.SIGKILL)
        replaced = _pid_with_parent(served.process.pid, {process})
        assert _healthy(served.url).json()["status"] == "ok"
        assert served.process.poll() is None and replaced in _children(served.process.pid)
        pids = served.pids()
        assert len(pids) >= 3  # the supervisor, its process, a query worker
        os.kill(served.process.pid, signal.SIGKILL)  # the supervisor cannot stop its process: the kernel does
        served.process.wait(10)
    deadline = time.monotonic() + 30
    while (alive := [pid for pid in pids if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive, "processes outlived the killed supervisor"


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "zombie" not in status.lower()
