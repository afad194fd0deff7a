"""A real linked-data client follows our URIs: rdflib sends its Accept header, follows the 303 and
parses the description. The server runs on loopback in a thread; nothing leaves the machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from tests.web.test_resources import BASE, RAAD, SER, LdSite, live_server, open_site

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site: LdSite = open_site(tmp_path_factory.mktemp("client"))
    with live_server(site.app) as url:
        yield url
    site.close()


def test_rdflib_follows_the_303_and_reads_the_description(base_url: str) -> None:
    graph = Graph().parse(f"{base_url}/id/orgaan/raad")
    assert (RAAD, SKOS.prefLabel, Literal("Raad", lang="nl")) in graph
    assert (RAAD, URIRef("http://www.w3.org/ns/org#unitOf"), SER) in graph
    assert (SER, SKOS.prefLabel, Literal("Social and Economic Council", lang="en")) in graph
    assert (RAAD, DCTERMS.source, URIRef("https://www.ser.nl/nl/ser/over-de-ser/raad")) in graph
    # The triples speak of the production IRIs, not of the loopback address that served them.
    assert not any("127.0.0.1" in str(term) for triple in graph for term in triple)


@pytest.mark.parametrize("fmt", ["turtle", "xml", "nt"])
def test_rdflib_gets_the_same_triples_whatever_format_it_asks_for(base_url: str, fmt: str) -> None:
    graph = Graph().parse(f"{base_url}/id/organisatie/ser", format=fmt)
    assert (SER, SKOS.altLabel, Literal("SER", lang="nl")) in graph


def test_rdflib_follows_an_ontology_term_to_the_ontology(base_url: str) -> None:
    graph = Graph().parse(f"{base_url}/def/Advies")
    assert (URIRef(BASE + "def/Advies"), RDFS.label, Literal("Advies", lang="nl")) in graph


def test_rdflib_follows_a_retired_iri_to_its_successor(base_url: str) -> None:
    graph = Graph().parse(f"{base_url}/id/organisatie/oude-naam")
    assert (SER, SKOS.prefLabel, Literal("Sociaal-Economische Raad", lang="nl")) in graph
