"""A reconciliation client against /reconcile on the tiny release, checked with the spec's JSON schemas.

The client does what OpenRefine does: read the manifest, send query batches (by POST and by GET),
follow the suggest, preview and view URLs the manifest gives, propose properties and extend. Every
request it sends and every answer it gets is validated against the Reconciliation Service API v0.2
JSON schemas (tests/fixtures/reconciliation/).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from server.web.caching import code_version
from server.web.search.reconciliation import BATCH_SIZE

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "reconciliation"
BASE = "https://data.ser.nl/"
# Entity ids are in the identifier space {BASE}id/ (the manifest's identifierSpace): the IRI without it.
SER = "organisatie/ser"
FNV = "organisatie/fnv"
HAMER = "persoon/mariette-hamer"
PUTTERS = "persoon/kim-putters"
GOUD = "convenant/verantwoord-goud"
ORG = "http://www.w3.org/ns/org#FormalOrganization"
PERSON = "http://xmlns.com/foaf/0.1/Person"


def valid(schema: str, instance: Any) -> Any:
    document = json.loads((SCHEMAS / f"{schema}.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(document)
    errors = sorted(Draft202012Validator(document).iter_errors(instance), key=str)
    assert errors == [], f"{schema}: {errors[0].message} at {list(errors[0].absolute_path)}"
    return instance


@pytest.fixture
def manifest(client: TestClient) -> dict[str, Any]:
    response = client.get("/reconcile")
    assert response.status_code == 200
    return valid("manifest", response.json())  # type: ignore[no-any-return]


def reconcile(client: TestClient, queries: dict[str, Any], method: str = "POST") -> dict[str, Any]:
    valid("reconciliation-query-batch", queries)
    if method == "POST":
        response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    else:
        response = client.get("/reconcile", params={"queries": json.dumps(queries)})
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    return valid("reconciliation-result-batch", response.json())  # type: ignore[no-any-return]


def service_url(manifest: dict[str, Any], kind: str) -> str:
    service = manifest["suggest"][kind]
    return str(service["service_url"] + service["service_path"]).removeprefix(BASE.rstrip("/"))


def template(url: str, identifier: str) -> str:
    return url.replace("{{id}}", identifier).removeprefix(BASE.rstrip("/"))


def test_the_manifest_names_the_spaces_types_and_services(manifest: dict[str, Any]) -> None:
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == f"{BASE}id/"
    assert manifest["batchSize"] == BATCH_SIZE
    assert {ORG, PERSON, f"{BASE}def/Advies"} <= {t["id"] for t in manifest["defaultTypes"]}
    assert next(t for t in manifest["defaultTypes"] if t["id"] == f"{BASE}def/Advies")["name"] == "Advies"
    assert set(manifest["suggest"]) == {"entity", "type", "property"}
    assert "{{id}}" in manifest["preview"]["url"] and "{{id}}" in manifest["view"]["url"]


def test_the_manifest_carries_the_release_validators_and_answers_304(client: TestClient) -> None:
    first = client.get("/reconcile")
    assert first.headers["etag"].startswith(f'"0.0.0-fixture-{code_version()}-manifest-')
    assert first.headers["last-modified"] == "Thu, 01 Jan 2026 00:00:00 GMT"
    again = client.get("/reconcile", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_a_batch_returns_scored_candidates_with_a_sure_match_only_when_clear(client: TestClient) -> None:
    results = reconcile(client, {
        "q0": {"query": "SER"},
        "q1": {"query": "sociaal economische raad"},
        "q2": {"query": "Social and Economic Council"},
        "q3": {"query": "Raad van State"},
        "q4": {"query": "Mariette Hamer", "limit": 1},
    })
    assert results["q0"]["result"][0]["id"] == SER and results["q0"]["result"][0]["match"] is True
    assert results["q0"]["result"][0]["name"] == "Sociaal-Economische Raad"
    assert results["q1"]["result"][0]["id"] == SER and results["q1"]["result"][0]["score"] == 100
    assert results["q2"]["result"][0]["id"] == SER
    assert all(not c["match"] for c in results["q3"]["result"])
    assert [c["id"] for c in results["q4"]["result"]] == [HAMER]
    scores = [c["score"] for c in results["q0"]["result"]]
    assert scores == sorted(scores, reverse=True)
    features = {f["id"]: f["value"] for f in results["q0"]["result"][0]["features"]}
    assert features == {"name": 1.0, "name_exact": True}


def test_get_and_post_give_the_same_answer(client: TestClient) -> None:
    queries = {"a": {"query": "FNV"}, "b": {"query": "Kim Putters"}}
    assert reconcile(client, queries, "GET") == reconcile(client, queries, "POST")


def test_an_identifier_as_query_finds_that_thing(client: TestClient) -> None:
    results = reconcile(client, {"iri": {"query": f"{BASE}id/{FNV}"}, "path": {"query": FNV}})
    for key in ("iri", "path"):
        assert results[key]["result"][0]["id"] == FNV and results[key]["result"][0]["match"] is True


def test_a_type_constraint_keeps_only_things_of_that_type_or_a_subtype(client: TestClient) -> None:
    results = reconcile(client, {
        "person": {"query": "SER", "type": PERSON},
        "curie": {"query": "SER", "type": ["org:FormalOrganization"]},
        "broader": {"query": "SER", "type": "org:Organization"},
    })
    assert SER not in {c["id"] for c in results["person"]["result"]}
    assert results["curie"]["result"][0]["id"] == SER
    assert results["broader"]["result"][0]["id"] == SER
    assert all(t["id"] == ORG for c in results["curie"]["result"] for t in c["type"])


def test_property_constraints_raise_matching_candidates_and_lower_the_others(client: TestClient) -> None:
    party = "ser:politiekePartij"
    results = reconcile(client, {
        "agrees": {"query": "Mariëtte Hamer", "properties": [{"pid": party, "v": "PvdA"}]},
        "disagrees": {"query": "Mariëtte Hamer", "properties": [{"pid": party, "v": "VVD"}]},
        "entity": {"query": "Convenant Verantwoord Goud", "properties": [
            {"pid": f"{BASE}def/gefaciliteerdDoor", "v": {"id": SER}}]},
        "by_name": {"query": "Verantwoord Goud", "properties": [{"pid": "ser:gefaciliteerdDoor", "v": "SER"}]},
        "year": {"query": "Verantwoord Goud", "properties": [{"pid": "ser:ondertekendOp", "v": "2017"}]},
        "only": {"properties": [{"pid": party, "v": ["PvdA", "CDA"]}], "type": PERSON},
    })
    agrees, disagrees = results["agrees"]["result"][0], results["disagrees"]["result"][0]
    assert agrees["id"] == disagrees["id"] == HAMER
    assert agrees["match"] is True and disagrees["match"] is False and agrees["score"] > disagrees["score"]
    assert {"id": f"property:{BASE}def/politiekePartij", "value": False} in disagrees["features"]
    for key in ("entity", "by_name", "year"):
        assert results[key]["result"][0]["id"] == GOUD
        assert results[key]["result"][0]["features"][-1]["value"] is True, key
    assert {c["id"] for c in results["only"]["result"]} == {HAMER, PUTTERS}


def test_suggest_services_complete_entities_types_and_properties(client: TestClient, manifest: dict[str, Any]) -> None:
    entities = client.get(service_url(manifest, "entity"), params={"prefix": "Sociaal-Econ"}).json()
    assert valid("suggest-entities-response", entities)["result"][0]["id"] == SER
    assert entities["result"][0]["notable"] == [{"id": ORG, "name": "Formal Organization"}]  # no label: its local name
    page_two = client.get(service_url(manifest, "entity"), params={"prefix": "Sociaal-Econ", "cursor": "1"}).json()
    assert page_two["result"] == entities["result"][1:]
    types = client.get(service_url(manifest, "type"), params={"prefix": "advi"}).json()
    assert valid("suggest-types-response", types)["result"][0]["id"] == f"{BASE}def/Advies"
    properties = client.get(service_url(manifest, "property"), params={"prefix": "ondertekend"}).json()
    assert valid("suggest-properties-response", properties)["result"][0] == {
        "id": f"{BASE}def/ondertekendOp", "name": "ondertekend op"}


def test_the_preview_is_a_small_escaped_html_page(client: TestClient, manifest: dict[str, Any]) -> None:
    response = client.get(template(manifest["preview"]["url"], quote(HAMER, safe="")))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1><a href=\"/doc/persoon/mariette-hamer\"" in response.text and "Mariëtte Hamer" in response.text
    assert client.get("/reconcile/preview", params={"id": "<script>"}).status_code == 404


def test_the_view_url_leads_to_the_document(client: TestClient, manifest: dict[str, Any]) -> None:
    response = client.get(template(manifest["view"]["url"], quote(SER, safe="")),
                          follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/organisatie/ser"


def test_data_extension_proposes_properties_and_returns_typed_cells(client: TestClient,
                                                                    manifest: dict[str, Any]) -> None:
    propose = manifest["extend"]["propose_properties"]
    url = (propose["service_url"] + propose["service_path"]).removeprefix(BASE.rstrip("/"))
    proposed = valid("propose-properties-response", client.get(url, params={"type": "ser:IMVOConvenant"}).json())
    assert f"{BASE}def/ondertekendOp" in {p["id"] for p in proposed["properties"]}
    query = {"ids": [GOUD, "organisatie/ser", f"{BASE}id/unknown/thing"], "properties": [
        {"id": "ser:ondertekendOp"}, {"id": f"{BASE}def/gefaciliteerdDoor"}, {"id": "skos:prefLabel"}]}
    response = client.post("/reconcile", data={"extend": json.dumps(valid("data-extension-query", query))})
    body = valid("data-extension-response", response.json())
    assert body["meta"][0] == {"id": "ser:ondertekendOp", "name": "ondertekend op"}
    assert body["rows"][GOUD]["ser:ondertekendOp"] == [{"date": "2017-06-19T00:00:00Z"}]
    assert body["rows"][GOUD][f"{BASE}def/gefaciliteerdDoor"] == [{"id": SER, "name": "Sociaal-Economische Raad"}]
    assert body["rows"]["organisatie/ser"]["skos:prefLabel"] == [{"str": "Sociaal-Economische Raad"}]
    assert body["rows"][f"{BASE}id/unknown/thing"] == {p["id"]: [] for p in query["properties"]}


def test_data_extension_gives_texts_in_the_chosen_language(client: TestClient) -> None:
    query = {"ids": [SER], "properties": [{"id": "skos:prefLabel", "settings": {"lang": "en"}}]}
    body = client.get("/reconcile", params={"extend": json.dumps(query)}).json()
    assert body["rows"][SER]["skos:prefLabel"] == [{"str": "Social and Economic Council"}]


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"queries": "{not json"}, 400, "'queries' parameter is not valid JSON"),
    ({"queries": json.dumps(["SER"])}, 400, "must be a JSON object"),
    ({"queries": json.dumps({"q0": {"limit": 3}})}, 400, "query 'q0': give a non-empty 'query'"),
    ({"queries": json.dumps({"q0": {"query": "SER", "colour": "red"}})}, 400, "unknown field(s) colour"),
    ({"queries": json.dumps({"q0": {"query": "SER", "limit": 0}})}, 400, "'limit' must be a positive number"),
    ({"queries": json.dumps({f"q{i}": {"query": "SER"} for i in range(BATCH_SIZE + 1)})}, 413, "batchSize"),
    ({"extend": json.dumps({"ids": "x"})}, 400, "'ids' (a list)"),
    # These were 500s with a traceback (issue 14, finding 11).
    ({"queries": '{"q0": {"query": "SER", "limit": NaN}}'}, 400, "NaN is not a JSON number"),
    ({"queries": '{"q0": {"query": "SER", "limit": Infinity}}'}, 400, "Infinity is not a JSON number"),
    ({"queries": '{"q0": {"query": "SER", "limit": -Infinity}}'}, 400, "-Infinity is not a JSON number"),
    ({"queries": '{"q0": {"query": "SER", "limit": 1e400}}'}, 400, "1e400 is too large for a number"),
    ({"queries": json.dumps({"q0": {"query": "SER", "limit": 2.5}})}, 400, "'limit' must be a positive integer"),
    ({"queries": json.dumps({"q0": {"query": "SER", "properties": [{"pid": "professionOrOccupation", "v": "x"}]}})},
     400, "query 'q0': no property 'professionOrOccupation' in this service"),
    ({"queries": json.dumps({"q0": {"query": "SER", "properties": [{"pid": "title", "v": "x"}]}})},
     400, "the property 'title' could be any of dct:title, eli:title"),
    ({"queries": json.dumps({"q0": {"query": "SER", "properties": [{"pid": "https://x.example/a>b", "v": "x"}]}})},
     400, "is not an IRI that can be looked up"),
    ({"queries": json.dumps({"q0": {"properties": [{"pid": "http://x.example/{a} b", "v": "x"}]}})},
     400, "is not an IRI that can be looked up"),
    ({"extend": json.dumps({"ids": [SER], "properties": [{"id": "a b>"}]})}, 400, "'extend': no property 'a b>'"),
    ({"extend": json.dumps({"ids": [SER], "properties": [{"id": "http://x.example/\"a\""}]})}, 400,
     "'extend': the property"),
])
def test_bad_requests_get_a_4xx_that_says_what_to_fix(client: TestClient, data: dict[str, str], status: int,
                                                      message: str) -> None:
    response = client.post("/reconcile", data=data)
    assert response.status_code == status
    assert message in response.text
    assert response.headers["access-control-allow-origin"] == "*"


def test_a_body_larger_than_the_setting_is_refused_with_413(client: TestClient) -> None:
    response = client.post("/reconcile", data={"queries": json.dumps({"q": {"query": "x" * 70000}})})
    assert response.status_code == 413
    assert "max_body_bytes" in response.text


def test_cors_preflight_is_answered_for_every_endpoint(client: TestClient) -> None:
    for path, method in (("/reconcile", "POST"), ("/reconcile/suggest/entity", "GET"), ("/reconcile/preview", "GET")):
        response = client.options(path, headers={"Origin": "https://openrefine.example",
                                                 "Access-Control-Request-Method": method})
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == "*"
        assert method in response.headers["access-control-allow-methods"]


def test_short_property_ids_are_resolved_against_the_services_properties(client: TestClient) -> None:
    by_iri = reconcile(client, {"q": {"query": "Verantwoord Goud", "properties": [
        {"pid": f"{BASE}def/gefaciliteerdDoor", "v": {"id": SER}}]}})["q"]["result"][0]
    for pid in ("gefaciliteerdDoor", "gefaciliteerddoor", "gefaciliteerd door", "ser:gefaciliteerdDoor"):
        short = reconcile(client, {"q": {"query": "Verantwoord Goud", "properties": [
            {"pid": pid, "v": {"id": SER}}]}})["q"]["result"][0]
        assert short["id"] == by_iri["id"] == GOUD and short["score"] == by_iri["score"], pid
    for name in ("ondertekend op", "signed on", "ondertekendOp"):  # a property's names, as OpenRefine sends them
        body = client.post("/reconcile", data={"extend": json.dumps({"ids": [GOUD], "properties": [{"id": name}]})})
        assert body.status_code == 200, body.text
        assert body.json()["rows"][GOUD][name] == [{"date": "2017-06-19T00:00:00Z"}]


def test_numbers_of_any_size_get_an_answer(client: TestClient) -> None:
    results = reconcile(client, {"huge": {"query": "SER", "limit": 10 ** 400},
                                 "value": {"query": "SER", "properties": [{"pid": "ser:aantalZetels", "v": 10 ** 400}]},
                                 "whole": {"query": "SER", "limit": 3.0}})
    assert results["huge"]["result"][0]["id"] == SER and len(results["huge"]["result"]) <= 50
    assert results["value"]["result"][0]["id"] == SER
    assert results["whole"]["result"][0]["id"] == SER and len(results["whole"]["result"]) <= 3


def test_entity_ids_follow_the_identifier_space(client: TestClient, manifest: dict[str, Any]) -> None:
    space = manifest["identifierSpace"]
    found = reconcile(client, {"q": {"query": "Putters"}})["q"]["result"]
    suggested = client.get("/reconcile/suggest/entity", params={"prefix": "Verantwoord"}).json()["result"]
    extended = client.post("/reconcile", data={"extend": json.dumps({"ids": [GOUD], "properties": [
        {"id": "ser:gefaciliteerdDoor"}]})}).json()["rows"][GOUD]["ser:gefaciliteerdDoor"]
    ids = [c["id"] for c in found] + [s["id"] for s in suggested] + [c["id"] for c in extended]
    assert PUTTERS in ids and GOUD in ids and SER in ids
    for identifier in ids:
        assert not identifier.startswith(("http:", "https:")), identifier
        thing = client.get("/id/" + identifier, follow_redirects=False)  # the space and the id make its IRI
        assert thing.status_code == 303, (space + identifier, thing.status_code)
