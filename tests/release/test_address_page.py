"""The visiting address's page shows its coordinates as text and a link, and loads no map."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.app import create_app
from server.web.runner import pool_for
from tests.release.test_home_and_views import page


@pytest.fixture(scope="module")
def client(settings: Settings, real_store: EmbeddedStore) -> Iterator[TestClient]:
    changed = settings.replace(base_iri=real_store.release.base_iri, query_workers=1)
    with TestClient(create_app(changed, real_store, pool_for(changed, real_store))) as test_client:
        yield test_client


@pytest.mark.parametrize(("lang", "name"), [("nl", "coördinaten"), ("en", "coordinates")])
def test_the_visiting_address_shows_its_coordinates_without_a_map(client: TestClient, lang: str, name: str) -> None:
    text = html.unescape(page(client, "/doc/adres/ser-bezoekadres", lang))
    assert name in text.lower()
    assert "52.0857799, 4.3299348" in text
    assert "/id/adres/ser-bezoekadres#geo" in text
    assert "openstreetmap" not in text.lower() and "leaflet" not in text.lower()
