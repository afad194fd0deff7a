"""Every file of a release is checked against SHA256SUMS and the manifest at every start (finding 17 of
issue 14): a damaged void.ttl or catalog.ttl gave 500s, and a changed ser.ttl was served under a
checksum it no longer had. A release that fails is refused with the name of the file; the release
itself is left as it is (the check only reads)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server.errors import ReleaseError
from server.store.oxigraph.embedded import EmbeddedStore
from tests.release.conftest import env_for

VERSION = "2026-02-01.1"


@pytest.fixture
def release(built: Path, tmp_path: Path) -> Path:
    """A copy of the built release (with SHA256SUMS) in a releases folder of its own."""
    return Path(shutil.copytree(built / "releases" / VERSION, tmp_path / "releases" / VERSION))


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def files_of(built: Path) -> list[str]:
    manifest = json.loads((built / "releases" / VERSION / "manifest.json").read_text("utf-8"))
    return sorted(f["name"] for f in manifest["files"])


# every file the manifest lists; the built fixture is a session fixture, so the list is written out
LISTED = ["catalog.ttl", "changes.json", "changes.rdfp", "changes.txt", "context.jsonld", "search.sqlite",
          "ser.jsonld", "ser.jsonld.gz", "ser.nq", "ser.nq.gz", "ser.nt", "ser.nt.gz", "ser.trig", "ser.trig.gz",
          "ser.ttl", "ser.ttl.gz", "validation-report.ttl", "void.ttl"]


@pytest.mark.parametrize("name", LISTED)
def test_a_changed_release_file_is_refused_at_start_naming_it(release: Path, tmp_path: Path, name: str) -> None:
    EmbeddedStore.open(release, tmp_path / "store").close()  # loaded while whole: the store is intact
    with (release / name).open("ab") as stream:
        stream.write(b"\n")
    before = digests(release)
    with pytest.raises(ReleaseError) as caught:
        EmbeddedStore.open(release, tmp_path / "store")
    assert f"{release / name} does not match its sha256 in SHA256SUMS and manifest.json" in str(caught.value)
    assert "ser-kg build" in str(caught.value)
    assert digests(release) == before


@pytest.mark.parametrize("name", ["void.ttl", "catalog.ttl", "ser.ttl.gz"])
def test_a_missing_release_file_is_refused_at_start_naming_it(release: Path, tmp_path: Path, name: str) -> None:
    (release / name).unlink()
    with pytest.raises(ReleaseError, match=f"{name}: missing from the release"):
        EmbeddedStore.open(release, tmp_path / "store")


def test_sha256sums_that_disagree_with_the_manifest_are_refused(release: Path, tmp_path: Path) -> None:
    sums = (release / "SHA256SUMS").read_text("utf-8").splitlines()
    number = next(i for i, t in enumerate(sums, 1) if t.endswith("  void.ttl"))
    sums[number - 1] = "0" * 64 + "  void.ttl"
    (release / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    with pytest.raises(ReleaseError, match=f"SHA256SUMS:{number}: void.ttl has another sha256 than in manifest"):
        EmbeddedStore.open(release, tmp_path / "store")


def test_a_damaged_sha256sums_is_refused(built: Path, release: Path, tmp_path: Path) -> None:
    assert files_of(built) == LISTED  # the parameters above are every file of the release
    (release / "SHA256SUMS").write_text("not a checksum\n", encoding="utf-8")
    with pytest.raises(ReleaseError, match="SHA256SUMS:1: not a line of 'sha256  name'"):
        EmbeddedStore.open(release, tmp_path / "store")


@pytest.mark.slow
def test_the_server_refuses_to_start_on_a_damaged_void_description(release: Path, tmp_path: Path) -> None:
    (release.parent / "latest").symlink_to(release.name)
    (release / "void.ttl").write_text("@prefix broken", encoding="utf-8")
    env = {**os.environ, **env_for(tmp_path), "SER_KG_RELEASES_DIR": str(release.parent)}
    result = subprocess.run([sys.executable, "-m", "server", "serve", "--port", "9"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    assert f"{release / 'void.ttl'} does not match its sha256" in result.stderr
    assert "Traceback" not in result.stderr
