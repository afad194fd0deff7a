"""The embedded store: loaded once per release, opened read-only, trusted queries over the union graph."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef

from server.errors import ReleaseError
from server.store.manifest import read_release
from server.store.oxigraph import embedded
from server.store.oxigraph.embedded import MARKER, EmbeddedStore, ensure_database


def test_release_is_read_from_its_manifest(tiny_release_dir: Path) -> None:
    release = read_release(tiny_release_dir)
    assert release.version == "0.0.0-fixture"
    assert release.base_iri == "https://data.ser.nl/"
    assert release.etag == '"0.0.0-fixture"'


def test_missing_manifest_is_a_release_error(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="ser-kg build"):
        read_release(tmp_path)


def test_database_is_loaded_once_and_marked_complete(tiny_release_dir: Path, tmp_path: Path) -> None:
    release = read_release(tiny_release_dir)
    first = ensure_database(tmp_path, release)
    assert (first / MARKER).read_text() == release.version
    stamp = (first / MARKER).stat().st_mtime_ns
    assert ensure_database(tmp_path, release) == first
    assert (first / MARKER).stat().st_mtime_ns == stamp
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".loading")]


def test_a_process_that_waited_for_the_load_lock_uses_the_database_loaded_meanwhile(
        tiny_release_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Server processes started together: the one that waits for the lock finds the other's database
    complete and opens it, instead of loading it again over the one the other has open."""
    release = read_release(tiny_release_dir)
    loads: list[Path] = []
    real_load = embedded._load

    def load(*args: Any) -> None:
        loads.append(args[3])
        real_load(*args)

    def flock(lock: Any, operation: int) -> None:  # the other process, done while this one waited
        assert operation == fcntl.LOCK_EX
        real_load(tmp_path, release, tiny_release_dir / "ser.nq", tmp_path / release.version)

    monkeypatch.setattr(embedded, "_load", load)
    monkeypatch.setattr(embedded.fcntl, "flock", flock)
    target = ensure_database(tmp_path, release)
    assert loads == [] and (target / MARKER).is_file()
    assert (tmp_path / embedded.LOCK_FILE).is_file()


def test_select_runs_over_the_union_of_graphs(store: EmbeddedStore) -> None:
    rows = store.select("SELECT ?name WHERE { <https://data.ser.nl/id/persoon/kim-putters> "
                        "<http://xmlns.com/foaf/0.1/name> ?name }")
    assert rows == [{"name": Literal("Kim Putters")}]
    assert store.ask("ASK { ?s a <http://rdfs.org/ns/void#Dataset> }")  # in the metadata graph


def test_construct_serialises_in_the_asked_format(store: EmbeddedStore) -> None:
    body = store.construct("CONSTRUCT WHERE { <https://data.ser.nl/id/organisatie/ser> ?p ?o }", "text/turtle")
    assert b"Sociaal-Economische Raad" in body
    assert isinstance(store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")[0]["s"], URIRef)


def test_turtle_documents_declare_the_prefixes_they_use_and_keep_thing_iris_whole(store: EmbeddedStore) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = <https://data.ser.nl/id/organisatie/ser>) }"
    turtle = store.construct(query, "text/turtle").decode()
    declared = {line.split()[1] for line in turtle.splitlines() if line.startswith("@prefix")}
    assert "serid:" not in declared and "\\/" not in turtle
    assert "<https://data.ser.nl/id/organisatie/ser>" in turtle
    for prefix in declared:
        assert turtle.count(prefix) > 1, f"{prefix} is declared but not used"
    import rdflib

    parsed = rdflib.Graph().parse(data=turtle, format="turtle")
    plain = rdflib.Graph().parse(data=store.construct(query, "application/n-triples").decode(), format="nt")
    assert set(parsed) == set(plain)
