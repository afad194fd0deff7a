"""Injection: HTML and JavaScript in labels stay text on every page and in the query UI, IRIs with a
``javascript:`` or ``data:`` scheme never become links, and nothing from a request or an IRI can add a
header line to an answer.

Each page is parsed as a browser would (``html.parser``) and checked for what could run: a script
element that is not one of ours, an event-handler attribute, or a link or source with a scheme that runs.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from tests.security.conftest import ATTRIBUTE, CLOSE_SCRIPT, EVIL, SCRIPT

OUR_SCRIPTS = ("/static/search.js", "/static/vendor/yasgui/yasgui.min.js", "/static/query-results.js",
               "/static/query-charts.js", "/static/query-editor.js")
DATA_SCRIPTS = ("application/json", "application/ld+json")
RUNNABLE = ("javascript:", "data:", "vbscript:")


class Runnable(HTMLParser):
    """Collects what a browser could run in a page, and the text of the data scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.data_scripts: list[str] = []
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "srcdoc") and value \
                    and value.strip().lower().startswith(RUNNABLE):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("img", "iframe", "object", "embed", "svg", "math"):
            self.found.append(f"<{tag}>")
        if tag == "script":
            if values.get("type") in DATA_SCRIPTS:
                self._in_data = True
                self.data_scripts.append("")
            elif values.get("src") not in OUR_SCRIPTS:
                self.found.append(f"<script {values}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_data = False

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data_scripts[-1] += data


def runnable(html: str) -> Runnable:
    parser = Runnable()
    parser.feed(html)
    parser.close()
    return parser


HOSTILE_PAGES = [
    "/doc/organisatie/evil",
    "/",
    "/classes/ser:Evil",
    "/classes/org:FormalOrganization",
    "/search?q=evil",
    "/search?q=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E",
    f"/reconcile/preview?id={EVIL}",
    "/doc/def/ser",
]


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_labels_stay_text_on_every_page(hostile: TestClient, path: str, lang: str) -> None:
    response = hostile.get(f"{path}{'&' if '?' in path else '?'}lang={lang}", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text[:300]
    page = runnable(response.text)
    assert page.found == []
    for data in page.data_scripts:
        assert "</script" not in data.lower()
        json.loads(data)  # still valid JSON: escaped, not cut


def test_the_hostile_label_is_shown_as_the_text_it_is(hostile: TestClient) -> None:
    html = hostile.get("/doc/organisatie/evil", params={"lang": "nl"}, headers={"Accept": "text/html"}).text
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    assert SCRIPT not in html and ATTRIBUTE not in html and CLOSE_SCRIPT not in html


def test_iris_with_a_scheme_that_runs_are_shown_but_not_linked(hostile: TestClient) -> None:
    html = hostile.get("/doc/organisatie/evil", headers={"Accept": "text/html"}).text
    assert "javascript:window.pwned=4" in html  # the value is shown, as text
    assert 'href="javascript:' not in html.lower() and 'href="data:' not in html.lower()


def test_hostile_labels_are_plain_strings_in_json(hostile: TestClient) -> None:
    found = hostile.get("/search", params={"q": "evil", "format": "json"}).json()["results"]
    assert any(SCRIPT in r["name"] for r in found)  # data, to be shown with textContent by the client
    assert all(not r["href"].lower().startswith(("javascript:", "data:")) for r in found)
    batch = {"q0": {"query": "Evil"}}
    answer = hostile.post("/reconcile", data={"queries": json.dumps(batch)})
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("query", [
    "</script><script>window.pwned=1</script>",
    "</textarea><script>window.pwned=1</script>",
    "\"><img src=x onerror=window.pwned=1>",
    "SELECT * WHERE { ?s ?p ?o } # </script><!--<script>",
    "\u2028\u2029</SCRIPT >",
])
def test_a_query_in_the_url_cannot_break_out_of_the_query_page(hostile: TestClient, query: str) -> None:
    response = hostile.get("/sparql", params={"query": query}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = runnable(response.text)
    assert page.found == []
    (config,) = page.data_scripts
    assert json.loads(config)["query"] == query  # carried whole, as data, to the editor


def test_results_with_hostile_literals_are_served_as_data_not_markup(hostile: TestClient) -> None:
    query = f"SELECT ?l WHERE {{ <{EVIL}> ?p ?l FILTER(isLiteral(?l)) }}"
    for accept, kind in [("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
                         ("text/csv", "csv")]:
        response = hostile.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200
        assert not response.headers["content-type"].startswith("text/html")
        if kind == "xml":
            assert "<script>" not in response.text  # escaped inside <literal>
    values = [b["l"]["value"] for b in hostile.get("/sparql", params={"query": query}).json()["results"]["bindings"]]
    assert any(SCRIPT in v for v in values)


# --- header injection ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/id/organisatie/ser%0d%0aSet-Cookie:%20a=b",
    "/doc/organisatie/ser%0d%0aSet-Cookie:%20a=b",
    "/downloads/latest/ser.nq%0d%0aSet-Cookie:%20a=b",
    "/downloads/latest/%0aSet-Cookie:%20a=b",
    "/def/Advies%0d%0aSet-Cookie:%20a=b",
    "/sparql?query=ASK%7B%7D&format=json%0d%0aSet-Cookie:%20a=b",
    "/search?q=x%0d%0aSet-Cookie:%20a=b",
    "/classes/ser:Advies?page=1%0d%0aSet-Cookie:%20a=b",
    "/?lang=nl%0d%0aSet-Cookie:%20a=b",
    "/reconcile/view?id=https://data.ser.nl/id/organisatie/ser%0d%0aSet-Cookie:%20a=b",
])
def test_no_request_can_add_a_header_line(hostile: TestClient, path: str) -> None:
    response = hostile.get(path)
    assert response.status_code < 500
    for name, value in response.headers.multi_items():
        assert "\r" not in value and "\n" not in value, (name, value)
        assert not name.lower().startswith("set-cookie") or "a=b" not in value


def test_a_language_cookie_with_markup_is_ignored(hostile: TestClient) -> None:
    response = hostile.get("/", headers={"Cookie": "lang=<script>", "Accept": "text/html"})
    assert response.status_code == 200
    assert '<html lang="nl">' in response.text
