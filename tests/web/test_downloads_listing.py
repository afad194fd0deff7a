"""The listing of /downloads/ changes its validators when a build adds a release, even while the server
still serves the release before it (finding 17 of issue 14: the new release was listed under the old
ETag, so a cache that asked again was told its copy without the new release was current)."""

from __future__ import annotations

from pathlib import Path

from server.web.caching import code_version
from tests.web.test_resources import CURRENT, open_site, write_release

NEW = "2026-03-01.1"


def test_a_release_added_after_the_start_changes_the_listings_etag_and_last_modified(tmp_path: Path) -> None:
    site = open_site(tmp_path)
    try:
        first = site.client.get("/downloads/")
        assert first.status_code == 200 and f'id="release-{NEW}"' not in first.text
        assert site.client.get("/downloads/", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        write_release(site.releases, NEW, "2026-03-01T10:00:00+00:00")  # what `ser-kg build` adds
        for validator in ({"If-None-Match": first.headers["etag"]},
                          {"If-Modified-Since": first.headers["last-modified"]}):
            again = site.client.get("/downloads/", headers=validator)
            assert again.status_code == 200, validator
            assert f'id="release-{NEW}"' in again.text
        assert again.headers["etag"] != first.headers["etag"]
        assert again.headers["etag"].startswith(f'"{CURRENT}-{code_version()}-downloads-')  # still the served release's
        assert again.headers["last-modified"] == "Sun, 01 Mar 2026 10:00:00 GMT"
        assert site.client.get("/downloads/", headers={"If-None-Match": again.headers["etag"]}).status_code == 304
    finally:
        site.close()
