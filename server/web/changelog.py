"""A release's change log as the server reads it: the ``changes.json`` that ``ser-kg build`` writes into the
release folder (``server/pipeline/releases/changes.py``), read only when the release's manifest lists it, at most
:data:`MAX_BYTES` long, and kept per version in a table of at most :data:`KEPT` logs (a release folder
never changes once written). The ``/changes/`` pages read every release's log; a thing's page reads the
current release's, once (``Site.changes``, ``Site.replaced``), and so does a withdrawn thing's 410 page.
"""

from __future__ import annotations

import collections
import json
import threading
from pathlib import Path
from typing import Any

from server.errors import ReleaseError
from server.store.manifest import read_manifest

SUMMARY = "changes.json"
KINDS = ("added", "changed", "withdrawn", "redirected", "removed")
MAX_BYTES = 32 * 1024 * 1024  # one release's changes.json
KEPT = 8  # change logs kept in memory

Log = dict[str, Any]


def read(folder: Path, version: str, manifest: dict[str, Any] | None = None) -> Log | None:
    """The change log of the release in ``folder``, or None when it has none (or one that cannot be read)."""
    if manifest is None:
        try:
            manifest = read_manifest(folder)
        except ReleaseError:
            return None
    listed = {f.get("name") for f in manifest.get("files", []) if isinstance(f, dict)}
    path = folder / SUMMARY
    if SUMMARY not in listed or path.is_symlink() or not path.is_file():
        return None
    with path.open("rb") as file:
        body = file.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        return None
    try:
        log = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(log, dict) or log.get("version") != version:
        return None
    return log


def changes_of(log: Log | None) -> list[dict[str, Any]]:
    """The log's changes that name a thing (each a dict with at least ``iri``)."""
    listed = log.get("changes") if log else None
    return [c for c in listed if isinstance(c, dict) and isinstance(c.get("iri"), str)] \
        if isinstance(listed, list) else []


def counts(log: Log | None) -> dict[str, int]:
    found = log.get("counts") if log else None
    found = found if isinstance(found, dict) else {}
    return {kind: int(found.get(kind, 0)) for kind in KINDS}


def kinds(log: Log | None) -> dict[str, str]:
    """Thing IRI -> the kind of its change, for a log that compares with a previous release."""
    if not log or not log.get("previous"):
        return {}
    return {str(c["iri"]): str(c.get("kind")) for c in changes_of(log) if c.get("kind") in KINDS}


def name_of(names: Any, iri: str, lang: str) -> str:
    """A thing's name in ``lang`` from the log's names, else in the other language, else its IRI's last part."""
    names = names if isinstance(names, dict) else {}
    found = names.get(lang) or names.get("") or next((str(v) for v in names.values() if v), None)
    return str(found) if found else iri.rstrip("/").rsplit("/", 1)[-1]


def replacements(log: Log | None) -> dict[str, list[dict[str, Any]]]:
    """Successor IRI -> the changes that redirected an IRI to it (each with ``iri`` and ``names``)."""
    if not log or not log.get("previous"):
        return {}
    out: dict[str, list[dict[str, Any]]] = {}
    for change in changes_of(log):
        successor = change.get("successor")
        if change.get("kind") == "redirected" and isinstance(successor, str):
            out.setdefault(successor, []).append({"iri": change["iri"], "names": change.get("names")})
    return out


class Logs:
    """The change logs of release folders, read once each, at most :data:`KEPT` of them in memory."""

    def __init__(self) -> None:
        self._kept: collections.OrderedDict[str, Log | None] = collections.OrderedDict()
        self._lock = threading.Lock()

    def of(self, folder: Path, version: str, manifest: dict[str, Any] | None = None) -> Log | None:
        with self._lock:
            if version in self._kept:
                self._kept.move_to_end(version)
                return self._kept[version]
        log = read(folder, version, manifest)
        with self._lock:
            self._kept[version] = log
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return log
