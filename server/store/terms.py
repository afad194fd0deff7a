"""Conversion of pyoxigraph terms to rdflib terms at the store boundary."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

_XSD_STRING = str(XSD.string)


def to_rdflib(term: object) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        # Oxigraph types plain literals as xsd:string; rdflib treats those as different terms.
        return Literal(term.value) if datatype == _XSD_STRING else Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"unexpected term {term!r}")


def triples_of(ntriples: bytes) -> Iterator[tuple[Identifier, Identifier, Identifier]]:
    """N-Triples as rdflib terms, parsed by Oxigraph in time linear in the input.

    rdflib's own N-Triples parser reads 2 KB at a time and matches the whole unread line again after
    each read, so one long literal costs time quadratic in its length (a value of 1.6 MB took 14 s).
    """
    for triple in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        yield to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)
