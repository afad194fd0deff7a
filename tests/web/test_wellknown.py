"""Dataset metadata: /.well-known/void and /catalog (negotiated), sitemap.xml and robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from types import SimpleNamespace
from typing import cast

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, VOID

from server.web.caching import code_version
from server.web.metadata.wellknown import cited_names
from server.web.site import Site
from tests.web.test_resources import CURRENT, FIXTURE, LdSite, open_site

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines

RDFLIB_JSONLD = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def ld(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LdSite]:
    site = open_site(tmp_path_factory.mktemp("wellknown"))
    yield site
    site.close()


FORMATS = [("text/turtle", "turtle"), pytest.param("application/ld+json", "json-ld", marks=RDFLIB_JSONLD),
           ("application/n-triples", "nt"), ("application/rdf+xml", "xml")]


@pytest.mark.parametrize(("path", "file"), [("/.well-known/void", "void.ttl"), ("/catalog", "catalog.ttl")])
@pytest.mark.parametrize(("accept", "fmt"), FORMATS)
def test_metadata_is_served_in_every_rdf_format(ld: LdSite, path: str, file: str, accept: str, fmt: str) -> None:
    response = ld.client.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert "Accept" in response.headers["vary"]
    served = Graph().parse(data=response.content, format=fmt)
    assert isomorphic(served, Graph().parse(FIXTURE / file, format="turtle"))


def test_void_describes_the_dataset(ld: LdSite) -> None:
    graph = Graph().parse(data=ld.client.get("/.well-known/void", headers={"Accept": "text/turtle"}).content,
                          format="turtle")
    assert (URIRef("https://data.ser.nl/id/dataset/ser"), RDF.type, VOID.Dataset) in graph


def test_catalog_is_shown_as_a_page_to_browsers(ld: LdSite) -> None:
    response = ld.client.get("/catalog", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 200
    assert "<h1>Catalogue</h1>" in response.text
    assert "Catalogue of SER Linked Data" in response.text
    assert 'href="/catalog?format=turtle"' in response.text


def test_catalog_page_opens_with_the_dataset_card_and_the_dataset_first(ld: LdSite) -> None:
    page = ld.client.get("/catalog", headers={"Accept": "text/html", "Accept-Language": "nl"}).text
    card = page[page.index('<section class="card"'):page.index("</section>")]
    assert '<h2 id="card-title">SER Linked Data</h2>' in card
    assert "<dt>Licentie</dt>" in card and "http://creativecommons.org/publicdomain/zero/1.0/" in card
    # The sections after the card: the dataset before the catalogue, which sorts after it by IRI.
    assert page.index('<code>https://data.ser.nl/id/dataset/ser</code>') < page.index(
        '<code>https://data.ser.nl/id/catalogus/ser</code>')


def test_format_parameter_overrides_accept(ld: LdSite) -> None:
    response = ld.client.get("/catalog?format=turtle", headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    assert (None, RDF.type, DCAT.Catalog) in graph


def test_metadata_has_release_validators(ld: LdSite) -> None:
    first = ld.client.get("/catalog", headers={"Accept": "text/turtle"})
    assert first.headers["etag"] == f'"{CURRENT}-{code_version()}-turtle"'
    again = ld.client.get("/catalog", headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_unacceptable_metadata_format_is_406(ld: LdSite) -> None:
    assert ld.client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406


def test_sitemap_lists_pages_under_the_production_base(ld: LdSite) -> None:
    response = ld.client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring(response.content)
    locs = [e.text for e in root.findall("s:url/s:loc", ns)]
    assert "https://data.ser.nl/" in locs
    assert "https://data.ser.nl/doc/organisatie/ser" in locs
    assert "https://data.ser.nl/classes/ser:Advies" in locs
    assert "https://data.ser.nl/doc/organisatie/oude-naam" not in locs  # retired: not a page to index
    assert {e.text for e in root.findall("s:url/s:lastmod", ns)} == {"2026-01-02"}
    assert ld.client.get("/sitemap.xml", headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def test_robots_points_to_the_sitemap_and_keeps_crawlers_off_sparql(ld: LdSite) -> None:
    text = ld.client.get("/robots.txt").text
    assert "Sitemap: https://data.ser.nl/sitemap.xml" in text
    assert "Disallow: /sparql" in text


def test_a_cited_source_is_named_as_the_data_graph_names_it_unless_the_file_names_it(ld: LdSite) -> None:
    site = cast(Site, SimpleNamespace(store=ld.store, base="https://data.ser.nl/"))
    scheme = URIRef("https://data.ser.nl/id/dataset/tooi/oorg")
    named, unnamed, own = (URIRef("https://www.ser.nl/nl/ser/over-de-ser"), URIRef("https://example.org/nergens"),
                           URIRef("https://example.org/eigen"))
    graph = Graph()
    for source in (named, unnamed, own, URIRef("https://example.org/a>b")):  # the last is not writable in a query
        graph.add((scheme, DCTERMS.source, source))
    graph.add((own, RDFS.label, Literal("Eigen naam")))
    names = cited_names(graph, site)
    assert set(names) == {named}
    assert sorted(str(label) for _p, label in names[named]) == ["SER: Page on what the SER is",
                                                                "SER: Pagina over wat de SER is"]
    assert cited_names(Graph(), site) == {}
