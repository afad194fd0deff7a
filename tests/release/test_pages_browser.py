"""The pages people read, in a real browser over the release built from the real sources: the SER, a
person (Mariëtte Hamer), a post (Voorzitter van de SER) and a class index, at 1280 and 390 px wide and
in Dutch and English. Each page shows no bare IRI in its visible text (its own identifier line aside),
does not scroll sideways, and has no serious or critical axe-core violation. Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.settings import load
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.app import create_app
from tests.accessibility import bare_iris, scrolls_sideways, serious_violations
from tests.browser import ARTIFACTS, MARKS, chromium, patient
from tests.web.test_resources import live_server

pytestmark = MARKS

PAGES = [
    ("ser", "/doc/organisatie/ser", {"nl": "Sociaal-Economische Raad", "en": "Social and Economic Council"}),
    ("hamer", "/doc/persoon/mariette-hamer", {"nl": "Mariëtte Hamer", "en": "Mariëtte Hamer"}),
    ("post", "/doc/functie/voorzitter", {"nl": "Voorzitter van de SER", "en": "Chair of the SER"}),
    ("persons", "/classes/foaf:Person", {"nl": "Persoon", "en": "Person"}),
]
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def url(released: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("pages-browser")
    settings = load({}).replace(releases_dir=str(released.parent), store_dir=str(folder / "store"))
    store = EmbeddedStore.open(released, folder / "store")
    with live_server(create_app(settings, store, None)) as base:
        yield base
    store.close()


@pytest.fixture(scope="module")
def browser(url: str) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(("name", "path", "titles"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_reads_well_at_this_width(url: str, browser: Any, name: str, path: str, titles: dict[str, str],
                                         lang: str, width: int) -> None:
    context = patient(browser.new_context(locale=f"{lang}-NL" if lang == "nl" else "en-GB",
                                          viewport={"width": width, "height": 900}))
    try:
        page = context.new_page()
        page.goto(f"{url}{path}?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        assert titles[lang] in page.locator("h1").inner_text()
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-{lang}-{width}.png"), full_page=True)
        assert bare_iris(page) == []
        assert not scrolls_sideways(page)
        assert serious_violations(page) == []
    finally:
        context.close()


def test_the_chair_s_page_shows_her_role_with_its_period(url: str, browser: Any) -> None:
    context = patient(browser.new_context(locale="nl-NL", viewport={"width": 390, "height": 900}))
    try:
        page = context.new_page()
        page.goto(f"{url}/doc/persoon/mariette-hamer?lang=nl")
        row = page.locator("table.roles tr", has_text="Sociaal-Economische Raad")
        assert row.locator("td.period").inner_text() == "2014\u20132022"
        assert row.locator("td").first.inner_text().startswith("Voorzitter")
    finally:
        context.close()


def test_the_header_folds_into_a_menu_on_a_phone_and_opens(url: str, browser: Any) -> None:
    context = patient(browser.new_context(locale="nl-NL", viewport={"width": 390, "height": 900}))
    try:
        page = context.new_page()
        page.goto(f"{url}/doc/organisatie/ser?lang=nl")
        assert page.locator("header.site nav").is_hidden()
        page.click("details.site-menu > summary")
        assert page.locator("header.site nav").is_visible()
        assert page.locator("#search-box-q").is_visible()
        assert not scrolls_sideways(page)
        page.screenshot(path=str(ARTIFACTS / "page-menu-open-390.png"), full_page=False)
    finally:
        context.close()
    wide = patient(browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900}))
    try:
        page = wide.new_page()
        page.goto(f"{url}/doc/organisatie/ser?lang=nl")
        assert page.locator("header.site nav").is_visible()
        assert page.locator("details.site-menu > summary").is_hidden()
    finally:
        wide.close()
