"""The embedded store: a release bulk-loaded into an on-disk Oxigraph database, opened read-only.

Each release gets its own database folder ``{store_dir}/{version}``. It is loaded into a temporary
folder and renamed into place when complete, so a load that fails or is killed never leaves a
database that looks finished. A ``.complete`` marker written last guards against a folder that was
copied or damaged by hand: without it the database is rebuilt, never served half. A digest of every
database file (``.digests``, written at load, checked at each start) catches a file damaged since: the
database is then rebuilt from the release, whose ``ser.nq`` must match its checksum in the manifest.

At every start, before anything is served, every file of the release is checked against its sha256
in ``SHA256SUMS`` and in ``manifest.json`` (:func:`verify_release`): a damaged ``void.ttl`` would
otherwise give 500s, and a changed dump would be served under a checksum it no longer has. A release
that fails is refused with the name of the file; nothing of it is served.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Collection, Sequence
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox

from server.errors import ReleaseError, StoreError
from server.rdf.namespaces import prefixes
from server.store.base import ReleaseInfo, Row
from server.store.manifest import NAME as MANIFEST
from server.store.manifest import read_manifest
from server.store.terms import to_rdflib

QUADS_FILE = "ser.nq"
MARKER = ".complete"
DIGESTS = ".digests"
STAGING = ".loading-"
SUMS = "SHA256SUMS"
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")  # as the downloads serve them
_SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")

log = logging.getLogger(__name__)

_PREFIXED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG}
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


def read_release(release_dir: Path) -> ReleaseInfo:
    """The release's identity, from its manifest."""
    manifest = read_manifest(release_dir)
    try:
        return ReleaseInfo(
            version=manifest["version"],
            path=release_dir,
            created=datetime.fromisoformat(manifest["created"]),
            base_iri=manifest["base_iri"],
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(f"{release_dir / MANIFEST}: not a complete release ({exc}); run `ser-kg build`") from None


def database_path(store_dir: Path, release: ReleaseInfo) -> Path:
    return store_dir / release.version


def ensure_database(store_dir: Path, release: ReleaseInfo) -> Path:
    """Load the release into its database folder unless a complete one is already there."""
    target = database_path(store_dir, release)
    if (target / MARKER).exists():
        if _intact(target):
            return target
        log.warning("the database %s has changed since it was loaded; loading it again from the release", target)
    quads = release.path / QUADS_FILE
    if not quads.is_file():
        raise ReleaseError(f"{quads}: missing from the release; rebuild it with `ser-kg build`")
    verify_release(release.path, only=(QUADS_FILE,))
    store_dir.mkdir(parents=True, exist_ok=True)
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
    return target


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


def checksums(release_dir: Path) -> dict[str, tuple[str, str]]:
    """name -> (sha256, where it is listed), from ``SHA256SUMS`` and ``manifest.json`` together."""
    listed: dict[str, tuple[str, str]] = {}
    files = read_manifest(release_dir).get("files", [])
    for entry in files if isinstance(files, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry.get("sha256"):
            listed[entry["name"]] = (str(entry["sha256"]), "manifest.json")
    sums = release_dir / SUMS
    if not sums.exists():
        return listed  # releases made by hand (test fixtures) have only the manifest
    try:
        lines = sums.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ReleaseError(f"{sums}: cannot be read ({exc}): the release is damaged; {_REMEDY}") from None
    for number, line in enumerate(lines, 1):
        match = _SUM_LINE.match(line)
        if not match:
            raise ReleaseError(f"{sums}:{number}: not a line of 'sha256  name': the release is damaged; {_REMEDY}")
        digest, name = match.groups()
        if name in listed and listed[name][0] != digest:
            raise ReleaseError(f"{sums}:{number}: {name} has another sha256 than in manifest.json: the release is "
                               f"damaged; {_REMEDY}")
        listed[name] = (digest, SUMS if name not in listed else f"{SUMS} and manifest.json")
    return listed


_REMEDY = "build a new one with `ser-kg build`, or restore this one from a backup."


def verify_release(release_dir: Path, only: Collection[str] | None = None) -> None:
    """Raise ReleaseError naming the first file of the release that is missing or not its checksum.

    ``only`` limits the check to those files (a load needs just ``ser.nq``); a start checks them all.
    """
    for name, (expected, where) in sorted(checksums(release_dir).items()):
        if only is not None and name not in only:
            continue
        path = release_dir / name
        if not _FILE_NAME.match(name) or path.is_symlink():
            raise ReleaseError(f"{release_dir / where.split()[0]} lists {name!r}, which is not a file of the "
                               f"release: the release is damaged; {_REMEDY}")
        if not path.is_file():
            raise ReleaseError(f"{path}: missing from the release; rebuild it with `ser-kg build`")
        digest = hashlib.sha256()
        try:
            with path.open("rb") as stream:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            raise ReleaseError(f"{path}: cannot be read ({exc.strerror}); {_REMEDY}") from None
        if digest.hexdigest() != expected:
            raise ReleaseError(f"{path} does not match its sha256 in {where}: the release is damaged. "
                               f"{_REMEDY[0].upper()}{_REMEDY[1:]}")


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


def _fits(namespace: str, iris: set[str]) -> bool:
    """A prefix is worth declaring when some IRI uses it, and every IRI it would shorten stays readable
    (``serid:organisatie\\/ser`` is valid Turtle, but the full IRI says more)."""
    rests = [iri[len(namespace):] for iri in iris if iri.startswith(namespace)]
    return bool(rests) and not any("/" in rest or "#" in rest for rest in rests)


def document(triples: list[ox.Triple], media_type: str, known: dict[str, str]) -> bytes:
    """The triples of a CONSTRUCT or DESCRIBE as one document, the same bytes from any store.

    A document's ETag is pinned to the release, so every replica must send the same bytes under it.
    Blank nodes get canonical labels (RDF Dataset Canonicalization, RDFC-1.0): each load of a release,
    and each engine, labels them its own way. Our documents are our data with a few blank nodes (the
    ontology's lists), so the algorithm's worst case, exponential in blank nodes, is never near.
    Then the triples are sorted, because engines return them in orders of their own.
    """
    if any(isinstance(term, ox.BlankNode) for t in triples for term in (t.subject, t.object)):
        canonical = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        canonical.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in canonical]
    triples = sorted(triples, key=str)
    fmt = _RDF_FORMATS[media_type]
    if fmt not in _PREFIXED:
        return ox.serialize(triples, format=fmt) or b""
    # Turtle and TriG for people: with the prefixes the triples use. ox.serialize takes no prefix map
    # for these, so the triples go through a small in-memory store (~0.15 ms per document), which
    # writes them in the order they were added.
    holder = ox.Store()
    holder.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    used = {term.value for t in triples for term in (t.subject, t.predicate, t.object)
            if isinstance(term, ox.NamedNode) and term != _RDF_TYPE}  # rdf:type is written "a"
    names = {p: ns for p, ns in known.items() if _fits(ns, used)}
    return holder.dump(format=fmt, from_graph=ox.DefaultGraph(), prefixes=names) or b""


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
