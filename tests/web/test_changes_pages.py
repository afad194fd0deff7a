"""The change log on the web: /changes/, /changes/{version} and the Atom feed /changes/feed.atom (RFC 4287).

Two releases made from the tiny fixture: the earlier one lacks the title of one advisory report, the later
one adds an advisory report whose title holds ``<&>``; the later one's change log is made by
``server.pipeline.releases.changes`` from the two, as ``ser-kg build`` makes it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from server.pipeline.releases import changes
from server.settings import Settings
from server.store.oxigraph.memory import MemoryDataset
from server.web.reloading import Served
from server.web.runner import open_release

OLD, NEW = "2026-01-01.1", "2026-02-01.1"
BASE = "https://data.ser.nl/"
CHANGED = "https://data.ser.nl/id/advies/werken-zonder-armoede"
ADDED = "https://data.ser.nl/id/advies/nieuw-en-scherp"
ADDED_TITLE = "Nieuw <advies> & scherp"
DROPPED = f"<{CHANGED}> <http://purl.org/dc/terms/title> "
EXTRA = (f'<{ADDED}> <http://purl.org/dc/terms/title> "{ADDED_TITLE}"@nl <{BASE}graph/data> .\n'
         f"<{ADDED}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BASE}def/Advies> <{BASE}graph/data> .\n")
ATOM = "{http://www.w3.org/2005/Atom}"


def write(target: Path, name: str, body: bytes, media_type: str) -> dict[str, object]:
    (target / name).write_bytes(body)
    return {"name": name, "media_type": media_type, "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}


def make_release(source: Path, target: Path, version: str, created: str, previous: Path | None, *,
                 drop: str | tuple[str, ...] | None = None, extra: str = "") -> Path:
    """A release folder of ``source``'s quads (less ``drop``, plus ``extra``) with its change log."""
    target.mkdir(parents=True)
    lines = (source / "ser.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    body = ("".join(line for line in lines if drop is None or not line.startswith(drop)) + extra).encode("utf-8")
    files = [write(target, "ser.nq", body, "application/n-quads")]
    log = changes.change_log(previous, MemoryDataset(body), BASE)
    for name, media_type, writer in changes.files(log, BASE):
        writer(target / name, version)
        files.append(write(target, name, (target / name).read_bytes(), media_type))
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(version=version, created=created, files=files)
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def history(tiny_release_dir: Path, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("changes")
    old = make_release(tiny_release_dir, root / "releases" / OLD, OLD, "2026-01-01T00:00:00+00:00", None,
                       drop=DROPPED)
    new = make_release(tiny_release_dir, root / "releases" / NEW, NEW, "2026-02-01T09:30:00+00:00", old,
                       extra=EXTRA)
    served = settings.replace(releases_dir=root / "releases", store_dir=root / "store", query_workers=1,
                              public_url="https://example.org/ser/")
    opened = open_release(served, new)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def client(history: Served) -> Iterator[TestClient]:
    with TestClient(history.app) as test_client:
        yield test_client


def test_the_change_log_lists_every_release_newest_first_with_counts_and_downloads(client: TestClient) -> None:
    page = client.get("/changes/?lang=en")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.index(f'id="release-{NEW}"') < page.text.index(f'id="release-{OLD}"')
    assert "1 February 2026" in page.text and f"since {OLD} (1 January 2026" in page.text
    assert '<dd class="num" data-kind="added">1</dd>' in page.text
    assert '<dd class="num" data-kind="changed">1</dd>' in page.text
    assert f'href="/changes/{NEW}"' in page.text and f'href="/downloads/{NEW}/changes.rdfp"' in page.text
    assert "First release" in page.text  # the older one has nothing to compare with
    assert '<link rel="alternate" type="application/atom+xml" href="https://example.org/ser/changes/feed.atom"' \
        in page.text
    dutch = client.get("/changes/?lang=nl")
    assert "Toegevoegd" in dutch.text and "1 februari 2026" in dutch.text


def test_the_change_log_is_json_on_request(client: TestClient) -> None:
    asked = client.get("/changes/", headers={"accept": "application/json"})
    for response in (client.get("/changes/?format=json"), asked):
        assert response.headers["content-type"] == "application/json"
        releases = response.json()["releases"]
        assert [r["version"] for r in releases] == [NEW, OLD]
        assert releases[0]["counts"] == {"added": 1, "changed": 1, "withdrawn": 0, "redirected": 0, "removed": 0}
        assert releases[0]["previous"] == OLD and releases[1]["previous"] is None


def test_a_release_page_lists_exactly_the_changed_things_by_name(client: TestClient) -> None:
    page = client.get(f"/changes/{NEW}?lang=en")
    assert page.status_code == 200
    rows = re.findall(r'<tr><td><a href="([^"]+)">([^<]*)</a>', page.text)
    assert rows == [("/doc/advies/nieuw-en-scherp", "Nieuw &lt;advies&gt; &amp; scherp"),
                    ("/doc/advies/werken-zonder-armoede", "Werken zonder armoede")]
    assert ADDED_TITLE not in page.text  # escaped, never raw
    changed = page.text[page.text.index('data-kind="changed"'):]
    assert '<td class="num">1</td><td class="num">0</td>' in changed  # one statement added, none removed
    assert f"{CHANGED}&gt; &lt;http://purl.org/dc/terms/title&gt;" in changed  # listed in its <details>
    assert client.get(f"/changes/{NEW}?format=json").json()["version"] == NEW


@pytest.mark.parametrize("version", ["1999-01-01.1", "%2e%2e%2fetc", "..%2Fmanifest.json", "x" * 65, ".hidden"])
def test_an_unknown_or_malformed_version_is_a_404_naming_it(client: TestClient, version: str) -> None:
    response = client.get(f"/changes/{version}", headers={"accept": "text/html"})
    assert response.status_code == 404
    if version == "1999-01-01.1":
        assert "/changes/1999-01-01.1" in response.text


def test_the_feed_is_atom_with_the_required_elements(client: TestClient) -> None:
    response = client.get("/changes/feed.atom", headers={"host": "evil.example"})
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert "evil.example" not in response.text
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for element in ("id", "title", "updated", "author/" + ATOM + "name"):
        assert (feed.findtext(ATOM + element) or "").strip(), element
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": "https://example.org/ser/changes/feed.atom", "alternate": "https://example.org/ser/changes/"}
    entries = feed.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert ids == [f"https://example.org/ser/changes/{NEW}", f"https://example.org/ser/changes/{OLD}"]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        assert entry.findtext(f"{ATOM}title")
        updated = entry.findtext(f"{ATOM}updated") or ""
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", updated)
        datetime.fromisoformat(updated.replace("Z", "+00:00"))
        assert entry.find(f"{ATOM}link").get("href", "").startswith("https://example.org/ser/changes/")  # type: ignore[union-attr]
    assert entries[0].findtext(f"{ATOM}updated") == "2026-02-01T09:30:00Z"
    summary = entries[0].findtext(f"{ATOM}summary") or ""
    assert ADDED_TITLE in summary and "Werken zonder armoede" in summary  # parsed back: escaped in the XML
    assert "&lt;advies&gt; &amp; scherp" in response.text


@pytest.mark.parametrize(("path", "lang", "says"), [
    ("/doc/advies/werken-zonder-armoede", "en", f"Changed in release {NEW}"),
    ("/doc/advies/werken-zonder-armoede", "nl", f"Gewijzigd in uitgave {NEW}"),
    ("/doc/advies/nieuw-en-scherp", "en", f"Added in release {NEW}"),
])
def test_a_thing_the_current_release_changed_says_so_with_a_link(
        client: TestClient, path: str, lang: str, says: str) -> None:
    page = client.get(f"{path}?lang={lang}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert f'<p class="change"><a href="/changes/{NEW}">{says}</a></p>' in page.text


def test_a_thing_the_current_release_left_alone_says_nothing_of_changes(client: TestClient) -> None:
    page = client.get("/doc/organisatie/ser?lang=en", headers={"accept": "text/html"})
    assert page.status_code == 200 and 'class="change"' not in page.text


def test_the_home_page_links_to_the_change_log_and_its_feed(client: TestClient) -> None:
    page = client.get("/?lang=en")
    assert '<a href="/changes/">Changes</a>' in page.text
    assert '<link rel="alternate" type="application/atom+xml" href="https://example.org/ser/changes/feed.atom"' \
        in page.text


@pytest.mark.parametrize(("path", "lang", "label"), [("/", "nl", "Wijzigingen"), ("/", "en", "Changes"),
                                                   (f"/changes/{NEW}", "en", "Changes"),
                                                   ("/doc/advies/werken-zonder-armoede", "nl", "Wijzigingen")])
def test_the_site_header_links_to_the_change_log_in_the_page_language(
        client: TestClient, path: str, lang: str, label: str) -> None:
    page = client.get(f"{path}?lang={lang}", headers={"accept": "text/html"})
    header = page.text[page.text.index('<header class="site">'):page.text.index("</header>")]
    assert f'<a href="/changes/">{label}</a>' in header


def test_the_feed_and_the_listing_answer_304_to_a_current_copy(client: TestClient) -> None:
    for path in ("/changes/feed.atom", "/changes/?lang=en", "/changes/?format=json", f"/changes/{NEW}?format=json"):
        first = client.get(path)
        assert first.status_code == 200 and first.headers["etag"]
        again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
    json_tag = client.get(f"/changes/{NEW}?format=json").headers["etag"]
    assert json_tag != client.get(f"/changes/{OLD}?format=json").headers["etag"]
    assert client.get(f"/changes/{OLD}?format=json", headers={"If-None-Match": json_tag}).status_code == 200
    moved = client.get("/changes", follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == "/changes/"
