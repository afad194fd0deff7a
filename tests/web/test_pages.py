"""HTML pages: escaping, language switching, grouping and labels, dates, JSON-LD, home and class indexes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.web.test_resources import CURRENT, LdSite, open_site

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines

MARKUP_LABEL = "<script>alert('x')</script> & <b>vet</b>"


@pytest.fixture(scope="module")
def ld(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LdSite]:
    site = open_site(tmp_path_factory.mktemp("pages"))
    yield site
    site.close()


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LdSite]:
    """The same site with two things to a page of a class index."""
    site = open_site(tmp_path_factory.mktemp("paged"), class_page_size=2)
    yield site
    site.close()


@pytest.fixture
def fresh(ld: LdSite) -> Iterator[TestClient]:
    """A client with an empty cookie jar, for the tests whose language choice must not leak."""
    with TestClient(ld.app, follow_redirects=False) as client:
        yield client


def html(client: TestClient, path: str, lang: str | None = None) -> str:
    headers = {"Accept": "text/html"}
    if lang:
        headers["Accept-Language"] = lang
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def json_ld(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_label_with_markup_stays_text_everywhere_on_the_page(ld: LdSite) -> None:
    page = html(ld.client, "/doc/advies/markup")
    assert "<script>alert" not in page
    assert "<b>vet</b>" not in page
    assert "<title>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;vet&lt;/b&gt; ·" in page
    assert "<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;vet&lt;/b&gt;</h1>" in page
    # The only inline script is the JSON-LD block (others load files); the label cannot close it.
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert inline == ['<script type="application/ld+json">']
    assert page.count("</script>") == page.count("<script")
    assert json_ld(page)["name"] == MARKUP_LABEL
    assert json_ld(page)["description"] == "Een omschrijving met </script> erin."


def test_label_with_markup_stays_text_in_class_index(ld: LdSite) -> None:
    page = html(ld.client, "/classes/ser:Advies")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_page_title_is_the_label_in_the_reader_language(ld: LdSite) -> None:
    assert "<title>Social and Economic Council ·" in html(ld.client, "/doc/organisatie/ser", "en")
    assert "<title>Sociaal-Economische Raad ·" in html(ld.client, "/doc/organisatie/ser", "nl")
    # no English label: fall back to Dutch
    assert "<title>Energieakkoord voor duurzame groei ·" in html(ld.client, "/doc/advies/energie-2013", "en")


@pytest.mark.parametrize(("accept_language", "lang"), [
    ("en", "en"), ("en-GB,en;q=0.9", "en"), ("nl-NL", "nl"), ("fr, en;q=0.5", "en"), ("de", "nl"), (None, "nl"),
    ("en;q=0.4, nl;q=0.8", "nl"),
])
def test_language_follows_accept_language(fresh: TestClient, accept_language: str | None, lang: str) -> None:
    page = html(fresh, "/", accept_language)
    assert f'<html lang="{lang}">' in page
    word = "What the dataset holds" if lang == "en" else "Wat de dataset bevat"
    assert word in page


def test_language_switch_sticks_through_a_cookie(fresh: TestClient) -> None:
    switched = fresh.get("/doc/organisatie/ser?lang=en", headers={"Accept": "text/html", "Accept-Language": "nl"})
    assert '<html lang="en">' in switched.text
    assert "lang=en" in switched.headers["set-cookie"]
    later = fresh.get("/doc/orgaan/raad", headers={"Accept": "text/html", "Accept-Language": "nl"})
    assert '<html lang="en">' in later.text
    assert "<title>Council ·" in later.text
    back = fresh.get("/doc/orgaan/raad?lang=nl", headers={"Accept": "text/html"})
    assert '<html lang="nl">' in back.text
    assert '<html lang="nl">' in fresh.get("/", headers={"Accept": "text/html"}).text


def test_page_links_to_the_other_language_keeping_its_parameters(paged: LdSite) -> None:
    with TestClient(paged.app, follow_redirects=False) as fresh:
        page = html(fresh, "/classes/ser:Advies?page=2", "en")
    assert 'href="/classes/ser:Advies?page=2&amp;lang=nl"' in page
    assert ">Nederlands</a>" in page


def test_html_varies_on_language_and_has_one_etag_per_language(ld: LdSite) -> None:
    english = ld.client.get("/", headers={"Accept-Language": "en"})
    dutch = ld.client.get("/", headers={"Accept-Language": "nl"})
    assert "Accept-Language" in english.headers["vary"] and "Cookie" in english.headers["vary"]
    assert english.headers["etag"] != dutch.headers["etag"]
    assert english.headers["content-language"] == "en"
    again = ld.client.get("/", headers={"Accept-Language": "en", "If-None-Match": english.headers["etag"]})
    assert again.status_code == 304
    other = ld.client.get("/", headers={"Accept-Language": "nl", "If-None-Match": english.headers["etag"]})
    assert other.status_code == 200


def test_properties_are_grouped_and_named_with_the_ontology_labels(ld: LdSite) -> None:
    page = html(ld.client, "/doc/orgaan/raad", "en")
    sections = re.findall(r'<section class="group group-(\w+)">\s*<h2>([^<]+)</h2>', page)
    assert sections == [("names", "Names and description"), ("links", "Relations"), ("sources", "Sources"),
                        ("incoming", "Referred to by")]
    assert ">unit of</a>" in page
    assert ">prepared by</a>" in page  # incoming, named by the ontology
    dutch = html(ld.client, "/doc/orgaan/raad", "nl")
    assert ">onderdeel van</a>" in dutch and ">voorbereid door</a>" in dutch
    assert "<h2>Verwijzingen naar deze pagina</h2>" in dutch


def test_links_go_both_ways_to_local_documents(ld: LdSite) -> None:
    raad = html(ld.client, "/doc/orgaan/raad", "en")
    assert '<a href="/doc/organisatie/ser" title="https://data.ser.nl/id/organisatie/ser">Social and Economic ' \
           'Council</a>' in raad
    assert '<a href="/doc/advies/energie-2013"' in raad  # incoming
    ser = html(ld.client, "/doc/organisatie/ser", "en")
    assert '<a href="/doc/orgaan/raad"' in ser


def test_types_and_sources_are_shown(ld: LdSite) -> None:
    page = html(ld.client, "/doc/organisatie/ser", "en")
    assert '<a href="/classes/org:FormalOrganization"' in page and ">Organisation</a>" in page
    assert 'href="https://www.ser.nl/nl/ser/over-de-ser"' in page
    assert '<section class="group group-sources">' in page


@pytest.mark.parametrize(("lang", "text"), [("en", "SER: Page on what the SER is"),
                                             ("nl", "SER: Pagina over wat de SER is")])
def test_a_described_source_is_linked_by_its_label_in_the_reader_language(ld: LdSite, lang: str, text: str) -> None:
    page = html(ld.client, "/doc/organisatie/ser", lang)
    assert (f'<a href="https://www.ser.nl/nl/ser/over-de-ser" title="https://www.ser.nl/nl/ser/over-de-ser">{text}</a>'
            in page)


def test_an_undescribed_source_is_linked_by_its_url_and_named_by_its_host_and_page(ld: LdSite) -> None:
    page = html(ld.client, "/doc/orgaan/raad", "en")
    url = "https://www.ser.nl/nl/ser/over-de-ser/raad"
    assert f'<a href="{url}" title="{url}">ser.nl: raad</a>' in page


def test_a_source_label_with_markup_is_escaped_in_its_link(ld: LdSite) -> None:
    page = html(ld.client, "/doc/advies/markup", "nl")
    assert ">Voorbeeld: &lt;b&gt;vet&lt;/b&gt; &amp; &lt;/a&gt;&lt;script&gt;x&lt;/script&gt;</a>" in page
    assert "<script>x</script>" not in page


FACT_SOURCE = ('<small class="fact-source">(<a href="https://www.ser.nl/nl/ser/over-de-ser" '
               'title="https://www.ser.nl/nl/ser/over-de-ser">{}</a>)</small>')


@pytest.mark.parametrize(("lang", "text"), [("en", "SER: Page on what the SER is"),
                                             ("nl", "SER: Pagina over wat de SER is")])
def test_a_fact_with_its_own_source_shows_the_source_label_beside_it(ld: LdSite, lang: str, text: str) -> None:
    page = html(ld.client, "/doc/organisatie/ser", lang)
    website = '<a href="https://www.ser.nl/" title="https://www.ser.nl/">ser.nl</a>'
    assert f"<td>{website} {FACT_SOURCE.format(text)}</td>" in page
    assert page.count('class="fact-source"') == 1, "only the website has a source of its own"
    assert "<td>1950</td>" in page, "a fact without a source of its own has none beside it"


def test_a_fact_source_with_markup_in_its_label_is_escaped(ld: LdSite) -> None:
    page = html(ld.client, "/doc/advies/markup", "nl")
    assert ('(<a href="https://example.org/bron?a=1&amp;b=2" title="https://example.org/bron?a=1&amp;b=2">'
            "Voorbeeld: &lt;b&gt;vet&lt;/b&gt; &amp; &lt;/a&gt;&lt;script&gt;x&lt;/script&gt;</a>)</small>") in page
    assert "<script>x</script>" not in page


def test_statements_about_a_thing_are_not_listed_as_links_to_it(ld: LdSite) -> None:
    page = html(ld.client, "/doc/organisatie/ser", "en")
    assert "#bron-website" not in page
    assert "rdf:subject" not in page and ">subject<" not in page


@pytest.mark.parametrize(("path", "lang", "text"), [
    ("/doc/advies/energie-2013", "nl", "6 september 2013"),
    ("/doc/advies/energie-2013", "en", "6 September 2013"),
    ("/doc/advies/markup", "nl", "maart 2020"),
    ("/doc/organisatie/ser", "en", "<td>1950</td>"),
])
def test_dates_are_written_for_people(ld: LdSite, path: str, lang: str, text: str) -> None:
    assert text in html(ld.client, path, lang)


def test_descriptions_show_in_the_reader_language_only(ld: LdSite) -> None:
    page = html(ld.client, "/doc/organisatie/ser", "en")
    assert "Advisory council of employers" in page
    assert "Adviesorgaan van werkgevers" not in page
    # names are shown in every language
    assert "Sociaal-Economische Raad" in page


def test_entity_page_embeds_schema_org_json_ld(ld: LdSite) -> None:
    data = json_ld(html(ld.client, "/doc/organisatie/ser", "en"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "GovernmentOrganization"
    assert data["@id"] == "https://data.ser.nl/id/organisatie/ser"
    assert data["name"] == "Social and Economic Council"
    assert data["foundingDate"] == "1950"
    assert data["sameAs"] == ["https://www.ser.nl/"]


def test_home_page_shows_counts_release_and_entrances(ld: LdSite) -> None:
    page = html(ld.client, "/", "en")
    assert re.search(r'<a href="/classes/ser:Advies">Advisory report</a>.*?<td class="num">3</td>', page)
    assert CURRENT in page
    assert "2 January 2026" in page
    for href in ("/sparql", "/downloads/", "/catalog", "/.well-known/void", "/doc/def/ser"):
        assert f'href="{href}"' in page


def test_class_index_pages_through_the_instances(paged: LdSite) -> None:
    first = html(paged.client, "/classes/ser:Advies", "en")
    assert "Page 1 of 2" in first
    assert 'href="/doc/advies/energie-2013"' in first and 'href="/doc/advies/markup"' in first
    assert 'href="/doc/advies/zonder-naam"' not in first
    assert 'rel="next" href="?page=2"' in first
    second = html(paged.client, "/classes/ser:Advies?page=2", "en")
    assert 'href="/doc/advies/zonder-naam"' in second and 'rel="prev" href="?page=1"' in second
    assert second.count('<th scope="row">') == 1
    filtered = html(paged.client, "/classes/ser:Advies?q=zonder", "en")
    assert 'href="/doc/advies/zonder-naam"' in filtered and 'href="/doc/advies/markup"' not in filtered
    assert "1 items" in filtered
    assert paged.client.get("/classes/ser:Advies?page=3").status_code == 404


@pytest.mark.parametrize("path", ["/classes/ser:Onbekend", "/classes/nope:Advies", "/classes/ser:Advies?page=x",
                                  "/classes/ser:Advies?page=0", "/classes/Advies"])
def test_class_index_of_unknown_class_or_page_is_404(ld: LdSite, path: str) -> None:
    assert ld.client.get(path).status_code == 404


def test_stylesheet_is_served_locally(ld: LdSite) -> None:
    response = ld.client.get("/static/ld.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "http" not in response.text  # no external assets


def test_home_page_embeds_the_dataset_for_search_engines(ld: LdSite) -> None:
    data = json_ld(html(ld.client, "/", "en"))
    assert data["@type"] == "Dataset"
    assert data["license"] == "http://creativecommons.org/publicdomain/zero/1.0/"
    downloads = data["distribution"]
    assert isinstance(downloads, list)
    assert {"@type": "DataDownload", "name": "ser.nq", "encodingFormat": "application/n-quads",
            "contentUrl": f"https://data.ser.nl/downloads/{CURRENT}/ser.nq"} in downloads


def test_the_rdf_of_a_document_carries_the_statements_about_its_facts(ld: LdSite) -> None:
    response = ld.client.get("/doc/organisatie/ser.nt")
    assert response.status_code == 200
    statement = "<https://data.ser.nl/id/organisatie/ser#bron-website-0a1b2c3d>"
    lines = {line for line in response.text.splitlines() if line.startswith(statement)}
    assert f"{statement} <http://purl.org/dc/terms/source> <https://www.ser.nl/nl/ser/over-de-ser> ." in lines
    assert f"{statement} <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> <https://www.ser.nl/> ." in lines
    assert len(lines) == 7, sorted(lines)  # type, two labels, subject, predicate, object, source


def test_statements_about_single_facts_are_not_offered_by_search(ld: LdSite) -> None:
    response = ld.client.get("/search", params={"q": "Source of website in organisatie ser", "format": "json"})
    assert response.status_code == 200
    ids = [str(r["id"]) for r in response.json()["results"]]
    assert "https://data.ser.nl/id/organisatie/ser" in ids  # the search itself finds things
    assert not [i for i in ids if "#bron-" in i]
