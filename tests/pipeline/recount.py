"""The numbers a VoID description states, and the same numbers counted again from parsed quads.

The counting here is the plain definition (server/pipeline/releases/void.py, "What the counts mean"), done in
Python over pyoxigraph terms, which compare as RDF terms (rdflib would normalise literals such as
``"01"^^xsd:integer`` and so merge distinct objects). Both sides are dicts with the same keys, so that
a test compares them in one assertion and a difference names the number that is wrong.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID, XSD

from server.rdf.namespaces import GRAPHS, graph_iri

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
TOTALS = ("triples", "entities", "classes", "properties", "distinctSubjects", "distinctObjects")


def stated(void: Graph, dataset: str, base: str) -> dict[str, int]:
    """The numbers ``void`` states about ``dataset``: totals, partitions and the three graphs' subsets."""
    ds = URIRef(dataset)
    out = {name: _integer(void, ds, VOID[name]) for name in TOTALS if void.value(ds, VOID[name]) is not None}
    for part in void.objects(ds, VOID.classPartition):
        out[f"class {void.value(part, VOID['class'])}"] = _integer(void, part, VOID.entities)
    for part in void.objects(ds, VOID.propertyPartition):
        out[f"property {void.value(part, VOID.property)}"] = _integer(void, part, VOID.triples)
    for name in GRAPHS:
        subset = URIRef(graph_iri(name, base))
        if (ds, VOID.subset, subset) in void:
            out[f"graph {subset}"] = _integer(void, subset, VOID.triples)
    return out


def _integer(void: Graph, subject: URIRef, predicate: URIRef) -> int:
    values = list(void.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    value = values[0]
    assert isinstance(value, Literal) and value.datatype == XSD.integer, (subject, predicate, value)
    return int(value)


def counted(statements: Iterable[ox.Quad | ox.Triple], base: str) -> dict[str, int]:
    """The same numbers counted from parsed quads (with the graphs' subsets) or triples (without)."""
    triples: set[tuple[object, object, object]] = set()
    per_graph: dict[str, set[tuple[object, object, object]]] = defaultdict(set)
    for statement in statements:
        triple = (statement.subject, statement.predicate, statement.object)
        triples.add(triple)
        graph = getattr(statement, "graph_name", None)
        if isinstance(graph, ox.NamedNode):
            per_graph[graph.value].add(triple)
    space = f"{base}id/"
    typed: dict[object, set[object]] = defaultdict(set)
    for s, p, o in triples:
        if p == RDF_TYPE:
            typed[o].add(s)
    out = {
        "triples": len(triples),
        "entities": len({s for s, _, _ in triples if isinstance(s, ox.NamedNode) and s.value.startswith(space)}),
        "classes": len(typed),
        "properties": len({p for _, p, _ in triples}),
        "distinctSubjects": len({s for s, _, _ in triples}),
        "distinctObjects": len({o for _, _, o in triples}),
    }
    for cls, members in typed.items():
        assert isinstance(cls, ox.NamedNode)
        out[f"class {cls.value}"] = sum(1 for m in members if isinstance(m, ox.NamedNode))
    for p, n in Counter(p for _, p, _ in triples).items():
        assert isinstance(p, ox.NamedNode)
        out[f"property {p.value}"] = n
    for graph, held in per_graph.items():
        out[f"graph {graph}"] = len(held)
    return out
