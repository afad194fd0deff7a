"""Queries confined to one release's graphs in a shared engine (``server.store.remote.confinement``): graph names
in graph positions are pointed at the versioned graphs, a graph variable is bound to public names by the
engine itself, and a dataset always names both of its parts.
"""

from __future__ import annotations

import pytest

from server.store.remote.confinement import Renamer

BASE = "https://data.ser.nl/"
G = f"{BASE}graph/"
PAIRS = " ".join(f"(<{G}V/{n}> <{G}{n}>)" for n in ("ontology", "data", "metadata"))


@pytest.mark.parametrize(("query", "expected"), [
    (f"SELECT * WHERE {{ GRAPH <{G}data> {{ ?s ?p ?o }} }}",
     f"SELECT * WHERE {{ GRAPH <{G}V/data> {{ ?s ?p ?o }} }}"),
    # a dataset with one part only: the other part is empty (SPARQL 1.1 Query §13.2), named as such
    (f"PREFIX g: <{G}> SELECT * FROM NAMED g:ontology {{ }}",
     f"PREFIX g: <{G}> SELECT * FROM NAMED <{G}V/ontology> FROM <{G}none> {{ }}"),
    (f"SELECT * FROM <{G}data> FROM <{G}ontology> WHERE {{ }}",
     f"SELECT * FROM <{G}V/data> FROM <{G}V/ontology> FROM NAMED <{G}none> WHERE {{ }}"),
    (f"SELECT * FROM <{G}data> FROM NAMED <{G}data> {{ }}",
     f"SELECT * FROM <{G}V/data> FROM NAMED <{G}V/data> {{ }}"),
    # the metadata graph describes the graphs: as data, their names stay as they are
    (f"SELECT * {{ <{G}data> a ?t }}", f"SELECT * {{ <{G}data> a ?t }}"),
    # a graph variable: the engine binds it to the public name (VALUES pairs), inside a group of its own
    ("SELECT * { GRAPH ?g { ?s ?p '{x}' } FILTER(?g = <" + G + "data>) }",
     "SELECT * { { VALUES (?ser_kg_stored_graph_0 ?g) { " + PAIRS + " } GRAPH ?ser_kg_stored_graph_0 "
     "{ ?s ?p '{x}' } } FILTER(?g = <" + G + "data>) }"),
    ("ASK { GRAPH $g { GRAPH ?h { ?s ?p ?o } }}",
     "ASK { { VALUES (?ser_kg_stored_graph_0 $g) { " + PAIRS + " } GRAPH ?ser_kg_stored_graph_0 { "
     "{ VALUES (?ser_kg_stored_graph_3 ?h) { " + PAIRS + " } GRAPH ?ser_kg_stored_graph_3 { ?s ?p ?o } } } }}"),
    # an empty group: the graphs are enumerated by a pattern, which Virtuoso answers (it gives nothing for { })
    ("SELECT ?g { GRAPH ?g { } }",
     "SELECT ?g { { VALUES (?ser_kg_stored_graph_0 ?g) { " + PAIRS + " } { SELECT DISTINCT ?ser_kg_stored_graph_0 "
     "WHERE { GRAPH ?ser_kg_stored_graph_0 { ?ser_kg_stored_graph_0_s ?ser_kg_stored_graph_0_p "
     "?ser_kg_stored_graph_0_o } } } } }"),
    ("SELECT * { GRAPH ?g { ?s ?p ?o", "SELECT * { GRAPH ?g { ?s ?p ?o"),  # unbalanced: left to the engine
])
def test_graph_names_in_graph_positions_point_at_the_served_version(query: str, expected: str) -> None:
    assert Renamer(BASE, "V").query(query) == expected


@pytest.mark.parametrize(("default", "named", "expected"), [
    (None, None, ([f"{G}V/ontology", f"{G}V/data", f"{G}V/metadata"],) * 2),
    ([f"{G}ontology"], None, ([f"{G}V/ontology"], [f"{G}none"])),
    ([], [f"{G}data"], ([f"{G}none"], [f"{G}V/data"])),
])
def test_protocol_dataset_names_both_parts(default: list[str] | None, named: list[str] | None,
                                           expected: tuple[list[str], list[str]]) -> None:
    params = Renamer(BASE, "V").dataset(default, named)
    assert ([v for k, v in params if k == "default-graph-uri"], [v for k, v in params if k == "named-graph-uri"]) \
        == expected
