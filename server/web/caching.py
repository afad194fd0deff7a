"""HTTP caching pinned to the release (RFC 9110 §8.8 validators, §13 conditional requests).

Everything the server derives from the store changes only when a new release is served, so the
release is the validator: the ETag is the release's (:attr:`ReleaseInfo.etag`) with the variant
appended, because one URL has several representations under ``Vary`` (Turtle and HTML, Dutch and
English) and a strong ETag must differ between them; Last-Modified is the release's creation time.
The ETag also carries a digest of the server's own files (:func:`code_version`): other code may write
other bytes for the same release (a page fixed, the Turtle writer changed), and two replicas in a
rolling upgrade must not give one strong validator to two representations.
``Cache-Control: no-cache`` lets caches keep a copy but makes them ask again, which a 304 answers cheaply.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Hashable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from server.settings import PROJECT_ROOT
from server.store.base import ReleaseInfo
from server.store.cache import SizedCache, key_bytes

CACHE_CONTROL = "public, no-cache"
# What writes the representations: the package (code, templates, words, scripts) and the saved views.
CODE = (Path(__file__).resolve().parents[1], PROJECT_ROOT / "queries" / "views")
CODE_SUFFIXES = (".py", ".html", ".toml", ".js", ".css", ".rq")


@functools.cache
def code_version() -> str:
    """A short digest of the files that write the representations (:data:`CODE`), read once."""
    return code_digest(CODE)


def code_digest(roots: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.suffix in CODE_SUFFIXES and p.is_file()):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def etag(release: ReleaseInfo, variant: str = "") -> str:
    core = f"{release.etag.strip(chr(34))}-{code_version()}"
    return f'"{core}-{variant}"' if variant else f'"{core}"'


def _created(release: ReleaseInfo) -> datetime:
    created = release.created if release.created.tzinfo else release.created.replace(tzinfo=UTC)
    return created.astimezone(UTC).replace(microsecond=0)


def last_modified(release: ReleaseInfo) -> str:
    return format_datetime(_created(release), usegmt=True)


def headers(release: ReleaseInfo, variant: str = "") -> dict[str, str]:
    return {"ETag": etag(release, variant), "Last-Modified": last_modified(release),
            "Cache-Control": CACHE_CONTROL}


def fresh(request: Request, tag: str, modified: datetime | None = None) -> bool:
    """True when the client's copy, ``tag`` last changed at ``modified``, is current: the one test of a
    conditional GET or HEAD for every route. If-None-Match (a list of tags compared weakly, or ``*``,
    §13.1.2) wins over If-Modified-Since (§13.1.3)."""
    if request.method not in ("GET", "HEAD"):
        return False
    inm = request.headers.get("if-none-match")
    if inm is not None:
        candidates = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in candidates or tag in candidates
    ims = request.headers.get("if-modified-since")
    if ims is None or modified is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return modified <= since


def not_modified(request: Request, release: ReleaseInfo, variant: str = "") -> bool:
    """True when the client's copy of a representation derived from ``release`` is current."""
    return fresh(request, etag(release, variant), _created(release))


def response_304(release: ReleaseInfo, variant: str = "", extra: Mapping[str, str] | None = None) -> Response:
    return Response(status_code=304, headers={**headers(release, variant), **(extra or {})})


class DocumentCache(SizedCache[Hashable, bytes]):
    """Rendered documents kept in memory, least recently used out first, bounded in the bytes of their keys
    (which hold the URL) and bodies.

    The release never changes under a running store, so a document once rendered stays right until
    the process serves another release (and so builds another cache). This is what a reverse proxy
    in front would do; keeping it in-process spares a second service for a small site.
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes, size=lambda key, body: len(body) + key_bytes(key))
