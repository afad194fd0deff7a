"""The change log between two releases: exactly the differences, blank nodes compared canonically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from server.errors import ReleaseError
from server.pipeline.releases import changes, release
from server.pipeline.releases.facts import ReleaseFacts
from server.store.manifest import read_manifest
from server.store.oxigraph.memory import MemoryDataset

FIXTURES = Path(__file__).parent.parent / "fixtures" / "changes"
BASE = "https://data.ser.nl/"
ID = f"{BASE}id/"


def memory(name: str) -> MemoryDataset:
    dataset = Dataset()
    dataset.parse(FIXTURES / name, format="trig")
    return MemoryDataset(dataset.serialize(format="nquads").encode("utf-8"))


@pytest.fixture(scope="module")
def found() -> dict[str, changes.Change]:
    before = changes.from_memory(memory("before.trig"), BASE)
    after = changes.from_memory(memory("after.trig"), BASE)
    return {c.iri: c for c in changes.compare(before, after)}


def test_the_log_lists_exactly_the_differences(found: dict[str, changes.Change]) -> None:
    assert {iri: c.kind for iri, c in found.items()} == {
        f"{ID}orgaan/new": "added",
        f"{ID}orgaan/edited": "changed",
        f"{ID}orgaan/reshaped": "changed",
        f"{ID}persoon/double": "withdrawn",
        f"{ID}persoon/merged": "redirected",
        "https://www.ser.nl/bron": "removed",
    }


def test_relabelled_and_reordered_blank_nodes_are_no_change(found: dict[str, changes.Change]) -> None:
    assert f"{ID}orgaan/stays" not in found
    assert f"{ID}orgaan/plain" not in found


def test_a_changed_statement_is_one_row_removed_and_one_added(found: dict[str, changes.Change]) -> None:
    edited = found[f"{ID}orgaan/edited"]
    label = f"<{ID}orgaan/edited> <http://www.w3.org/2004/02/skos/core#prefLabel>"
    graph = f"<{BASE}graph/data>"
    assert edited.removed == (f'{label} "Oude naam"@nl {graph}',)
    assert edited.added == (f'{label} "Nieuwe naam"@nl {graph}',)
    assert edited.names == {"nl": "Nieuwe naam"}


def test_a_changed_blank_node_structure_shows_its_statements(found: dict[str, changes.Change]) -> None:
    reshaped = found[f"{ID}orgaan/reshaped"]
    assert any('"2019-01-01"' in row for row in reshaped.removed)
    assert any('"2019-06-01"' in row for row in reshaped.added)
    assert not any("prefLabel" in row for row in (*reshaped.added, *reshaped.removed))


def test_a_withdrawn_thing_keeps_its_old_name_and_a_redirect_names_its_successor(
        found: dict[str, changes.Change]) -> None:
    assert found[f"{ID}persoon/double"].names == {"nl": "Dubbel"}
    assert found[f"{ID}persoon/merged"].successor == f"{ID}orgaan/stays"


def test_the_metadata_graph_is_not_compared(found: dict[str, changes.Change]) -> None:
    assert f"{ID}dataset/ser" not in found


def test_the_patch_deletes_before_it_adds_in_one_transaction(found: dict[str, changes.Change]) -> None:
    log = changes.ChangeLog("2026-01-01.1", "2026-01-01T00:00:00+00:00", 7, tuple(found.values()))
    rows = log.patch("2026-02-01.1", BASE).splitlines()
    assert rows[:3] == [f"H id <{BASE}downloads/2026-02-01.1/changes.rdfp> .",
                        f"H prev <{BASE}downloads/2026-01-01.1/changes.rdfp> .", "TX ."]
    assert rows[-1] == "TC ."
    body = rows[3:-1]
    assert all(row.startswith(("A <", "D <", "A _:", "D _:")) and row.endswith(" .") for row in body)
    assert sum(len(c.added) + len(c.removed) for c in found.values()) == len(body)
    edited = [row for row in body if "orgaan/edited> <http://www.w3.org/2004/02/skos/core#prefLabel>" in row]
    assert [row[0] for row in edited] == ["D", "A"]


def test_the_patch_escapes_literals_as_n_triples() -> None:
    before = changes.describe([])
    after = changes.from_memory(memory("before.trig"), BASE)
    log = changes.ChangeLog("x", None, 1, tuple(changes.compare(before, after)))
    assert '"Een\\nregel"@nl' in log.patch("y", BASE)


def test_the_summary_names_things_in_dutch_and_english(found: dict[str, changes.Change]) -> None:
    log = changes.ChangeLog("2026-01-01.1", None, 7, tuple(found.values()))
    text = log.text("2026-02-01.1")
    assert "Toegevoegd: 1" in text and "Added: 1" in text
    assert f"  - Nieuw <{ID}orgaan/new>" in text and f"  - New <{ID}orgaan/new>" in text
    assert "Ingetrokken met opvolger" in text and "Withdrawn with a successor" in text
    assert log.counts() == {"added": 1, "changed": 2, "withdrawn": 1, "redirected": 1, "removed": 1}


def test_the_first_release_says_so_and_lists_nothing(tmp_path: Path) -> None:
    log = changes.change_log(None, memory("after.trig"), BASE)
    assert log.previous is None and log.changes == ()
    assert log.things == 7
    assert "eerste release" in log.text("2026-01-01.1") and "first release" in log.text("2026-01-01.1")
    assert log.patch("2026-01-01.1", BASE) == f"H id <{BASE}downloads/2026-01-01.1/changes.rdfp> .\n"
    for name, _media, write in changes.files(log, BASE):
        write(tmp_path / name, "2026-01-01.1")
    summary = json.loads((tmp_path / "changes.json").read_text(encoding="utf-8"))
    assert summary["previous"] is None and summary["changes"] == []


class Undescribed:
    """No VoID or catalogue: these tests look at the change log's files only."""

    def into_dataset(self, facts: ReleaseFacts) -> int:
        return 0

    def files(self, facts: ReleaseFacts) -> tuple[Graph, Graph]:
        return Graph(), Graph()


def release_of(releases: Path, name: str, version: str) -> Path:
    data = memory(name)
    log = changes.change_log(release.latest(releases), data, BASE)
    return release.write_release(releases, data, Graph(), BASE, Undescribed(), version=version,
                                 published=changes.files(log, BASE)).path


def test_a_release_compares_itself_with_the_one_before(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    release_of(releases, "before.trig", "2026-01-01.1")
    second = release_of(releases, "after.trig", "2026-02-01.1")
    summary = json.loads((second / "changes.json").read_text(encoding="utf-8"))
    assert summary["previous"] == "2026-01-01.1"
    assert summary["counts"] == {"added": 1, "changed": 2, "withdrawn": 1, "redirected": 1, "removed": 1}
    listed = {f["name"]: f for f in read_manifest(second)["files"]}
    assert listed["changes.rdfp"]["media_type"] == "application/rdf-patch"
    sums = (second / "SHA256SUMS").read_text(encoding="utf-8")
    assert f"{listed['changes.rdfp']['sha256']}  changes.rdfp" in sums


def test_a_change_log_that_cannot_be_written_leaves_no_release(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    first = release_of(releases, "before.trig", "2026-01-01.1")

    def broken(path: Path, version: str) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(ReleaseError, match=r"changes\.rdfp"):
        release.write_release(releases, memory("after.trig"), Graph(), BASE, Undescribed(),
                              version="2026-02-01.1", published=[("changes.rdfp", "application/rdf-patch", broken)])
    assert release.latest(releases) == first
    assert sorted(p.name for p in releases.iterdir() if not p.name.startswith(".")) == ["2026-01-01.1", "latest"]
