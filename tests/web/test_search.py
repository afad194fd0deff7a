"""/search as JSON and HTML, the search box on every page, and the autocomplete script it loads."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines

SER = "https://data.ser.nl/id/organisatie/ser"


def found(client: TestClient, **params: str) -> list[dict[str, object]]:
    response = client.get("/search", params={**params, "format": "json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    return response.json()["results"]  # type: ignore[no-any-return]


def test_json_results_use_the_reconciliation_matching(client: TestClient) -> None:
    results = found(client, q="sociaal economische raad")
    assert results[0]["id"] == SER
    assert results[0]["href"] == "/doc/organisatie/ser"
    assert results[0]["name"] == "Sociaal-Economische Raad"
    assert found(client, q="SER")[0] == {**found(client, q="SER")[0], "id": SER, "matched": "SER"}


def test_the_last_word_may_be_unfinished(client: TestClient) -> None:
    assert found(client, q="Mariëtte Ham")[0]["id"] == "https://data.ser.nl/id/persoon/mariette-hamer"
    assert found(client, q="Sociaal-Econ")[0]["id"] == SER


def test_type_and_limit_narrow_the_results(client: TestClient) -> None:
    people = found(client, q="r", type="foaf:Person")
    assert people and all(t["id"] == "http://xmlns.com/foaf/0.1/Person" for r in people for t in r["types"])
    assert len(found(client, q="r", limit="2")) == 2
    assert found(client, q="nothing of the kind") == []


@pytest.mark.parametrize(("accept", "json"), [
    ("application/json", True),
    ("text/html", False),
    ("*/*", False),
    ("application/json, text/html;q=0.5", True),
    (None, False),
])
def test_json_or_html_is_chosen_by_accept(client: TestClient, accept: str | None, json: bool) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/search", params={"q": "FNV"}, headers=headers)
    assert response.headers["content-type"].startswith("application/json" if json else "text/html")
    assert "Accept" in response.headers["vary"]


def test_the_html_page_lists_results_and_escapes_the_query(client: TestClient) -> None:
    page = client.get("/search", params={"q": "SER <script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    page = client.get("/search", params={"q": "SER"}).text
    assert '<a href="/doc/organisatie/ser">Sociaal-Economische Raad</a>' in page
    assert 'href="/search?q=SER&amp;format=json"' in page


def test_the_page_speaks_the_readers_language(client: TestClient) -> None:
    assert "<h1>Search</h1>" in client.get("/search", params={"lang": "en"}).text
    assert "<h1>Zoeken</h1>" in client.get("/search", params={"lang": "nl"}).text


def test_answers_carry_the_release_validators_and_304(client: TestClient) -> None:
    for params in ({"q": "SER", "format": "json"}, {"q": "SER"}):
        first = client.get("/search", params=params)
        assert first.headers["last-modified"] == "Thu, 01 Jan 2026 00:00:00 GMT"
        again = client.get("/search", params=params, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
    other = client.get("/search", params={"q": "FNV", "format": "json"})
    assert other.headers["etag"] != client.get("/search", params={"q": "SER", "format": "json"}).headers["etag"]


@pytest.mark.parametrize("path", ["/", "/search", "/sparql"])
def test_every_page_has_the_search_box_with_local_assets_only(client: TestClient, path: str) -> None:
    page = client.get(path, headers={"Accept": "text/html"}).text
    assert '<form class="search-box" action="/search" method="get" role="search">' in page
    assert '<script src="/static/search.js" defer></script>' in page
    assert '<link rel="stylesheet" href="/static/search.css">' in page


def test_the_autocomplete_script_is_served_and_writes_no_markup(client: TestClient) -> None:
    script = client.get("/static/search.js")
    assert script.status_code == 200
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", script.text)
    assert not re.search(r"https?://", script.text)  # nothing from another site
    assert 'fetch("/search?"' in script.text
    assert client.get("/static/search.css").status_code == 200
