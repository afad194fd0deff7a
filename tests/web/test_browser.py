"""A real browser opens the site: Debian's Chromium, headless, driven by Playwright.

It opens the home page and an entity page in both languages, follows links, and runs an example
query on the query page. Screenshots are kept in ``test-artifacts/`` (git-ignored) for a person to
look at. The server runs on loopback; Chromium is started without background networking, so nothing
leaves the machine. Playwright's own browser download is never used: ``executable_path`` points at
the system Chromium (``apt-get install chromium``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser import ARTIFACTS, MARKS, PATIENCE_MS, chromium, patient, run_query
from tests.web.test_resources import LdSite, live_server, open_site

pytestmark = MARKS


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LdSite, str]]:
    site = open_site(tmp_path_factory.mktemp("browser"), query_workers=True)
    with live_server(site.app) as url:
        yield site, url
    site.close()


@pytest.fixture(scope="module")
def browser(served: tuple[LdSite, str]) -> Iterator[object]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = patient(browser.new_context(locale="nl-NL", viewport={"width": 1100, "height": 900}))
    yield context.new_page()
    context.close()


def test_home_page_in_dutch_then_english(served: tuple[LdSite, str], page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    _, url = served
    page.goto(url + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h3", has_text="Wat de dataset bevat").count() == 1
    page.screenshot(path=str(ARTIFACTS / "home-nl.png"), full_page=True)
    page.click("a.lang-switch")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h3", has_text="What the dataset holds").count() == 1
    page.screenshot(path=str(ARTIFACTS / "home-en.png"), full_page=True)


def test_entity_page_in_both_languages_and_following_links(served: tuple[LdSite, str], page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    _, url = served
    page.goto(url + "/id/orgaan/raad")  # the browser follows the 303 to the HTML document
    assert page.url == url + "/doc/orgaan/raad"
    assert page.title().startswith("Raad ·")
    assert page.locator("h1").inner_text() == "Raad"
    page.screenshot(path=str(ARTIFACTS / "entity-nl.png"), full_page=True)
    page.click("a.lang-switch")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Council"
    page.screenshot(path=str(ARTIFACTS / "entity-en.png"), full_page=True)
    # The language sticks, and links lead to the documents of linked things.
    page.click("text=Social and Economic Council")
    page.wait_for_load_state()
    assert page.url == url + "/doc/organisatie/ser"
    assert page.locator("h1").inner_text() == "Social and Economic Council"
    page.click("section.group-incoming >> text=Council")
    page.wait_for_load_state()
    assert page.url == url + "/doc/orgaan/raad"


def test_markup_in_a_label_is_shown_as_text(served: tuple[LdSite, str], page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    _, url = served
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url + "/doc/advies/markup")
    assert page.locator("h1").inner_text() == "<script>alert('x')</script> & <b>vet</b>"
    assert page.locator("h1 b").count() == 0
    assert dialogs == []
    page.screenshot(path=str(ARTIFACTS / "entity-markup.png"), full_page=True)


def test_example_query_runs_on_the_query_page(served: tuple[LdSite, str], page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    _, url = served
    page.goto(url + "/sparql")
    page.wait_for_selector(".yasgui .tabsList .tab")
    page.screenshot(path=str(ARTIFACTS / "query-page.png"), full_page=True)
    # Each example of queries/examples/ is a tab; the fixture data may not answer it.
    page.locator(".yasgui .tabsList .tab").nth(1).click()
    assert "SELECT" in page.locator(".tabPanel.active .CodeMirror").inner_text().upper()
    page.click(".tabPanel.active .yasqe_queryButton")
    page.wait_for_selector(".tabPanel.active .yasr_response_chip:not(.empty)", timeout=PATIENCE_MS)
    page.screenshot(path=str(ARTIFACTS / "query-example.png"), full_page=True)
    run_query(page, "SELECT ?s WHERE { ?s a <http://www.w3.org/ns/org#OrganizationalUnit> }")
    page.wait_for_selector(".tabPanel.active a.iri[href='/doc/orgaan/raad']", timeout=PATIENCE_MS)
    page.screenshot(path=str(ARTIFACTS / "query-result.png"), full_page=True)
