"""The SER's seed as structure, asked of the release built from the real sources: the objective and
its sub-aims apart from the older goals, the typed statements with their own sources, the three levels
of the consultation economy with their bodies and laws, and the names people use (data/README.md,
"The SER as structure")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from server.rdf.namespaces import sparql_prologue
from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.app import create_app

ID = "https://data.ser.nl/id/"


def rows(store: EmbeddedStore, query: str) -> list[dict[str, str]]:
    answer = store.select(sparql_prologue(store.release.base_iri) + query)
    return [{name: str(value) for name, value in row.items()} for row in answer]


def test_the_objective_and_its_two_sub_aims_are_resources_apart_from_the_older_goals(
        real_store: EmbeddedStore) -> None:
    aims = rows(real_store, """
        SELECT ?aim ?kind ?whole ?adopted WHERE {
          serid:organisatie\\/ser org:purpose ?aim . ?aim a ser:Doel ; ser:doelsoort/skos:notation ?kind .
          OPTIONAL { ?aim dct:isPartOf ?whole } OPTIONAL { ?aim dct:dateAccepted ?adopted }
        }""")
    by_kind: dict[str, list[dict[str, str]]] = {}
    for row in aims:
        by_kind.setdefault(row["kind"], []).append(row)
    (objective,) = by_kind["doelstelling"]
    assert objective["adopted"] == "2023-10"
    assert len(by_kind["subdoel"]) == 2
    assert {row["whole"] for row in by_kind["subdoel"]} == {objective["aim"]}
    assert len(by_kind["eerder-doel"]) == 3
    assert all("whole" not in row for row in by_kind["eerder-doel"])


def test_the_organisation_no_longer_carries_its_aims_and_motto_as_text(real_store: EmbeddedStore) -> None:
    assert rows(real_store, "SELECT ?p WHERE { ?s ?p ?o FILTER(?p IN (ser:doelstelling, ser:motto)) }") == []


@pytest.mark.parametrize(("kind", "refers_to"), [
    ("motto", None),
    ("onafhankelijkheid", None),
    ("wettelijke-status", f"{ID}wet/wet-op-de-ser"),
    ("financiering", f"{ID}financiering/awf"),
])
def test_each_statement_about_the_ser_is_typed_with_its_own_source(
        real_store: EmbeddedStore, kind: str, refers_to: str | None) -> None:
    found = rows(real_store, f"""
        SELECT ?s ?text ?source ?ref WHERE {{
          ?s a ser:Verklaring ; schema:about serid:organisatie\\/ser ;
             ser:verklaringsoort/skos:notation "{kind}" ; schema:text ?text ; dct:source ?source .
          FILTER(LANG(?text) = "nl")
          OPTIONAL {{ ?s dct:references ?ref }}
        }}""")
    assert len({row["s"] for row in found}) == 1
    assert all(row["source"].startswith("https://www.ser.nl/") for row in found)
    assert {row.get("ref") for row in found} == {refers_to}


def test_the_motto_is_a_statement(real_store: EmbeddedStore) -> None:
    assert rows(real_store, """
        SELECT ?motto WHERE { ?s ser:verklaringsoort/skos:notation "motto" ; schema:about serid:organisatie\\/ser ;
                                 schema:text ?motto }""") == [{"motto": "Denkwerk voor Draagvlak door Dialoog"}]


def test_the_awf_funding_names_its_fund_and_the_fund_its_law(real_store: EmbeddedStore) -> None:
    assert rows(real_store, """
        SELECT ?bwb WHERE { serid:organisatie\\/ser ser:gefinancierdDoor/ser:viaFonds ?fund .
                            ?fund skos:altLabel "Awf"@nl ; ser:wettelijkeGrondslag/eli:id_local ?bwb }
        """) == [{"bwb": "BWBR0017745"}]


def test_the_three_levels_each_link_their_forms_of_consultation_and_bodies(real_store: EmbeddedStore) -> None:
    found = rows(real_store, """
        SELECT ?level ?form ?body ?law WHERE {
          ?form a ser:Overlegvorm ; ser:overlegniveau/skos:notation ?level .
          OPTIONAL { ?form ser:overlegorgaan|ser:ondersteunendOrgaan ?body }
          OPTIONAL { ?form ser:wettelijkeGrondslag/eli:id_local ?law }
        }""")
    levels: dict[str, dict[str, set[str]]] = {}
    for row in found:
        level = levels.setdefault(row["level"], {"form": set(), "body": set(), "law": set()})
        for name in ("form", "body", "law"):
            if name in row:
                level[name].add(row[name])
    assert set(levels) == {"onderneming", "sector", "nationaal"}
    company, sector, national = levels["onderneming"], levels["sector"], levels["nationaal"]
    assert f"{ID}overlegvorm/ondernemingsraad" in company["form"]
    assert f"{ID}orgaan/commissie-bevordering-medezeggenschap" in company["body"]
    assert "BWBR0002747" in company["law"]  # WOR
    assert sector["law"] == {"BWBR0001937", "BWBR0001987", "BWBR0002698"}  # cao, AVV, loonvorming
    assert national["body"] == {f"{ID}organisatie/ser", f"{ID}organisatie/stichting-van-de-arbeid"}


def test_the_works_council_links_the_sers_tasks_for_it(real_store: EmbeddedStore) -> None:
    tasks = rows(real_store, """
        SELECT ?task WHERE { serid:overlegvorm\\/ondernemingsraad ser:ondersteunendeTaak ?task .
                             serid:organisatie\\/ser ser:taak ?task }""")
    assert {row["task"] for row in tasks} == {f"{ID}taak/bevorderen-medezeggenschap", f"{ID}taak/uitvoering-wor"}


def test_cao_negotiations_are_between_unions_and_employers_organisations(real_store: EmbeddedStore) -> None:
    kinds = rows(real_store, """
        SELECT ?kind WHERE { serid:overlegvorm\\/cao-overleg ser:partijsoort/skos:notation ?kind }""")
    assert {row["kind"] for row in kinds} == {"werknemersorganisatie", "werkgeversorganisatie"}


@pytest.fixture(scope="module")
def client(settings: Settings, real_store: EmbeddedStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings.replace(base_iri=real_store.release.base_iri), real_store)) as test_client:
        yield test_client


@pytest.mark.parametrize(("name", "expected"), [
    ("WOR", "wet/wet-op-de-ondernemingsraden"),
    ("Awf", "fonds/awf"),
    ("Labour Foundation", "organisatie/stichting-van-de-arbeid"),
    ("bankenconvenant", "convenant/bancaire-sector"),
    ("Wet AVV", "wet/wet-avv"),
    ("works council", "overlegvorm/ondernemingsraad"),
    ("Socio-economic policy 2021-2025", "advies/2021-zekerheid-voor-mensen"),
    ("SER Aruba", "organisatie/ser-aruba"),
    ("SEAN", "organisatie/ser-noord-nederland"),
    ("Kroonledenoverleg", "orgaan/kroonledenoverleg"),
])
def test_search_and_reconciliation_find_the_names_people_use(client: TestClient, name: str, expected: str) -> None:
    results = client.get("/search", params={"q": name, "format": "json"}).json()["results"]
    assert results and results[0]["id"] == ID + expected
    answer = client.post("/reconcile", data={"queries": f'{{"q": {{"query": "{name}", "limit": 3}}}}'}).json()
    assert answer["q"]["result"][0]["id"] == expected  # reconciliation ids are type/key


def test_a_hidden_name_is_found_but_not_shown_as_a_name(real_store: EmbeddedStore) -> None:
    assert rows(real_store, """
        SELECT ?p WHERE { serid:convenant\\/bancaire-sector ?p "Bankenconvenant"@nl }""") == [
        {"p": "http://www.w3.org/2004/02/skos/core#hiddenLabel"}]
