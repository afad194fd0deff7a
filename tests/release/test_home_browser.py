"""The home page and the seat-allocation view in Chromium, at desktop and phone width, over the release
built from the real sources: the story and the chart are there, nothing scrolls sideways, and the page
text names things (no bare IRI). Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.app import create_app
from server.web.runner import pool_for
from tests.browser import ARTIFACTS, MARKS, chromium, patient
from tests.web.test_resources import live_server

pytestmark = MARKS
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def url(settings: Settings, real_store: EmbeddedStore) -> Iterator[str]:
    changed = settings.replace(base_iri=real_store.release.base_iri, query_workers=1)
    pool = pool_for(changed, real_store)
    pool.start()
    try:
        with live_server(create_app(changed, real_store, pool)) as served:
            yield served
    finally:
        pool.close()


@pytest.fixture(scope="module")
def browser(url: str) -> Iterator[object]:
    with chromium() as opened:
        yield opened


def open_page(browser: object, width: int) -> tuple[object, object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = patient(browser.new_context(locale="nl-NL", viewport={"width": width, "height": 900}))
    return context, context.new_page()


# How far the content (main) reaches past the right edge of the window: any element, in pixels. The site's
# header is measured by the tests of the header itself.
REACH = """() => { const edge = document.documentElement.clientWidth; let most = 0;
  for (const e of document.querySelectorAll('main, main *')) {
    let box = e.parentElement, clipped = false;
    while (box && box.tagName !== 'MAIN') {
      if (getComputedStyle(box).overflowX !== 'visible') { clipped = true; break; } box = box.parentElement; }
    if (!clipped) most = Math.max(most, e.getBoundingClientRect().right - edge); }
  return Math.round(most); }"""


def sideways(page: object) -> int:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    return int(page.evaluate(REACH))


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_home_page_tells_the_story_at_every_width(browser: object, url: str, width: int, lang: str) -> None:
    context, page = open_page(browser, width)
    try:
        page.goto(f"{url}/?lang={lang}")  # type: ignore[attr-defined]
        main = page.locator("main").inner_text()  # type: ignore[attr-defined]
        assert "Denkwerk voor Draagvlak door Dialoog" in main
        assert page.locator("ol.levels > li").count() == 3  # type: ignore[attr-defined]
        assert "https://data.ser.nl/id/" not in main
        page.screenshot(path=str(ARTIFACTS / f"home-story-{lang}-{width}.png"), full_page=True)  # type: ignore[attr-defined]
        assert sideways(page) <= 0, "the page scrolls sideways"
        page.click("ol.levels a.body >> nth=-1")  # type: ignore[attr-defined]
        page.wait_for_load_state()  # type: ignore[attr-defined]
        assert "/doc/" in page.url  # type: ignore[attr-defined]
    finally:
        context.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", WIDTHS)
def test_seat_allocation_view_has_its_chart_and_table(browser: object, url: str, width: int) -> None:
    context, page = open_page(browser, width)
    try:
        page.goto(f"{url}/views/seats?lang=en")  # type: ignore[attr-defined]
        assert page.locator("figure.chart svg rect").count() > 10  # type: ignore[attr-defined]
        assert page.locator("table.view").count() == 2  # type: ignore[attr-defined]
        main = page.locator("main").inner_text()  # type: ignore[attr-defined]
        assert "Crown members" in main and "https://data.ser.nl/id/" not in main
        page.screenshot(path=str(ARTIFACTS / f"view-seats-en-{width}.png"), full_page=True)  # type: ignore[attr-defined]
        assert sideways(page) <= 0, "the page scrolls sideways"
    finally:
        context.close()  # type: ignore[attr-defined]


def test_adviezen_table_filters_and_sorts_with_the_script(browser: object, url: str) -> None:
    context, page = open_page(browser, 1280)
    try:
        page.goto(f"{url}/views/adviezen?lang=nl")  # type: ignore[attr-defined]
        rows = page.locator("#reports tbody tr")  # type: ignore[attr-defined]
        total = rows.count()
        assert total >= 44
        page.fill("#filter", "energieakkoord")  # type: ignore[attr-defined]
        shown = page.locator("#reports tbody tr:not([hidden])")  # type: ignore[attr-defined]
        assert 0 < shown.count() < total
        assert all("energieakkoord" in t.lower() for t in shown.all_inner_texts())
        page.fill("#filter", "")  # type: ignore[attr-defined]
        page.click("#reports thead th >> nth=0 >> button")  # type: ignore[attr-defined]
        page.click("#reports thead th >> nth=0 >> button")  # type: ignore[attr-defined]
        years = [t for t in page.locator("#reports tbody tr td:first-child").all_inner_texts()]  # type: ignore[attr-defined]
        assert years == sorted(years, reverse=True)
        page.screenshot(path=str(ARTIFACTS / "view-adviezen-nl-1280.png"), full_page=False)  # type: ignore[attr-defined]
    finally:
        context.close()  # type: ignore[attr-defined]
