"""pyoxigraph terms become rdflib terms at the store boundary: the direct path equals rdflib's constructors.
A description written as a document: the same bytes whatever order the engine gave its triples in."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from server.store.terms import document, to_rdflib, to_rdflib_checked

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


SER = "https://data.ser.nl/"
KNOWN = {"ser": SER + "def/", "serid": SER + "id/", "skos": "http://www.w3.org/2004/02/skos/core#",
         "foaf": "http://xmlns.com/foaf/0.1/"}
DOCUMENT = [
    ox.Triple(ox.NamedNode(SER + "id/organisatie/ser"), ox.NamedNode(KNOWN["skos"] + "prefLabel"),
              ox.Literal("Sociaal-Economische Raad", language="nl")),
    ox.Triple(ox.NamedNode(SER + "id/organisatie/ser"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
              ox.NamedNode(SER + "def/Organisatie")),
    ox.Triple(ox.NamedNode(SER + "id/persoon/x"), ox.NamedNode(KNOWN["skos"] + "prefLabel"), ox.Literal("X")),
    ox.Triple(ox.NamedNode(SER + "id/organisatie/ser"), ox.NamedNode(KNOWN["skos"] + "prefLabel"),
              ox.Literal("Social and Economic Council", language="en")),
]


@pytest.mark.parametrize("media_type", ["text/turtle", "application/trig"])
def test_a_turtle_document_is_the_same_bytes_in_any_order_with_the_prefixes_it_uses(media_type: str) -> None:
    body = document(DOCUMENT, media_type, KNOWN)
    assert document(DOCUMENT[::-1], media_type, KNOWN) == body
    text = body.decode()
    assert "@prefix skos:" in text and "@prefix foaf:" not in text  # only the prefixes the triples use
    assert text.count("skos:prefLabel") == 2  # a subject's triples together, its labels in one list
    fmt = "trig" if media_type == "application/trig" else "turtle"
    expected = Graph().parse(data=document(DOCUMENT, "application/n-triples", KNOWN).decode(), format="nt")
    assert set(Graph().parse(data=text, format=fmt)) == set(expected)
