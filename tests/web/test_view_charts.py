"""The views' parts that need no release: charts drawn as escaped SVG, parameters checked before they
reach a query, periods written as years."""

from __future__ import annotations

import pytest

from server.errors import ProtocolError
from server.settings import PROJECT_ROOT
from server.web.rendering import ENV
from server.web.views import charts
from server.web.views.catalogue import load
from server.web.views.pages import period, spans

HOSTILE = '<script>alert("x")</script>&'


def svg(chart: charts.Chart) -> str:
    return ENV.from_string('{% import "views/charts.html" as c %}{{ c.svg(chart) }}').render(chart=chart)


@pytest.mark.parametrize("chart", [
    charts.bars([(HOSTILE, 3), ("2001", 0)], HOSTILE),
    charts.stacked([(HOSTILE, [(HOSTILE, 2)])], [HOSTILE], HOSTILE),
    charts.timeline([(HOSTILE, 1985, 1996, "ended")], 1980, 2000, HOSTILE),
])
def test_chart_text_is_escaped(chart: charts.Chart) -> None:
    out = svg(chart)
    assert "<svg" in out and "<script>" not in out
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;" in out


def test_bars_scale_to_the_highest_value() -> None:
    chart = charts.bars([("1990", 2), ("1991", 4)], "n")
    assert [r.h for r in chart.rects] == [charts.BAR_AREA / 2, charts.BAR_AREA]


def test_timeline_places_periods_on_the_axis() -> None:
    chart = charts.timeline([("a", 1990, 2000, "ended"), ("b", 2000, 2010, "running"), ("c", 1995, 1997, "open")],
                            1990, 2010, "t")
    first, second, third = chart.rects
    assert first.x < second.x and first.x + first.w == pytest.approx(second.x, abs=0.2)
    assert (first.css, second.css, third.css) == ("bar", "bar running", "bar open")


def test_a_term_that_ended_on_an_unknown_day_is_a_stub_not_a_bar_to_today() -> None:
    rows = [{"label": "De Vries (1950\N{EN DASH}?)", "row": {"from": "1950", "ended": "true"}},
            {"label": "Putters (2022\N{EN DASH})", "row": {"from": "2022-09-16", "ended": "false"}},
            {"label": "Unknown", "row": {"ended": "true"}}]
    found, first, last = spans(rows, 2026)
    assert found == [("De Vries (1950\N{EN DASH}?)", 1950.0, 1952.0, "open"),
                     ("Putters (2022\N{EN DASH})", 2022.0, 2026.5, "running")]
    assert (first, last) == (1950, 2026)


@pytest.mark.parametrize(("value", "message"), [
    ("2020-13-01", "not a day of the calendar"), ("2020-6-1", "YYYY-MM-DD"), ("2020-06-01T00:00", "YYYY-MM-DD"),
    ('2020-06-01"} ', "YYYY-MM-DD"),
])
def test_a_bad_day_is_refused_naming_the_parameter(value: str, message: str) -> None:
    view = load(PROJECT_ROOT / "queries" / "views")["council"]
    with pytest.raises(ProtocolError, match=f"parameter 'op'.*{message}"):
        view.values({"op": value}, "nl")


def test_a_good_day_becomes_a_typed_literal_in_the_query() -> None:
    view = load(PROJECT_ROOT / "queries" / "views")["council"]
    text = view.text(view.values({"op": "2020-06-01"}, "en"), "https://data.ser.nl/")
    assert '"2020-06-01"^^<http://www.w3.org/2001/XMLSchema#date>' in text and "?_op" not in text
    assert '"en"' in text and "?_lang" not in text


def test_an_unknown_parameter_is_refused() -> None:
    view = load(PROJECT_ROOT / "queries" / "views")["chairs"]
    with pytest.raises(ProtocolError, match="parameter 'op' is not a parameter of the view 'chairs'"):
        view.values({"op": "2020-06-01"}, "nl")


@pytest.mark.parametrize(("row", "text"), [
    ({"from": "1985", "to": "1996-04-01", "ended": "true"}, "1985\u20131996"),
    ({"from": "2022-10"}, "2022\u2013"),
    ({"from": "1950", "ended": "true"}, "1950\u2013?"),
    ({"from": "2016-07-04", "to": "2016-12"}, "2016"),
])
def test_periods_are_years(row: dict[str, str], text: str) -> None:
    assert period(row) == text
