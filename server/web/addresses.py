"""Where things live on this server: production IRIs to local paths and back.

Cool URIs for the Semantic Web §4.3 and the Dutch URI strategy (NL-URI §2): a thing is
``{base}id/{type}/{key}``, the document about it ``/doc/{type}/{key}``, and each representation of
that document has its own URL with a suffix (``/doc/{type}/{key}.ttl``). Ontology terms are
``{base}def/{Term}``; they are documented together in the ontology document ``/doc/def/ser``.

The server always speaks about the production IRIs (the base IRI is a setting), whatever host it
is reached at: ``http://localhost:8000/id/x`` describes ``https://data.ser.nl/id/x``. Links on pages
are therefore written as paths, which work on every host.

A path segment from a request becomes part of an IRI, and so of a SPARQL query, only after it
matched the patterns in :mod:`server.rdf.iris` or :data:`TERM_PATTERN`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from server.rdf.formats import BY_SUFFIX, Format
from server.rdf.iris import KEY_PATTERN, TYPE_PATTERN

ONTOLOGY_NAME = "ser"
TERM_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*$")
SEGMENT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX_SEGMENTS = 6


@dataclass(frozen=True)
class Address:
    """A request for a document, read from its path."""

    iri: str  # the thing the document is about (a production IRI)
    doc_path: str  # the document's path without suffix, such as /doc/organisatie/ser
    format: Format | None  # the representation asked for by suffix, or None to negotiate


@dataclass(frozen=True)
class Link:
    """A name to show and where it leads: the local page of a thing."""

    text: str
    href: str


def split_suffix(rest: str) -> tuple[str, Format] | None:
    """``organisatie/ser.ttl`` -> (``organisatie/ser``, Turtle); None without a known triple-format suffix."""
    last = rest.rsplit("/", 1)[-1]
    if "." not in last:
        return None
    stem, _, suffix = rest.rpartition(".")
    fmt = BY_SUFFIX.get(suffix)
    if fmt is None or fmt.quads:
        return None
    return stem, fmt


def valid_thing_path(rest: str) -> bool:
    """``type/key`` as minted by :func:`server.rdf.iris.thing`, or deeper, as the release metadata mints
    its parts (``dataset/ser/distribution/2026-11-25.1/ser.ttl.gz``): further segments may hold dots."""
    parts = rest.split("/")
    return (2 <= len(parts) <= MAX_SEGMENTS and bool(TYPE_PATTERN.match(parts[0]))
            and bool(KEY_PATTERN.match(parts[1])) and all(SEGMENT_PATTERN.match(p) for p in parts[2:]))


def valid_def_path(rest: str) -> bool:
    """``Term`` or ``scheme/term``: what the ontology and its vocabularies mint under /def/."""
    parts = rest.split("/")
    return 0 < len(parts) <= MAX_SEGMENTS and all(TERM_PATTERN.match(p) for p in parts)


def _address(base: str, stem: str, fmt: Format | None) -> Address | None:
    if stem.startswith("def/"):
        return Address(f"{base}{stem}", f"/doc/{stem}", fmt) if valid_def_path(stem[4:]) else None
    return Address(f"{base}id/{stem}", f"/doc/{stem}", fmt) if valid_thing_path(stem) else None


def read_doc(base: str, rest: str) -> list[Address]:
    """The readings of ``/doc/{rest}``, most likely first; empty when we could never have minted it.

    ``x.ttl`` is the Turtle of ``x``; but an IRI may itself end in ``.ttl`` (a distribution named after
    its file), so the whole path, negotiated, is the second reading.
    """
    split = split_suffix(rest)
    readings = [_address(base, *split)] if split else []
    readings.append(_address(base, rest, None))
    return [r for r in readings if r is not None]


LINKABLE = ("http://", "https://", "mailto:", "urn:")


def href(iri: str, base: str) -> str:
    """Where a link to ``iri`` should point: a local path for our IRIs, the IRI itself otherwise, and ``""``
    (no link) for an IRI whose scheme is not in :data:`LINKABLE`."""
    if not iri.startswith(base):
        # Only schemes a browser fetches without running or rendering the IRI itself: a javascript: or
        # data: IRI in the data must never become a link (docs/security.md, HTML injection).
        return iri if iri.lower().startswith(LINKABLE) else ""
    rest = iri[len(base):]
    if rest.startswith("id/"):
        return "/doc/" + rest[3:]
    if rest.startswith("def/"):
        term = rest[4:]
        if "/" not in term and term != ONTOLOGY_NAME:
            return f"/doc/def/{ONTOLOGY_NAME}#{term}"
        return "/doc/" + rest
    return "/" + rest


def is_ours(iri: str, base: str) -> bool:
    return iri.startswith(base + "id/") or iri.startswith(base + "def/")


def ontology_iri(base: str) -> str:
    return f"{base}def/{ONTOLOGY_NAME}"


def ontology_doc() -> str:
    return f"/doc/def/{ONTOLOGY_NAME}"


def readable(iri: str) -> str:
    """A name for a thing without a label, from its IRI: the last segment or the fragment, words spaced.

    ``…/distribution/2026-01-01.1/ser.ttl`` reads "ser.ttl", ``…/authority/frequency/IRREG`` "IRREG",
    ``…/lidmaatschap/voorzitter-2014#periode`` "periode"; a page elsewhere on the web is named with its
    host as well (``https://www.ser.nl/nl/ser/over-de-ser/raad`` reads "ser.nl: raad"); never the whole IRI.
    """
    parts = urlsplit(iri)
    if parts.scheme in {"http", "https"} and parts.netloc:
        host = parts.netloc.removeprefix("www.")
        if not parts.path.strip("/") and not parts.query:
            return host  # a website: https://www.ser.nl/ reads "ser.nl"
        if not host.startswith("data.ser.nl") and "/authority/" not in parts.path:
            return f"{host}: {_last_words(iri)}"
    return _last_words(iri)


def _last_words(iri: str) -> str:
    tail = iri.rstrip("/#")
    fragment = tail.rpartition("#")[2] if "#" in tail else ""
    segment = fragment or tail.rpartition("/")[2] or tail.rpartition(":")[2]
    words = unquote(segment).replace("_", " ")
    if "." not in words:
        words = words.replace("-", " ")
    return words or iri
