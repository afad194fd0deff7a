"""The ETag of a representation names the release and the code that wrote it (server/web/caching.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from server.store.base import ReleaseInfo
from server.web.caching import code_digest, code_version, etag


def release(tmp_path: Path) -> ReleaseInfo:
    return ReleaseInfo(version="2026-01-01.1", path=tmp_path, created=datetime(2026, 1, 1, tzinfo=UTC),
                       base_iri="https://data.ser.nl/")


def test_the_etag_names_the_release_the_code_and_the_variant(tmp_path: Path) -> None:
    assert etag(release(tmp_path)) == f'"2026-01-01.1-{code_version()}"'
    assert etag(release(tmp_path), "nl-html") == f'"2026-01-01.1-{code_version()}-nl-html"'


def test_other_code_gives_another_validator_and_other_files_do_not(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("<p>{{ name }}</p>", encoding="utf-8")
    before = code_digest((tmp_path,))
    (tmp_path / "notes.txt").write_text("not code", encoding="utf-8")
    assert code_digest((tmp_path, tmp_path / "missing")) == before
    (tmp_path / "page.html").write_text("<p>{{ name | upper }}</p>", encoding="utf-8")
    assert code_digest((tmp_path,)) != before
