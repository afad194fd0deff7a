"""The query page for browsers, its static files, and the example queries of queries/examples/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from server.rdf.namespaces import prefixes
from server.settings import PROJECT_ROOT
from server.web.sparql import words as query_words
from server.web.sparql.page import examples, read_example, without_known_prefixes

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
EXAMPLES = examples(PROJECT_ROOT / "queries" / "examples")


def page_config(text: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<script type="application/json" id="sparql-config">(.*?)</script>', text, re.DOTALL)
    assert match, "the page carries its configuration"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_browser_gets_the_query_page(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Vary" in response.headers and "Accept" in response.headers["vary"]
    for script in ("vendor/yasgui/yasgui.min.js", "query-results.js", "query-charts.js", "query-editor.js"):
        assert f'src="/static/{script}"' in response.text
    assert "cdn" not in response.text.lower() and "//unpkg" not in response.text
    assert 'src="http' not in response.text and 'href="//' not in response.text


def test_page_follows_the_language_switch(client: TestClient) -> None:
    dutch = client.get("/sparql", headers={"Accept": BROWSER})
    english = client.get("/sparql?lang=en", headers={"Accept": BROWSER})
    assert page_config(dutch.text)["lang"] == "nl" and "<h1>Zoeken met SPARQL</h1>" in dutch.text
    assert page_config(english.text)["lang"] == "en" and "<h1>Query with SPARQL</h1>" in english.text
    assert page_config(english.text)["words"]["table"] == "Table"
    assert page_config(dutch.text)["words"]["table"] == "Tabel"
    assert english.cookies.get("lang") == "en"
    assert 'class="lang-switch"' in dutch.text and "?lang=en" in dutch.text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_word_of_the_query_page_is_translated(lang: str) -> None:
    words = query_words.words(lang)
    assert set(words) == set(query_words.WORDS)
    assert all(text.strip() for text in words.values())


def test_page_knows_the_project_prefix_map_without_pasting_it(client: TestClient) -> None:
    text = client.get("/sparql", headers={"Accept": BROWSER}).text
    config = page_config(text)
    assert config["prefixes"] == prefixes("https://data.ser.nl/")
    assert "PREFIX" not in config["starter"]
    # The example files declare the prefixes they use; the editor gets them without those declarations.
    assert any("PREFIX ser:" in e.query for e in EXAMPLES)
    assert not any("PREFIX ser:" in e["query"] for e in config["examples"])
    assert any("ser:" in e["query"] for e in config["examples"])


@pytest.mark.parametrize(("query", "expected"), [
    ("# T\nPREFIX ser: <https://data.ser.nl/def/>\nPREFIX org: <http://www.w3.org/ns/org#>\n\nSELECT",
     "# T\n\nSELECT"),
    ("PREFIX ser: <http://example.org/other/>\nSELECT", "PREFIX ser: <http://example.org/other/>\nSELECT"),
    ("PREFIX ex: <http://example.org/>\nSELECT", "PREFIX ex: <http://example.org/>\nSELECT"),
    ("SELECT * { ?s ?p 'PREFIX ser: <https://data.ser.nl/def/>' }",
     "SELECT * { ?s ?p 'PREFIX ser: <https://data.ser.nl/def/>' }"),
])
def test_known_prefix_lines_are_left_out_and_others_kept(query: str, expected: str) -> None:
    assert without_known_prefixes(query, prefixes("https://data.ser.nl/")) == expected


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_page_lists_every_example_in_its_language(client: TestClient, lang: str) -> None:
    text = client.get(f"/sparql?lang={lang}", headers={"Accept": BROWSER}).text
    config = page_config(text)
    assert [e["name"] for e in config["examples"]] == [e.name for e in EXAMPLES]
    assert [e["title"] for e in config["examples"]] == [e.title_in(lang) for e in EXAMPLES]
    for example in EXAMPLES:
        assert str(escape(example.title_in(lang))) in text


def test_every_example_has_a_dutch_title_too() -> None:
    for example in EXAMPLES:
        assert example.title_nl and example.title_nl != example.title, example.name
    assert read_example(PROJECT_ROOT / "queries" / "examples" / "03-adviezen-per-year.rq").title_nl == \
        "Adviezen per jaar"


def test_query_in_the_url_is_escaped_in_the_page(client: TestClient) -> None:
    hostile = 'SELECT * { ?s ?p "</textarea><script>alert(1)</script>" } # </script><b>'
    response = client.get("/sparql", params={"query": hostile}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "</script><b>" not in response.text
    assert page_config(response.text)["query"] == hostile  # intact as data for the script


@pytest.mark.parametrize(("name", "media_type"), [
    ("query-editor.js", "javascript"), ("query-results.js", "javascript"), ("query-charts.js", "javascript"),
    ("query-editor.css", "text/css"), ("vendor/yasgui/yasgui.min.js", "javascript"),
    ("vendor/yasgui/yasgui.min.css", "text/css"), ("site.css", "text/css")])
def test_static_files_are_served_from_the_project(client: TestClient, name: str, media_type: str) -> None:
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert media_type in response.headers["content-type"]


@pytest.mark.parametrize("name", ["query-editor.js", "query-results.js", "query-charts.js"])
def test_script_never_writes_html_from_data(name: str) -> None:
    script = (PROJECT_ROOT / "server" / "web" / "static" / name).read_text()
    assert "innerHTML" not in script and "outerHTML" not in script
    assert "insertAdjacentHTML" not in script and "document.write" not in script
    assert "setAttribute(\"style\"" not in script  # inline style attributes break the CSP; element.style is CSSOM


def test_examples_have_titles_and_are_six_to_ten() -> None:
    assert 6 <= len(EXAMPLES) <= 10
    for example in EXAMPLES:
        assert example.query.startswith("# ") and example.title and not example.title.startswith("#")


def test_examples_are_rebased_for_another_base(tmp_path: Path) -> None:
    path = tmp_path / "x.rq"
    path.write_text("# Title\nSELECT * { <https://data.ser.nl/id/x> ?p ?o }\n")
    assert "<http://localhost:8000/id/x>" in read_example(path, "http://localhost:8000/").query


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_runs_and_answers_on_the_fixture(client: TestClient, example) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/sparql", data={"query": example.query}, headers={"Accept": "*/*"})
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("application/sparql-results+json"):
        assert response.json()["results"]["bindings"], f"{example.name} found nothing"
    else:
        assert list(ox.parse(response.content, format=ox.RdfFormat.TURTLE)), f"{example.name} built nothing"
