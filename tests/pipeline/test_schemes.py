"""The identifier schemes of the link targets in the VoID description (server/pipeline/releases/schemes.py):
each a subset of its target, with the dossier's pattern, examples and source, and nothing made up."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VOID

from server.pipeline.releases.schemes import NL_ELI_MCP, SCHEMES
from server.rdf.namespaces import graph_iri
from tests.pipeline.test_void import BASE, describe, fixture_dataset, fixture_facts

TOOI = URIRef(f"{BASE}id/dataset/tooi")
WETTEN = URIRef(f"{BASE}id/dataset/wetten")
WIKIDATA = URIRef(f"{BASE}id/dataset/wikidata")


@pytest.fixture(scope="module")
def void() -> Graph:
    return describe(fixture_dataset(), fixture_facts())


def scheme(void: Graph, target: URIRef, key: str) -> URIRef:
    iri = URIRef(f"{target}/{key}")
    assert (target, VOID.subset, iri) in void
    assert (iri, RDF.type, VOID.Dataset) in void
    return iri


def pattern(void: Graph, iri: URIRef) -> re.Pattern[str]:
    return re.compile(str(void.value(iri, VOID.uriRegexPattern)))


def test_every_scheme_is_a_titled_subset_of_its_target_in_both_languages(void: Graph) -> None:
    found = {(str(t), str(s)) for t, s in void.subject_objects(VOID.subset) if t in (TOOI, WETTEN)}
    assert found == {(f"{BASE}id/dataset/{s.target}", f"{BASE}id/dataset/{s.target}/{s.key}") for s in SCHEMES}
    for _target, iri in found:
        assert {t.language for t in void.objects(URIRef(iri), DCTERMS.title)} == {"nl", "en"}


@pytest.mark.parametrize(("key", "good", "bad"), [
    ("ministerie", "mnre1034", ["mnre103", "mnre10345", "oorg1034"]),
    ("oorg", "oorg10111", ["oorg1011", "oorg101110", "gm0363"]),
    ("gemeente", "gm0363", ["gm363", "gm03630", "mnre0363"]),
])
def test_the_tooi_patterns_take_the_dossiers_number_of_digits(void: Graph, key: str, good: str, bad: list[str]) -> None:
    iri = scheme(void, TOOI, key)
    space = f"https://identifier.overheid.nl/tooi/id/{key}/"
    assert void.value(iri, VOID.uriSpace) == Literal(space)
    assert pattern(void, iri).fullmatch(space + good)
    assert not any(pattern(void, iri).fullmatch(space + code) for code in bad)


def test_the_tooi_examples_are_the_dossiers_with_the_names_it_gives(void: Graph) -> None:
    names = {}
    for key in ("ministerie", "oorg", "gemeente"):
        iri = scheme(void, TOOI, key)
        examples = set(void.objects(iri, VOID.exampleResource))
        assert len(examples) == 1 and all(pattern(void, iri).fullmatch(str(e)) for e in examples)
        # the dossier's source is a file of no recorded repository: the scheme cites its example
        assert set(void.objects(iri, DCTERMS.source)) == examples
        names.update({str(e).rsplit("/", 1)[1]: str(void.value(e, RDFS.label)) for e in examples})
    assert names == {"mnre1034": "BZK", "oorg10111": "KOOP", "gm0363": "Amsterdam"}


def test_the_consolidated_text_pattern_takes_its_example_and_not_the_work_link(void: Graph) -> None:
    iri = scheme(void, WETTEN, "geconsolideerd")
    example = "https://wetten.overheid.nl/BWBR0002747/2023-02-18/0/HoofdstukIVA/Artikel27"
    assert set(void.objects(iri, VOID.exampleResource)) == {URIRef(example)}
    assert set(void.objects(iri, DCTERMS.source)) == {URIRef(example)}
    assert pattern(void, iri).fullmatch(example)
    assert not pattern(void, iri).fullmatch("https://wetten.overheid.nl/BWBR0002747")  # the bwb field's link
    assert not pattern(void, iri).fullmatch("https://wetten.overheid.nl/BWBR000274/2023-02-18/0/H/Artikel27")


def test_the_jci_pattern_takes_the_dossiers_example_on_the_public_host(void: Graph) -> None:
    iri = scheme(void, WETTEN, "jci")
    source = "https://wetten-acc.overheid.nl/jci1.3:c:BWBR0002058&artikel=93&g=2013-04-12&z=2024-11-23"
    assert set(void.objects(iri, DCTERMS.source)) == {URIRef(source)}
    assert not set(void.objects(iri, VOID.exampleResource))  # the only example is on another host
    jci = pattern(void, iri)
    assert jci.fullmatch(source.replace("wetten-acc.", "wetten."))
    assert jci.fullmatch("https://wetten.overheid.nl/jci1.3:c:BWBR0002747&artikel=27&hoofdstuk=IVA")
    assert not jci.fullmatch(source)
    assert not jci.fullmatch("https://wetten.overheid.nl/jci1.3:c:BWBR0002058&hoofdstuk=IVA")


def test_the_version_uri_pattern_is_plain_http_and_cites_the_package_page(void: Graph) -> None:
    iri = scheme(void, WETTEN, "toestand")
    assert void.value(iri, VOID.uriSpace) == Literal("http://wetten.overheid.nl/id/")
    assert pattern(void, iri).fullmatch("http://wetten.overheid.nl/id/BWBR0002058/2024-01-01/0")
    assert not pattern(void, iri).fullmatch("https://wetten.overheid.nl/id/BWBR0002058/2024-01-01/0")
    assert set(void.objects(iri, DCTERMS.source)) == {URIRef(NL_ELI_MCP)}


def test_the_eli_statement_is_a_note_of_the_bwb_dataset_that_names_its_third_party_source(void: Graph) -> None:
    notes = {note.language: str(note) for note in void.objects(WETTEN, SKOS.note)}
    assert set(notes) == {"nl", "en"}
    assert all("/eli/" in text and "nl-eli-mcp" in text for text in notes.values())
    assert "derde partij" in notes["nl"] and "third party" in notes["en"]
    assert (WETTEN, DCTERMS.source, URIRef(NL_ELI_MCP)) in void


def test_every_source_is_a_web_address_and_no_publisher_is_stated(void: Graph) -> None:
    schemes = {URIRef(f"{BASE}id/dataset/{s.target}/{s.key}") for s in SCHEMES} | {TOOI, WETTEN}
    sources = {o for s in schemes for o in void.objects(s, DCTERMS.source)}
    assert sources and all(str(o).startswith("https://") for o in sources)
    assert not any((s, DCTERMS.publisher, None) in void for s in schemes)  # the dossier names none


def test_a_target_with_schemes_is_described_without_links_and_one_without_is_not() -> None:
    ds = fixture_dataset()
    data = ds.graph(URIRef(graph_iri("data", BASE)))
    for triple in list(data.triples((None, OWL.sameAs, None))):
        data.remove(triple)
    void = describe(ds, fixture_facts())
    assert (TOOI, RDF.type, VOID.Dataset) in void and (TOOI, VOID.subset, URIRef(f"{TOOI}/gemeente")) in void
    assert (None, VOID.objectsTarget, TOOI) not in void
    assert (WIKIDATA, None, None) not in void
