"""The earlier releases that stay answerable beside the current one: ``/sparql?release=V``, the mementos
of ``/doc/…?release=V`` (RFC 7089) and the citations of ``/cite/…?release=V``.

Setting ``queryable_releases`` (N) names how many releases stay answerable: the N newest of
``releases_dir``, the one being served always among them. Older ones remain downloadable
(``/downloads/``) and are answered ``410 Gone`` here. An earlier release's store is opened when a
request first needs it, and kept in a least-recently-used table of at most N - 1 entries; its query
runner (one worker with the same limits as the current release's) is started only when a SPARQL query
asks for it. An entry that falls out of the table is closed as soon as no request uses it any more
(docs/security.md: many releases asked for in turn cannot hold more than N - 1 stores and workers).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool

from server.errors import ProtocolError, ReleaseError, StoreError
from server.settings import Settings
from server.store.base import QueryRunner, ReleaseInfo, Store
from server.store.manifest import is_release, read_release
from server.web.site import Site

log = logging.getLogger(__name__)

PARAMETER = "release"
MAX_VERSION = 64  # characters of a version (as the downloads read them)
DOCUMENT_CACHE_BYTES = 8 * 1024 * 1024  # rendered documents of one earlier release, per process

StoreOpener = Callable[[ReleaseInfo], Store]  # blocking: verifies and opens (loading it once) a release's store
RunnerOpener = Callable[[Store], QueryRunner]  # a runner over that store, not yet started


class ReleaseUnavailable(ProtocolError):
    """A ``release`` parameter that names no release this server can answer from (its own 4xx)."""


def utc(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


@dataclass(eq=False)
class Entry:
    """One earlier release, opened: its store and linked-data state, its runner once a query needed it."""

    release: ReleaseInfo
    store: Store
    site: Site
    runner: QueryRunner | None = None
    made: dict[str, Any] = field(default_factory=dict)  # what routes built for this release, dropped with it
    users: int = 0
    evicted: bool = False
    closed: bool = False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.runner is not None:
            self.runner.close()
        self.store.close()


class Archive:
    """The releases this server answers from, the current one first among them."""

    def __init__(self, settings: Settings, current: Store, open_store: StoreOpener | None,
                 open_runner: RunnerOpener | None, *, remote: bool = False) -> None:
        self.settings = settings
        self.remote = remote
        self.current = current
        self._open_store = open_store
        self._open_runner = open_runner
        self.capacity = settings.queryable_releases - 1
        self._entries: collections.OrderedDict[str, Entry] = collections.OrderedDict()
        self._lock = threading.Lock()  # the table; opening runs in threads
        self._starting: dict[str, asyncio.Lock] = {}
        self.opened = 0  # stores of earlier releases opened, for /-/metrics
        self.closed = False
        self.site: Site | None = None  # the current release's, set by the app that owns this archive

    @property
    def embedded(self) -> bool:
        """Whether earlier releases can be answered at all (not on a remote engine)."""
        return self._open_store is not None

    def releases(self) -> list[ReleaseInfo]:
        """Every complete release of ``releases_dir`` and the current one, newest first."""
        found: dict[str, ReleaseInfo] = {self.current.release.version: self.current.release}
        folder = self.settings.releases_dir
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path.is_symlink() or not path.is_dir() or not is_release(path):
                continue
            try:
                info = read_release(path)
            except ReleaseError:
                continue
            if info.version == path.name:
                found.setdefault(info.version, info)
        return sorted(found.values(), key=lambda r: (utc(r.created), r.version), reverse=True)

    def answerable(self) -> list[ReleaseInfo]:
        """The releases that stay answerable, newest first: the current one and the newest others."""
        if not self.embedded:
            return [self.current.release]
        current = self.current.release.version
        others = [r for r in self.releases() if r.version != current][: self.capacity]
        return sorted([self.current.release, *others], key=lambda r: (utc(r.created), r.version), reverse=True)

    def find(self, version: str) -> ReleaseInfo:
        """The answerable release ``version``; :class:`ReleaseUnavailable` naming the parameter otherwise."""
        if len(version) > MAX_VERSION or not version.isprintable():
            raise ReleaseUnavailable(400, f"parameter {PARAMETER}: not a release version (such as "
                                          f"{self.current.release.version})")
        if version == self.current.release.version:
            return self.current.release
        if not self.embedded:
            where = ("answers from a remote SPARQL engine (ser-kg serve --store), which holds the current release "
                     "only; release-scoped requests need the embedded store" if self.remote else
                     "was started with the current release only")
            raise ReleaseUnavailable(400, f"parameter {PARAMETER}={version!r}: this server {where}. Earlier "
                                          "releases can be downloaded from /downloads/.")
        for release in self.answerable():
            if release.version == version:
                return release
        if any(r.version == version for r in self.releases()):
            raise ReleaseUnavailable(410,
                f"parameter {PARAMETER}={version!r}: that release is no longer answerable here (the "
                f"{self.settings.queryable_releases} newest are, setting queryable_releases); download it from "
                f"/downloads/{version}/")
        known = ", ".join(r.version for r in self.answerable())
        raise ReleaseUnavailable(404, f"parameter {PARAMETER}={version!r}: no such release; answerable: {known}")

    def at(self, moment: datetime) -> ReleaseInfo:
        """The answerable release in force at ``moment``: the newest made at or before it (the oldest
        answerable one for a moment before all of them)."""
        answerable = self.answerable()
        for release in answerable:
            if utc(release.created) <= utc(moment):
                return release
        return answerable[-1]

    @contextlib.asynccontextmanager
    async def lease(self, version: str) -> AsyncIterator[tuple[ReleaseInfo, Store, Site, Entry | None]]:
        """The release ``version`` opened for the length of a request (None as entry: the current one)."""
        release = self.find(version)
        if release.version == self.current.release.version:
            yield release, self.current, self._current_site(), None
            return
        entry = await run_in_threadpool(self._enter, release)
        try:
            yield release, entry.store, entry.site, entry
        finally:
            self._leave(entry)

    async def runner(self, entry: Entry) -> QueryRunner:
        """The started query runner of ``entry`` (one per earlier release, started on first use)."""
        starting = self._starting.setdefault(entry.release.version, asyncio.Lock())
        async with starting:
            if entry.runner is None:
                if self._open_runner is None or entry.closed:
                    raise StoreError(f"release {entry.release.version} is being closed; try again")
                runner = self._open_runner(entry.store)
                await run_in_threadpool(runner.start)
                entry.runner = runner
        return entry.runner

    def _current_site(self) -> Site:
        assert self.site is not None, "the app sets the current release's site"
        return self.site

    def _enter(self, release: ReleaseInfo) -> Entry:
        with self._lock:
            entry = self._entries.get(release.version)
            if entry is not None:
                self._entries.move_to_end(release.version)
                entry.users += 1
                return entry
        assert self._open_store is not None
        store = self._open_store(release)  # outside the lock: a first load takes a while
        with self._lock:
            if self.closed:
                store.close()
                raise StoreError("the server is stopping; try again")
            entry = self._entries.get(release.version)
            if entry is not None:  # another request opened it meanwhile
                store.close()
            else:
                entry = Entry(release, store, Site.open(self.settings, store, DOCUMENT_CACHE_BYTES))
                self._entries[release.version] = entry
                self.opened += 1
                log.info("opened release %s for release-scoped requests", release.version)
            entry.users += 1
            evicted = list(self._evict())
        for old in evicted:
            old.close()
        return entry

    def _evict(self) -> Iterator[Entry]:
        """Entries past the capacity, least recently used first, that no request uses (under the lock)."""
        while len(self._entries) > max(self.capacity, 0):
            _version, old = self._entries.popitem(last=False)
            old.evicted = True
            if old.users == 0:
                yield old

    def _leave(self, entry: Entry) -> None:
        with self._lock:
            entry.users -= 1
            done = entry.evicted and entry.users == 0
        if done:
            entry.close()

    @property
    def open_versions(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._entries)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            entries = list(self._entries.values())
            self._entries.clear()
        for entry in entries:
            entry.evicted = True
            if entry.users == 0:
                entry.close()
