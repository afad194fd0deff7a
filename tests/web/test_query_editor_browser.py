"""The query page's editor (vendored YASGUI) in a real browser, at desktop and phone width.

Debian's Chromium, headless, driven by Playwright (tests/browser.py). Every request the page makes is
intercepted: one that leaves the local server is recorded and aborted, so that a test fails when the
editor asks anything of prefix.cc, LOV, a CDN or any other service. A script injected before each page
records Content-Security-Policy violations. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from tests.browser import ARTIFACTS, MARKS, chromium, patient, run_query
from tests.conftest import LiveServer

pytestmark = MARKS

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""
WIDTHS = (1280, 390)
SEATS = "Zetelverdeling"  # the tab of queries/examples/04-seats-2020.rq, in Dutch


class Visit:
    """A page of one browser context, with the requests that tried to leave the local server."""

    def __init__(self, page: Any, outside: list[str], failed: list[str]) -> None:
        self.page = page
        self.outside = outside
        self.failed = failed

    def clean(self, failing: tuple[str, ...] = ()) -> None:
        """No policy violation, no request outside the site, and no failed request but to ``failing``
        paths (the favicon included: a 404 there would show here)."""
        self.page.wait_for_timeout(200)  # violation events are dispatched asynchronously
        assert self.page.evaluate("window.__violations") == []
        assert self.outside == [], f"requests left the site: {self.outside}"
        assert [f for f in self.failed if not f.endswith(failing)] == []

    def fits(self, width: int) -> None:
        """The editor and its results stay within the screen's width."""
        for selector in (".yasgui", ".tabPanel.active .yasr_results"):
            box = self.page.locator(selector).first.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (selector, box)


@pytest.fixture(scope="module")
def url(make_app: Callable[..., FastAPI]) -> Iterator[str]:
    with LiveServer(make_app()) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser(url: str) -> Iterator[Any]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def visit(browser: Any, url: str) -> Iterator[Callable[..., Visit]]:
    contexts: list[Any] = []

    def open_page(path: str, width: int = 1280, locale: str = "nl-NL") -> Visit:
        context = patient(browser.new_context(locale=locale, viewport={"width": width, "height": 900}))
        contexts.append(context)
        context.add_init_script(WATCH)
        outside: list[str] = []

        def guard(route: Any) -> None:
            if route.request.url.startswith(url + "/"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        failed: list[str] = []
        page.on("response", lambda r: failed.append(r.url.split("?")[0]) if r.status >= 400 else None)
        page.goto(url + path)
        page.wait_for_selector(".yasgui .tabsList .tab")
        return Visit(page, outside, failed)

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_example_runs_in_its_tab_and_its_cells_are_labels_linking_to_doc_pages(
        visit: Callable[..., Visit], width: int) -> None:
    v = visit("/sparql", width)
    page = v.page
    assert page.locator(".tabsList .tab").count() == 1 + page.locator("[data-example]").count()
    page.screenshot(path=str(ARTIFACTS / f"query-editor-{width}.png"), full_page=True)
    page.click(f".tabsList .tab >> text={SEATS}")
    editor = page.locator(".tabPanel.active .CodeMirror").inner_text()
    assert "ser:Zetelverdeling" in editor and "PREFIX ser:" not in editor  # known, not pasted
    page.click(".tabPanel.active .yasqe_queryButton")
    # A label, not an IRI: the organisation's skos:prefLabel, linking to its local /doc/ page.
    link = page.locator(".tabPanel.active .label-table a.iri[href^='/doc/organisatie/']", has_text="VNO-NCW")
    link.first.wait_for()
    assert link.first.get_attribute("href") == "/doc/organisatie/vno-ncw"
    cells = page.locator(".tabPanel.active .label-table td").all_inner_texts()
    assert not any("^^" in c or c.startswith("http") for c in cells), cells
    assert page.locator(".tabPanel.active .yasr_response_chip").inner_text().startswith("7 resultaten")
    v.fits(width)
    page.screenshot(path=str(ARTIFACTS / f"query-editor-example-{width}.png"), full_page=True)
    v.clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_chart_and_pivot_views_draw_in_the_page(visit: Callable[..., Visit], width: int) -> None:
    v = visit("/sparql", width)
    page = v.page
    page.click(f".tabsList .tab >> text={SEATS}")
    page.click(".tabPanel.active .yasqe_queryButton")
    page.locator(".tabPanel.active .label-table tbody tr").first.wait_for()
    page.click(".tabPanel.active .select_chart")
    page.locator(".tabPanel.active .bar-chart .segment").first.wait_for()
    assert page.locator(".tabPanel.active .bar-chart .bars li").count() == 3  # the three groups
    legend = page.locator(".tabPanel.active .bar-chart .legend").inner_text()
    assert "VNO-NCW" in legend and "(geen waarde)" in legend  # the crown members have no organisation
    v.fits(width)
    page.screenshot(path=str(ARTIFACTS / f"query-editor-chart-{width}.png"), full_page=True)
    page.click(".tabPanel.active .select_pivot")
    page.locator(".tabPanel.active table.pivot").wait_for()
    totals = page.locator(".tabPanel.active table.pivot td.total").all_inner_texts()
    assert totals == ["11", "11", "11"]
    page.screenshot(path=str(ARTIFACTS / f"query-editor-pivot-{width}.png"), full_page=True)
    v.clean()


def test_an_error_names_its_line_and_column_in_the_editor(visit: Callable[..., Visit]) -> None:
    v = visit("/sparql")
    page = v.page
    # ser: is not declared: the page adds it on one line before the query, and takes that line back.
    run_query(page, "SELECT * WHERE {\n  ?s ser:naam\n}\n")
    heading = page.locator(".tabPanel.active .query-error-heading")
    heading.wait_for()
    assert heading.get_attribute("data-line") == "3" and heading.get_attribute("data-column") == "1"
    assert heading.inner_text() == "De vraag klopt niet op regel 3, kolom 1."
    assert "line 3, column 1 (3:1)" in (page.locator(".tabPanel.active .query-error pre").text_content() or "")
    marked = page.locator(".tabPanel.active .query-error-line")
    assert marked.count() == 1 and marked.locator(".CodeMirror-line").inner_text().strip() == "}"
    page.screenshot(path=str(ARTIFACTS / "query-editor-error.png"), full_page=True)
    # A prefix that is neither declared nor the project's: the error says what to do.
    run_query(page, "SELECT * WHERE {\n  ?s ex:naam ?o\n}\n")
    page.wait_for_selector(".tabPanel.active .query-error >> text=declareer het met PREFIX")
    v.clean(failing=("/sparql",))


def test_the_editor_speaks_english_after_the_language_switch(visit: Callable[..., Visit]) -> None:
    v = visit("/sparql")
    page = v.page
    assert page.locator(".select_labels").inner_text() == "Tabel"
    page.click("a.lang-switch")
    page.wait_for_selector(".yasgui .tabsList .tab")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Query with SPARQL"
    assert page.locator(".select_labels").inner_text() == "Table"
    page.click(".tabPanel.active .yasqe_queryButton")
    page.locator(".tabPanel.active .label-table tbody tr").first.wait_for()
    assert page.locator(".tabPanel.active .yasr_response_chip").inner_text().endswith(" s")
    assert "results in" in page.locator(".tabPanel.active .yasr_response_chip").inner_text()
    page.screenshot(path=str(ARTIFACTS / "query-editor-en.png"), full_page=True)
    v.clean()


def test_completion_offers_the_release_terms_from_this_site(visit: Callable[..., Visit]) -> None:
    v = visit("/sparql")
    page = v.page
    page.evaluate("""() => { const cm = document.querySelector('.tabPanel.active .CodeMirror').CodeMirror;
                             cm.setValue("SELECT * WHERE { ?s a "); cm.focus(); cm.setCursor(0, 22); }""")
    page.keyboard.type("ser:Adv", delay=50)
    page.locator(".CodeMirror-hints li", has_text="ser:Advies").first.wait_for()
    page.keyboard.press("Enter")
    assert "?s a ser:Advies" in page.locator(".tabPanel.active .CodeMirror").inner_text()
    # The project's prefixes are known to the editor's own check: no "Prefix 'ser' is not defined".
    page.keyboard.type(" }")
    page.wait_for_timeout(300)  # the check runs on change
    assert page.locator(".tabPanel.active .parseErrorIcon").count() == 0
    # A prefix the project does not know is still flagged, in the same place.
    page.evaluate("() => document.querySelector('.tabPanel.active .CodeMirror').CodeMirror"
                  ".setValue('SELECT * WHERE { ?s a ex:Advies }')")
    page.locator(".tabPanel.active .parseErrorIcon").first.wait_for()
    v.clean()


def test_a_query_in_the_address_opens_and_runs(visit: Callable[..., Visit]) -> None:
    v = visit("/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20org%3AFormalOrganization%20%7D")
    page = v.page
    page.locator(".tabPanel.active .label-table a.iri[href='/doc/organisatie/ser']").first.wait_for()
    v.clean()
