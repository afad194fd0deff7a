"""A running server switches to a new release between requests (server/web/reloading.py).

Every switch here happens when the test calls ``poll`` (or lets its own ``sleep`` return): no timer
races the test.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from server.errors import ReleaseError
from server.settings import Settings
from server.web.reloading import Reloader, Served
from server.web.runner import open_release


class Call:
    """One HTTP request to an ASGI app, whose body the test may hold back."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], path: str, *, method: str = "GET",
                 body: bytes = b"", headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.app, self.body = app, body
        self.scope: Scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"127.0.0.1:8000"), *((k.encode(), v.encode()) for k, v in headers)],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        }
        self.body_sent = asyncio.Event()  # set by the test to let the request's body arrive
        self.answered = asyncio.Event()
        self.asked = asyncio.Event()  # the app is waiting for the body
        self.messages: list[Message] = []
        self._read = False

    async def receive(self) -> Message:
        if self._read:  # after the body: the client stays until the answer is complete
            await self.answered.wait()
            return {"type": "http.disconnect"}
        self.asked.set()
        await self.body_sent.wait()
        self._read = True
        return {"type": "http.request", "body": self.body, "more_body": False}

    async def send(self, message: Message) -> None:
        self.messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            self.answered.set()

    async def run(self) -> None:
        await self.app(self.scope, self.receive, self.send)

    @property
    def status(self) -> int:
        return int(next(m["status"] for m in self.messages if m["type"] == "http.response.start"))

    def header(self, name: str) -> str:
        start = next(m for m in self.messages if m["type"] == "http.response.start")
        return next(v.decode() for k, v in start["headers"] if k.decode().lower() == name)

    @property
    def text(self) -> str:
        return b"".join(m.get("body", b"") for m in self.messages if m["type"] == "http.response.body").decode()


def fake(version: str, closed: list[str]) -> Served:
    """A release whose app answers its version once the request's body has arrived."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": version.encode()})

    return Served(Path(f"/releases/{version}"), version, app, lambda: closed.append(version))


class Pointer:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.looks = 0

    def __call__(self) -> Path | None:
        self.looks += 1
        return self.path


async def answered(call: Call) -> str:
    call.body_sent.set()
    await call.run()
    return call.text


def test_a_request_under_way_finishes_on_the_old_release_and_the_next_one_gets_the_new() -> None:
    closed: list[str] = []
    opened: list[Path] = []

    def opener(path: Path) -> Served:
        opened.append(path)
        return fake(path.name, closed)

    async def scenario() -> None:
        pointer = Pointer(Path("/releases/a"))
        reloader = Reloader(fake("a", closed), pointer, opener, interval=1)
        held = Call(reloader, "/")
        under_way = asyncio.create_task(held.run())
        await held.asked.wait()  # the request is in the old release's app, waiting for its body
        assert not await reloader.poll()  # the pointer still names the release being served
        assert opened == []

        pointer.path = Path("/releases/b")
        assert await reloader.poll()
        assert opened == [Path("/releases/b")]
        assert await answered(Call(reloader, "/")) == "b"
        assert closed == []  # the old release still has a request under way
        held.body_sent.set()
        await under_way
        assert held.text == "a"
        assert closed == ["a"]  # closed after its last request, once

        await reloader.stop()
        assert closed == ["a", "b"]

    asyncio.run(scenario())


def test_without_requests_under_way_the_old_release_is_closed_at_the_switch() -> None:
    closed: list[str] = []

    async def scenario() -> None:
        pointer = Pointer(Path("/releases/a"))
        reloader = Reloader(fake("a", closed), pointer, lambda p: fake(p.name, closed), interval=1)
        pointer.path = Path("/releases/b")
        assert await reloader.poll()
        assert closed == ["a"]
        pointer.path = Path("/releases/c")
        assert await reloader.poll()
        assert closed == ["a", "b"] and reloader.current.version == "c"

    asyncio.run(scenario())


def test_a_release_that_cannot_be_opened_leaves_the_old_one_served_and_is_not_tried_again(
        caplog: pytest.LogCaptureFixture) -> None:
    closed: list[str] = []
    tried: list[str] = []

    def opener(path: Path) -> Served:
        tried.append(path.name)
        if path.name == "broken":
            raise ReleaseError(f"{path}/manifest.json: not a complete release")
        return fake(path.name, closed)

    async def scenario() -> None:
        pointer = Pointer(Path("/releases/broken"))
        reloader = Reloader(fake("a", closed), pointer, opener, interval=1)
        with caplog.at_level(logging.ERROR, "server.web.reloading"):
            assert not await reloader.poll()
            assert not await reloader.poll()
        assert tried == ["broken"]
        assert "release broken cannot be served" in caplog.text and "still serving a" in caplog.text
        assert await answered(Call(reloader, "/")) == "a"
        pointer.path = Path("/releases/c")
        assert await reloader.poll()
        assert tried == ["broken", "c"] and closed == ["a"]

    asyncio.run(scenario())


def test_the_server_looks_at_the_pointer_once_per_interval_of_its_clock_from_startup_to_shutdown() -> None:
    closed: list[str] = []

    async def scenario() -> None:
        naps: asyncio.Queue[asyncio.Future[None]] = asyncio.Queue()
        asked: list[float] = []

        async def sleep(seconds: float) -> None:  # the test's clock: a nap ends when the test says so
            asked.append(seconds)
            wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            await naps.put(wake)
            await wake

        pointer = Pointer(Path("/releases/a"))
        reloader = Reloader(fake("a", closed), pointer, lambda p: fake(p.name, closed), interval=2.5, sleep=sleep)
        lifespan: asyncio.Queue[Message] = asyncio.Queue()
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        running = asyncio.create_task(reloader({"type": "lifespan"}, lifespan.get, send))
        await lifespan.put({"type": "lifespan.startup"})
        first = await naps.get()
        assert sent == [{"type": "lifespan.startup.complete"}] and pointer.looks == 0
        pointer.path = Path("/releases/b")
        first.set_result(None)
        second = await naps.get()  # asleep again: the look in between has switched
        assert pointer.looks == 1 and reloader.current.version == "b" and closed == ["a"]
        assert asked == [2.5, 2.5]
        await lifespan.put({"type": "lifespan.shutdown"})
        await running
        assert sent[-1] == {"type": "lifespan.shutdown.complete"}
        assert second.cancelled() and closed == ["a", "b"] and pointer.looks == 1

    asyncio.run(scenario())


def test_with_an_interval_of_0_the_server_never_looks() -> None:
    async def scenario() -> None:
        pointer = Pointer(Path("/releases/b"))

        async def never(_seconds: float) -> None:
            raise AssertionError("no clock is read when reloading is off")

        reloader = Reloader(fake("a", []), pointer, lambda p: fake(p.name, []), interval=0, sleep=never)
        lifespan: asyncio.Queue[Message] = asyncio.Queue()
        running = asyncio.create_task(reloader({"type": "lifespan"}, lifespan.get, lambda _m: asyncio.sleep(0)))
        await lifespan.put({"type": "lifespan.startup"})
        await lifespan.put({"type": "lifespan.shutdown"})
        await running
        assert pointer.looks == 0

    asyncio.run(scenario())


def copy_release(source: Path, target: Path, version: str) -> Path:
    shutil.copytree(source, target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = version
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


def test_the_real_app_switches_releases_while_a_sparql_query_is_under_way(
        tiny_release_dir: Path, settings: Settings, tmp_path: Path) -> None:
    one = copy_release(tiny_release_dir, tmp_path / "releases" / "2026-01-01.1", "2026-01-01.1")
    two = copy_release(tiny_release_dir, tmp_path / "releases" / "2026-01-02.1", "2026-01-02.1")
    served = settings.replace(query_workers=1, store_dir=tmp_path / "store")
    pointer = Pointer(one)
    first = open_release(served, one)
    old_app: Any = first.app

    async def scenario() -> None:
        reloader = Reloader(first, pointer, lambda path: open_release(served, path), interval=1)
        try:
            query = Call(reloader, "/sparql", method="POST", body=b"ASK { ?s ?p ?o }",
                         headers=(("content-type", "application/sparql-query"),
                                  ("accept", "application/sparql-results+json")))
            under_way = asyncio.create_task(query.run())
            await query.asked.wait()  # in the old release's app, its body not yet read
            pointer.path = two
            assert await reloader.poll()
            health = Call(reloader, "/-/health")
            await answered(health)
            assert json.loads(health.text)["release"] == "2026-01-02.1"
            assert not first.closed and old_app.context.pool.alive == 1
            query.body_sent.set()
            await under_way
            assert query.status == 200 and json.loads(query.text)["boolean"] is True
            assert query.header("ser-kg-release") == "2026-01-01.1"  # answered from the old release
            assert first.closed and old_app.context.pool.alive == 0  # its workers stopped after it
        finally:
            await reloader.stop()
        assert reloader.current.closed

    asyncio.run(scenario())


def test_a_pointer_that_cannot_be_read_is_logged_once_while_it_lasts(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        error: Exception | None = ReleaseError("releases/latest points to releases/x, which is not a complete release")

        def __call__(self) -> Path | None:
            if self.error is not None:
                raise self.error
            return Path("/releases/a")

    async def scenario() -> None:
        pointer = Broken()
        reloader = Reloader(fake("a", []), pointer, lambda p: fake(p.name, []), interval=1)
        with caplog.at_level(logging.ERROR, "server.web.reloading"):
            for _ in range(3):
                assert not await reloader.poll()
            pointer.error = None
            assert not await reloader.poll()
            pointer.error = OSError("gone")
            assert not await reloader.poll()
        assert [r.getMessage().split(";")[0] for r in caplog.records] == [
            "cannot read which release is current: releases/latest points to releases/x, which is not a complete "
            "release", "cannot read which release is current: gone"]

    asyncio.run(scenario())
