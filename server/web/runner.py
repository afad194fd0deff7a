"""``ser-kg serve``: open the release's store, start the query workers, and run the app under uvicorn, or
under granian (setting http_server), whose HTTP parsing in Rust costs a lookup less than uvicorn's.

The store is loaded into its on-disk database once per release (``server.store.oxigraph.embedded``) and only
opened read-only afterwards, by this process for the pages and by each query worker for ``/sparql``.
With ``--store URL`` the release is served from a remote SPARQL engine instead (``server.store.remote``),
which then also runs the public queries.

The query workers share one memory budget sized for the machine, not a fixed cap each: setting
``query_memory`` (MiB), or by default half of what the machine has available when the server starts
(``MemAvailable`` in ``/proc/meminfo``, or what the cgroup still allows when that is lower, as in a
container). Each worker's address space is capped at its share, so that all of them together, running
their heaviest queries at once, stay within the budget.
"""

from __future__ import annotations

import atexit
import gc
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from server.errors import SettingError
from server.rdf.namespaces import prefixes
from server.settings import TABLE, Settings
from server.store.base import QueryRunner, ReleaseInfo, Store
from server.store.manifest import verify_release
from server.store.oxigraph.embedded import EmbeddedStore
from server.store.remote.store import RemoteRunner, RemoteStore, engine_from
from server.store.workers.lanes import TwoLanes
from server.store.workers.pool import WORKER_MEMORY_BYTES, WorkerPool
from server.web import granian_front
from server.web.app import App, create_app
from server.web.archive import Archive
from server.web.metrics import MULTIPROCESS_ENV
from server.web.reloading import Pointer, Reloader, Served

log = logging.getLogger(__name__)
Closer = Callable[[], None]


MIB = 1024**2
MACHINE_SHARE = 0.5  # of the memory available at start, for all query workers together (query_memory 0)
# Least address space a worker needs to open the store and answer small queries (an idle worker maps
# about 400-650 MiB: the interpreter, the engine, its threads' stacks).
MIN_WORKER_MEMORY = 1024 * MIB
MEMINFO = Path("/proc/meminfo")
CGROUP = Path("/sys/fs/cgroup")


def available_memory(meminfo: Path = MEMINFO, cgroup: Path = CGROUP) -> int | None:
    """Bytes this process could still take: MemAvailable, or the cgroup's headroom when lower."""
    found: list[int] = []
    try:
        for line in meminfo.read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    for limit_file, usage_file in (("memory.max", "memory.current"),  # cgroup v2
                                   ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes")):  # v1
        try:
            limit = (cgroup / limit_file).read_text(encoding="ascii").strip()
            if limit.isdecimal() and int(limit) < 1 << 60:  # v1 writes a huge number for "no limit"
                usage = (cgroup / usage_file).read_text(encoding="ascii").strip()
                found.append(max(int(limit) - (int(usage) if usage.isdecimal() else 0), 0))
        except (OSError, ValueError):
            continue
    return min(found) if found else None


def worker_memory(settings: Settings, available: int | None = None) -> int:
    """The address-space cap of one query worker, in bytes: its share of the budget of all workers, those of
    every server process together (settings query_workers and server_processes)."""
    workers = settings.query_workers * settings.server_processes
    if settings.query_memory:
        budget = settings.query_memory * MIB
        share = budget // workers
        if share < MIN_WORKER_MEMORY:
            raise SettingError(
                f"query_memory={settings.query_memory} (SER_KG_QUERY_MEMORY) gives each of the "
                f"{workers} query workers ({settings.query_workers} in each of {settings.server_processes} server "
                f"processes) {share // MIB} MiB, less than the {MIN_WORKER_MEMORY // MIB} MiB a worker needs: "
                "raise it, or lower query_workers or server_processes")
        return share
    if available is None:
        available = available_memory()
    if available is None:  # no /proc: keep the fixed cap of one worker
        return WORKER_MEMORY_BYTES
    share = int(available * MACHINE_SHARE) // workers
    if share < MIN_WORKER_MEMORY:
        log.warning("the machine has %d MiB available: each of the %d query workers gets the minimum of %d MiB, "
                    "more than its share; set query_memory (SER_KG_QUERY_MEMORY), or lower query_workers or "
                    "server_processes", available // MIB, workers, MIN_WORKER_MEMORY // MIB)
        return MIN_WORKER_MEMORY
    return share


def pool_for(settings: Settings, store: EmbeddedStore, size: int | None = None) -> WorkerPool:
    """The query workers over ``store``: ``size`` of them (default: setting query_workers), each with the
    limits and the memory share of the settings."""
    return WorkerPool(
        store.database,
        size=size or settings.query_workers,
        timeout=settings.query_timeout,
        limit=settings.result_limit,
        prefixes=prefixes(store.release.base_iri),
        memory=worker_memory(settings),
    )


def runner_for(settings: Settings, store: EmbeddedStore) -> QueryRunner:
    """The public queries' runner over ``store``: its query workers, behind the cheap lane unless that is
    off (setting cheap_lane, ``server.store.workers.lanes``)."""
    pool = pool_for(settings, store)
    return TwoLanes(pool, threads=settings.cheap_lane_threads) if settings.cheap_lane else pool


def archive_for(settings: Settings, current: EmbeddedStore) -> Archive:
    """The earlier releases answerable beside ``current``: each opened from its folder when first asked for,
    its SPARQL queries run by one worker with the same limits (``server.web.archive``)."""

    def open_store(release: ReleaseInfo) -> Store:
        return EmbeddedStore.open(release.path, settings.store_dir)

    def open_runner(store: Store) -> QueryRunner:
        assert isinstance(store, EmbeddedStore)
        return pool_for(settings, store, size=1)

    return Archive(settings, current, open_store, open_runner)


def embedded_app(settings: Settings, store: EmbeddedStore, *, earlier: bool = True) -> tuple[App, Closer]:
    """The app over ``store`` with its query workers started (blocking) and, with ``earlier``, the earlier
    releases of ``settings.releases_dir`` answerable beside it; and what closes the workers and those
    releases (``store`` stays open: it is its opener's)."""
    pool = runner_for(settings, store)
    pool.start()
    archive = archive_for(settings, store) if earlier else None

    def close() -> None:
        if archive is not None:
            archive.close()
        pool.close()

    try:
        return create_app(settings, store, pool, archive=archive), close
    except BaseException:
        close()
        raise


def remote_app(settings: Settings, url: str) -> tuple[App, Closer]:
    """The app over the release that is current in the SPARQL engine at ``url``, which also runs the public
    queries; and what closes its connections."""
    store = RemoteStore.open(engine_from(url, settings), settings.base_iri, settings.releases_dir,
                             result_limit=settings.result_limit)
    runner = RemoteRunner(store, limit=settings.result_limit)

    def close() -> None:
        runner.close()
        store.close()

    try:
        return create_app(settings, store, runner, archive=Archive(settings, store, None, None, remote=True)), close
    except BaseException:
        close()
        raise


def embedded_release(settings: Settings, release_dir: Path, *, earlier: bool = True) -> tuple[App, Closer]:
    """The app over ``release_dir`` (its store opened, its query workers started: blocking), and what
    closes the app and the store."""
    store = EmbeddedStore.open(release_dir, settings.store_dir)
    try:
        app, close_app = embedded_app(settings, store, earlier=earlier)
    except BaseException:
        store.close()
        raise

    def close() -> None:
        close_app()
        store.close()

    return app, close


def open_release(settings: Settings, release_dir: Path) -> Served:
    """The app over ``release_dir`` as served: its heap settled, its metrics closed at exit."""
    app, close = embedded_release(settings, release_dir)
    settle_heap()
    return Served(release_dir, app.context.store.release.version, app, close, at_exit=app.context.metrics.close)


def settle_heap() -> None:
    """Move everything built so far (the indexes, names and caches of a release: ~190,000 objects for the
    SER's) out of the cyclic garbage collector's reach. Each full collection walked them all, 50-95 ms
    with the whole process stopped, several times a minute under load: that was most of a lookup's p99
    (bench/README.md). Frozen objects are still freed by their reference counts; only cycles among them
    wait for ``gc.unfreeze``, and a release's objects are few cycles and are kept until it is closed."""
    gc.collect()
    gc.freeze()


def serving(settings: Settings, release_dir: Path, pointer: Pointer | None = None) -> Reloader:
    """The app over ``release_dir``; with ``pointer`` (which names the current release), switching to
    each new release it names (``server.web.reloading``)."""
    _show_log()
    first = open_release(settings, release_dir)
    reloader = Reloader(first, pointer or (lambda: release_dir), lambda path: open_release(settings, path),
                        settings.reload_interval if pointer is not None else 0)
    if pointer is not None and settings.reload_interval:
        log.info("a new release in %s is served from the next request on (looked for every %g s)",
                 settings.releases_dir, settings.reload_interval)
    return reloader


def prepare(settings: Settings, release_dir: Path) -> None:
    """Check every file of the release here, before server processes start, so that a damaged release
    stops ser-kg serve with its message (exit 3) before any process runs. Only files are read: the
    database is opened by the processes themselves (one loads it, the others wait on its lock), because
    an Oxigraph handle opened here would leave its threads' locks held in every process forked from this
    one, and a process would hang the first time it opened another release."""
    verify_release(release_dir)


def run(settings: Settings, release_dir: Path, pointer: Pointer | None = None) -> None:
    """Serve ``release_dir`` on ``settings.host``:``settings.port`` until interrupted (see :func:`serving`),
    in ``settings.server_processes`` processes."""
    if settings.server_processes > 1 or settings.http_server == "granian":
        prepare(settings, release_dir)
        _run_processes(settings, {"release": str(release_dir), "follow": pointer is not None})
        return
    reloader = serving(settings, release_dir, pointer)
    try:
        _run(settings, reloader, reloader.current.version)
    finally:
        reloader.close()  # when uvicorn ends without a lifespan shutdown (a port already taken)


def run_remote(settings: Settings, url: str) -> None:
    """Serve the release that is current in the SPARQL engine at ``url``."""
    if settings.server_processes > 1 or settings.http_server == "granian":
        _run_processes(settings, {"remote": url})
        return
    app, close = remote_app(settings, url)
    settle_heap()
    try:
        _run(settings, app, app.context.store.release.version)
    finally:
        close()


def _show_log() -> None:
    """The server's own lines (a release switched, a worker restarted) on stderr, beside uvicorn's."""
    ours = logging.getLogger("server")
    if not ours.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-9s %(message)s"))
        ours.addHandler(handler)
        ours.setLevel(logging.INFO)


def _run(settings: Settings, app: ASGIApp | str, version: str, **more: Any) -> None:
    _show_log()
    log.info("serving release %s on http://%s:%s/", version, settings.host, settings.port)
    # No access log: /-/metrics counts requests, and writing a line per request slows lookups down.
    # Forwarded headers are believed only from the proxies named in forwarded_allow_ips (none by
    # default); even then they set the client's address and scheme, never a URL the server gives out.
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", access_log=False,
                proxy_headers=bool(settings.forwarded_allow_ips),
                forwarded_allow_ips=settings.forwarded_allow_ips or None, server_header=False,
                timeout_graceful_shutdown=5, **more)


# Several server processes (setting server_processes): uvicorn's supervisor starts them, each importing
# PROCESS_APP and calling it, and starts one again when it dies (as the cheap lane's watchdog makes a
# process do to stop a stuck query, server.store.workers.lanes). Each process opens the store and starts
# its own query workers; what it serves, and every setting, reach it through the environment.
PROCESS_APP = "server.cli:serve_process"
TARGET_ENV = "SER_KG__SERVE"  # internal: JSON, {"release": path, "follow": bool} or {"remote": url}


def settings_env(settings: Settings) -> dict[str, str]:
    """Every setting as the environment variable that gives it back (``settings.load``)."""
    out = {}
    for setting in TABLE:
        value = getattr(settings, setting.name)
        out[setting.env] = ("on" if value else "off") if isinstance(value, bool) else str(value)
    return out


def _run_processes(settings: Settings, target: dict[str, object]) -> None:
    os.environ.update(settings_env(settings))
    os.environ[TARGET_ENV] = json.dumps(target)
    if not os.environ.get(MULTIPROCESS_ENV):  # the processes' metrics are summed from files there
        os.environ[MULTIPROCESS_ENV] = tempfile.mkdtemp(prefix="ser-kg-metrics-")
    log.info("starting %d server processes", settings.server_processes)
    served = Path(str(target["release"])).name if "release" in target else f"of {target['remote']}"
    if settings.http_server == "granian":
        _show_log()
        log.info("serving release %s on http://%s:%s/ (granian)", served, settings.host, settings.port)
        os.environ[granian_front.SUPERVISOR_ENV] = str(os.getpid())
        granian_front.server(settings, PROCESS_APP).serve()
        return
    _run(settings, PROCESS_APP, served, factory=True, workers=settings.server_processes)


def process_app(settings: Settings, pointer: Pointer | None) -> ASGIApp:
    """The app of one of several server processes, from what :func:`_run_processes` put in the environment;
    ``pointer`` names the current release when the release is followed."""
    if settings.http_server == "granian":
        granian_front.die_with_supervisor()
    target = json.loads(os.environ[TARGET_ENV])
    served: ASGIApp
    if "remote" in target:
        app, close = remote_app(settings, str(target["remote"]))
        atexit.register(close)
        served = app
    else:
        reloader = serving(settings, Path(target["release"]), pointer if target.get("follow") else None)
        atexit.register(reloader.close)
        served = reloader
    return granian_front.wrap(settings, served) if settings.http_server == "granian" else served
