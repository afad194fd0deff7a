"""Reconciliation on the release built from the real sources: the benchmark's variants as a guard.

bench/reconciliation/run.py measures; this test keeps what it measured from sliding back. Every
variant of bench/reconciliation/variants.yaml is sent to /reconcile without a type; the sure matches
must be right (precision at least 0.95, and none at all on names the data does not hold), and the
top candidate must be right for nearly every name the data holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from server.settings import PROJECT_ROOT, Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.app import create_app

VARIANTS = yaml.safe_load((PROJECT_ROOT / "bench" / "reconciliation" / "variants.yaml").read_text("utf-8"))


@pytest.fixture(scope="module")
def client(settings: Settings, real_store: EmbeddedStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings.replace(base_iri=real_store.release.base_iri), real_store)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def tops(client: TestClient, real_store: EmbeddedStore) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    queries = {f"q{i}": {"query": row["query"], "limit": 3} for i, row in enumerate(VARIANTS)}
    answers: dict[str, Any] = {}
    keys = list(queries)
    for start in range(0, len(keys), 50):
        batch = {k: queries[k] for k in keys[start:start + 50]}
        answers.update(client.post("/reconcile", data={"queries": json.dumps(batch)}).json())
    out = []
    for i, row in enumerate(VARIANTS):
        result = answers[f"q{i}"]["result"]
        expected = {**row, "id": row["expect"] or None}  # candidate ids are in the identifier space {base}id/
        out.append((expected, result[0] if result else None))
    return out


def test_the_variants_cover_every_kind_of_record_and_name_things_that_exist(client: TestClient) -> None:
    assert len(VARIANTS) >= 60
    assert {row["expect"].split("/")[0] for row in VARIANTS if row["expect"]} >= {
        "organisatie", "orgaan", "persoon", "advies", "wet", "convenant", "akkoord"}
    for row in VARIANTS:
        if row["expect"]:
            view = client.get("/reconcile/view", params={"id": row["expect"]}, follow_redirects=False)
            assert view.status_code == 303, f"{row['expect']} is not in the release"


def test_sure_matches_are_right(tops: list[tuple[dict[str, Any], dict[str, Any] | None]]) -> None:
    sure = [(row, top) for row, top in tops if top and top["match"]]
    wrong = [(row["query"], top["id"]) for row, top in sure if top["id"] != row["id"]]
    assert len(wrong) <= 0.05 * len(sure), wrong
    assert [row["query"] for row, _ in sure if row["id"] is None] == []
    assert len(sure) >= 0.8 * sum(1 for row, _ in tops if row["id"])


def test_the_top_candidate_is_right_for_nearly_every_name_the_data_holds(
        tops: list[tuple[dict[str, Any], dict[str, Any] | None]]) -> None:
    held = [(row, top) for row, top in tops if row["id"]]
    misses = [row["query"] for row, top in held if not top or top["id"] != row["id"]]
    assert len(misses) <= 0.05 * len(held), misses


@pytest.mark.parametrize(("query", "expected"), [
    ("Ministerie van Infrastructuur en Milieu", "organisatie/ministerie-ienw"),  # ser:historischeNaam
    ("Wet op de bedrijfsorganisatie", "wet/wet-op-de-ser"),
    ("Ministerie van SZW", "organisatie/ministerie-szw"),  # the abbreviation from skos:altLabel
])
def test_former_names_and_abbreviations_of_the_real_data_are_sure_matches(
        tops: list[tuple[dict[str, Any], dict[str, Any] | None]], query: str, expected: str) -> None:
    top = next(top for row, top in tops if row["query"] == query)
    assert top is not None and top["id"] == expected and top["match"] is True


def test_the_manifest_offers_the_ontology_classes_by_their_names(client: TestClient) -> None:
    names = [t["name"] for t in client.get("/reconcile", params={"lang": "nl"}).json()["defaultTypes"]]
    assert {"Organisatie of orgaan", "Organisatie", "Persoon", "Advies", "Regeling", "IMVO-convenant",
            "Akkoord"} <= set(names)
    assert names.index("Begrip") > names.index("Regeling")  # the vocabularies' concepts come last
