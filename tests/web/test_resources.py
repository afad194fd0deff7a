"""Dereferencing: the content-negotiation matrix, 303/301/404/406/410, alternates and descriptions.

This module also holds the small linked-data site the other linked-data test modules use
(:func:`write_release`, :func:`open_site`, :func:`live_server`): a release built from
``tests/fixtures/release-ld/``, served from a temporary releases folder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import uvicorn
from fastapi import FastAPI
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS
from starlette.testclient import TestClient

from server.rdf import jsonld
from server.settings import load
from server.store.oxigraph.embedded import EmbeddedStore
from server.store.workers.pool import WorkerPool
from server.web.app import create_app
from server.web.caching import DocumentCache
from server.web.runner import pool_for

ON_EVERY_BACKEND = True  # tests/conftest.py: these tests run on the embedded store and on both engines

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "release-ld"
BASE = "https://data.ser.nl/"
CURRENT = "2026-01-02.1"
EARLIER = "2025-12-01.1"
SER = URIRef(BASE + "id/organisatie/ser")
RAAD = URIRef(BASE + "id/orgaan/raad")


def _file_entry(path: Path, media_type: str, fmt: str) -> dict[str, object]:
    data = path.read_bytes()
    return {"name": path.name, "media_type": media_type, "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "format": fmt}


def write_release(releases: Path, version: str, created: str) -> Path:
    """A release folder like the build's, from the fixture: ser.nq, ser.ttl, metadata and a manifest."""
    folder = releases / version
    folder.mkdir(parents=True)
    dataset = ox.Store()
    dataset.load(path=str(FIXTURE / "ser.trig"), format=ox.RdfFormat.TRIG)
    (folder / "ser.nq").write_bytes(dataset.dump(format=ox.RdfFormat.N_QUADS) or b"")
    union = dataset.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(union, ox.QueryTriples)
    (folder / "ser.ttl").write_bytes(union.serialize(format=ox.RdfFormat.TURTLE) or b"")
    for name in ("void.ttl", "catalog.ttl"):
        shutil.copy(FIXTURE / name, folder / name)
    manifest = json.loads((FIXTURE / "manifest.json").read_text("utf-8"))
    manifest.update(version=version, created=created, triples=len(dataset))
    manifest["files"] = [
        _file_entry(folder / "ser.nq", "application/n-quads", "application/n-quads"),
        _file_entry(folder / "ser.ttl", "text/turtle", "text/turtle"),
        _file_entry(folder / "void.ttl", "text/turtle", "text/turtle"),
        _file_entry(folder / "catalog.ttl", "text/turtle", "text/turtle"),
    ]
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


@dataclass
class LdSite:
    app: FastAPI
    client: TestClient
    store: EmbeddedStore
    releases: Path
    pool: WorkerPool | None = None

    def close(self) -> None:
        self.client.close()
        if self.pool is not None:
            self.pool.close()
        self.store.close()


def open_site(root: Path, query_workers: bool = False, **app: Any) -> LdSite:
    """The site over two releases of the fixture; ``query_workers`` starts the SPARQL pool as well;
    ``app`` holds keywords of ``create_app``."""
    releases = root / "releases"
    write_release(releases, EARLIER, "2025-12-01T09:00:00+00:00")
    current = write_release(releases, CURRENT, "2026-01-02T10:00:00+00:00")
    (releases / "latest").symlink_to(CURRENT)
    settings = load({}).replace(releases_dir=str(releases), store_dir=str(root / "store"), base_iri=BASE)
    store = EmbeddedStore.open(current, root / "store")
    pool = pool_for(settings.replace(query_workers=1), store) if query_workers else None
    if pool is not None:
        pool.start()
    served = create_app(settings, store, pool, **app)
    return LdSite(served, TestClient(served, follow_redirects=False), store, releases, pool)


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yields the base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # a hang guard, not a speed test
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start within 120 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def ld(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LdSite]:
    site = open_site(tmp_path_factory.mktemp("ld"))
    yield site
    site.close()


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
RDFLIB = ("application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
          "application/n-quads, application/trix, application/trig")
DOC = "/doc/organisatie/ser"
DIST = "/doc/dataset/ser/distribution/2026-01-02.1/ser.ttl"  # an IRI that itself ends in ".ttl"

# (Accept, path) -> (status, media type of the answer or None for a redirect, Location)
MATRIX: list[tuple[str | None, str, int, str | None, str | None]] = [
    ("text/html", DOC, 200, "text/html", None),
    (BROWSER, DOC, 200, "text/html", None),
    ("*/*", DOC, 200, "text/html", None),
    (None, DOC, 200, "text/html", None),
    ("text/turtle", DOC, 200, "text/turtle", None),
    ("application/x-turtle", DOC, 200, "text/turtle", None),
    (RDFLIB, DOC, 200, "text/turtle", None),
    ("text/turtle, */*;q=0.1", DOC, 200, "text/turtle", None),
    ("application/ld+json", DOC, 200, "application/ld+json", None),
    ("text/turtle;q=0.5, application/ld+json", DOC, 200, "application/ld+json", None),
    ("text/html;q=0.9, text/turtle", DOC, 200, "text/turtle", None),
    ("application/json", DOC, 200, "application/json", None),  # JSON-LD, under the type asked for
    ("application/json, text/html;q=0.9", DOC, 200, "application/json", None),
    ("application/ld+json, application/json", DOC, 200, "application/ld+json", None),
    ("application/json;q=0.5, application/ld+json", DOC, 200, "application/ld+json", None),
    ("application/n-triples", DOC, 200, "application/n-triples", None),
    ("text/plain", DOC, 200, "application/n-triples", None),
    ("application/rdf+xml", DOC, 200, "application/rdf+xml", None),
    ("image/png", DOC, 406, "text/plain", None),
    ("text/turtle;q=0", DOC, 406, "text/plain", None),
    ("text/html", DOC + ".ttl", 200, "text/turtle", None),
    ("text/turtle", DOC + ".html", 200, "text/html", None),
    ("text/turtle", DOC + ".jsonld", 200, "application/ld+json", None),
    ("text/html", DIST, 200, "text/html", None),
    ("text/turtle", DIST, 200, "text/turtle", None),
    ("text/html", DIST + ".ttl", 200, "text/turtle", None),
    ("text/html", "/id/dataset/ser/distribution/2026-01-02.1/ser.ttl", 303, None, DIST),
    ("text/html", "/doc/dataset/ser", 200, "text/html", None),
    ("text/turtle", DOC + ".nt", 200, "application/n-triples", None),
    ("text/turtle", DOC + ".rdf", 200, "application/rdf+xml", None),
    ("image/png", DOC + ".ttl", 200, "text/turtle", None),
    ("text/turtle", DOC + ".nq", 404, "text/plain", None),
    ("text/turtle", DOC + ".exe", 404, "text/plain", None),
    ("text/html", "/id/organisatie/ser", 303, None, DOC),
    ("text/turtle", "/id/organisatie/ser", 303, None, DOC),
    ("text/turtle", "/id/organisatie/bestaat-niet", 404, "text/plain", None),
    ("text/html", "/id/organisatie/bestaat-niet", 404, "text/html", None),
    ("text/html", "/doc/organisatie/bestaat-niet", 404, "text/html", None),
    ("text/html", "/id/Organisatie/SER", 404, "text/html", None),
    ("text/html", "/id/organisatie/ser/extra", 404, "text/html", None),
    ("text/html", "/id/organisatie/..%2F..%2Fetc", 404, "text/html", None),
    ("text/html", "/id/organisatie/oude-naam", 303, None, DOC),
    ("text/html", "/doc/organisatie/oude-naam", 301, None, DOC),
    ("text/turtle", "/doc/organisatie/oude-naam.ttl", 301, None, DOC + ".ttl"),
    ("text/html", "/id/advies/ingetrokken", 410, "text/html", None),
    ("text/html", "/doc/advies/ingetrokken", 410, "text/html", None),
    ("text/turtle", "/doc/advies/ingetrokken.ttl", 410, "text/plain", None),
    ("text/turtle", "/def/Advies", 303, None, "/doc/def/ser#Advies"),
    ("text/html", "/def/ser", 303, None, "/doc/def/ser"),
    ("text/html", "/def/BestaatNiet", 404, "text/html", None),
    ("text/turtle", "/doc/def/ser", 200, "text/turtle", None),
    ("text/html", "/doc/def/ser", 200, "text/html", None),
    ("text/turtle", "/doc/def/ser.jsonld", 200, "application/ld+json", None),
]


@pytest.mark.parametrize(("accept", "path", "status", "media", "location"), MATRIX)
def test_negotiation_matrix_gives_status_and_content_type(
    ld: LdSite, accept: str | None, path: str, status: int, media: str | None, location: str | None
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = ld.client.get(path, headers=headers)
    assert response.status_code == status, response.text[:300]
    if media is not None:
        assert response.headers["content-type"].split(";")[0] == media
    if location is not None:
        assert response.headers["location"] == location


def test_negotiated_document_varies_on_accept_and_names_its_location(ld: LdSite) -> None:
    response = ld.client.get(DOC, headers={"Accept": "text/turtle"})
    assert "Accept" in response.headers["vary"]
    assert response.headers["content-location"] == DOC + ".ttl"
    fixed = ld.client.get(DOC + ".ttl")
    assert "accept" not in [name.strip().lower() for name in fixed.headers.get("vary", "").split(",")]


def test_document_links_every_alternate_in_header_and_page(ld: LdSite) -> None:
    response = ld.client.get(DOC, headers={"Accept": "text/html"})
    link = response.headers["link"]
    for suffix, media in (("html", "text/html"), ("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                          ("nt", "application/n-triples"), ("rdf", "application/rdf+xml")):
        assert f'<{DOC}.{suffix}>; rel="alternate"; type="{media}"' in link
        assert f'<link rel="alternate" type="{media}" href="{DOC}.{suffix}"' in response.text
    turtle = ld.client.get(DOC + ".ttl")
    assert f'<{DOC}.jsonld>; rel="alternate"' in turtle.headers["link"]


def _graph(ld: LdSite, path: str, fmt: str = "turtle") -> Graph:
    response = ld.client.get(path)
    assert response.status_code == 200
    if fmt == "json-ld":  # expanded with the context the server publishes, never one fetched from elsewhere
        document = response.json()
        context = ld.client.get("/ns/context.jsonld").json()
        return Graph().parse(data=jsonld.to_nquads(document, {document["@context"]: context}), format="nquads")
    return Graph().parse(data=response.content, format=fmt)


def test_description_holds_own_triples_labels_of_links_incoming_links_and_sources(ld: LdSite) -> None:
    graph = _graph(ld, "/doc/orgaan/raad.ttl")
    # own triples, with the production IRIs although the request went to a test host
    assert (RAAD, SKOS.prefLabel, Literal("Raad", lang="nl")) in graph
    assert (RAAD, URIRef("http://www.w3.org/ns/org#unitOf"), SER) in graph
    # the label of what it links to
    assert (SER, SKOS.prefLabel, Literal("Sociaal-Economische Raad", lang="nl")) in graph
    # incoming links, with the label of who refers
    advies = URIRef(BASE + "id/advies/energie-2013")
    assert (advies, URIRef(BASE + "def/voorbereidDoor"), RAAD) in graph
    assert (advies, DCTERMS.title, Literal("Energieakkoord voor duurzame groei", lang="nl")) in graph
    # its sources, and the label of its class from the ontology graph
    assert (RAAD, DCTERMS.source, URIRef("https://www.ser.nl/nl/ser/over-de-ser/raad")) in graph
    assert (URIRef("http://www.w3.org/ns/org#OrganizationalUnit"), RDFS.label, Literal("Body", lang="en")) in graph
    # but not the other triples of linked things
    assert (SER, DCTERMS.description, None) not in graph


@pytest.mark.parametrize(("suffix", "fmt"), [("ttl", "turtle"), ("jsonld", "json-ld"),
                                             ("nt", "nt"), ("rdf", "xml")])
def test_every_rdf_format_carries_the_same_description(ld: LdSite, suffix: str, fmt: str) -> None:
    reference = _graph(ld, DOC + ".ttl")
    graph = _graph(ld, f"{DOC}.{suffix}", fmt)
    assert len(graph) == len(reference) > 5
    assert set(graph) == set(reference)


def test_ontology_document_is_the_ontology_graph(ld: LdSite) -> None:
    graph = _graph(ld, "/doc/def/ser.ttl")
    advies = URIRef(BASE + "def/Advies")
    assert (advies, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Advisory report", lang="en")) \
        in graph
    assert (SER, None, None) not in graph


def test_ontology_page_documents_terms_in_the_page_language(ld: LdSite) -> None:
    english = ld.client.get("/doc/def/ser", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert 'id="Advies"' in english.text
    assert "Advisory report" in english.text
    assert "An advisory report of the SER" in english.text
    assert "prepared by" in english.text
    dutch = ld.client.get("/doc/def/ser", headers={"Accept": "text/html", "Accept-Language": "nl"})
    assert "Een advies van de SER" in dutch.text


def test_retired_iri_with_successor_redirects_permanently(ld: LdSite) -> None:
    response = ld.client.get("/doc/organisatie/oude-naam.jsonld")
    assert response.status_code == 301
    assert response.headers["location"] == DOC + ".jsonld"


def test_gone_page_shows_the_reason_in_the_reader_language(ld: LdSite) -> None:
    english = ld.client.get("/doc/advies/ingetrokken", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert english.status_code == 410
    assert "Entered twice; removed." in english.text
    assert "1 February 2024" in english.text
    dutch = ld.client.get("/doc/advies/ingetrokken", headers={"Accept": "text/html", "Accept-Language": "nl"})
    assert "Dubbel ingevoerd; verwijderd." in dutch.text
    assert "1 februari 2024" in dutch.text


def test_not_found_page_helps_with_the_list_of_things_of_that_kind(ld: LdSite) -> None:
    response = ld.client.get("/id/orgaan/bestaat-niet", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 404
    assert "https://data.ser.nl/id/orgaan/bestaat-niet" in response.text
    assert 'href="/classes/org:OrganizationalUnit"' in response.text
    assert 'href="/downloads/"' in response.text


def test_head_answers_like_get_without_a_body(ld: LdSite) -> None:
    response = ld.client.head(DOC + ".ttl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == b""


@pytest.mark.parametrize("path", [DOC, DOC + ".ttl", DOC + ".html", "/doc/def/ser.ttl"])
def test_documents_carry_release_validators_and_answer_304(ld: LdSite, path: str) -> None:
    first = ld.client.get(path, headers={"Accept": "text/turtle"})
    etag = first.headers["etag"]
    assert etag.startswith(f'"{CURRENT}-')
    assert first.headers["last-modified"] == "Fri, 02 Jan 2026 10:00:00 GMT"
    again = ld.client.get(path, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    since = ld.client.get(path, headers={"Accept": "text/turtle", "If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    stale = ld.client.get(path, headers={"Accept": "text/turtle", "If-None-Match": '"2025-12-01.1-turtle"'})
    assert stale.status_code == 200


def test_representations_of_one_url_have_different_etags(ld: LdSite) -> None:
    tags = {ld.client.get(DOC, headers={"Accept": a}).headers["etag"]
            for a in ("text/turtle", "application/ld+json", "text/html")}
    assert len(tags) == 3
    turtle_tag = ld.client.get(DOC, headers={"Accept": "text/turtle"}).headers["etag"]
    html = ld.client.get(DOC, headers={"Accept": "text/html", "If-None-Match": turtle_tag})
    assert html.status_code == 200


def test_iri_ending_in_a_suffix_is_still_its_own_document(ld: LdSite) -> None:
    page = ld.client.get(DIST, headers={"Accept": "text/html"})
    assert "<h1>ser.ttl</h1>" in page.text
    assert f'<link rel="alternate" type="text/turtle" href="{DIST}.ttl"' in page.text
    graph = _graph(ld, DIST + ".ttl")
    assert (URIRef(BASE + "id/dataset/ser/distribution/2026-01-02.1/ser.ttl"), DCTERMS.title, None) in graph


def test_base_iri_is_a_setting_not_the_request_host(ld: LdSite) -> None:
    response = ld.client.get(DOC + ".nt", headers={"Host": "localhost:8000"})
    assert f"<{SER}>" in response.text
    assert "localhost" not in response.text


def test_document_cache_drops_the_least_recently_used_beyond_its_size() -> None:
    cache = DocumentCache(max_bytes=16 * 13)  # each entry: 10 bytes of body, 3 of key ("'a'")
    for key in "abcd":
        cache.put(key, b"x" * 10)
    assert cache.get("a") == b"x" * 10  # a is now the most recently used
    for key in "efghijklmnopq":  # 17 entries of 13 bytes: one must go
        cache.put(key, b"y" * 10)
    assert cache.bytes == 16 * 13
    assert cache.get("b") is None
    assert cache.get("a") == b"x" * 10
    assert cache.get("c") == b"x" * 10
    cache.put("huge", b"z" * 11)  # more than a sixteenth of the cache: never kept
    assert cache.get("huge") is None


def test_cached_page_keeps_its_own_url_in_the_language_switch(ld: LdSite) -> None:
    headers = {"Accept": "text/html", "Accept-Language": "nl"}
    negotiated = ld.client.get("/doc/persoon/voorbeeld", headers=headers).text
    fixed = ld.client.get("/doc/persoon/voorbeeld.html", headers=headers).text
    assert 'href="/doc/persoon/voorbeeld?lang=en"' in negotiated
    assert 'href="/doc/persoon/voorbeeld.html?lang=en"' in fixed
