"""Minting and reading the project's IRIs.

Things are ``{base}id/{type}/{key}`` and the documents about them ``{base}doc/{type}/{key}``
(Cool URIs for the Semantic Web §4.3; the Dutch URI strategy, NL-URI §2). Keys are readable slugs,
never row numbers; a key, once published, is never reused (docs/identifiers.md).
"""

from __future__ import annotations

import re
import unicodedata

KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TYPE_PATTERN = re.compile(r"^[a-z]+$")


def is_key(text: str) -> bool:
    return bool(KEY_PATTERN.match(text))


def slug(text: str) -> str:
    """A readable key from a name: lower case, ASCII, words joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def thing(base: str, type_: str, key: str) -> str:
    if not TYPE_PATTERN.match(type_) or not is_key(key):
        raise ValueError(f"cannot mint an IRI from type {type_!r} and key {key!r}")
    return f"{base}id/{type_}/{key}"


def document_of(base: str, iri: str) -> str | None:
    """The ``/doc/`` URL for a thing IRI under ``base``, or None if it is not one of ours."""
    prefix = f"{base}id/"
    if not iri.startswith(prefix):
        return None
    return f"{base}doc/{iri[len(prefix):]}"


def rebase(iri: str, old: str, new: str) -> str:
    """Move an IRI from one base to another (production IRIs served from a local base)."""
    return new + iri[len(old):] if iri.startswith(old) else iri
