"""A release on disk: the one reader of its ``manifest.json`` (version, creation time, base IRI, counts and
files), and the check of its files against their checksums, for every store and ``ser-kg publish``.

The build writes it last (``server.pipeline.releases.release``), so a folder with a manifest is a complete release;
the server, the CLI and the build's own checks read it here, each with the same message when it is damaged.

At every start, before anything is served, every file of the release is checked against its sha256
in ``SHA256SUMS`` and in ``manifest.json`` (:func:`verify_release`): a damaged ``void.ttl`` would
otherwise give 500s, and a changed dump would be served under a checksum it no longer has. A release
that fails is refused with the name of the file; nothing of it is served.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any

from server.errors import ReleaseError
from server.store.base import ReleaseInfo

NAME = "manifest.json"
QUADS_FILE = "ser.nq"
SUMS = "SHA256SUMS"
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")  # as the downloads serve them
_SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def is_release(folder: Path) -> bool:
    """Whether ``folder`` holds a complete release (the manifest is written last)."""
    return (folder / NAME).is_file()


def read_manifest(release_dir: Path) -> dict[str, Any]:
    """The manifest of ``release_dir``; :class:`ReleaseError` naming the file if it is missing or damaged."""
    path = release_dir / NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"{path}: not a complete release ({exc}); run `ser-kg build`") from None
    if not isinstance(manifest, dict):
        raise ReleaseError(f"{path}: not a complete release (not a JSON object); run `ser-kg build`")
    return manifest


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
        raise ReleaseError(f"{release_dir / NAME}: not a complete release ({exc}); run `ser-kg build`") from None


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
