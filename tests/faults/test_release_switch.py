"""`ser-kg serve` picks up the release a build makes while it runs, without a restart.

The real command in a child process, as a steward runs it beside `ser-kg build`; the server is asked
until it answers from the new release, with patience (no time is asserted).
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from bench.load.harness import Served
from tests.faults.conftest import build
from tests.release.conftest import copy_project, env_for

pytestmark = pytest.mark.slow

PATIENCE = 120.0  # seconds a loaded machine may take to open the new release; never a measure of speed


def release_of(url: str) -> str:
    return str(httpx.get(url + "/-/health", timeout=30).json()["release"])


def test_a_running_server_serves_a_new_build_from_its_next_request_without_a_restart(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    first = build(root, "--release", "2026-03-01.1")
    assert first.returncode == 0, first.stderr
    log = tmp_path / "serve.log"
    served = Served({**env_for(root), "SER_KG_RELOAD_INTERVAL": "0.2", "SER_KG_QUERY_WORKERS": "1"}, log=log).start()
    try:
        assert served.process is not None
        pid = served.process.pid
        assert release_of(served.url) == "2026-03-01.1"
        second = build(root, "--release", "2026-03-02.1")
        assert second.returncode == 0, second.stderr
        deadline = time.monotonic() + PATIENCE
        while release_of(served.url) != "2026-03-02.1":
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.2)
        assert served.process.pid == pid and served.process.poll() is None  # the same process: no restart
        answer = httpx.get(served.url + "/doc/organisatie/ser", headers={"Accept": "text/turtle"}, timeout=30)
        assert answer.status_code == 200 and answer.headers["etag"].startswith('"2026-03-02.1')
    finally:
        served.stop()
    text = log.read_text(encoding="utf-8")
    assert "serving release 2026-03-02.1 (was 2026-03-01.1)" in text
    assert "closed release 2026-03-01.1" in text
