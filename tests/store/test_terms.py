"""pyoxigraph terms become rdflib terms at the store boundary: the direct path equals rdflib's constructors."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from server.store.terms import to_rdflib, to_rdflib_checked

XSD = "http://www.w3.org/2001/XMLSchema#"
TERMS = [
    ox.NamedNode("https://data.ser.nl/id/organisatie/ser"),
    ox.NamedNode("http://example.org/caf%C3%A9?x=1#y"),
    ox.Literal("Sociaal-Economische Raad"),
    ox.Literal(""),
    ox.Literal("Sociaal-Economische Raad", language="nl"),
    ox.Literal("Social and Economic Council", language="EN-gb"),  # Oxigraph lowercases the tag
    ox.Literal("café <b> \u2013 \U0001f600", language="fr"),
    ox.Literal("explicit", datatype=ox.NamedNode(XSD + "string")),
    ox.Literal("1950-01-27", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("01", datatype=ox.NamedNode(XSD + "integer")),  # rdflib normalises the lexical form
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ox.Literal("not a date", datatype=ox.NamedNode(XSD + "date")),  # ill-typed
    ox.Literal("  two  words ", datatype=ox.NamedNode(XSD + "normalizedString")),
    ox.Literal("P3Y", datatype=ox.NamedNode(XSD + "duration")),
    ox.Literal("x", datatype=ox.NamedNode("https://data.ser.nl/def/eigenType")),
    ox.BlankNode("b0"),
]


@pytest.mark.parametrize("term", TERMS, ids=str)
def test_the_direct_conversion_equals_rdflibs_constructors_in_every_slot(term: object) -> None:
    fast, checked = to_rdflib(term), to_rdflib_checked(term)
    assert type(fast) is type(checked)
    assert fast == checked and hash(fast) == hash(checked)
    assert str(fast) == str(checked) and fast.n3() == checked.n3()
    if isinstance(checked, Literal):
        assert isinstance(fast, Literal)
        for slot in Literal.__slots__:
            assert getattr(fast, slot) == getattr(checked, slot), slot
            assert type(getattr(fast, slot)) is type(getattr(checked, slot)), slot
        assert fast.toPython() == checked.toPython()
        assert fast.language == checked.language and fast.datatype == checked.datatype


def test_string_literals_have_no_datatype_and_keep_their_language() -> None:
    plain, tagged = to_rdflib(ox.Literal("SER")), to_rdflib(ox.Literal("SER", language="en"))
    assert isinstance(plain, Literal) and plain.datatype is None and plain.language is None
    assert plain == Literal("SER") and plain != Literal("SER", lang="en")
    assert isinstance(tagged, Literal) and tagged.language == "en"


def test_converted_terms_work_in_an_rdflib_graph() -> None:
    graph = Graph()
    subject, predicate = to_rdflib(TERMS[0]), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
    graph.add((subject, predicate, to_rdflib(TERMS[4])))  # type: ignore[arg-type]
    assert (URIRef(str(TERMS[0].value)), predicate, Literal("Sociaal-Economische Raad", lang="nl")) in graph


def test_anything_else_is_refused() -> None:
    with pytest.raises(TypeError, match="unexpected term"):
        to_rdflib("https://data.ser.nl/id/x")
