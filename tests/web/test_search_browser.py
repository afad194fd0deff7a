"""The search box's autocomplete in a real browser: suggestions while typing, keyboard, no markup.

Debian's Chromium, headless, driven by Playwright, against the tiny release served on loopback (the
``live_server`` fixture); set up as in tests/web/test_browser.py. A screenshot of the open list is
kept in ``test-artifacts/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser import ARTIFACTS, MARKS, PATIENCE_MS, chromium, patient
from tests.conftest import LiveServer

pytestmark = MARKS


@pytest.fixture(scope="module")
def page(live_server: LiveServer) -> Iterator[object]:
    with chromium() as browser:
        context = patient(browser.new_context(locale="nl-NL", viewport={"width": 1100, "height": 700}))
        yield context.new_page()


def test_typing_shows_suggestions_and_the_keyboard_opens_one(live_server: LiveServer, page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(live_server.url + "/")
    box = page.locator("#search-box-q")
    box.press_sequentially("mariette ha", delay=30)
    options = page.locator("ul.search-suggestions [role=option]")
    options.first.wait_for(timeout=PATIENCE_MS)
    assert box.get_attribute("aria-expanded") == "true"
    assert options.first.locator("a").inner_text() == "Mariëtte Hamer"
    page.screenshot(path=str(ARTIFACTS / "search-suggestions.png"))
    box.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    box.press("Enter")
    page.wait_for_url(live_server.url + "/doc/persoon/mariette-hamer")


def test_escape_closes_the_list_and_submitting_opens_the_search_page(live_server: LiveServer, page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(live_server.url + "/")
    box = page.locator("#search-box-q")
    box.press_sequentially("<b>SER", delay=30)
    page.locator("ul.search-suggestions [role=option]").first.wait_for(timeout=PATIENCE_MS)
    assert page.locator("ul.search-suggestions b").count() == 0  # names are text, never markup
    box.press("Escape")
    assert page.locator("ul.search-suggestions").is_hidden()
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=%3Cb%3ESER$"))
    assert page.locator("h1").inner_text() == "Zoeken"
    assert page.locator("ol.search-results a").first.inner_text() == "Sociaal-Economische Raad"
    page.screenshot(path=str(ARTIFACTS / "search-page.png"))
