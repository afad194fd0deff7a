"""Write a versioned release, atomically.

A release is the folder ``releases/{version}/`` (version ``YYYY-MM-DD.N``: the build date and a
counter). Everything is written into ``releases/.tmp-…`` first and renamed into place when complete;
``releases/latest`` is then switched with an atomic rename of a new symlink. A build that fails or is
killed leaves at most a ``.tmp-`` folder, which the next build removes, and the previous release and
``latest`` untouched.

A write that fails (a full disk, a quota, a folder made read-only) is a ReleaseError naming the file
(exit 3, not the exit 1 of data that does not conform), after the staging folder is removed; a
failure while switching ``latest`` also takes back the renamed release folder, so the release that
was current stays current and is the only one listed.

One build at a time: a build holds ``releases/.build.lock`` (``flock``, which the kernel lets go when
the process ends, however it ends) from its first stage to its last, so that a second build cannot
remove the first one's ``.tmp-`` folder as a leftover; the second is refused at once, naming the lock
file and the pid of the build that holds it.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from rdflib import Graph

from server.errors import ReleaseError, UsageError
from server.pipeline.releases.facts import FileInfo, ReleaseFacts
from server.rdf.jsonld import context_of
from server.rdf.namespaces import graph_iri, prefixes
from server.store import manifest as manifests
from server.store.manifest import is_release, read_manifest
from server.store.oxigraph.memory import MemoryDataset

LATEST = "latest"
TMP_PREFIX = ".tmp-"
LOCK = ".build.lock"
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
STEM = "ser"

# (dump format, file suffix, media type of the RDF)
DUMPS: tuple[tuple[str, str, str], ...] = (
    ("trig", "trig", "application/trig"),
    ("nquads", "nq", "application/n-quads"),
    ("turtle", "ttl", "text/turtle"),
    ("ntriples", "nt", "application/n-triples"),
    ("jsonld", "jsonld", "application/ld+json"),
)

MEDIA_TYPES = {
    "ttl": "text/turtle", "json": "application/json", "jsonld": "application/ld+json", "txt": "text/plain",
}


@dataclass(frozen=True)
class Written:
    version: str
    path: Path
    triples: int


def next_version(releases_dir: Path, today: datetime) -> str:
    stem = today.strftime("%Y-%m-%d")
    taken = [p.name for p in releases_dir.glob(f"{stem}.*") if p.is_dir()]
    numbers = [int(n.rsplit(".", 1)[1]) for n in taken if n.rsplit(".", 1)[1].isdigit()]
    return f"{stem}.{max(numbers, default=0) + 1}"


def latest(releases_dir: Path) -> Path | None:
    """The current release folder, or None when nothing was released yet."""
    link = releases_dir / LATEST
    if not link.exists():
        return None
    target = link.resolve()
    if not is_release(target):
        raise ReleaseError(f"{link} points to {target}, which is not a complete release")
    return target


def all_releases(releases_dir: Path) -> list[Path]:
    """Every complete release, newest first."""
    found = [p for p in releases_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
             and not p.is_symlink() and is_release(p)] if releases_dir.is_dir() else []
    return sorted(found, key=lambda p: read_manifest(p)["created"], reverse=True)


@contextmanager
def build_lock(releases_dir: Path) -> Iterator[None]:
    """Hold ``releases_dir`` for one build, or raise ReleaseError when another build holds it."""
    path = releases_dir / LOCK
    with writing(path):
        releases_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise ReleaseError(f"another build is running: {path} is held by process {holder}; wait for it "
                               "to finish (nothing was built)") from None
        with writing(path):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # lets go of the lock; the file stays, as removing it would race a new build


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an OSError while writing ``path`` into a ReleaseError that names it (Oxigraph's OSErrors
    carry neither the file nor an errno, only the system's words)."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ReleaseError(f"cannot write {path}: {reason}; nothing was published, the current release "
                           "is unchanged") from None


def remove_leftovers(releases_dir: Path) -> None:
    for tmp in releases_dir.glob(f"{TMP_PREFIX}*"):
        if tmp.is_symlink():  # a new `latest` link whose switch was cut short; rmtree refuses links
            tmp.unlink()
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _gzip(path: Path) -> Path:
    target = path.with_name(path.name + ".gz")
    with writing(target), path.open("rb") as src, gzip.GzipFile(target, "wb", compresslevel=6, mtime=0) as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return target


def _write_text(path: Path, text: str) -> None:
    with writing(path):
        path.write_text(text, encoding="utf-8")


def _info(path: Path, fmt: str) -> FileInfo:
    media = "application/gzip" if path.suffix == ".gz" else fmt
    return FileInfo(path.name, media, path.stat().st_size, _sha256(path), fmt)


def planned_files(version: str) -> list[FileInfo]:
    """The dump files of a release, without sizes and checksums (for the metadata inside the dumps)."""
    out = []
    for _fmt, suffix, media in DUMPS:
        name = f"{STEM}.{suffix}"
        out += [FileInfo(name, media, format=media), FileInfo(name + ".gz", "application/gzip", format=media)]
    return out


class Describe(Protocol):
    """Makes the metadata of a release (server/pipeline/stages.py, ``Describer``)."""

    def into_dataset(self, facts: ReleaseFacts) -> int:
        """Put the metadata graph for ``facts`` (the files without sizes) into the dataset, counted with
        the rest; return the distinct triples of the whole release (the union of its graphs)."""
        ...

    def files(self, facts: ReleaseFacts) -> tuple[Graph, Graph]:
        """(VoID, catalogue) for ``void.ttl`` and ``catalog.ttl``: ``facts`` with sizes, the same numbers."""
        ...


def point_latest(releases_dir: Path, version: str) -> None:
    """Point ``latest`` at ``version`` with one atomic rename: the moment a release is published."""
    tmp_link = releases_dir / f"{TMP_PREFIX}latest-{os.getpid()}"
    try:
        with writing(releases_dir / LATEST):
            if tmp_link.is_symlink() or tmp_link.exists():
                tmp_link.unlink()
            tmp_link.symlink_to(version)
            os.replace(tmp_link, releases_dir / LATEST)
    finally:
        if tmp_link.is_symlink():
            tmp_link.unlink()


def write_release(
    releases_dir: Path,
    memory: MemoryDataset,
    report: Graph,
    base: str,
    describe: Describe,
    version: str | None = None,
    created: datetime | None = None,
    step: Callable[[str], None] = lambda _: None,
    extras: Sequence[tuple[str, str, Callable[[Path], object]]] = (),
    inputs: Mapping[str, object] | None = None,
    published: Sequence[tuple[str, str, Callable[[Path, str], object]]] = (),
    point: Callable[[Path, str], None] = point_latest,
) -> Written:
    """Write the dumps, metadata, report, manifest and checksums of the quads in ``memory``, then publish.

    ``describe`` puts the metadata graph (VoID and catalogue) into ``memory`` before the dumps are
    written, and makes ``void.ttl`` and ``catalog.ttl`` after. ``extras`` are more files of the release,
    as (name, media type, writer of that file): written into the staging folder and listed like the rest.
    ``published`` are more files too, written before the catalogue (each writer is given the path and the
    version), whose first file the catalogue lists as a distribution (the change log's RDF Patch).
    ``point`` publishes the written folder: :func:`point_latest`, or a stand-in in a test of a build
    that stops between the rename of the folder and the switch of ``latest``.
    """
    created = created or datetime.now(UTC).replace(microsecond=0)
    with writing(releases_dir):
        releases_dir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(releases_dir)
    version = version or next_version(releases_dir, created)
    if not VERSION.match(version):
        raise UsageError(f"--release {version!r}: use letters, digits, '.', '_' and '-' (such as 2026-11-25.1)")
    final = releases_dir / version
    if final.exists():
        raise UsageError(f"--release {version!r}: release {final} exists already; releases are never overwritten")
    tmp = releases_dir / f"{TMP_PREFIX}{version}-{os.getpid()}"
    with writing(tmp):
        tmp.mkdir()
    try:
        facts = ReleaseFacts(version, created, base, planned_files(version))
        step("describing the release (VoID, catalogue)")
        union_triples = describe.into_dataset(facts)
        files: list[FileInfo] = []
        names = prefixes(base)
        terms = context_of(memory.select, base)  # the same context for ser.jsonld and every document
        for fmt, suffix, media in DUMPS:
            step(f"writing {STEM}.{suffix}")
            path = tmp / f"{STEM}.{suffix}"
            with writing(path):
                memory.dump(path, fmt, names, terms)
            files += [_info(path, media), _info(_gzip(path), media)]
        context = tmp / "context.jsonld"
        _write_text(context, json.dumps({"@context": terms}, indent=2, ensure_ascii=False) + "\n")
        files.append(_info(context, "application/ld+json"))
        written: list[FileInfo] = []
        for name, media, write_for in published:
            step(f"writing {name}")
            with writing(tmp / name):
                write_for(tmp / name, version)
            written.append(_info(tmp / name, media))
        complete = ReleaseFacts(version, created, base, [f for f in files if f.name != "context.jsonld"],
                                others=written[:1])
        files += written
        step("writing void.ttl, catalog.ttl and the validation report")
        void_full, catalogue_full = describe.files(complete)
        for name, graph in (("void.ttl", void_full), ("catalog.ttl", catalogue_full),
                            ("validation-report.ttl", report)):
            for prefix, ns in names.items():
                graph.bind(prefix, ns, replace=True)
            with writing(tmp / name):
                graph.serialize(tmp / name, format="turtle", encoding="utf-8")
            files.append(_info(tmp / name, "text/turtle"))
        for name, media, write in extras:
            step(f"writing {name}")
            with writing(tmp / name):
                write(tmp / name)
            files.append(_info(tmp / name, media))
        manifest = {
            "version": version,
            "created": created.isoformat(),
            "base_iri": base,
            "triples": len(memory),
            "default_graph_triples": union_triples,
            "graphs": graph_counts(memory),
            "classes": class_counts(memory, base),
            "licence": complete.licence,
            "files": [f.__dict__ for f in files],
            **({"inputs": inputs} if inputs is not None else {}),
        }
        _write_text(tmp / manifests.NAME, json.dumps(manifest, indent=2) + "\n")
        _write_text(tmp / "SHA256SUMS", "".join(f"{f.sha256}  {f.name}\n" for f in files))
        step("publishing")
        _fsync_dir(tmp)
        with writing(final):
            tmp.rename(final)
        try:
            point(releases_dir, version)
        except ReleaseError:
            shutil.rmtree(final, ignore_errors=True)  # not published: `latest` still names the old one
            raise
        return Written(version, final, len(memory))
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?thing) AS ?n) WHERE { GRAPH ?g { ?thing a ?class } FILTER(?g = <{graph}>) }
GROUP BY ?class ORDER BY DESC(?n) ?class
"""


def graph_counts(memory: MemoryDataset) -> dict[str, int]:
    rows = memory.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    return {str(r["g"]): int(r["n"]) for r in rows}


def class_counts(memory: MemoryDataset, base: str) -> dict[str, int]:
    """Things per class in the data graph, for ``ser-kg info`` and the home page."""
    rows = memory.select(CLASS_COUNTS.replace("{graph}", graph_iri("data", base)))
    return {str(r["class"]): int(r["n"]) for r in rows}


def _fsync_dir(folder: Path) -> None:
    for path in folder.iterdir():  # a full disk may only show here, when delayed writes are flushed
        with writing(path), path.open("rb") as stream:
            os.fsync(stream.fileno())
