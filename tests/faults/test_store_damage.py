"""The on-disk store missing or damaged at start: it is loaded again from the release, or the start
fails with a message that says what to do. Partial data is never served.

The database is derived data: a digest of each of its files is kept at load (``.digests``) and checked
at every start, so a file damaged since (truncated, deleted, overwritten, one flipped bit) makes the
database be loaded again from the release. The release itself is checked against its manifest before
a load: a ``ser.nq`` cut at a line boundary still parses, but no longer matches its sha256.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from bench.load.harness import Served
from server.errors import ReleaseError, StoreError
from server.store.oxigraph.embedded import DIGESTS, MARKER, EmbeddedStore
from tests.conftest import FIXTURES
from tests.release.conftest import env_for

TRIPLES = json.loads((FIXTURES / "release" / "manifest.json").read_text("utf-8"))["triples"]


@pytest.fixture
def release(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "release", tmp_path / "releases" / "0.0.0-fixture"))


def count(store: EmbeddedStore) -> int:
    return int(str(store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]))


def loaded(release: Path, store_dir: Path) -> Path:
    EmbeddedStore.open(release, store_dir).close()
    return store_dir / "0.0.0-fixture"


def _largest(database: Path) -> Path:
    return max(database.glob("*.sst"), key=lambda p: p.stat().st_size)


def _remove(files: list[Path]) -> None:
    for path in files:
        path.unlink()


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x01
    path.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "the whole folder removed": lambda db: shutil.rmtree(db),
    "a table file truncated": lambda db: _largest(db).write_bytes(_largest(db).read_bytes()[:100]),
    "a table file removed": lambda db: _largest(db).unlink(),
    "a table file overwritten with noise": lambda db: _largest(db).write_bytes(os.urandom(_largest(db).stat().st_size)),
    "one bit flipped inside a table": lambda db: _flip(_largest(db)),
    "the engine's manifest removed": lambda db: _remove(list(db.glob("MANIFEST-*"))),
    "the CURRENT file emptied": lambda db: (db / "CURRENT").write_text(""),
    "the digests damaged": lambda db: (db / DIGESTS).write_text("{not json"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_store_is_loaded_again_whole(release: Path, tmp_path: Path, damage: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    database = loaded(release, tmp_path / "store")
    DAMAGE[damage](database)
    with caplog.at_level(logging.WARNING):
        store = EmbeddedStore.open(release, tmp_path / "store")
    try:
        assert count(store) == TRIPLES
    finally:
        store.close()
    if damage != "the whole folder removed":
        assert any("loading it again" in r.getMessage() for r in caplog.records)


def test_an_intact_store_is_opened_as_it_is(release: Path, tmp_path: Path) -> None:
    database = loaded(release, tmp_path / "store")
    stamp = (database / MARKER).stat().st_mtime_ns
    EmbeddedStore.open(release, tmp_path / "store").close()
    assert (database / MARKER).stat().st_mtime_ns == stamp


def test_a_store_without_digests_that_cannot_be_opened_says_what_to_do(release: Path, tmp_path: Path) -> None:
    database = loaded(release, tmp_path / "store")
    (database / DIGESTS).unlink()  # as loaded before digests were kept
    _largest(database).unlink()
    with pytest.raises(StoreError) as caught:
        EmbeddedStore.open(release, tmp_path / "store")
    assert str(database) in str(caught.value) and "delete that folder" in str(caught.value)


def test_a_release_cut_at_a_line_boundary_is_refused_not_loaded_in_part(release: Path, tmp_path: Path) -> None:
    lines = (release / "ser.nq").read_text("utf-8").splitlines(keepends=True)
    (release / "ser.nq").write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    with pytest.raises(ReleaseError, match=r"does not match its sha256 in manifest\.json"):
        EmbeddedStore.open(release, tmp_path / "store")
    assert not (tmp_path / "store" / "0.0.0-fixture").exists()


@pytest.mark.parametrize(("damage", "message"), [
    (lambda r: (r / "manifest.json").unlink(), "not a complete release"),
    (lambda r: (r / "manifest.json").write_text("{"), "not a complete release"),
    (lambda r: (r / "ser.nq").unlink(), "missing from the release"),
    (lambda r: (r / "ser.nq").write_text("<a> <b> <c> <g> .\nnot n-quads\n"), "does not match its sha256"),
])
def test_a_damaged_release_is_a_clear_error(release: Path, tmp_path: Path, damage: Callable[[Path], None],
                                             message: str) -> None:
    damage(release)
    with pytest.raises(ReleaseError, match=message):
        EmbeddedStore.open(release, tmp_path / "store")


@pytest.mark.slow
def test_the_server_refuses_to_start_on_a_damaged_release_and_says_why(release: Path, tmp_path: Path) -> None:
    (release.parent / "latest").symlink_to(release.name)
    (release / "ser.nq").write_text((release / "ser.nq").read_text("utf-8")[:2000].rsplit("\n", 1)[0] + "\n")
    env = {**os.environ, **env_for(tmp_path), "SER_KG_RELEASES_DIR": str(release.parent)}
    result = subprocess.run([sys.executable, "-m", "server", "serve", "--port", "9"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "does not match its sha256" in result.stderr and "ser-kg build" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_the_server_serves_whole_data_after_its_store_was_damaged(release: Path, tmp_path: Path) -> None:
    (release.parent / "latest").symlink_to(release.name)
    env = {**env_for(tmp_path), "SER_KG_RELEASES_DIR": str(release.parent), "SER_KG_QUERY_WORKERS": "1"}
    DAMAGE["one bit flipped inside a table"](loaded(release, tmp_path / "var" / "store"))
    with Served(env, log=tmp_path / "serve.log") as served:
        query = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
        answer = httpx.get(served.url + "/sparql", params={"query": query},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    assert answer["results"]["bindings"][0]["n"]["value"] == str(TRIPLES)
