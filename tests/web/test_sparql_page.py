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
from server.web.sparql.page import examples, read_example

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
    assert 'src="/static/sparql.js"' in response.text
    assert "cdn" not in response.text.lower() and "//unpkg" not in response.text


def test_page_prefills_the_project_prefix_map(client: TestClient) -> None:
    text = client.get("/sparql", headers={"Accept": BROWSER}).text
    config = page_config(text)
    assert config["prefixes"] == prefixes("https://data.ser.nl/")
    for prefix, namespace in prefixes("https://data.ser.nl/").items():
        assert f"PREFIX {prefix}: &lt;{namespace}&gt;" in text  # in the editor, escaped


def test_page_lists_every_example(client: TestClient) -> None:
    text = client.get("/sparql", headers={"Accept": BROWSER}).text
    config = page_config(text)
    assert [e["name"] for e in config["examples"]] == [e.name for e in EXAMPLES]
    for example in EXAMPLES:
        assert str(escape(example.title)) in text


def test_query_in_the_url_is_escaped_in_the_page(client: TestClient) -> None:
    hostile = 'SELECT * { ?s ?p "</textarea><script>alert(1)</script>" } # </script><b>'
    response = client.get("/sparql", params={"query": hostile}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "</script><b>" not in response.text
    assert page_config(response.text)["query"] == hostile  # intact as data for the script


@pytest.mark.parametrize(("name", "media_type"), [("sparql.js", "javascript"), ("sparql.css", "text/css"),
                                                  ("site.css", "text/css")])
def test_static_files_are_served_from_the_project(client: TestClient, name: str, media_type: str) -> None:
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert media_type in response.headers["content-type"]


def test_script_never_writes_html_from_data() -> None:
    script = (PROJECT_ROOT / "server" / "web" / "static" / "sparql.js").read_text()
    assert "innerHTML" not in script.replace("never through innerHTML", "")
    assert "insertAdjacentHTML" not in script and "document.write" not in script


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
