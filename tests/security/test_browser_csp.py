"""The Content-Security-Policy in a real browser: the pages and the query UI work under it, with no
violation reported, and hostile labels in pages and in query results never run.

Debian's Chromium, headless, driven by Playwright, as in tests/web/test_browser.py. A script injected
before each page records every ``securitypolicyviolation`` event; a label that ran would set
``window.pwned``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from tests.browser import MARKS, PATIENCE_MS, chromium, patient, run_query
from tests.conftest import LiveServer
from tests.security.conftest import EVIL

pytestmark = MARKS

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""


@pytest.fixture(scope="module")
def url(hostile_app: FastAPI) -> Iterator[str]:
    with LiveServer(hostile_app) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = patient(browser.new_context(locale="nl-NL"))
    context.add_init_script(WATCH)
    yield context.new_page()
    context.close()


def _clean(page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.wait_for_timeout(200)  # violation events are dispatched asynchronously
    assert page.evaluate("window.__violations") == []
    assert page.evaluate("window.pwned") is None


@pytest.mark.parametrize("path", ["/", "/doc/organisatie/evil", "/classes/ser:Evil", "/search?q=evil",
                                  "/downloads/", f"/reconcile/preview?id={EVIL}"])
def test_pages_load_under_the_policy_and_hostile_labels_do_not_run(url: str, page: object, path: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    response = page.goto(url + path)
    assert response is not None and response.status == 200
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    _clean(page)


def test_the_query_ui_runs_under_the_policy_and_shows_hostile_results_as_text(url: str, page: object,
                                                                              tmp_path: Path) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(url + "/sparql")
    # Hostile labels as values, and as the label lookup gives them to the links of the IRIs.
    run_query(page, f"SELECT ?label ?thing WHERE {{ <{EVIL}> ?p ?label FILTER(isLiteral(?label)) "
                    f"BIND(<{EVIL}> AS ?thing) }}")
    page.wait_for_selector(".tabPanel.active .label-table td", timeout=PATIENCE_MS)
    results = ".tabPanel.active .yasr_results"
    cells = page.locator(f"{results} td").all_inner_texts()
    assert any("<script>window.pwned=1</script>" in c for c in cells), cells
    page.wait_for_selector(f"{results} a.iri >> text=window.pwned", timeout=PATIENCE_MS)
    for view in ("pivot", "chart", "response"):  # every view YASGUI shows the answer in
        if page.locator(f".tabPanel.active .select_{view}:not(.disabled)").count():
            page.click(f".tabPanel.active .select_{view}")
            page.wait_for_timeout(200)
        assert page.locator(f"{results} img, {results} script").count() == 0
    _clean(page)


def test_the_search_box_fetches_under_the_policy(url: str, page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(url + "/")
    page.fill("input[type=search]", "Evil")
    page.wait_for_selector("[role=option]", timeout=PATIENCE_MS)
    _clean(page)
