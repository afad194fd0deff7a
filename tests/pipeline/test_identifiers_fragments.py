"""The persistent-identifier rule holds for a record's IRI; the fragments that name parts of its
description (the instants of its period) come and go with its facts (server/pipeline/releases/identifiers.py)."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, TIME

from server.pipeline.assemble import to_nquads
from server.pipeline.releases.identifiers import disappeared
from server.rdf.namespaces import DEFAULT_BASE, graph_iri

TERM = f"{DEFAULT_BASE}id/lidmaatschap/voorzitter-2022"


def release(tmp_path: Path) -> Path:
    graph = Graph()
    graph.add((URIRef(TERM), RDFS.label, Literal("term")))
    graph.add((URIRef(TERM + "#einde"), RDF.type, TIME.Instant))
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "ser.nq").write_bytes(to_nquads({graph_iri("data"): graph}))
    (folder / "manifest.json").write_text(json.dumps({"version": "1", "base_iri": DEFAULT_BASE}))
    return folder


def test_an_end_instant_that_goes_with_its_date_is_no_lost_iri(tmp_path: Path) -> None:
    assert disappeared(release(tmp_path), {TERM, TERM + "#periode"}, DEFAULT_BASE) == []


def test_the_record_itself_may_not_disappear(tmp_path: Path) -> None:
    problems = disappeared(release(tmp_path), {f"{DEFAULT_BASE}id/persoon/iemand"}, DEFAULT_BASE)
    assert [p.record for p in problems] == ["lidmaatschap/voorzitter-2022"]
