"""Withdrawn and redirected things as people meet them: the 410 page names the release that withdrew the
thing and links to its change log; the successor's page names what it replaces. Two releases made from the
linked-data fixture: in the earlier one, ``advies/ingetrokken`` and ``organisatie/oude-naam`` are plain
things with a name; the later one withdraws the first and redirects the second to the SER.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from server.settings import Settings
from server.web.reloading import Served
from server.web.runner import open_release
from tests.web.test_changes_pages import make_release
from tests.web.test_resources import write_release

OLD, NEW = "2026-01-01.1", "2026-02-01.1"
WITHDRAWN = "https://data.ser.nl/id/advies/ingetrokken"
REDIRECTED = "https://data.ser.nl/id/organisatie/oude-naam"
DATA = "<https://data.ser.nl/graph/data>"
NAMES = (f'<{WITHDRAWN}> <http://purl.org/dc/terms/title> "Dubbel <advies> & co"@nl {DATA} .\n'
         f'<{REDIRECTED}> <http://www.w3.org/2004/02/skos/core#prefLabel> "Stichting Oude Naam"@nl {DATA} .\n')


@pytest.fixture(scope="module")
def client(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("withdrawn")
    source = write_release(root / "source", "source", "2025-12-01T00:00:00+00:00")
    old = make_release(source, root / "releases" / OLD, OLD, "2026-01-01T00:00:00+00:00", None,
                       drop=(f"<{WITHDRAWN}> ", f"<{REDIRECTED}> "), extra=NAMES)
    new = make_release(source, root / "releases" / NEW, NEW, "2026-02-01T00:00:00+00:00", old, extra=NAMES)
    served: Served = open_release(settings.replace(releases_dir=root / "releases", store_dir=root / "store",
                                                   query_workers=1), new)
    with TestClient(served.app, follow_redirects=False) as test_client:
        yield test_client
    served.close()


def page(client: TestClient, path: str, lang: str) -> tuple[int, str]:
    response = client.get(path, headers={"Accept": "text/html", "Accept-Language": lang})
    return response.status_code, response.text


@pytest.mark.parametrize(("lang", "words"), [("nl", "Ingetrokken in uitgave 2026-02-01.1"),
                                             ("en", "Withdrawn in release 2026-02-01.1")])
def test_the_gone_page_names_the_release_that_withdrew_the_thing(client: TestClient, lang: str, words: str) -> None:
    status, text = page(client, "/doc/advies/ingetrokken", lang)
    assert status == 410
    assert f'<a href="/changes/{NEW}#withdrawn">{words}</a>' in text


def test_the_release_that_withdrew_it_lists_it_where_the_gone_page_links(client: TestClient) -> None:
    status, text = page(client, f"/changes/{NEW}", "en")
    assert status == 200
    withdrawn = text.split('<section id="withdrawn">', 1)[1].split("</section>", 1)[0]
    assert "Dubbel &lt;advies&gt; &amp; co" in withdrawn


def test_a_redirected_thing_leads_to_its_successor_which_names_what_it_replaces(client: TestClient) -> None:
    moved = client.get("/doc/organisatie/oude-naam", headers={"Accept": "text/html"})
    assert moved.status_code == 301
    status, text = page(client, moved.headers["location"], "en")
    assert status == 200
    assert (f'<a href="/changes/{NEW}#redirected">Replaces Stichting Oude Naam, withdrawn in release {NEW}</a>'
            in text)
    _, dutch = page(client, moved.headers["location"], "nl")
    assert f"Vervangt Stichting Oude Naam, ingetrokken in uitgave {NEW}" in dutch


def test_a_thing_the_release_did_not_withdraw_has_no_such_note(client: TestClient) -> None:
    status, text = page(client, "/doc/orgaan/raad", "en")
    assert status == 200
    assert "Withdrawn in release" not in text
    assert "Replaces " not in text
