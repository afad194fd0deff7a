"""Moving a graph from the production base to another: the release's ``base_iri`` setting.

The records, the ontology and the shapes are written under the production base (``DEFAULT_BASE``); a build
with another base moves every IRI under it. The assembly (the ontology and data graphs) and the SHACL stage
(the shapes) both need it, so it lives below them.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from server.rdf.namespaces import DEFAULT_BASE


def _move(term: Node, base: str) -> Node:
    if isinstance(term, URIRef) and term.startswith(DEFAULT_BASE):
        return URIRef(base + term[len(DEFAULT_BASE):])
    if isinstance(term, Literal) and term.datatype == XSD.anyURI and str(term).startswith(DEFAULT_BASE):
        return Literal(base + str(term)[len(DEFAULT_BASE):], datatype=XSD.anyURI)
    return term


def rebase(graph: Graph, base: str) -> Graph:
    """The same graph with every IRI under the production base moved under ``base``."""
    out = Graph()
    for s, p, o in graph:
        out.add((_move(s, base), _move(p, base), _move(o, base)))
    return out
