"""Downloads: the listing of every release, files with ETag/Last-Modified/Range/304, no traversal."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest

from server.web.caching import code_version
from tests.web.test_resources import CURRENT, EARLIER, LdSite, open_site

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines


@pytest.fixture(scope="module")
def ld(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LdSite]:
    site = open_site(tmp_path_factory.mktemp("downloads"))
    # Not a release: no manifest. It must not be listed or served.
    stray = site.releases / "not-a-release"
    stray.mkdir()
    (stray / "secret.txt").write_text("no", encoding="utf-8")
    yield site
    site.close()


def test_listing_shows_every_file_of_current_and_earlier_releases(ld: LdSite) -> None:
    page = ld.client.get("/downloads/", headers={"Accept-Language": "en"}).text
    assert page.index(f'id="release-{CURRENT}"') < page.index("Earlier releases") < page.index(
        f'id="release-{EARLIER}"')
    manifest = json.loads((ld.releases / CURRENT / "manifest.json").read_text("utf-8"))
    for entry in manifest["files"]:
        assert f'href="/downloads/{CURRENT}/{entry["name"]}"' in page
        assert f'href="/downloads/{EARLIER}/{entry["name"]}"' in page
        assert entry["sha256"] in page
        assert f'data-bytes="{entry["bytes"]}"' in page
    assert ">N-Quads</td>" in page and ">Turtle</td>" in page
    assert 'rel="license">CC0 1.0</a>' in page
    assert "not-a-release" not in page


def test_listing_carries_release_validators(ld: LdSite) -> None:
    first = ld.client.get("/downloads/")
    assert first.headers["etag"].startswith(f'"{CURRENT}-{code_version()}-downloads')
    assert ld.client.get("/downloads/", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert ld.client.get("/downloads").status_code == 308


def test_file_is_served_whole_with_its_checksum_and_media_type(ld: LdSite) -> None:
    response = ld.client.get(f"/downloads/{CURRENT}/ser.nq")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/n-quads")
    manifest = json.loads((ld.releases / CURRENT / "manifest.json").read_text("utf-8"))
    entry = next(f for f in manifest["files"] if f["name"] == "ser.nq")
    assert hashlib.sha256(response.content).hexdigest() == entry["sha256"]
    assert int(response.headers["content-length"]) == entry["bytes"]
    assert response.headers["accept-ranges"] == "bytes"
    assert "etag" in response.headers and "last-modified" in response.headers


def test_file_answers_304_to_its_etag_and_date(ld: LdSite) -> None:
    first = ld.client.get(f"/downloads/{CURRENT}/ser.ttl")
    by_tag = ld.client.get(f"/downloads/{CURRENT}/ser.ttl", headers={"If-None-Match": first.headers["etag"]})
    assert by_tag.status_code == 304 and by_tag.content == b""
    by_date = ld.client.get(f"/downloads/{CURRENT}/ser.ttl",
                            headers={"If-Modified-Since": first.headers["last-modified"]})
    assert by_date.status_code == 304
    changed = ld.client.get(f"/downloads/{CURRENT}/ser.ttl", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200


def test_file_serves_byte_ranges(ld: LdSite) -> None:
    whole = ld.client.get(f"/downloads/{CURRENT}/ser.nq").content
    part = ld.client.get(f"/downloads/{CURRENT}/ser.nq", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == whole[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(whole)}"


def test_earlier_release_files_are_served(ld: LdSite) -> None:
    assert ld.client.get(f"/downloads/{EARLIER}/void.ttl").status_code == 200


def test_latest_redirects_to_the_current_version(ld: LdSite) -> None:
    response = ld.client.get("/downloads/latest/ser.ttl")
    assert response.status_code == 307
    assert response.headers["location"] == f"/downloads/{CURRENT}/ser.ttl"


@pytest.mark.parametrize("path", [
    f"/downloads/{CURRENT}/..%2F..%2Fetc%2Fpasswd",
    f"/downloads/{CURRENT}/../{EARLIER}/ser.nq/../../manifest.json",
    "/downloads/..%2F/ser.nq",
    "/downloads/not-a-release/secret.txt",
    f"/downloads/{CURRENT}/unlisted.ttl",
    f"/downloads/{CURRENT}/.hidden",
    "/downloads/2099-01-01.1/ser.nq",
    f"/downloads/{CURRENT}/%2Fetc%2Fpasswd",
])
def test_no_path_outside_a_release_manifest_is_served(ld: LdSite, path: str) -> None:
    response = ld.client.get(path)
    assert response.status_code == 404
    assert "root:" not in response.text


def test_unlisted_file_in_a_release_folder_is_not_served(ld: LdSite) -> None:
    (ld.releases / CURRENT / "unlisted.ttl").write_text("# private\n", encoding="utf-8")
    assert ld.client.get(f"/downloads/{CURRENT}/unlisted.ttl").status_code == 404
