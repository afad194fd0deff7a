"""The digest of the build's inputs: a release is stale exactly when a file the build reads changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from server.errors import ReleaseError
from server.pipeline.releases.inputs import changes, record, stale

BASE = "https://data.ser.nl/"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for name, text in (("data/personen.yaml", "- key: a\n"), ("data/bronnen.yaml", "- url: https://x.nl/\n"),
                       ("data/README.md", "about the records\n"), ("ontology/ser.ttl", "# ontology\n"),
                       ("ontology/vocab/rol.ttl", "# concepts\n"), ("shapes/ser.ttl", "# shapes\n"),
                       ("queries/checks/one.rq", "ASK {}\n"), ("queries/examples/one.rq", "SELECT * {}\n")):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.fixture
def package(tmp_path: Path) -> Path:
    code = tmp_path / "package"
    for name in ("pipeline/transform.py", "rdf/iris.py", "web/app.py"):
        (code / name).parent.mkdir(parents=True, exist_ok=True)
        (code / name).write_text("# code\n", encoding="utf-8")
    return code


def test_the_record_lists_every_file_the_build_reads_and_nothing_else(root: Path, package: Path) -> None:
    assert sorted(record(root, BASE, package)["files"]) == [  # type: ignore[call-overload]
        "data/bronnen.yaml", "data/personen.yaml", "ontology/ser.ttl", "ontology/vocab/rol.ttl",
        "queries/checks/one.rq", "shapes/ser.ttl"]


def test_nothing_changed_is_no_change_even_when_a_file_is_written_again(root: Path, package: Path) -> None:
    before = record(root, BASE, package)
    (root / "data/personen.yaml").write_text("- key: a\n", encoding="utf-8")  # same bytes, new mtime
    assert changes(before, record(root, BASE, package)) == []


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda r: (r / "data/personen.yaml").write_text("- key: b\n"), ["data/personen.yaml changed"]),
    (lambda r: (r / "ontology/vocab/rol.ttl").write_text("# more\n"), ["ontology/vocab/rol.ttl changed"]),
    (lambda r: (r / "shapes/ser.ttl").write_text("# stricter\n"), ["shapes/ser.ttl changed"]),
    (lambda r: (r / "queries/checks/two.rq").write_text("ASK {}\n"), ["queries/checks/two.rq is new"]),
    (lambda r: (r / "data/bronnen.yaml").unlink(), ["data/bronnen.yaml was removed"]),
    (lambda r: (r / "data/README.md").write_text("more about the records\n"), []),
    (lambda r: (r / "queries/examples/one.rq").write_text("ASK {}\n"), []),
])
def test_each_changed_input_is_named_and_other_files_do_not_count(
        root: Path, package: Path, edit: Callable[[Path], object], expected: list[str]) -> None:
    before = record(root, BASE, package)
    edit(root)
    assert changes(before, record(root, BASE, package)) == expected


def test_another_base_iri_or_other_build_code_is_a_change(root: Path, package: Path) -> None:
    before = record(root, BASE, package)
    assert changes(before, record(root, "http://localhost:8000/", package)) == [
        "the base IRI is now http://localhost:8000/ (was https://data.ser.nl/)"]
    (package / "web/app.py").write_text("# the server, which the build does not run\n")
    assert changes(before, record(root, BASE, package)) == []
    (package / "pipeline/transform.py").write_text("# another transform\n")
    assert changes(before, record(root, BASE, package)) == ["the build's code (server/pipeline, server/rdf) changed"]


def test_many_changed_files_are_named_up_to_ten_and_counted(root: Path, package: Path) -> None:
    before = record(root, BASE, package)
    for n in range(14):
        (root / f"queries/checks/new-{n:02}.rq").write_text("ASK {}\n")
    found = changes(before, record(root, BASE, package))
    assert found[:2] == ["queries/checks/new-00.rq is new", "queries/checks/new-01.rq is new"]
    assert found[10:] == ["and 4 more files"]


def release(releases: Path, inputs: object | None) -> None:
    folder = releases / "2026-01-01.1"
    folder.mkdir(parents=True)
    manifest = {"version": folder.name, **({"inputs": inputs} if inputs is not None else {})}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (releases / "latest").symlink_to(folder.name)


def test_the_current_release_is_stale_exactly_when_its_recorded_inputs_differ(
        root: Path, package: Path, tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    assert stale(releases, root, BASE, package) == [f"there is no release in {releases} yet"]
    release(releases, record(root, BASE, package))
    assert stale(releases, root, BASE, package) == []
    (root / "data/personen.yaml").write_text("- key: c\n", encoding="utf-8")
    assert stale(releases, root, BASE, package) == ["data/personen.yaml changed"]


def test_a_release_that_records_no_inputs_is_stale(root: Path, package: Path, tmp_path: Path) -> None:
    release(tmp_path / "releases", None)
    assert stale(tmp_path / "releases", root, BASE, package) == [
        "release 2026-01-01.1 does not record its inputs (it was built before they were recorded)"]


def test_a_damaged_manifest_is_named_as_the_store_names_it(root: Path, package: Path, tmp_path: Path) -> None:
    """The manifest is read by server.store.manifest, the one reader of manifest.json."""
    release(tmp_path / "releases", None)
    (tmp_path / "releases/2026-01-01.1/manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ReleaseError, match=r"2026-01-01\.1/manifest\.json: not a complete release"):
        stale(tmp_path / "releases", root, BASE, package)
