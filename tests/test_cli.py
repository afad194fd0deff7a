"""`ser-kg` exit codes and messages: 0 success, 1 does not conform, 2 usage, 3 other errors."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from server.cli import COMMANDS, main


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


def test_a_bad_setting_is_a_usage_error_that_names_the_variable(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SER_KG_BASE_IRI", "data.ser.nl")
    assert main(["validate"]) == 2
    assert "SER_KG_BASE_IRI" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["publish", "--to", "http://127.0.0.1:9/store"],
                                     ["serve", "--store", "http://127.0.0.1:9/sparql"]])
@pytest.mark.parametrize("password", ["dba", "DBA "])
def test_virtuosos_default_password_never_reaches_an_engine(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str], password: str) -> None:
    monkeypatch.setenv("SER_KG_STORE_USER", "dba")
    monkeypatch.setenv("SER_KG_STORE_PASSWORD", password)
    assert main(command) == 2  # refused before any connection is tried
    err = capsys.readouterr().err
    assert "SER_KG_STORE_PASSWORD" in err and "USER_SET_PASSWORD" in err


def test_info_without_a_release_says_how_to_make_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SER_KG_RELEASES_DIR", str(tmp_path / "releases"))
    assert main(["info"]) == 3
    assert "ser-kg build" in capsys.readouterr().err


def test_query_with_a_missing_file_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", str(tmp_path / "nope.rq")]) == 2
    assert "nope.rq" in capsys.readouterr().err


def test_an_os_error_no_command_expected_is_exit_3_naming_the_file_not_the_exit_1_of_bad_data(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def info(_args: object, _settings: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/srv/releases/2026-01-01.1/manifest.json")

    monkeypatch.setitem(COMMANDS, "info", info)
    assert main(["info"]) == 3
    err = capsys.readouterr().err
    assert err == "error: /srv/releases/2026-01-01.1/manifest.json: No space left on device\n"


def test_a_build_gives_its_shacl_warnings_as_one_line_with_the_count_and_the_reports_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from rdflib import Graph

    from server.pipeline import stages
    from server.pipeline.releases.release import Written
    from server.pipeline.shacl.results import Report, Result

    warnings = [Result(f"https://data.ser.nl/id/organisatie/o{n}", None, "c", "Warning", "no website", "s")
                for n in range(64)]
    checked = stages.Checked(None, Report(warnings, Graph()), [], None)  # type: ignore[arg-type]
    written = Written("2026-01-01.1", tmp_path / "2026-01-01.1", 100)
    monkeypatch.setattr(stages, "build", lambda *_args, **_kwargs: (written, checked))
    assert main(["build"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith("warning: 64 SHACL warning(s)")
    assert str(tmp_path / "2026-01-01.1" / "validation-report.ttl") in err[0]
