"""Memento (RFC 7089) for the documents of ``/doc/``: each answerable release is a memento of them.

- A memento (§4): ``/doc/<path>?release=V``, the document as release V has it, with ``Memento-Datetime``
  (§2.1.1, the release's creation time in the format of RFC 1123) and ``Link`` to the original, its
  TimeGate and its TimeMap (§2.2).
- The TimeGate (§4.1, pattern 1.1: the original resource is its own TimeGate, 302-style negotiation):
  ``/doc/<path>`` asked with ``Accept-Datetime`` answers 302 Found to the memento of the release in force
  at that moment, ``Vary: accept-datetime``. Without the header, the current document as before, which
  names its TimeGate and TimeMap in ``Link``.
- The TimeMap (§5): ``/timemap/doc/<path>``, ``application/link-format`` (RFC 6690), listing the original,
  itself, the TimeGate and the memento of every answerable release that holds the document.

Every URL in these headers and lists starts with the configured public root (``settings.public_root``),
never with the request's Host header. Only answerable releases are named (``queryable_releases``).
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from server.errors import ProtocolError
from server.store.base import ReleaseInfo
from server.web.archive import PARAMETER, utc

HEADER = "Accept-Datetime"
MAX_HEADER = 64  # characters of an Accept-Datetime (an RFC 1123 date has 29)
LINK_FORMAT = "application/link-format"
EXAMPLE = "Sun, 01 Feb 2026 00:00:00 GMT"


def http_date(moment: datetime) -> str:
    """``moment`` as RFC 1123 writes it, in GMT: ``Sun, 01 Feb 2026 00:00:00 GMT``."""
    return email.utils.format_datetime(utc(moment), usegmt=True)


def accept_datetime(value: str) -> datetime:
    """The moment an ``Accept-Datetime`` header asks for; a 400 naming the header when it is no date."""
    problem = ProtocolError(400, f"header {HEADER}: {value[:MAX_HEADER]!r} is not an RFC 1123 date such as "
                                 f"{EXAMPLE!r}")
    if len(value) > MAX_HEADER or not value.strip():
        raise problem
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError) as exc:
        raise problem from exc
    return utc(moment)


@dataclass(frozen=True)
class Urls:
    """The absolute URLs of one original document (``/doc/<rest>``) and its TimeGate, TimeMap and mementos."""

    root: str  # the public root, ending in '/'
    rest: str  # the path after /doc/, as asked

    @property
    def original(self) -> str:
        return f"{self.root}doc/{quote(self.rest, safe='/#')}"

    @property
    def timegate(self) -> str:
        return self.original

    @property
    def timemap(self) -> str:
        return f"{self.root}timemap/doc/{quote(self.rest, safe='/#')}"

    def memento(self, version: str) -> str:
        return f"{self.original}?{PARAMETER}={quote(version, safe='')}"


def links(urls: Urls, *, original: bool = True, timegate: bool = True) -> str:
    """The ``Link`` header value naming the original, the TimeGate and the TimeMap (§2.2)."""
    parts = [f'<{urls.original}>; rel="original"'] if original else []
    if timegate:
        parts.append(f'<{urls.timegate}>; rel="timegate"')
    parts.append(f'<{urls.timemap}>; rel="timemap"; type="{LINK_FORMAT}"')
    return ", ".join(parts)


def timemap(urls: Urls, releases: list[ReleaseInfo]) -> str:
    """The TimeMap (§5.1.1, RFC 6690) of the mementos of ``releases`` (newest first), oldest listed first."""
    oldest_first = list(reversed(releases))
    entries = [f'<{urls.original}>;rel="original"',
               f'<{urls.timemap}>;rel="self";type="{LINK_FORMAT}"'
               + (f';from="{http_date(oldest_first[0].created)}";until="{http_date(oldest_first[-1].created)}"'
                  if oldest_first else ""),
               f'<{urls.timegate}>;rel="timegate"']
    for index, release in enumerate(oldest_first):
        rel = "memento"
        if index == 0:
            rel = "first memento"
        if index == len(oldest_first) - 1:
            rel = "last memento" if index else "first last memento"
        entries.append(f'<{urls.memento(release.version)}>;rel="{rel}";datetime="{http_date(release.created)}"')
    return ",\n".join(entries) + "\n"


def add_vary(current: str | None, name: str) -> str:
    """``Vary`` with ``name`` added once."""
    names = [n.strip() for n in (current or "").split(",") if n.strip()]
    if name.lower() not in (n.lower() for n in names):
        names.append(name)
    return ", ".join(names)
