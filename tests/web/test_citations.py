"""How to cite a thing (server/web/linkeddata/citations.py): ``/cite/{path}`` as text, BibTeX and CSL-JSON,
with the release's DOI when one is configured, as of the current or an earlier release; the block on a
thing's page that shows it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.errors import SettingError
from server.settings import Settings
from server.settings import load as load_settings
from server.web.linkeddata import citations
from server.web.reloading import Served
from server.web.runner import open_release
from tests.web.test_release_history import NEW, OLD, make_release

PERSON = "id/persoon/kim-putters"
BIB = "application/x-bibtex"
CSL = "application/vnd.citationstyles.csl+json"


@pytest.fixture(scope="module")
def history(tiny_release_dir: Path, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Three releases, the newest served, two answerable, with a DOI per release."""
    root = tmp_path_factory.mktemp("cite")
    make_release(tiny_release_dir, root / "releases" / OLD, OLD, "2026-01-01T00:00:00+00:00")
    make_release(tiny_release_dir, root / "releases" / "2025-06-01.1", "2025-06-01.1", "2025-06-01T00:00:00+00:00")
    new = make_release(tiny_release_dir, root / "releases" / NEW, NEW, "2026-02-01T00:00:00+00:00")
    served = settings.replace(releases_dir=root / "releases", store_dir=root / "store", query_workers=1,
                              queryable_releases=2, release_doi="10.5281/ser-kg.{version}")
    opened = open_release(served, new)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def client(history: Served) -> Iterator[TestClient]:
    with TestClient(history.app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def plain(make_app: Callable[..., FastAPI]) -> Iterator[TestClient]:
    """The tiny release without a DOI setting."""
    with TestClient(make_app()) as test_client:
        yield test_client


def test_the_text_citation_names_the_thing_the_dataset_the_release_its_date_the_iri_and_the_doi(
        client: TestClient) -> None:
    english = client.get(f"/cite/{PERSON}", headers={"accept": "text/plain", "accept-language": "en"})
    assert english.status_code == 200 and english.headers["content-type"].startswith("text/plain")
    assert english.text.strip() == (f"Kim Putters. SER Linked Data, release {NEW} of 1 February 2026. "
                                    f"https://data.ser.nl/{PERSON}. DOI: 10.5281/ser-kg.{NEW}")
    dutch = client.get(f"/cite/{PERSON}?lang=nl", headers={"accept": "text/plain"})
    assert f"uitgave {NEW} van 1 februari 2026" in dutch.text


def test_without_a_doi_setting_no_citation_gives_a_doi(plain: TestClient) -> None:
    text = plain.get(f"/cite/{PERSON}", headers={"accept": "text/plain"}).text
    assert "Kim Putters" in text and "DOI" not in text
    assert "doi" not in parse_bibtex(plain.get(f"/cite/{PERSON}?format=bibtex").text)[2]
    assert "DOI" not in plain.get(f"/cite/{PERSON}?format=csl").json()[0]


def parse_bibtex(entry: str) -> tuple[str, str, dict[str, str]]:
    """A minimal BibTeX reader: the entry type, the key and the fields, braces balanced in each."""
    head = re.match(r"@(\w+)\{([^,\s]+),\n", entry)
    assert head is not None, entry
    assert entry.rstrip().endswith("}")
    fields: dict[str, str] = {}
    for line in entry[head.end():].rstrip().removesuffix("}").splitlines():
        name, _, value = line.strip().rstrip(",").partition(" = ")
        assert value.startswith("{") and value.endswith("}"), line
        depth = 0
        for char in re.sub(r"\\[{}]", "", value):
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, line
        assert depth == 0, line
        fields[name] = value[1:-1]
    return head.group(1), head.group(2), fields


def test_the_bibtex_entry_is_a_misc_with_a_stable_key_and_the_fields_of_a_citation(client: TestClient) -> None:
    response = client.get(f"/cite/{PERSON}", headers={"accept": BIB})
    assert response.headers["content-type"].startswith(BIB)
    kind, key, fields = parse_bibtex(response.text)
    assert (kind, key) == ("misc", f"ser-kg:persoon-kim-putters:{NEW}")
    assert client.get(f"/cite/{PERSON}?format=bibtex").text == response.text
    assert fields["title"] == "{Kim Putters}" and fields["year"] == "2026"
    assert fields["url"] == f"https://data.ser.nl/{PERSON}" and fields["doi"] == f"10.5281/ser-kg.{NEW}"
    assert NEW in fields["note"] and "SER Linked Data" in fields["note"]


@pytest.mark.parametrize(("raw", "written"), [
    ("R&D", r"R\&D"),
    ("100%", r"100\%"),
    ("a_b", r"a\_b"),
    ("$5 #1", r"\$5 \#1"),
    ("{x}", r"\textbraceleft{}x\textbraceright{}"),
    ("a\\b", r"a\textbackslash{}b"),
    ("~^", r"\textasciitilde{}\textasciicircum{}"),
])
def test_bibtex_special_characters_are_escaped(raw: str, written: str) -> None:
    assert citations.bibtex_escape(raw) == written


def test_a_name_with_special_characters_makes_an_entry_with_balanced_braces() -> None:
    found = citations.Citation("https://data.ser.nl/id/x/y_z", "id/x/y_z", "R&D {100%} _x_ \\", "1.0",
                               date(2026, 2, 1), "10.5281/a_b")
    kind, key, fields = parse_bibtex(citations.bibtex(found))
    assert kind == "misc" and key == "ser-kg:x-y-z:1.0"
    assert "&" not in fields["title"].replace(r"\&", "") and r"\%" in fields["title"]
    assert fields["doi"] == "10.5281/a_b"  # a verbatim field: read as written


@pytest.mark.parametrize(("raw", "written"), [
    ("10.5281/a_b&c#1", "10.5281/a_b&c#1"),
    ("10.5281/{x}", "10.5281/%7Bx%7D"),
    ("10.5281/a\\b%", "10.5281/a%5Cb%25"),
])
def test_a_verbatim_field_encodes_only_what_would_break_the_entry(raw: str, written: str) -> None:
    assert citations.bibtex_verbatim(raw) == written


def test_the_csl_json_is_one_dataset_item_with_the_required_fields(client: TestClient) -> None:
    response = client.get(f"/cite/{PERSON}", headers={"accept": CSL})
    assert response.headers["content-type"].startswith(CSL)
    [item] = json.loads(response.text)
    assert item["type"] == "dataset" and item["title"] == "Kim Putters"
    assert item["id"] == f"ser-kg:persoon-kim-putters:{NEW}" and item["URL"] == f"https://data.ser.nl/{PERSON}"
    assert item["version"] == NEW and item["issued"] == {"date-parts": [[2026, 2, 1]]}
    assert item["DOI"] == f"10.5281/ser-kg.{NEW}" and item["publisher"]


def test_a_citation_as_of_an_earlier_release_names_that_release_its_date_and_doi(client: TestClient) -> None:
    [item] = client.get(f"/cite/{PERSON}?release={OLD}&format=csl").json()
    assert item["version"] == OLD and item["issued"] == {"date-parts": [[2026, 1, 1]]}
    assert item["DOI"] == f"10.5281/ser-kg.{OLD}"
    text = client.get(f"/cite/{PERSON}?release={OLD}&lang=en", headers={"accept": "text/plain"}).text
    assert f"release {OLD} of 1 January 2026" in text


@pytest.mark.parametrize(("query", "status"), [
    ("release=2025-06-01.1", 410),  # past queryable_releases
    ("release=1999-01-01.1", 404),
    (f"release={'x' * 65}", 400),
    (f"release={OLD}&release={NEW}", 400),
    ("format=pdf", 400),
])
def test_a_release_or_format_that_cannot_be_answered_is_a_client_error(
        client: TestClient, query: str, status: int) -> None:
    response = client.get(f"/cite/{PERSON}?{query}")
    assert response.status_code == status
    assert ("release" if "release" in query else "format") in response.text


@pytest.mark.parametrize("path", ["id/persoon/nobody", "id/persoon", "elsewhere/x", "id/../etc/passwd"])
def test_a_thing_the_release_does_not_know_is_not_found(client: TestClient, path: str) -> None:
    assert client.get(f"/cite/{path}", headers={"accept": "text/plain"}).status_code == 404


def test_an_accept_header_no_form_satisfies_is_406(client: TestClient) -> None:
    assert client.get(f"/cite/{PERSON}", headers={"accept": "image/png"}).status_code == 406


@pytest.mark.parametrize("value", ["10.5281", "doi:10.5281/x", "10.12/x", "10.5281/a b", "https://doi.org/10.5281/x"])
def test_a_doi_setting_that_is_not_a_doi_is_refused_naming_the_setting(value: str) -> None:
    with pytest.raises(SettingError, match="SER_KG_RELEASE_DOI"):
        load_settings({"SER_KG_RELEASE_DOI": value})


def test_a_doi_setting_of_the_form_10_digits_suffix_is_taken() -> None:
    assert load_settings({"SER_KG_RELEASE_DOI": "10.5281/zenodo.123"}).release_doi == "10.5281/zenodo.123"


def test_a_things_page_shows_how_to_cite_it_as_of_the_release_it_shows(client: TestClient) -> None:
    dutch = client.get("/doc/persoon/kim-putters?lang=nl", headers={"accept": "text/html"})
    assert dutch.status_code == 200
    section = dutch.text[dutch.text.index('<section class="cite group">'):]
    section = section[:section.index("</section>")]
    assert "<h2>Citeer</h2>" in section
    assert f"Kim Putters. SER Linked Data, uitgave {NEW} van 1 februari 2026. https://data.ser.nl/{PERSON}." in section
    links = re.findall(r'<a href="([^"]+)" type="([^"]+)">([^<]+)</a>', section)
    assert [(label, media) for _, media, label in links] == [("BibTeX", BIB), ("CSL-JSON", CSL)]
    for href, media, _ in links:
        assert href.startswith(f"/cite/{PERSON}?release={NEW}&amp;format=")
        followed = client.get(href.replace("&amp;", "&"))
        assert followed.status_code == 200 and followed.headers["content-type"].startswith(media)
    english = client.get("/doc/persoon/kim-putters?lang=en", headers={"accept": "text/html"}).text
    assert "<h2>Cite this</h2>" in english and f"release {NEW} of 1 February 2026" in english



def test_an_ontology_term_is_cited_by_its_label(client: TestClient) -> None:
    [item] = client.get("/cite/def/Advies?format=csl&lang=en").json()
    assert item["URL"] == "https://data.ser.nl/def/Advies"
    assert item["title"] == "Advisory report"
    assert client.get("/cite/def/Advies?format=csl&lang=nl").json()[0]["title"] == "Advies"
    assert client.get("/cite/def/NoSuchTerm", headers={"accept": "text/plain"}).status_code == 404


def test_a_citation_has_a_validator_per_release_and_form_and_answers_304(client: TestClient) -> None:
    current = client.get(f"/cite/{PERSON}?format=bibtex")
    earlier = client.get(f"/cite/{PERSON}?format=bibtex&release={OLD}")
    csl = client.get(f"/cite/{PERSON}?format=csl")
    assert len({current.headers["etag"], earlier.headers["etag"], csl.headers["etag"]}) == 3
    again = client.get(f"/cite/{PERSON}?format=bibtex", headers={"if-none-match": current.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
