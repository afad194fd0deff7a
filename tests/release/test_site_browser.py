"""The site as a person meets it, in Chromium over the release built from the real sources: the home
page, the saved views (chairs, the council on a date, seats, adviezen, covenants), a search, the change
log (the list of releases, one release), a page as of a release and the query page with an example run,
at 1280 and 390 px wide, in Dutch and in English.

Each page names things (no bare IRI in the visible text of ``main``), does not scroll sideways, and has
no serious or critical axe-core violation; the views carry their chart or table. The entity pages (the
SER, a person, a post, a class index) are checked the same way in ``test_pages_browser.py``.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.app import create_app
from server.web.runner import pool_for
from tests.accessibility import bare_iris, scrolls_sideways, serious_violations
from tests.browser import ARTIFACTS, MARKS, PATIENCE_MS, chromium, patient, run_query
from tests.web.test_resources import live_server

pytestmark = MARKS
WIDTHS = (1280, 390)
LANGS = ("nl", "en")

# name, path, what main shows in each language, the selector that must be there (a chart, a table, a list)
PAGES = [
    ("home", "/", {"nl": "Denkwerk voor Draagvlak door Dialoog", "en": "Denkwerk voor Draagvlak door Dialoog"},
     "ol.levels > li"),
    ("chairs", "/views/chairs", {"nl": "Mariëtte Hamer", "en": "Mariëtte Hamer"}, "figure.chart svg"),
    ("council", "/views/council?op=2020-06-01", {"nl": "Mariëtte Hamer", "en": "Mariëtte Hamer"}, "ul.people li"),
    ("seats", "/views/seats", {"nl": "Kroonleden", "en": "Crown members"}, "figure.chart svg rect"),
    ("adviezen", "/views/adviezen", {"nl": "Ministerie van Sociale Zaken", "en": "Ministry of Social Affairs"},
     "#reports tbody tr"),
    ("covenants", "/views/covenants", {"nl": "TruStone", "en": "TruStone"}, "figure.chart svg"),
    ("search", "/search?q=Hamer", {"nl": "Mariëtte Hamer", "en": "Mariëtte Hamer"}, "main a[href*='/doc/']"),
    ("changes", "/changes/", {"nl": "2026-01-01.1", "en": "2026-01-01.1"}, "main a[href='/changes/2026-01-01.1']"),
    ("release", "/changes/2026-01-01.1", {"nl": "2026-01-01.1", "en": "2026-01-01.1"}, "main h1"),
    ("memento", "/doc/persoon/kim-putters?release=2026-01-01.1", {"nl": "Kim Putters", "en": "Kim Putters"},
     "section.cite"),
]


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
def browser(url: str) -> Iterator[Any]:
    with chromium() as opened:
        yield opened


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_at(width: int, lang: str) -> Any:
        context = patient(browser.new_context(locale="nl-NL" if lang == "nl" else "en-GB",
                                              viewport={"width": width, "height": 900}))
        contexts.append(context)
        return context.new_page()

    yield open_at
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "path", "shows", "selector"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_of_the_site_reads_well(url: str, visit: Any, name: str, path: str, shows: dict[str, str],
                                       selector: str, lang: str, width: int) -> None:
    page = visit(width, lang)
    joiner = "&" if "?" in path else "?"
    page.goto(f"{url}{path}{joiner}lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator(selector).count() > 0, f"{path}: no {selector}"
    main = page.locator("main").inner_text()
    assert shows[lang].lower() in main.lower()
    page.screenshot(path=str(ARTIFACTS / f"site-{name}-{lang}-{width}.png"), full_page=True)
    assert bare_iris(page) == []
    assert not scrolls_sideways(page)
    found = serious_violations(page)
    assert found == [], json.dumps(found)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_the_query_page_runs_an_example_and_names_what_it_finds(url: str, visit: Any, lang: str,
                                                                 width: int) -> None:
    page = visit(width, lang)
    page.goto(f"{url}/sparql?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    page.locator(".tabsList .tab").nth(1).click()  # the first example
    page.click(".tabPanel.active .yasqe_queryButton")
    page.locator(".tabPanel.active .yasr_response_chip").wait_for()
    page.goto(f"{url}/sparql?lang={lang}")
    run_query(page, "SELECT ?person WHERE { VALUES ?person { <https://data.ser.nl/id/persoon/mariette-hamer> } }")
    cell = page.locator(".tabPanel.active .yasr a[href='/doc/persoon/mariette-hamer']")
    cell.first.wait_for()
    # The cell shows a name read from the IRI until the label arrives from its own lookup.
    expect(cell.first).to_contain_text("Mariëtte Hamer", timeout=PATIENCE_MS)
    page.screenshot(path=str(ARTIFACTS / f"site-query-{lang}-{width}.png"), full_page=True)
    assert not scrolls_sideways(page)
    found = serious_violations(page)
    assert found == [], json.dumps(found)
