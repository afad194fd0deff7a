"""The home page's story and the saved views (/views/) over the release built from the real sources:
HTML in both languages, CSV and JSON, checked against the facts of the dossier."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.app import create_app
from server.web.runner import pool_for

VIEWS = ("chairs", "council", "seats", "adviezen", "covenants")


@pytest.fixture(scope="module")
def client(settings: Settings, real_store: EmbeddedStore) -> Iterator[TestClient]:
    changed = settings.replace(base_iri=real_store.release.base_iri, query_workers=1)
    pool = pool_for(changed, real_store)
    with TestClient(create_app(changed, real_store, pool)) as test_client:
        yield test_client


def page(client: TestClient, path: str, lang: str = "nl") -> str:
    joined = f"{path}{'&' if '?' in path else '?'}lang={lang}"
    response = client.get(joined, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    return response.text


def visible(html: str) -> str:
    body = html.split("<main", 1)[1].split("</main>", 1)[0]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize(("lang", "objective", "levels"), [
    ("nl", "Brede welvaart bevorderen", ("Ondernemingsniveau", "Sectorniveau", "Nationaal niveau")),
    ("en", "Promoting broad prosperity", ("Company level", "Sector level", "National level")),
])
def test_home_page_tells_the_story_before_the_dataset(client: TestClient, lang: str, objective: str,
                                                      levels: tuple[str, ...]) -> None:
    html = page(client, "/", lang)
    text = visible(html)
    assert "Denkwerk voor Draagvlak door Dialoog" in text
    assert objective in text
    assert 'href="/doc/organisatie/ser"' in html
    assert 'href="/doc/organisatie/stichting-van-de-arbeid"' in html  # a body of national consultation
    assert 'href="/doc/wet/wet-op-de-ondernemingsraden"' in html  # the law under the works council
    places = [text.index(level) for level in levels]
    assert places == sorted(places), "the levels go from the company up to the nation"
    assert text.index(objective) < text.index(levels[0])
    assert ("Algemeen Werkloosheidsfonds" if lang == "nl" else "General Unemployment Fund") in text
    assert text.index(levels[-1]) < text.index("SPARQL"), "the dataset's facts come after the story"
    assert "https://data.ser.nl/id/" not in text, "names, never bare IRIs"


def test_home_page_offers_ways_in_by_topic(client: TestClient) -> None:
    html = page(client, "/", "en")
    for href in ("/views/council", "/views/chairs", "/views/seats", "/views/adviezen", "/views/covenants",
                 "/classes/ser:Akkoord", "/classes/foaf:Person", "/classes/eli:LegalResource"):
        assert f'href="{href}"' in html


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("name", VIEWS)
def test_every_view_is_a_page_without_bare_iris(client: TestClient, name: str, lang: str) -> None:
    html = page(client, f"/views/{name}", lang)
    assert f'<html lang="{lang}"' in html
    assert "https://data.ser.nl/id/" not in visible(html)
    assert f"/views/{name}?" in html and "format=csv" in html and "format=json" in html
    if name != "council":
        assert "<svg" in html and "<table" in html, "a chart with its numbers beside it"


def test_chairs_timeline_lists_quene_1985_to_1996(client: TestClient) -> None:
    text = visible(page(client, "/views/chairs", "en"))
    assert re.search(r"Theo Quené Chair 1985\u20131996", text)
    assert re.search(r"Mariëtte Hamer Chair 2014\u20132022", text)
    assert text.index("Theo Quené") < text.index("Mariëtte Hamer") < text.index("Kim Putters")


def test_a_chair_whose_term_ended_on_an_unknown_day_does_not_run_on_in_the_chart(client: TestClient) -> None:
    html = page(client, "/views/chairs", "en")
    stub = re.search(r'<rect [^>]*class="bar open"[^>]*>\s*<title>([^<]*)</title>', html)
    assert stub is not None and "de Vries" in stub.group(1) and "1950" in stub.group(1)
    assert html.count('class="bar running"') == 1  # Kim Putters only
    text = visible(html)
    assert "Gerard Marius Verrijn Stuart Chair dates unknown" in text
    assert text.index("Kim Putters") < text.index("Verrijn Stuart")  # no dates: after the dated terms


def test_chairs_as_csv_and_json(client: TestClient) -> None:
    response = client.get("/views/chairs", params={"format": "csv", "lang": "en"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    quene = next(r for r in rows if r["name"] == "Theo Quené")
    assert (quene["from"], quene["to"], quene["roleLabel"]) == ("1985", "1996-04-01", "Chair")
    answer = client.get("/views/chairs", headers={"Accept": "application/json"}, params={"lang": "nl"}).json()
    assert answer["view"] == "chairs" and answer["parameters"] == {"lang": "nl"}
    assert any(r["name"] == "Mariëtte Hamer" and r["roleLabel"] == "Voorzitter" for r in answer["rows"])


def test_the_council_on_1_june_2020_has_mariette_hamer_as_chair(client: TestClient) -> None:
    html = page(client, "/views/council?op=2020-06-01", "en")
    text = visible(html)
    assert "1 June 2020" in text
    chair = text.split("Chair", 1)[1].split("Deputy chairs", 1)[0]
    assert "Mariëtte Hamer" in chair and "Kim Putters" not in chair
    answer = client.get("/views/council", params={"op": "1990-06-01", "format": "json"}).json()
    assert answer["parameters"]["op"] == "1990-06-01"
    assert [r["name"] for r in answer["rows"] if r.get("post", "").endswith("/functie/voorzitter")] == ["Theo Quené"]


@pytest.mark.parametrize("query", ["op=2020-02-30", "op=20200601", "op=%3Cscript%3E", "op=2020-06-01&x=1",
                                   "lang=fr", "format=xml"])
def test_bad_parameters_are_400_naming_the_parameter(client: TestClient, query: str) -> None:
    response = client.get(f"/views/council?{query}")
    assert response.status_code == 400
    name = query.rsplit("&", 1)[-1].split("=", 1)[0]
    assert f"parameter '{name}'" in response.text
    assert response.headers["content-type"].startswith("text/plain")


def test_seats_per_organisation_and_per_group(client: TestClient) -> None:
    html = page(client, "/views/seats", "en")
    text = visible(html)
    for group in ("Employers", "Employees", "Crown members"):
        assert group in text
    assert "Vereniging VNO-NCW" in text and 'class="s0"' in html
    rows = list(csv.DictReader(io.StringIO(client.get("/views/seats", params={"format": "csv"}).text)))
    assert sum(int(r["seats"]) for r in rows if r["allocation"].endswith("/zetelverdeling/1980")) == 45
    assert not any("None" in value for r in rows for value in r.values())
    ended = {r["allocation"].rsplit("/", 1)[-1]: r["ended"] for r in rows}
    assert ended["1996"] == "true" and ended["2023"] == "false"


def test_seat_allocations_stand_in_the_order_of_time(client: TestClient) -> None:
    """Columns from 1980 on, the allocation whose start is unknown before the one that followed it, the
    1996 allocation ended on a day the sources do not give, and the undated one last."""
    header = page(client, "/views/seats", "en").split('<table class="view">', 2)[2].split("</tr>", 1)[0]
    periods = re.findall(r'<th scope="col" class="num"><a [^>]*>([^<]*)</a></th>', header)
    assert [p.replace("\N{EN DASH}", "/") for p in periods] == [
        "1980/1996", "1996/?", "?/2018", "2018/2020", "2020/2023", "2023/", "undated"]
    assert "?\N{EN DASH}?" not in visible(page(client, "/views/seats", "nl"))


def test_seats_no_one_organisation_holds_are_named_by_what_the_source_says(client: TestClient) -> None:
    text = visible(page(client, "/views/seats", "nl"))
    assert "Twee zetels voor de landbouworganisaties Werkgevers 2" in text
    assert "Werkgevers Werkgevers" not in text
    assert "Kroonleden Kroonleden 15 11 11 11 11 12 12" in text


def test_adviezen_per_year_and_the_table(client: TestClient) -> None:
    html = page(client, "/views/adviezen", "nl")
    assert 'id="reports"' in html and "<svg" in html
    rows = client.get("/views/adviezen", params={"format": "json"}).json()["rows"]
    assert len({r["report"] for r in rows}) == 45  # the undated briefadvies to informateur Schippers too
    assert {"year", "title"} <= set(rows[0])
    undated = rows[-1]  # an undated report comes last
    assert "year" not in undated and undated["report"].endswith("briefadvies-governance-energie-en-klimaatbeleid")
    assert html.count("<tr><td>") >= 45 + len({r["year"] for r in rows if r.get("year")})


def test_covenants_on_a_timeline(client: TestClient) -> None:
    text = visible(page(client, "/views/covenants", "en"))
    assert "Dutch Banking Sector Agreement" in text
    assert re.search("Agreement on Sustainable Garments and Textile 2016\u20132021", text)


def test_views_are_in_the_openapi_description(client: TestClient) -> None:
    paths = client.get("/-/openapi.json").json()["paths"]
    for name in VIEWS:
        assert f"/views/{name}" in paths
    assert any(p["name"] == "op" for p in paths["/views/council"]["get"]["parameters"])
