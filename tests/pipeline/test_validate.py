"""SHACL validation: splitting the shapes over processes gives exactly the results of one process."""

from __future__ import annotations

from rdflib.namespace import SH

from server.pipeline.assemble import assemble
from server.pipeline.shacl.results import Result
from server.pipeline.shacl.validate import load_shapes, validate
from server.settings import PROJECT_ROOT


def keys(results: list[Result]) -> list[tuple[str, str | None, str, str, str]]:
    return sorted((r.focus, r.path, r.component, r.severity, r.message) for r in results)


def test_validation_in_two_processes_gives_the_same_results_as_in_one() -> None:
    assembled = assemble(PROJECT_ROOT, "https://data.ser.nl/")
    shapes = load_shapes(PROJECT_ROOT / "shapes")
    with assembled.with_ontology() as graph:
        one = validate(graph, shapes, workers=1)
        two = validate(graph, shapes, workers=2)
    assert one.results, "the real data has Warnings; without them this test compares nothing"
    assert keys(two.results) == keys(one.results)
    assert len(list(two.graph.objects(None, SH.result))) == len(one.results)


def test_validation_leaves_the_data_graph_as_it_was() -> None:
    assembled = assemble(PROJECT_ROOT, "https://data.ser.nl/")
    before = set(assembled.data)
    with assembled.with_ontology() as graph:
        validate(graph, load_shapes(PROJECT_ROOT / "shapes"), workers=2)
    assert set(assembled.data) == before
