"""Downloads: every file of the current release and of the earlier ones, with size, checksum, format
and licence, served with ETag, Last-Modified, Range and 304. The listing's ETag follows the set of releases
listed (a build adds one while the server still serves the one before).

A release is a folder ``{releases_dir}/{version}/`` with a ``manifest.json`` that lists its files
(name, media_type, bytes, sha256). A file is served only when its release folder is a real release
and its name is listed in that manifest, so no request path ever reaches the file system unchecked
(no traversal, no symlink tricks). Files go out through Starlette's FileResponse (ETag, Last-Modified,
Range, RFC 9110 §14); the conditional check that FileResponse leaves to the caller is done here
(§13.1.1 If-None-Match, §13.1.3 If-Modified-Since).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from server.errors import ReleaseError
from server.rdf.formats import BY_MEDIA_TYPE
from server.store.manifest import read_manifest
from server.web import caching, rendering
from server.web.context import Context
from server.web.language import human_date, human_number, human_size
from server.web.notfound import METHODS, not_found

VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
ALWAYS = {"manifest.json": "application/json", "SHA256SUMS": "text/plain"}
LICENCES = {
    "http://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "http://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
}
OTHER_FORMATS = {"application/json": "JSON", "text/plain": "Text", "application/gzip": "gzip"}


@dataclass(frozen=True)
class Release:
    version: str
    path: Path
    manifest: dict[str, Any]

    @property
    def created(self) -> str:
        return str(self.manifest.get("created", ""))

    def files(self) -> dict[str, dict[str, Any]]:
        listed = {str(f["name"]): f for f in self.manifest.get("files", []) if isinstance(f, dict) and "name" in f}
        for name, media in ALWAYS.items():
            if name not in listed and (self.path / name).is_file():
                listed[name] = {"name": name, "media_type": media, "bytes": (self.path / name).stat().st_size}
        return listed


def read(path: Path) -> Release | None:
    if path.is_symlink() or not VERSION.match(path.name):
        return None
    try:
        manifest = read_manifest(path)
    except ReleaseError:
        return None
    if manifest.get("version") != path.name:
        return None
    return Release(path.name, path, manifest)


def releases(releases_dir: Path, current: Path) -> list[Release]:
    """Every release, newest first; the one being served is included even outside ``releases_dir``."""
    found: dict[str, Release] = {}
    candidates = sorted(releases_dir.iterdir()) if releases_dir.is_dir() else []
    for path in [*candidates, current.resolve()]:
        release = read(path) if path.is_dir() else None
        if release is not None:
            found.setdefault(release.version, release)
    return sorted(found.values(), key=lambda r: (r.created, r.version), reverse=True)


def _created(found: list[Release]) -> list[datetime]:
    out = []
    for release in found:
        try:
            created = datetime.fromisoformat(release.created)
        except ValueError:
            continue
        out.append(created if created.tzinfo else created.replace(tzinfo=UTC))
    return out


def listing_variant(found: list[Release]) -> str:
    """The ETag variant of the listing: it changes with the set of releases, not only with the one served,
    because a build adds a release to the listing while the server goes on serving the previous one."""
    digest = hashlib.blake2b(digest_size=8)
    for release in found:
        digest.update(json.dumps([release.version, release.manifest], sort_keys=True).encode("utf-8"))
    return f"downloads-{digest.hexdigest()}"


def format_label(entry: dict[str, Any]) -> str:
    media = str(entry.get("media_type", ""))
    inner = str(entry.get("format", "")) or media
    fmt = BY_MEDIA_TYPE.get(inner)
    label = fmt.label if fmt else OTHER_FORMATS.get(inner, inner)
    return f"{label} (gzip)" if media == "application/gzip" and inner != media else label


def not_modified(request: Request, response: FileResponse) -> bool:
    """Whether the client's copy of the file is current, by the file's own validators."""
    return caching.fresh(request, response.headers["etag"], parsedate_to_datetime(response.headers["last-modified"]))


def router(context: Context) -> APIRouter:
    settings, store, site = context.settings, context.store, context.site
    release_info = store.release
    api = APIRouter()

    def known() -> dict[str, Release]:
        return {r.version: r for r in releases(settings.releases_dir, release_info.path)}

    @api.api_route("/downloads/", methods=METHODS, include_in_schema=False)
    def listing(request: Request) -> Response:
        found = releases(settings.releases_dir, release_info.path)

        def context(lang: str) -> dict[str, Any]:
            shown = []
            for r in found:
                files = [{"name": name, "href": f"/downloads/{r.version}/{name}", "format": format_label(e),
                          "size": human_size(int(e["bytes"]), lang) if e.get("bytes") is not None else "",
                          "bytes": e.get("bytes"), "sha256": e.get("sha256") or ""}
                         for name, e in r.files().items()]
                licence = str(r.manifest.get("licence") or r.manifest.get("license") or "")
                triples = r.manifest.get("triples")
                shown.append({"version": r.version, "current": r.version == release_info.version,
                              "created": human_date(r.created, "dateTime", lang), "files": files,
                              "licence": licence, "licence_name": LICENCES.get(licence, licence),
                              "triples": human_number(int(triples), lang) if triples is not None else ""})
            return {"releases": shown}

        # Last-Modified too follows the listing: the newest release in it, which may be newer than the one served.
        listed = dataclasses.replace(release_info, created=max([release_info.created, *_created(found)]))
        return rendering.render(request, "downloads.html", context, listed, variant=listing_variant(found))

    @api.api_route("/downloads", methods=METHODS, include_in_schema=False)
    def listing_slash() -> Response:
        return RedirectResponse("/downloads/", status_code=308)

    @api.api_route("/downloads/{version}/{name}", methods=METHODS, include_in_schema=False)
    def file(request: Request, version: str, name: str) -> Response:
        if version == "latest":
            return RedirectResponse(f"/downloads/{release_info.version}/{name}", status_code=307)
        if not VERSION.match(version) or not NAME.match(name):
            return not_found(request, site)
        release = known().get(version)
        entry = release.files().get(name) if release else None
        if release is None or entry is None:
            return not_found(request, site)
        path = (release.path / name).resolve()
        if path.parent != release.path.resolve() or not path.is_file():
            return not_found(request, site)
        response = FileResponse(path, media_type=str(entry.get("media_type") or "application/octet-stream"),
                                stat_result=os.stat(path), filename=name,
                                headers={"Cache-Control": "public, max-age=86400, immutable"})
        if not_modified(request, response):
            keep = ("etag", "last-modified", "cache-control")
            return Response(status_code=304, headers={k: response.headers[k] for k in keep})
        return response

    return api
