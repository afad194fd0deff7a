"""The benchmarks' one synthetic data set (bench/synthetic.py): records the build accepts, and a graph
that is what the build's first stage makes of those same records."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from bench import synthetic
from server.pipeline.assemble import assemble
from server.rdf.namespaces import DEFAULT_BASE


def test_the_records_are_accepted_by_the_build_and_the_same_seed_writes_the_same(tmp_path: Path) -> None:
    first = synthetic.records(tmp_path / "a", 3000)
    again = synthetic.records(tmp_path / "b", 3000)
    assemble(first, DEFAULT_BASE)  # raises SourceError naming every bad record
    for path in sorted((first / "data").glob("*.yaml")):
        assert path.read_bytes() == (again / "data" / path.name).read_bytes(), path.name


def canonical(nquads: bytes) -> ox.Dataset:
    """The quads with their blank nodes named canonically: the ontology's lists get fresh names per read."""
    dataset = ox.Dataset(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def test_the_graph_is_the_build_of_the_records_and_answers_the_benchmark_queries(tmp_path: Path) -> None:
    folder = synthetic.graph(tmp_path / "graph", 3000)
    store = ox.Store()
    store.bulk_load(path=str(folder / "ser.nq"), format=ox.RdfFormat.N_QUADS)
    expected = assemble(synthetic.records(tmp_path / "project", 3000), DEFAULT_BASE).nquads()
    assert canonical((folder / "ser.nq").read_bytes()) == canonical(expected)
    counts = {str(row["c"].value): int(row["n"].value) for row in store.query(
        "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c", use_default_graph_as_union=True)}
    for cls in ("https://data.ser.nl/def/Advies", "http://www.w3.org/ns/org#Membership",
                "http://xmlns.com/foaf/0.1/Person", "http://www.w3.org/ns/org#Organization"):
        assert counts.get(cls, 0) > 0, cls
    titles = [str(row["t"].value) for row in store.query(
        'SELECT ?t WHERE { ?a a <https://data.ser.nl/def/Advies> ; <http://purl.org/dc/terms/title> ?t '
        'FILTER(LANG(?t) = "nl") }', use_default_graph_as_union=True)]
    assert any(word in title for title in titles for word in synthetic.WORDS)
