"""The embedded store: a release bulk-loaded into an on-disk Oxigraph database, opened read-only.

Each release gets its own database folder ``{store_dir}/{version}``. It is loaded into a temporary
folder and renamed into place when complete, so a load that fails or is killed never leaves a
database that looks finished. A ``.complete`` marker written last guards against a folder that was
copied or damaged by hand: without it the database is rebuilt, never served half. A digest of every
database file (``.digests``, written at load, checked at each start) catches a file damaged since: the
database is then rebuilt from the release, whose ``ser.nq`` must match its checksum in the manifest.

At every start, before anything is served, every file of the release is checked against its checksums
(``server.store.manifest.verify_release``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from server.errors import ReleaseError, StoreError
from server.rdf.namespaces import prefixes
from server.store.base import ReleaseInfo, Row
from server.store.manifest import QUADS_FILE, read_release, verify_release
from server.store.terms import document, to_rdflib

MARKER = ".complete"
DIGESTS = ".digests"
STAGING = ".loading-"
LOCK_FILE = ".lock"  # held while a release is loaded (ensure_database)

log = logging.getLogger(__name__)




def database_path(store_dir: Path, release: ReleaseInfo) -> Path:
    return store_dir / release.version


def ensure_database(store_dir: Path, release: ReleaseInfo) -> Path:
    """Load the release into its database folder unless a complete one is already there."""
    target = database_path(store_dir, release)
    if (target / MARKER).exists() and _intact(target):
        return target
    quads = release.path / QUADS_FILE
    if not quads.is_file():
        raise ReleaseError(f"{quads}: missing from the release; rebuild it with `ser-kg build`")
    store_dir.mkdir(parents=True, exist_ok=True)
    # One load at a time: server processes started together (server_processes) wait here for the first,
    # then find its database, instead of each replacing the one another has already opened.
    with (store_dir / LOCK_FILE).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / MARKER).exists():
            if _intact(target):
                return target
            log.warning("the database %s has changed since it was loaded; loading it again from the release",
                        target)
        _load(store_dir, release, quads, target)
    return target


def _load(store_dir: Path, release: ReleaseInfo, quads: Path, target: Path) -> None:
    verify_release(release.path, only=(QUADS_FILE,))
    _remove_abandoned(store_dir)
    staging = store_dir / f"{STAGING}{release.version}-{os.getpid()}"
    try:
        store = ox.Store(str(staging))
        store.bulk_load(path=str(quads), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
        (staging / DIGESTS).write_text(json.dumps(_digests(staging), indent=1), encoding="utf-8")
        (staging / MARKER).write_text(release.version, encoding="utf-8")
        if target.exists():  # an incomplete database from an earlier, interrupted load
            shutil.rmtree(target)
        staging.rename(target)
    except (OSError, SyntaxError) as exc:
        raise StoreError(f"could not load {quads} into {target}: {exc}") from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _digests(database: Path) -> dict[str, str]:
    """blake2b of each file the engine reads; its own log and lock file change, and are left out."""
    out = {}
    for path in sorted(database.iterdir()):
        if path.is_file() and not path.name.startswith((".", "LOG", "LOCK")):
            digest = hashlib.blake2b()
            with path.open("rb") as stream:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(block)
            out[path.name] = digest.hexdigest()
    return out


def _intact(database: Path) -> bool:
    try:
        recorded = json.loads((database / DIGESTS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return True  # loaded before digests were kept: trusted as before
    except (OSError, ValueError):
        return False
    try:
        return bool(recorded == _digests(database))
    except OSError:
        return False


def _remove_abandoned(store_dir: Path) -> None:
    """Remove the staging folders of loads whose process is gone (killed midway)."""
    for folder in store_dir.glob(f"{STAGING}*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdecimal() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EmbeddedStore:
    """Trusted, in-process queries over a read-only Oxigraph database."""

    def __init__(self, release: ReleaseInfo, database: Path) -> None:
        self.release = release
        self.database = database
        self._prefixes = prefixes(release.base_iri)
        try:
            self._store = ox.Store.read_only(str(database))
        except (OSError, RuntimeError) as exc:  # RuntimeError: the engine found the database corrupt
            raise StoreError(f"cannot open the store at {database}: {exc}. It is made from the release: "
                             "delete that folder and start again to load it anew.") from exc

    @classmethod
    def open(cls, release_dir: Path, store_dir: Path) -> EmbeddedStore:
        release = read_release(release_dir)
        verify_release(release_dir)
        return cls(release, ensure_database(store_dir, release))

    def select(self, query: str) -> Sequence[Row]:
        result = self._store.query(query, use_default_graph_as_union=True)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        rows: list[Row] = []
        for solution in result:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = to_rdflib(value)
            rows.append(row)
        return rows

    def ask(self, query: str) -> bool:
        result = self._store.query(query, use_default_graph_as_union=True)
        if not isinstance(result, ox.QueryBoolean):
            raise TypeError("ask() needs an ASK query")
        return bool(result)

    def construct(self, query: str, media_type: str) -> bytes:
        result = self._store.query(query, use_default_graph_as_union=True)
        if not isinstance(result, ox.QueryTriples):
            raise TypeError("construct() needs a CONSTRUCT or DESCRIBE query")
        return document(list(result), media_type, self._prefixes)

    def close(self) -> None:
        del self._store
