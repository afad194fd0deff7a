"""pyoxigraph terms at the store boundary: as rdflib terms, and as the documents every store sends the same."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

_XSD_STRING = str(XSD.string)
_new = str.__new__
_PREFIXED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG}
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


def to_rdflib(term: object) -> Identifier:
    """An rdflib term equal to ``term``, in every slot (``tests/store/test_terms.py`` checks the two paths).

    IRIs and string literals (plain or with a language), most of the terms of a page, are built
    directly: Oxigraph has already checked the IRI and the language tag, and a string literal has no
    value to cast, so rdflib's constructor (about 1.5 and 5 µs, against 0.5) would only do that again.
    Typed literals go through the constructor, which casts and normalises their lexical form.
    """
    if isinstance(term, ox.NamedNode):
        return _new(URIRef, term.value)
    if isinstance(term, ox.Literal):
        language = term.language
        datatype = term.datatype.value
        if language or datatype == _XSD_STRING:
            return _string_literal(term.value, language or None)
        return Literal(term.value, datatype=_new(URIRef, datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"unexpected term {term!r}")


def to_rdflib_checked(term: object) -> Identifier:
    """The same term through rdflib's constructors alone: what :func:`to_rdflib` must equal."""
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


def _string_literal(value: str, language: str | None) -> Literal:
    """``Literal(value, lang=language)`` without its checks: the slots it would set, set directly."""
    literal: Literal = _new(Literal, value)
    literal._language = language
    literal._datatype = None
    literal._value = value
    literal._ill_typed = None
    return literal


def triples_of(ntriples: bytes) -> Iterator[tuple[Identifier, Identifier, Identifier]]:
    """N-Triples as rdflib terms, parsed by Oxigraph in time linear in the input.

    rdflib's own N-Triples parser reads 2 KB at a time and matches the whole unread line again after
    each read, so one long literal costs time quadratic in its length (a value of 1.6 MB took 14 s).
    """
    for triple in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        yield to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)


def _fits(namespace: str, iris: set[str]) -> bool:
    """A prefix is worth declaring when some IRI uses it, and every IRI it would shorten stays readable
    (``serid:organisatie\\/ser`` is valid Turtle, but the full IRI says more)."""
    rests = [iri[len(namespace):] for iri in iris if iri.startswith(namespace)]
    return bool(rests) and not any("/" in rest or "#" in rest for rest in rests)


def document(triples: list[ox.Triple], media_type: str, known: dict[str, str]) -> bytes:
    """The triples of a CONSTRUCT or DESCRIBE as one document, the same bytes from any store.

    A document's ETag is pinned to the release, so every replica must send the same bytes under it.
    Blank nodes get canonical labels (RDF Dataset Canonicalization, RDFC-1.0): each load of a release,
    and each engine, labels them its own way. Our documents are our data with a few blank nodes (the
    ontology's lists), so the algorithm's worst case, exponential in blank nodes, is never near.
    Then the triples are sorted, because engines return them in orders of their own.
    """
    if any(isinstance(term, ox.BlankNode) for t in triples for term in (t.subject, t.object)):
        canonical = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        canonical.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in canonical]
    triples = sorted(triples, key=str)
    fmt = _RDF_FORMATS[media_type]
    if fmt not in _PREFIXED:
        return ox.serialize(triples, format=fmt) or b""
    # Turtle and TriG for people: with the prefixes the triples use, in the sorted order (so a subject's
    # triples are together). Oxigraph's writer takes them as they are; going through an in-memory store,
    # as before, cost 180 against 70 us for a page's document and wrote the store's own order.
    used = {term.value for t in triples for term in (t.subject, t.predicate, t.object)
            if isinstance(term, ox.NamedNode) and term != _RDF_TYPE}  # rdf:type is written "a"
    names = {p: ns for p, ns in known.items() if _fits(ns, used)}
    return ox.serialize(triples, format=fmt, prefixes=names) or b""
