"""HTTP content negotiation: parse an Accept header and choose a representation.

RFC 9110 §12.5.1 (Accept, q-values, wildcards, specificity). Pure functions, no web framework, so
that the table-driven tests cover them completely.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from server.rdf.formats import ALIASES, PARAMETER_NAMES, Format

MAX_ACCEPT_LENGTH = 4096  # longer headers are cut: no client needs more, and parsing stays bounded
MAX_RANGES = 64


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """Specificity of the match (3 exact, 2 type/*, 1 */*), or 0 when it does not match."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == main and self.subtype == "*":
            return 2
        if self.type == main and self.subtype == sub:
            return 3
        return 0


def parse_accept(header: str | None, aliases: Mapping[str, str] = ALIASES) -> list[MediaRange]:
    """The media ranges of an Accept header, each media type read through ``aliases``. Malformed parts
    are skipped, never an error."""
    if not header:
        return [MediaRange("*", "*", 1.0)]
    ranges: list[MediaRange] = []
    for part in header[:MAX_ACCEPT_LENGTH].split(",")[:MAX_RANGES]:
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        media = aliases.get(media, media)
        main, slash, sub = media.partition("/")
        if not slash or not main or not sub:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
                if math.isnan(q):  # "q=nan" parses as a float; clamping leaves it NaN (found by fuzzing)
                    q = 0.0
        ranges.append(MediaRange(main, sub, q))
    # A header with no valid range at all is ignored, as if absent (RFC 9110 §12.5.1 allows either).
    return ranges or [MediaRange("*", "*", 1.0)]


def client_q(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q the client gives ``media_type``: that of the most specific matching range (0 if none)."""
    best_specificity, best_q = 0, 0.0
    for r in ranges:
        specificity = r.matches(media_type)
        if specificity > best_specificity:
            best_specificity, best_q = specificity, r.q
        elif specificity == best_specificity and specificity and r.q > best_q:
            best_q = r.q
    return best_q


def choose(offers: Sequence[Format], accept: str | None, aliases: Mapping[str, str] = ALIASES) -> Format | None:
    """The offer with the highest client q times server qs; None when nothing is acceptable (406).

    Ties go to the offer listed first, so the order of ``offers`` is the server's preference.
    """
    ranges = parse_accept(accept, aliases)
    best: Format | None = None
    best_score = 0.0
    for offer in offers:
        score = client_q(ranges, offer.media_type) * offer.qs
        if score > best_score:
            best, best_score = offer, score
    return best


JSON_LD, JSON = "application/ld+json", "application/json"


def json_media_type(accept: str | None) -> str:
    """The media type to send JSON-LD under: ``application/json`` when the client gives it a higher q
    than ``application/ld+json`` (which is then absent or lower), else ``application/ld+json``."""
    ranges = parse_accept(accept, {})
    exact = {r.type + "/" + r.subtype: r.q for r in ranges}
    return JSON if exact.get(JSON, 0.0) > exact.get(JSON_LD, 0.0) else JSON_LD


def from_parameter(value: str, offers: Sequence[Format]) -> Format | None:
    """The offer a ``format`` parameter names: a short name (``json``, ``turtle``), a file suffix, a media
    type (aliases included) or a name clients send (``PARAMETER_NAMES``: ``xml``, ``rdf+xml``, ``n3``).
    None when it names none of ``offers``.
    """
    wanted = value.strip().lower()
    wanted = ALIASES.get(wanted, wanted)
    for offer in offers:
        if wanted in (offer.name, offer.suffix, offer.media_type):
            return offer
    for name in PARAMETER_NAMES.get(wanted, ()):
        for offer in offers:
            if offer.name == name:
                return offer
    return None


def choose_with_parameter(offers: Sequence[Format], values: Sequence[str], accept: str | None) -> Format | None:
    """The offer for a request with ``format`` parameters (the first that names an offer counts) and an
    Accept header: the parameter wins unless the header excludes it, and a header that names a type
    the server has (not only ``*/*``) is then answered. So ``format=csv`` with ``Accept: */*`` is CSV,
    but with ``Accept: application/sparql-results+json`` it is JSON: a format parameter never overrules
    an Accept header that can be satisfied. A parameter that names nothing, with no such header, is None.
    """
    named = next((f for f in (from_parameter(v, offers) for v in values) if f is not None), None)
    if accept is None:
        return named
    ranges = parse_accept(accept)
    if named is not None and client_q(ranges, named.media_type) > 0:
        return named
    chosen = choose(offers, accept)
    if chosen is not None and any(r.type != "*" and r.matches(chosen.media_type) for r in ranges):
        return chosen
    return named
