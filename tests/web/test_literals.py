"""Values written for people: durations, numbers, money and dates at their precision; names for things
without a label; roles' periods; the order of paired fields and of languages."""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from server.web.addresses import readable
from server.web.linkeddata.roles import period_text
from server.web.linkeddata.views import Row, Value, field_pairs, order_rows, value_order
from server.web.literals import human_decimal, human_duration, literal_text, unit_of

BASE = "https://data.ser.nl/"


@pytest.mark.parametrize(("lexical", "lang", "expected"), [
    ("P5Y", "nl", "5 jaar"), ("P5Y", "en", "5 years"), ("P1Y", "en", "1 year"),
    ("P1Y6M", "nl", "1 jaar en 6 maanden"), ("P1Y6M", "en", "1 year and 6 months"),
    ("P2Y3M10D", "en", "2 years, 3 months and 10 days"), ("PT2H", "nl", "2 uur"),
    ("P3W", "en", "3 weeks"), ("-P1M", "en", "-1 month"),
    ("P", "nl", "P"), ("PT", "en", "PT"), ("5 jaar", "nl", "5 jaar"),
])
def test_a_duration_reads_as_words(lexical: str, lang: str, expected: str) -> None:
    assert human_duration(lexical, lang) == expected


@pytest.mark.parametrize(("lexical", "lang", "expected"), [
    ("21966000", "nl", "21.966.000"), ("21966000", "en", "21,966,000"), ("18", "nl", "18"),
    ("2.5", "nl", "2,5"), ("2.5", "en", "2.5"), ("-1234.50", "nl", "-1.234,50"), ("NaN", "en", "NaN"),
    ("veel", "nl", "veel"),
])
def test_a_number_gets_the_separators_of_the_language(lexical: str, lang: str, expected: str) -> None:
    assert human_decimal(lexical, lang) == expected


@pytest.mark.parametrize(("literal", "lang", "unit", "expected"), [
    (Literal("21966000", datatype=XSD.decimal), "nl", "euro", "€ 21.966.000"),
    (Literal("21966000", datatype=XSD.decimal), "en", "euro", "€21,966,000"),
    (Literal("21966000", datatype=XSD.decimal), "en", None, "21,966,000"),
    (Literal("34", datatype=XSD.decimal), "nl", "percent", "34%"),
    (Literal("12", datatype=XSD.integer), "en", "months", "12 months"),
    (Literal("P5Y", datatype=XSD.duration), "nl", None, "5 jaar"),
    (Literal("1985", datatype=XSD.gYear), "nl", None, "1985"),
    (Literal("1996-04", datatype=XSD.gYearMonth), "nl", None, "april 1996"),
    (Literal("1996-04", datatype=XSD.gYearMonth), "en", None, "April 1996"),
    (Literal("2022-09-16", datatype=XSD.date), "nl", None, "16 september 2022"),
    (Literal("2022-09-16", datatype=XSD.date), "en", None, "16 September 2022"),
    (Literal("true", datatype=XSD.boolean), "nl", None, "ja"),
    (Literal("1985"), "nl", None, "1985"),  # a plain string is never reformatted
])
def test_a_literal_is_written_by_its_datatype_and_unit(literal: Literal, lang: str, unit: str | None,
                                                       expected: str) -> None:
    assert literal_text(literal, lang, unit) == expected


def test_the_budget_is_money_and_an_unknown_quantity_has_no_unit() -> None:
    assert unit_of("grootheid/begroting") == "euro"
    assert unit_of("grootheid/aantal-leden") is None


@pytest.mark.parametrize(("iri", "expected"), [
    ("https://data.ser.nl/id/dataset/ser/distribution/2026-01-01.1/ser.ttl", "ser.ttl"),
    ("https://data.ser.nl/id/lidmaatschap/voorzitter-2014-mariette-hamer#periode", "periode"),
    ("https://data.ser.nl/id/dataset/ser/contact", "contact"),
    ("http://publications.europa.eu/resource/authority/frequency/IRREG", "IRREG"),
    ("https://www.ser.nl/nl/ser/over-de-ser/raad", "ser.nl: raad"),
    ("https://example.org/a_b/", "example.org: a b"), ("https://www.ser.nl/", "ser.nl"),
])
def test_a_thing_without_a_label_is_named_from_its_iri_never_by_the_whole_iri(iri: str, expected: str) -> None:
    assert readable(iri) == expected


@pytest.mark.parametrize(("begin", "end", "lang", "expected"), [
    ("2014-09-10", "2022-04-01", "nl", "2014\u20132022"), ("2022-04-01", None, "nl", "sinds 2022"),
    ("2022-04", None, "en", "since 2022"), (None, "1995", "en", "\u20131995"), ("1998", "1998-12", "en", "1998"),
    (None, None, "nl", "onbekend"), (None, None, "en", "unknown"),
])
def test_a_role_period_is_its_years(begin: str | None, end: str | None, lang: str, expected: str) -> None:
    assert period_text(begin, end, lang) == expected


def test_the_end_of_a_pair_follows_its_beginning_whatever_their_names() -> None:
    rows = [Row("https://schema.org/endDate", "tot", "#"), Row("https://schema.org/startDate", "van", "#"),
            Row(f"{BASE}def/politiekePartij", "politieke partij", "#"), Row(f"{BASE}def/a", "afkorting", "#")]
    ordered = [r.name for r in order_rows(rows, {}, field_pairs(BASE))]
    assert ordered == ["afkorting", "politieke partij", "van", "tot"]
    english = [Row("https://schema.org/endDate", "end date", "#"),
               Row("https://schema.org/startDate", "start date", "#")]
    assert [r.name for r in order_rows(english, {}, field_pairs(BASE))] == ["start date", "end date"]


def test_values_in_the_page_language_come_first_then_dutch() -> None:
    # A value in the page's language carries no badge (lang None) and comes first.
    values = [Value("Council", lang="en"), Value("Raad")]
    assert [v.text for v in sorted(values, key=lambda v: value_order(v, "nl"))] == ["Raad", "Council"]
    values = [Value("Conseil", lang="fr"), Value("Raad", lang="nl"), Value("Council")]
    assert [v.text for v in sorted(values, key=lambda v: value_order(v, "en"))] == ["Council", "Raad", "Conseil"]


def test_dates_of_one_row_are_in_time_order_whatever_their_precision() -> None:
    from server.web.linkeddata.views import value_of

    dates = [Literal("2025-04-15", datatype=XSD.date), Literal("2025-03", datatype=XSD.gYearMonth),
             Literal("2025-05", datatype=XSD.gYearMonth), Literal("2024", datatype=XSD.gYear)]
    values = [value_of(d, [], "en", BASE, None) for d in dates]  # type: ignore[arg-type]
    ordered = [v.text for v in sorted(values, key=lambda v: value_order(v, "en"))]
    assert ordered == ["2024", "March 2025", "15 April 2025", "May 2025"]


def test_a_text_alike_in_two_languages_is_shown_once_in_the_pages_language() -> None:
    from server.web.linkeddata.views import _once

    values = sorted([Value("Mariëtte Hamer", lang="en"), Value("Mariëtte Hamer"), Value("SER-voorzitter")],
                    key=lambda v: value_order(v, "nl"))
    assert [(v.text, v.lang) for v in _once(values)] == [("Mariëtte Hamer", None), ("SER-voorzitter", None)]
    linked = [Value("Raad", href="/doc/a"), Value("Raad", href="/doc/b")]  # two things of one name stay two
    assert _once(linked) == linked
