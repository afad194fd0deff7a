"""The superclasses and superproperties the data entails, written into the data graph.

A generic client asks ``SELECT ?x { ?x a org:Organization }`` and expects the organisations, although
the records say ``org:FormalOrganization`` or ``org:OrganizationalUnit``. So the build materialises the
two RDFS rules that matter for that, over the hierarchies in ``ontology/`` (``ser.ttl`` for our own
terms, ``reused.ttl`` for what ORG and FOAF say about theirs):

- rdfs9: ``?x a C`` and ``C rdfs:subClassOf D`` give ``?x a D``;
- rdfs7: ``?x p ?y`` and ``p rdfs:subPropertyOf q`` give ``?x q ?y``;

each followed to the top of its hierarchy. Nothing else is inferred (no domains, ranges, or
owl:sameAs), and nothing is added for ``owl:Thing`` or ``rdfs:Resource``.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from server.pipeline.graph.reader import TripleSink

TOPS = {OWL.Thing, RDFS.Resource}


def _closure(ontology: Graph, link: URIRef) -> dict[Node, frozenset[Node]]:
    """Every term with a broader one, and all the terms above it."""
    direct: dict[Node, set[Node]] = {}
    for narrower, broader in ontology.subject_objects(link):
        if isinstance(narrower, URIRef) and isinstance(broader, URIRef) and broader not in TOPS:
            direct.setdefault(narrower, set()).add(broader)
    out: dict[Node, frozenset[Node]] = {}
    for term in direct:
        seen: set[Node] = set()
        todo = list(direct[term])
        while todo:
            above = todo.pop()
            if above not in seen and above != term:
                seen.add(above)
                todo += direct.get(above, ())
        out[term] = frozenset(seen)
    return out


class Entailing:
    """A triple sink that also writes what each triple entails under the ontology's hierarchies."""

    def __init__(self, sink: TripleSink, ontology: Graph) -> None:
        self.sink = sink
        self.classes = _closure(ontology, RDFS.subClassOf)
        self.properties = _closure(ontology, RDFS.subPropertyOf)

    def add(self, triple: tuple[Node, Node, Node], /) -> None:
        subject, predicate, obj = triple
        self.sink.add(triple)
        if predicate == RDF.type:
            for broader in self.classes.get(obj, ()):
                self.sink.add((subject, RDF.type, broader))
        for broader in self.properties.get(predicate, ()):
            self.sink.add((subject, broader, obj))
