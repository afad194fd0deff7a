"""Path traversal on downloads and static files: no spelling of ``..``, no encoded slash, no absolute
path and no symlink in a releases folder reaches a file that is not a listed file of a release, or a
static asset. The answer is a 404 (or a 400 from the HTTP parser), never a file from elsewhere.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.test_resources import CURRENT, EARLIER, LdSite, open_site

SECRETS = (b"root:x:0:0", b"[project]", b"PROJECT_ROOT", b"def create_app", b"SER_KG_")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LdSite]:
    opened = open_site(tmp_path_factory.mktemp("traversal"))
    # Planted by someone who could write to the releases folder: a listed file that is a symlink out of
    # its release, and a "release" that is a symlink to another folder.
    earlier = opened.releases / EARLIER
    (earlier / "passwd.ttl").symlink_to("/etc/passwd")
    manifest = json.loads((earlier / "manifest.json").read_text("utf-8"))
    manifest["files"].append({"name": "passwd.ttl", "media_type": "text/turtle", "bytes": 1, "sha256": "0"})
    (earlier / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    outside = tmp_path_factory.mktemp("outside")
    (outside / "manifest.json").write_text(json.dumps({"version": "1999-01-01.1", "files": [
        {"name": "pyproject.toml", "media_type": "text/plain"}]}), encoding="utf-8")
    os.symlink(Path(__file__).parents[2] / "pyproject.toml", outside / "pyproject.toml")
    (opened.releases / "1999-01-01.1").symlink_to(outside)
    yield opened
    opened.close()


TRAVERSALS = [
    f"/downloads/{CURRENT}/../../../../etc/passwd",
    f"/downloads/{CURRENT}/..%2F..%2F..%2Fetc%2Fpasswd",
    f"/downloads/{CURRENT}/%2e%2e%2f%2e%2e%2fpyproject.toml",
    f"/downloads/{CURRENT}/%252e%252e%252fmanifest.json",
    f"/downloads/{CURRENT}/..%5c..%5cpyproject.toml",
    f"/downloads/{CURRENT}/....//....//etc/passwd",
    f"/downloads/{CURRENT}//etc/passwd",
    f"/downloads/{CURRENT}/%2Fetc%2Fpasswd",
    f"/downloads/{CURRENT}/ser.nq%00.ttl",
    f"/downloads/{CURRENT}/.",
    f"/downloads/{CURRENT}/..",
    "/downloads/../pyproject.toml",
    "/downloads/..%2F..%2Fpyproject.toml",
    "/downloads/%2e%2e/pyproject.toml",
    "/downloads/latest/..%2F..%2F..%2Fpyproject.toml",
    f"/downloads/{EARLIER}/passwd.ttl",
    "/downloads/1999-01-01.1/pyproject.toml",
    "/downloads/1999-01-01.1/manifest.json",
    "/static/../app.py",
    "/static/..%2Fapp.py",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%5c..%5csettings.py",
    "/static//etc/passwd",
    "/static/%2Fetc%2Fpasswd",
    "/static/....//app.py",
    "/static/query-editor.js%00.css",
    "/static/../templates/base.html",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_traversal_reaches_a_file_outside(site: LdSite, path: str) -> None:
    response = site.client.get(path, follow_redirects=True)
    public = response.url.path == "/downloads/"  # a client that resolves ".." itself lands on the listing
    assert response.status_code in (400, 404) or public, (path, response.status_code, response.text[:200])
    assert not any(secret in response.content for secret in SECRETS)


def test_a_release_that_is_a_symlink_is_not_listed(site: LdSite) -> None:
    listing = site.client.get("/downloads/", headers={"Accept": "text/html"}).text
    assert EARLIER in listing and "1999-01-01.1" not in listing


def test_listed_files_and_assets_are_still_served(site: LdSite) -> None:
    assert site.client.get(f"/downloads/{CURRENT}/ser.nq").status_code == 200
    assert site.client.get("/static/query-editor.js").status_code == 200
