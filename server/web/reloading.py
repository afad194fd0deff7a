"""A running server picks up a new release without a restart.

``ser-kg serve`` looks at the pointer to the current release (``releases/latest``, the symlink a build
switches with one atomic rename, ``server.pipeline.releases.release``) every ``reload_interval`` seconds. When
it names another release, that release is opened beside the one being served (its store loaded, its
query workers started), in a thread, so that requests keep being answered meanwhile. Then the switch
is one assignment on the event loop, between two requests: every request that starts after it is
answered from the new release, and every request already under way, an answer still being sent
included, finishes on the old one. When the last of those has finished, the old release's workers are
stopped and its store closed.

A release that cannot be opened (incomplete, damaged) is logged and left alone until the pointer
names another one; the release being served stays. The interval is bounded below by nothing but the
setting, and each look is a ``readlink`` and a ``stat``: cheap enough for every second or two. The
clock is injectable (``sleep``) and :meth:`Reloader.poll` is one look, so that tests switch releases
when they choose, not when a timer fires.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from server.errors import SerKgError

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Served:
    """One release being served: its app, and what to close once no request uses it any more."""

    path: Path
    version: str
    app: ASGIApp
    close: Callable[[], None]
    at_exit: Callable[[], None] = lambda: None  # when the server stops while this is the current release
    requests: int = 0  # under way
    retired: bool = False
    closed: bool = False


Pointer = Callable[[], Path | None]  # the folder of the current release, or None
Opener = Callable[[Path], Served]  # opens a release; blocking, run in a thread
Sleep = Callable[[float], Awaitable[None]]


class Reloader:
    """ASGI app that hands each request to the release current when it starts, and switches releases."""

    def __init__(self, first: Served, pointer: Pointer, opener: Opener, interval: float,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.current = first
        self.pointer = pointer
        self.opener = opener
        self.interval = interval
        self.sleep = sleep
        self.retired: list[Served] = []  # switched away from, with requests still under way
        self._refused: Path | None = None  # a release that could not be opened: not tried again
        self._unreadable: str | None = None  # why the pointer could not be read at the last look
        self._watching: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        served = self.current  # taken once: the whole request is answered from this release
        served.requests += 1
        try:
            await served.app(scope, receive, send)
        finally:
            served.requests -= 1
            if served.retired and served.requests == 0:
                self._close(served)

    async def poll(self) -> bool:
        """Look at the pointer once; switch to the release it names if that is another one (True)."""
        try:
            path = await asyncio.to_thread(self.pointer)
        except (SerKgError, OSError) as exc:
            if str(exc) != self._unreadable:  # once, not at every look while it lasts
                log.error("cannot read which release is current: %s; still serving %s", exc, self.current.version)
            self._unreadable = str(exc)
            return False
        self._unreadable = None
        if path is None or path == self.current.path or path == self._refused:
            return False
        try:
            fresh = await asyncio.to_thread(self.opener, path)
        except (SerKgError, OSError) as exc:
            self._refused = path
            log.error("release %s cannot be served: %s; still serving %s", path.name, exc, self.current.version)
            return False
        old, self.current = self.current, fresh
        self._refused = None
        old.retired = True
        log.info("serving release %s (was %s)", fresh.version, old.version)
        if old.requests == 0:
            self._close(old)
        else:
            self.retired.append(old)
        return True

    async def watch(self) -> None:
        """Poll every ``interval`` seconds until cancelled."""
        while True:
            await self.sleep(self.interval)
            await self.poll()

    def _close(self, served: Served) -> None:
        if served.closed:
            return
        served.closed = True
        if served in self.retired:
            self.retired.remove(served)
        served.close()
        log.info("closed release %s", served.version)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.interval > 0:
                    self._watching = asyncio.create_task(self.watch())
                    self._watching.add_done_callback(_ended)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def stop(self) -> None:
        """Stop watching and close every release."""
        if self._watching is not None:
            self._watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watching
            self._watching = None
        self.close()

    def close(self) -> None:
        """Close every release, the current one last (again: nothing)."""
        if self.current.closed:
            return
        for served in [*self.retired, self.current]:
            self._close(served)
        self.current.at_exit()


def _ended(task: asyncio.Task[None]) -> None:
    """Say so when watching ends by a failure nobody foresaw (it would otherwise end in silence)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("stopped looking for new releases; restart the server to serve one",
                  exc_info=task.exception())
