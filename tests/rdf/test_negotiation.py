"""Content negotiation (RFC 9110 §12.5.1) and the ``format`` parameter, table-driven."""

from __future__ import annotations

import pytest

from server.rdf.formats import HTML, RDF_FORMATS, RESULT_FORMATS
from server.rdf.negotiation import MediaRange, choose, client_q, from_parameter, parse_accept

RESULTS = (*RESULT_FORMATS, HTML)
GRAPHS = (*RDF_FORMATS, HTML)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),  # no header: the server's first choice
        ("", "json"),
        ("*/*", "json"),
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
        ("application/json", "json"),  # alias
        ("application/xml", "xml"),  # alias
        ("text/*", "html"),  # type wildcard: the page is text too, and the server's weight decides
        ("text/*, text/html;q=0", "csv"),  # csv and tsv tie: the first listed wins
        ("text/csv;q=0.5, text/tab-separated-values;q=0.9", "tsv"),  # q-values decide
        ("application/sparql-results+xml;q=0.9, */*;q=0.1", "xml"),
        ("TEXT/CSV", "csv"),  # media types are case-insensitive
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),  # a browser
        ("application/sparql-results+json, text/html;q=0.5", "json"),
        ("text/turtle", None),  # not a result format: 406
        ("image/png", None),
        ("application/sparql-results+json;q=0", None),  # q=0 means "not acceptable"
        ("*/*;q=0", None),
        ("garbage, ;;;, /", "json"),  # malformed parts are skipped; nothing valid left means any
        ("text/csv, garbage", "csv"),
    ],
)
def test_choose_for_select_results(accept: str | None, expected: str | None) -> None:
    chosen = choose(RESULTS, accept)
    assert (chosen.name if chosen else None) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "turtle"),
        ("*/*", "turtle"),
        ("text/turtle", "turtle"),
        ("application/x-turtle", "turtle"),
        ("application/n-triples", "ntriples"),
        ("text/plain", "ntriples"),  # N-Triples' old media type
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdfxml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
        ("application/*", "jsonld"),  # the best server weight within application/*
        ("application/rdf+xml;q=1.0, text/turtle;q=0.5", "rdfxml"),
        ("application/rdf+xml, text/turtle", "turtle"),  # equal q: the server's weight decides
        ("text/turtle;q=0.2, application/ld+json;q=0.3", "jsonld"),
        ("text/html", "html"),
        ("application/sparql-results+json", None),
    ],
)
def test_choose_for_graphs(accept: str | None, expected: str | None) -> None:
    chosen = choose(GRAPHS, accept)
    assert (chosen.name if chosen else None) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/turtle;q=0.5", [MediaRange("text", "turtle", 0.5)]),
        ("text/turtle;q=2", [MediaRange("text", "turtle", 1.0)]),  # clamped
        ("text/turtle;q=abc", [MediaRange("text", "turtle", 0.0)]),
        ("text/turtle ; charset=utf-8 ; q=0.3", [MediaRange("text", "turtle", 0.3)]),
        ("noslash", [MediaRange("*", "*", 1.0)]),  # nothing valid: as if absent
    ],
)
def test_parse_accept_reads_q_values(header: str, expected: list[MediaRange]) -> None:
    assert parse_accept(header) == expected


def test_most_specific_range_sets_the_q() -> None:
    ranges = parse_accept("text/*;q=0.9, text/csv;q=0.1, */*;q=0.5")
    assert client_q(ranges, "text/csv") == 0.1
    assert client_q(ranges, "text/tab-separated-values") == 0.9
    assert client_q(ranges, "application/json") == 0.5


def test_long_accept_header_is_cut_not_an_error() -> None:
    header = ", ".join(["application/x-nothing"] * 5000) + ", text/csv"
    assert choose(RESULTS, header) is None  # text/csv lies beyond the bound


@pytest.mark.parametrize(
    ("value", "offers", "expected"),
    [
        ("json", RESULTS, "json"),
        ("JSON", RESULTS, "json"),
        ("csv", RESULTS, "csv"),
        ("text/tab-separated-values", RESULTS, "tsv"),
        ("application/sparql-results+xml", RESULTS, "xml"),
        ("application/json", RESULTS, "json"),
        ("srj", RESULTS, "json"),  # file suffix
        ("turtle", GRAPHS, "turtle"),
        ("ttl", GRAPHS, "turtle"),
        ("text/turtle", GRAPHS, "turtle"),
        ("nt", GRAPHS, "ntriples"),
        ("jsonld", GRAPHS, "jsonld"),
        ("nquads", GRAPHS, "nquads"),
        ("html", GRAPHS, "html"),
        ("turtle", RESULTS, None),  # a graph format for a SELECT: 406
        ("csv", GRAPHS, None),
        ("nonsense", RESULTS, None),
    ],
)
def test_format_parameter_names_an_offer(value: str, offers: tuple, expected: str | None) -> None:  # type: ignore[type-arg]
    chosen = from_parameter(value, offers)
    assert (chosen.name if chosen else None) == expected
