"""Memento (RFC 7089) for /doc/: a client asks the TimeGate for a moment, follows the 302 to the memento of
the release in force then, and reads the TimeMap; two releases made from different data (the older one
lacks the title of one advisory report)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from server.settings import Settings
from server.web.linkeddata import memento
from server.web.reloading import Served
from server.web.runner import open_release
from tests.web.test_release_history import DROPPED, NEW, OLD, make_release

DOC = "/doc/advies/werken-zonder-armoede"
TITLE = "<http://purl.org/dc/terms/title>"
OLD_DATE, NEW_DATE = "Thu, 01 Jan 2026 00:00:00 GMT", "Sun, 01 Feb 2026 00:00:00 GMT"


@pytest.fixture(scope="module")
def served(tiny_release_dir: Path, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("mementos")
    make_release(tiny_release_dir, root / "releases" / OLD, OLD, "2026-01-01T00:00:00+00:00", drop=DROPPED)
    make_release(tiny_release_dir, root / "releases" / "2025-06-01.1", "2025-06-01.1", "2025-06-01T00:00:00+00:00")
    new = make_release(tiny_release_dir, root / "releases" / NEW, NEW, "2026-02-01T00:00:00+00:00")
    opened = open_release(settings.replace(releases_dir=root / "releases", store_dir=root / "store",
                                           query_workers=1, queryable_releases=2), new)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def client(served: Served) -> Iterator[TestClient]:
    with TestClient(served.app) as test_client:
        yield test_client


def link_targets(header: str) -> dict[str, str]:
    """rel -> target of a Link header or a link-format document (one rel per entry here)."""
    return {rel: target for target, rel in re.findall(r'<([^>]+)>\s*;[^,]*?rel="([^"]+)"', header)}


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_a_memento_client_goes_from_the_timegate_to_the_memento_and_the_timemap(
        client: TestClient, settings: Settings) -> None:
    root = settings.public_root
    gate = client.get(f"{DOC}.nt", headers={"accept-datetime": "Thu, 15 Jan 2026 12:00:00 GMT"},
                      follow_redirects=False)
    assert gate.status_code == 302
    # The public host's own Location is sent relative (server.web.security): the client resolves it.
    assert gate.headers["location"] == f"/doc/advies/werken-zonder-armoede.nt?release={OLD}"
    assert "accept-datetime" in gate.headers["vary"].lower()
    gate_links = link_targets(gate.headers["link"])
    assert gate_links["original"] == f"{root}doc/advies/werken-zonder-armoede.nt"
    assert gate_links["timemap"] == f"{root}timemap/doc/advies/werken-zonder-armoede.nt"

    old = client.get(gate.headers["location"])
    assert old.status_code == 200 and old.headers["memento-datetime"] == OLD_DATE
    assert TITLE not in old.text and "werken-zonder-armoede" in old.text
    assert link_targets(old.headers["link"])["timegate"] == gate_links["original"]
    current = client.get(f"{DOC}.nt")
    assert TITLE in current.text and "memento-datetime" not in current.headers
    assert link_targets(current.headers["link"])["timemap"] == gate_links["timemap"]

    timemap = client.get(local(gate_links["timemap"]))
    assert timemap.status_code == 200 and timemap.headers["content-type"].startswith(memento.LINK_FORMAT)
    entries = link_targets(timemap.text)
    assert entries["original"] == gate_links["original"] and entries["timegate"] == gate_links["original"]
    assert entries["self"] == gate_links["timemap"]
    assert entries["first memento"] == root + gate.headers["location"].lstrip("/")
    assert entries["last memento"] == f"{root}doc/advies/werken-zonder-armoede.nt?release={NEW}"
    assert f'datetime="{OLD_DATE}"' in timemap.text and f'datetime="{NEW_DATE}"' in timemap.text
    assert "2025-06-01.1" not in timemap.text  # past queryable_releases


@pytest.mark.parametrize(("value", "moment"), [
    ("Sun, 01 Feb 2026 00:00:00 GMT", datetime(2026, 2, 1, tzinfo=UTC)),
    ("Sun, 01 Feb 2026 01:00:00 +0100", datetime(2026, 2, 1, tzinfo=UTC)),
    ("Thu, 15 Jan 2026 12:30:05 GMT", datetime(2026, 1, 15, 12, 30, 5, tzinfo=UTC)),
])
def test_accept_datetime_reads_rfc_1123_dates_as_utc(value: str, moment: datetime) -> None:
    assert memento.accept_datetime(value) == moment
    assert memento.http_date(moment) == memento.http_date(memento.accept_datetime(value))


def test_the_memento_datetime_is_written_in_gmt() -> None:
    assert memento.http_date(datetime(2026, 2, 1, 1, 0, tzinfo=timezone(timedelta(hours=1)))) == NEW_DATE


def test_a_moment_after_the_newest_release_leads_to_the_current_release(client: TestClient) -> None:
    gate = client.get(DOC, headers={"accept-datetime": "Mon, 01 Jun 2026 00:00:00 GMT"}, follow_redirects=False)
    assert gate.status_code == 302 and gate.headers["location"].endswith(f"?release={NEW}")


def test_the_html_memento_says_which_release_it_shows_and_leads_to_the_current_page(client: TestClient) -> None:
    page = client.get(f"{DOC}?release={OLD}", headers={"accept": "text/html", "accept-language": "en"})
    assert page.status_code == 200 and page.headers["memento-datetime"] == OLD_DATE
    assert f"This page as of release {OLD} (1 January 2026" in page.text
    assert f'<a href="{DOC}">' in page.text
    assert f'href="{DOC}.ttl?release={OLD}"' in page.text  # its other formats stay in its release
    turtle = client.get(f"{DOC}.ttl?release={OLD}")
    assert turtle.headers["memento-datetime"] == OLD_DATE and "Werken zonder armoede" not in turtle.text
    assert "Werken zonder armoede" in client.get(f"{DOC}.ttl").text


def test_a_negotiated_memento_names_its_format_in_the_same_release(client: TestClient) -> None:
    response = client.get(f"{DOC}?release={OLD}", headers={"accept": "application/n-triples"})
    assert response.headers["content-location"] == f"{DOC}.nt?release={OLD}"


def test_the_current_html_page_offers_the_same_page_in_the_earlier_answerable_releases(client: TestClient) -> None:
    page = client.get(DOC, headers={"accept": "text/html", "accept-language": "nl"})
    assert "Deze pagina in eerdere versies" in page.text
    assert f'href="{DOC}?release={OLD}">{OLD} (1 januari 2026' in page.text
    assert "2025-06-01.1" not in page.text and "accept-datetime" in page.headers["vary"].lower()


def test_adding_an_answerable_release_changes_the_current_pages_validator_and_footer(
        tiny_release_dir: Path, settings: Settings, tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    new = make_release(tiny_release_dir, releases / NEW, NEW, "2026-02-01T00:00:00+00:00")
    opened = open_release(settings.replace(releases_dir=releases, store_dir=tmp_path / "store", query_workers=1,
                                           queryable_releases=2), new)
    html = {"accept": "text/html", "accept-language": "en"}
    try:
        with TestClient(opened.app) as client:
            alone = client.get(DOC, headers=html)
            assert alone.status_code == 200 and OLD not in alone.text
            turtle = client.get(f"{DOC}.ttl").headers["etag"]
            make_release(tiny_release_dir, releases / OLD, OLD, "2026-01-01T00:00:00+00:00", drop=DROPPED)
            again = client.get(DOC, headers={**html, "If-None-Match": alone.headers["etag"]})
            assert again.status_code == 200 and again.headers["etag"] != alone.headers["etag"]
            assert f'href="{DOC}?release={OLD}">{OLD}' in again.text  # the footer, not the cached page
            assert client.get(DOC, headers={**html, "If-None-Match": again.headers["etag"]}).status_code == 304
            assert client.get(f"{DOC}.ttl").headers["etag"] == turtle  # no footer in Turtle
    finally:
        opened.close()


@pytest.mark.parametrize("moment", ["Thu, 15 Jan 2026 12:00:00 GMT", "Mon, 01 Jun 2026 00:00:00 GMT"])
def test_the_timegate_of_a_document_the_release_lacks_is_a_404_not_a_redirect(
        client: TestClient, moment: str) -> None:
    gate = client.get("/doc/advies/bestaat-niet", headers={"accept-datetime": moment}, follow_redirects=False)
    assert gate.status_code == 404 and "location" not in gate.headers


@pytest.mark.parametrize("value", ["yesterday", "2026-01-15", "", "x" * 200])
def test_a_malformed_accept_datetime_is_a_400_naming_the_header(client: TestClient, value: str) -> None:
    response = client.get(DOC, headers={"accept-datetime": value}, follow_redirects=False)
    assert response.status_code == 400 and "Accept-Datetime" in response.text


@pytest.mark.parametrize(("version", "status"), [("2025-06-01.1", 410), ("1999-01-01.1", 404), ("x" * 65, 400)])
def test_a_memento_of_a_release_that_cannot_be_answered_is_the_archives_error(
        client: TestClient, version: str, status: int) -> None:
    response = client.get(DOC, params={"release": version})
    assert response.status_code == status and "release" in response.text


def test_the_timemap_of_a_document_no_release_holds_is_not_found(client: TestClient) -> None:
    assert client.get("/timemap/doc/advies/no-such-report").status_code == 404


def test_no_memento_url_is_built_from_the_host_header(client: TestClient, settings: Settings) -> None:
    evil = {"host": "evil.example", "x-forwarded-host": "evil.example"}
    gate = client.get(DOC, headers={**evil, "accept-datetime": OLD_DATE}, follow_redirects=False)
    timemap = client.get(f"/timemap{DOC}", headers=evil)
    assert gate.headers["location"].startswith(f"{DOC}?release=")
    for text in (gate.headers["link"], timemap.text):
        assert "evil" not in text and settings.public_root in text
