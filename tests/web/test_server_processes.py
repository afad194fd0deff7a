"""Several server processes (setting server_processes): how ``ser-kg serve`` hands them their settings and
release, so that each one, started again by uvicorn's supervisor after it ended, serves the same."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from server import settings as settings_module
from server.settings import Settings
from server.web import runner
from server.web.metrics import MULTIPROCESS_ENV


def test_every_setting_reaches_a_process_through_the_environment(settings: Settings, tmp_path: Path) -> None:
    changed = settings.replace(cheap_lane=False, cheap_lane_threads=3, query_timeout=2.5, server_processes=4,
                               store_dir=tmp_path / "store", progress=True, store_password="s3cret")
    assert settings_module.load(runner.settings_env(changed)) == changed


def test_several_processes_are_left_to_uvicorns_supervisor(settings: Settings, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(runner.uvicorn, "run", lambda app, **options: calls.append((app, options)))
    monkeypatch.setattr(os, "environ", {})
    monkeypatch.setattr(runner, "serving", lambda *a: pytest.fail("the parent must not serve the release"))
    prepared: list[Path] = []
    monkeypatch.setattr(runner, "prepare", lambda settings, release: prepared.append(release))
    runner.run(settings.replace(server_processes=3, http_server="uvicorn"), tmp_path / "1.0.0", pointer=lambda: None)
    assert prepared == [tmp_path / "1.0.0"]  # checked and loaded once, before the processes start
    ((app, options),) = calls
    assert app == runner.PROCESS_APP and options["factory"] is True and options["workers"] == 3
    assert json.loads(os.environ[runner.TARGET_ENV]) == {"release": str(tmp_path / "1.0.0"), "follow": True}
    assert os.environ["SER_KG_SERVER_PROCESSES"] == "3"
    assert Path(os.environ[MULTIPROCESS_ENV]).is_dir()  # the processes' metrics are summed from there


def test_a_process_serves_what_the_environment_names(settings: Settings, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[tuple[Path, object]] = []

    class Served:
        def close(self) -> None:
            pass

    def serving(_: Settings, release: Path, pointer: object) -> Served:
        opened.append((release, pointer))
        return Served()

    monkeypatch.setattr(runner, "serving", serving)
    monkeypatch.setattr(runner.atexit, "register", lambda call: None)

    def pointer() -> None:
        return None

    for follow in (True, False):
        monkeypatch.setitem(os.environ, runner.TARGET_ENV, json.dumps({"release": str(tmp_path), "follow": follow}))
        assert isinstance(runner.process_app(settings.replace(http_server="uvicorn"), pointer), Served)
    assert opened == [(tmp_path, pointer), (tmp_path, None)]


def test_settling_the_heap_puts_what_is_built_out_of_the_collectors_reach() -> None:
    import gc

    kept = [[index] for index in range(1000)]  # long-lived objects, as a release's indexes are
    before = gc.get_freeze_count()
    try:
        runner.settle_heap()
        assert gc.get_freeze_count() >= before + len(kept)
    finally:
        gc.unfreeze()
