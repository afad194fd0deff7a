"""The JSON-LD context of a release, the local document loader, and framing that keeps every triple."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld as pyld
from rdflib import Graph
from rdflib.compare import isomorphic

from server.rdf import jsonld
from server.rdf.jsonld import JsonObject

BASE = "https://data.ser.nl/"
SER = BASE + "def/"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
URL = BASE + "ns/context.jsonld"
FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.mark.parametrize(("kinds", "expected"), [
    ({"@id"}, {"@id": SER + "p", "@type": "@id"}),
    ({"@language"}, {"@id": SER + "p", "@container": "@language"}),
    ({XSD + "date"}, {"@id": SER + "p", "@type": XSD + "date"}),
    ({XSD + "string"}, SER + "p"),
    ({XSD + "date", XSD + "gYear"}, SER + "p"),  # two datatypes: each value says its own
    ({"@id", "@language"}, SER + "p"),
])
def test_a_property_is_coerced_only_when_all_its_values_agree(kinds: set[str], expected: object) -> None:
    assert jsonld.definition(SER + "p", kinds) == expected


def test_the_context_names_properties_and_classes_and_leaves_things_their_full_iri() -> None:
    context = jsonld.build_context(
        BASE,
        [(SER + "datum", XSD + "date"), (DCT + "title", "@language"), (SER + "title", "@language"),
         ("http://xmlns.com/foaf/0.1/name", "@language"), ("https://schema.org/name", "@language"),
         (SER + "lid", "@id"), (RDF_TYPE, "@id"), ("http://example.org/org", "@id")],
        [SER + "Advies", "http://xmlns.com/foaf/0.1/Person"],
        [(SER + "ingangsdatum", "http://www.w3.org/2002/07/owl#DatatypeProperty", XSD + "date"),
         (SER + "lid", "http://www.w3.org/2002/07/owl#DatatypeProperty", XSD + "string")],
    )
    assert context["id"] == "@id" and context["type"] == "@type"
    assert context["datum"] == {"@id": SER + "datum", "@type": XSD + "date"}
    assert context["ingangsdatum"] == {"@id": SER + "ingangsdatum", "@type": XSD + "date"}  # declared, unused
    assert context["lid"] == {"@id": SER + "lid", "@type": "@id"}  # what the release holds wins
    assert context["title"] == {"@id": SER + "title", "@container": "@language"}  # our own term first
    assert "name" not in context  # foaf:name and schema:name: both keep their prefixed name
    assert context["Advies"] == SER + "Advies" and context["Person"] == "http://xmlns.com/foaf/0.1/Person"
    assert context["org"] == "http://www.w3.org/ns/org#"  # a prefix is never taken by a term
    assert "serid" not in context and "sergraph" not in context and "ser" in context


def test_the_local_loader_serves_its_documents_and_refuses_every_other_url() -> None:
    load = jsonld.local_loader({URL: {"@context": {"x": "http://example.org/x"}}})
    assert load(URL, None)["document"] == {"@context": {"x": "http://example.org/x"}}
    with pytest.raises(pyld.JsonLdError, match="refusing to load"):
        load("https://example.org/context.jsonld", None)


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every name lookup made during the test (a fetch starts with one)."""
    seen: list[Any] = []

    def record(*args: Any, **kwargs: Any) -> Any:
        seen.append(args)
        raise OSError("no lookups in this test")

    monkeypatch.setattr(socket, "getaddrinfo", record)
    return seen


@pytest.mark.parametrize("remote", ["https://example.org/context.jsonld", "http://127.0.0.1:9/context.jsonld",
                                    "file:///etc/passwd"])
def test_no_remote_context_is_ever_fetched(lookups: list[Any], remote: str) -> None:
    document = {"@context": remote, "@id": "http://example.org/a", "name": "a"}
    with pytest.raises(pyld.JsonLdError):
        jsonld.expand(document, {URL: {"@context": {}}})
    with pytest.raises(pyld.JsonLdError):
        pyld.expand(document)  # pyld's own default loader is replaced too
    with pytest.raises(pyld.JsonLdError):
        jsonld.frame_around([{"@id": "http://example.org/a"}], "http://example.org/a", {"@import": remote}, URL)
    assert lookups == []


A = BASE + "id/advies/a"
EXPANDED = [
    {"@id": A, RDF_TYPE: [{"@id": SER + "Advies"}], DCT + "title": [{"@value": "Een advies", "@language": "nl"}],
     SER + "datum": [{"@value": "2020-06-01", "@type": XSD + "date"}], SER + "door": [{"@id": BASE + "id/orgaan/raad"}],
     SER + "bron": [{"@id": "_:b0"}]},
    {"@id": "_:b0", SER + "pagina": [{"@value": "12", "@type": XSD + "integer"}]},
    {"@id": BASE + "id/orgaan/raad", DCT + "title": [{"@value": "Raad", "@language": "nl"}]},
    {"@id": BASE + "id/verzoek/v", SER + "leiddeTot": [{"@id": A}], DCT + "title": [{"@value": "Verzoek"}]},
    {"@id": SER + "Advies", DCT + "title": [{"@value": "Advies", "@language": "nl"}]},
]
NQUADS = f"""<{A}> <{RDF_TYPE}> <{SER}Advies> .
<{A}> <{DCT}title> "Een advies"@nl .
<{A}> <{SER}datum> "2020-06-01"^^<{XSD}date> .
<{A}> <{SER}door> <{BASE}id/orgaan/raad> .
<{A}> <{SER}bron> _:x .
_:x <{SER}pagina> "12"^^<{XSD}integer> .
<{BASE}id/orgaan/raad> <{DCT}title> "Raad"@nl .
<{BASE}id/verzoek/v> <{SER}leiddeTot> <{A}> .
<{BASE}id/verzoek/v> <{DCT}title> "Verzoek" .
<{SER}Advies> <{DCT}title> "Advies"@nl .
"""


def test_a_framed_document_is_about_its_resource_and_keeps_every_triple() -> None:
    usage = [(DCT + "title", "@language"), (SER + "datum", XSD + "date"), (SER + "door", "@id"),
             (SER + "bron", "@id"), (SER + "pagina", XSD + "integer"), (SER + "leiddeTot", "@id")]
    context = jsonld.build_context(BASE, usage, [SER + "Advies"])
    document = jsonld.frame_around(EXPANDED, A, context, URL)
    assert document["@context"] == URL
    assert document["id"] == A and document["type"] == "Advies"
    assert document["datum"] == "2020-06-01"
    assert document["title"] == {"nl": "Een advies"}  # a language map
    assert document["door"] == {"id": BASE + "id/orgaan/raad", "title": {"nl": "Raad"}}  # what it links to, embedded
    assert document["bron"] == {"pagina": "12"}  # a blank node, embedded
    included = {node["id"]: node for node in document["@included"]}
    assert included[BASE + "id/verzoek/v"]["leiddeTot"] == A  # who links to it
    assert included[BASE + "id/verzoek/v"]["title"] == {"@none": "Verzoek"}  # a value the coercion does not fit
    triples = Graph().parse(data=jsonld.to_nquads(document, {URL: {"@context": context}}), format="nquads")
    assert isomorphic(Graph() + triples, Graph().parse(data=NQUADS, format="nt"))


def nodes_of(nquads: bytes) -> list[JsonObject]:
    from server.store.oxigraph.memory import MemoryDataset

    return list(MemoryDataset(nquads).nodes())


def test_the_dumps_compactor_gives_what_pyld_gives_on_every_node() -> None:
    nquads = (FIXTURES / "release" / "ser.nq").read_bytes()
    from server.store.oxigraph.memory import MemoryDataset

    context = jsonld.context_of(MemoryDataset(nquads).select, BASE)
    nodes = nodes_of(nquads)
    assert len(nodes) > 20
    compactor = jsonld.FlatCompactor(context)
    assert [compactor.node(node) for node in nodes] == jsonld.compact(nodes, context)


def test_the_dumps_compactor_handles_values_no_coercion_fits() -> None:
    usage = [(DCT + "title", "@language"), (SER + "datum", XSD + "date"), (SER + "door", "@id"),
             (SER + "bron", "@id"), (SER + "pagina", XSD + "integer"), (SER + "leiddeTot", "@id")]
    context = jsonld.build_context(BASE, usage, [SER + "Advies"])
    odd = [{"@id": A, DCT + "title": [{"@value": "zonder taal"}, {"@value": "met", "@language": "nl"}],
            SER + "datum": [{"@value": "2020", "@type": XSD + "gYear"},
                            {"@value": "2020-01-01", "@type": XSD + "date"}],
            SER + "door": [{"@value": "tekst"}], "http://example.org/onbekend": [{"@id": "_:b1"}],
            "@type": [SER + "Advies", "http://example.org/Soort"]}, *EXPANDED[1:]]
    compactor = jsonld.FlatCompactor(context)
    assert [compactor.node(node) for node in odd] == jsonld.compact(odd, context)
