"""The server process killed and restarted: it serves the same release, and the store is not corrupted.

``ser-kg serve`` runs as a child process (the real runner, with its query workers). It is SIGKILLed
with its workers, as an OOM kill or a power cut would leave it, and started again on the same folders.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bench.load.harness import Served
from server.store.oxigraph.embedded import DIGESTS, MARKER, STAGING, _intact
from tests.release.conftest import env_for

pytestmark = pytest.mark.slow

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def snapshot(url: str) -> dict[str, object]:
    """What a client sees: the release, a count over the whole store, a document and a download."""
    with httpx.Client(base_url=url, timeout=30) as http:
        health = http.get("/-/health").json()
        count = http.get("/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
        document = http.get("/doc/organisatie/ser", headers={"Accept": "application/n-triples"})
        manifest = http.get(f"/downloads/{health['release']}/manifest.json")
        return {"release": health["release"], "count": count.json()["results"]["bindings"][0]["n"]["value"],
                "document": sorted(document.text.splitlines()), "manifest": manifest.json()}


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_server_comes_back_with_the_same_release_and_an_intact_store(built: Path) -> None:
    served = Served(env_for(built), log=built / "serve.log").start()
    try:
        before = snapshot(served.url)
        pids = served.pids()
        assert len(pids) >= 2  # the server and its query workers
        served.kill()
    finally:
        served.stop()
    for pid in pids:  # none of them lingers, holding the database
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    manifest = json.loads((built / "releases" / "latest" / "manifest.json").read_text("utf-8"))
    assert before["count"] == str(manifest["triples"])

    database = built / "var" / "store" / str(before["release"])
    assert (database / MARKER).is_file() and (database / DIGESTS).is_file()
    assert _intact(database)
    with Served(env_for(built), log=built / "serve.log") as again:
        assert snapshot(again.url) == before
    assert _intact(database)
    assert not list((built / "var" / "store").glob(f"{STAGING}*"))


def test_a_load_cut_short_by_a_kill_is_redone_whole(built: Path, tmp_path: Path) -> None:
    """A server killed while it loaded the release leaves a staging folder and no database; the next
    start removes the staging folder and loads the whole release, never a part."""
    store_dir = tmp_path / "store"
    version = (built / "releases" / "latest").resolve().name
    abandoned = store_dir / f"{STAGING}{version}-{dead_pid()}"
    abandoned.mkdir(parents=True)
    (abandoned / "000001.sst").write_bytes(os.urandom(4096))
    (abandoned / "CURRENT").write_text("MANIFEST-000001\n")
    env = {**env_for(built), "SER_KG_STORE_DIR": str(store_dir)}
    with Served(env, log=tmp_path / "serve.log") as served:
        seen = snapshot(served.url)
    manifest = json.loads((built / "releases" / "latest" / "manifest.json").read_text("utf-8"))
    assert seen["count"] == str(manifest["triples"])
    assert not abandoned.exists()
    assert _intact(store_dir / version)
