"""pyshacl's queries on the data graph: each text prepared once, nothing read from elsewhere, no globals changed."""

from __future__ import annotations

from typing import Any

import pytest
from pyshacl import shape
from rdflib import Graph
from rdflib.plugins import sparql as rdflib_sparql
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query

from server.pipeline.shacl import validate as validation
from server.pipeline.shacl.validate import PreparingGraph, validate

DATA = """@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:t1 a ex:Term ; ex:start "2020-01-01"^^xsd:date ; ex:end "2020-01-05"^^xsd:date .
ex:t2 a ex:Term ; ex:start "2020-01-09"^^xsd:date ; ex:end "2020-01-05"^^xsd:date .
ex:t3 a ex:Term ; ex:start "2020-01-07"^^xsd:date ; ex:end "2020-01-05"^^xsd:date .
"""
SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:TermShape a sh:NodeShape ; sh:targetClass ex:Term ;
  sh:sparql [ sh:message "ends before it starts" ;
    sh:select "SELECT $this WHERE { $this ex:start ?s ; ex:end ?e . FILTER (?e < ?s) }" ;
    sh:prefixes ex: ] .
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^<http://www.w3.org/2001/XMLSchema#anyURI> ] .
"""


def test_a_shacl_sparql_query_is_prepared_once_for_all_focus_nodes() -> None:
    prepared: list[str] = []

    def counting(text: str, **kwargs: Any) -> Query:
        prepared.append(text)
        return prepareQuery(text, **kwargs)

    data = PreparingGraph(Graph().parse(data=DATA, format="turtle"), prepare=counting)
    report = validate(data, Graph().parse(data=SHAPES, format="turtle"))
    assert sorted(r.focus for r in report.results) == ["http://example.org/t2", "http://example.org/t3"]
    assert len(prepared) == 1, "three focus nodes, one constraint: one query text to prepare"


def test_the_results_are_those_of_the_plain_graph() -> None:
    data = Graph().parse(data=DATA, format="turtle")
    shapes = Graph().parse(data=SHAPES, format="turtle")
    plain = validate(data, shapes).results
    assert plain and validate(PreparingGraph(data), shapes).results == plain


@pytest.mark.parametrize("query", [
    "SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://example.org/elsewhere> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
])
def test_a_query_that_reads_a_graph_from_elsewhere_is_refused(query: str) -> None:
    graph = PreparingGraph(Graph().parse(data=DATA, format="turtle"))
    with pytest.raises(ValueError, match="FROM or SERVICE"):
        graph.query(query)
    assert len(graph.query("SELECT * WHERE { ?s ?p ?o }")) == 9


def test_validation_changes_no_global_of_rdflib() -> None:
    seen: list[tuple[Any, bool]] = []

    def watching(text: str, **kwargs: Any) -> Query:
        seen.append((SPARQLProcessor.query, rdflib_sparql.SPARQL_LOAD_GRAPHS))
        return prepareQuery(text, **kwargs)

    before = (SPARQLProcessor.query, rdflib_sparql.SPARQL_LOAD_GRAPHS)
    validate(PreparingGraph(Graph().parse(data=DATA, format="turtle"), prepare=watching),
             Graph().parse(data=SHAPES, format="turtle"))
    assert seen == [before]


def test_the_parameter_lookup_is_left_to_pyshacl_when_its_internals_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    unexpected = {"a": "mapping where pyshacl 0.40 keeps a (list, dict) pair"}
    monkeypatch.setattr(shape, "CONSTRAINT_PARAMS", unexpected, raising=False)
    validation._fast_parameter_lookup()
    assert shape.CONSTRAINT_PARAMS is unexpected


def test_the_parameter_lookup_is_set_backed_where_pyshacl_is_as_expected(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS

    monkeypatch.delattr(shape, "CONSTRAINT_PARAMS", raising=False)  # as pyshacl starts: filled on first use
    validation._fast_parameter_lookup()
    parameters, _ = shape.CONSTRAINT_PARAMS
    assert isinstance(parameters, validation._ParameterList)
    assert list(parameters) == list(ALL_CONSTRAINT_PARAMETERS)
    assert all(p in parameters for p in ALL_CONSTRAINT_PARAMETERS)
