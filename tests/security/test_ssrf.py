"""No outbound request, in any form: the SPARQL forms that name another server, JSON-LD with a remote
``@context``, and redirects.

tests/web/test_sparql_safety.py already sends SERVICE, SERVICE SILENT, LOAD, FROM, FROM NAMED,
``default-graph-uri`` and ``named-graph-uri`` at a recording server, by GET and POST. These are the
disguises it does not try: other spellings of the keywords, a variable or a prefixed name as the
endpoint, IRIs made relative by BASE, Unicode escapes, and the same through a POST body. The witness
is the same: a local HTTP server that records every request, and must record none.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tests.conftest import LiveServer, Recorder


def _disguises(target: str) -> dict[str, str]:
    return {
        "lower-case service": f"SELECT * WHERE {{ service <{target}sparql> {{ ?s ?p ?o }} }}",
        "mixed-case Service": f"SELECT * WHERE {{ SeRvIcE <{target}sparql> {{ ?s ?p ?o }} }}",
        "service after a comment": f"SELECT * WHERE {{ # a comment\n  SERVICE\n<{target}sparql> {{ ?s ?p ?o }} }}",
        "service to a variable": f"SELECT * WHERE {{ BIND(<{target}sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "service to a prefixed name": f"PREFIX r: <{target}> SELECT * WHERE {{ SERVICE r:sparql {{ ?s ?p ?o }} }}",
        "service inside a subquery":
            f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} }}",
        "service in an ASK": f"ASK {{ SERVICE <{target}sparql> {{ ?s ?p ?o }} }}",
        "service in a CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        "escaped SERVICE": f"SELECT * WHERE {{ \\u0053ERVICE <{target}sparql> {{ ?s ?p ?o }} }}",
        "escaped LOAD": f"\\u004cOAD <{target}data.ttl>",
        "lower-case load": f"load <{target}data.ttl>",
        "load into a graph": f"LOAD SILENT <{target}data.ttl> INTO GRAPH <urn:x>",
        "from a prefixed name": f"PREFIX r: <{target}> SELECT * FROM r:data WHERE {{ ?s ?p ?o }}",
        "from named a prefixed name":
            f"PREFIX r: <{target}> SELECT * FROM NAMED r:g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "from relative to BASE": f"BASE <{target}> SELECT * FROM <data.ttl> WHERE {{ ?s ?p ?o }}",
        "from with an escaped IRI":
            f"SELECT * FROM <{target.replace(':', chr(92) + 'u003A', 1)}x> WHERE {{ ?s ?p ?o }}",
        "escaped FROM": f"SELECT * \\u0046ROM <{target}x> WHERE {{ ?s ?p ?o }}",
        "from in a DESCRIBE": f"DESCRIBE ?s FROM <{target}x> WHERE {{ ?s ?p ?o }}",
        "from a file": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "describe a remote IRI": f"DESCRIBE <{target}thing>",
        "graph a remote IRI": f"SELECT * WHERE {{ GRAPH <{target}g> {{ ?s ?p ?o }} }}",
    }


def test_no_disguise_gets_a_request_out(live_server: LiveServer, http_recorder: Recorder) -> None:
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        for name, query in _disguises(http_recorder.url).items():
            answers = (http.get("/sparql", params={"query": query}),
                       http.post("/sparql", data={"query": query}),
                       http.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}))
            for response in answers:
                assert response.status_code < 500, (name, response.text)
                if name.startswith(("describe", "graph")):  # asks this release about the IRI: nothing there
                    assert response.status_code == 200, (name, response.text)
                else:
                    assert response.status_code in (400, 403), (name, response.text)
    time.sleep(0.2)
    assert http_recorder.requests == []


@pytest.mark.parametrize(("name", "says"), [
    ("lower-case service", "SERVICE at 1:18 is not allowed"),
    ("service to a variable", "never sends requests to other endpoints"),
    ("from relative to BASE", "never fetches remote data"),
    ("lower-case load", "read-only"),
])
def test_disguised_refusals_say_why(client: TestClient, name: str, says: str) -> None:
    response = client.get("/sparql", params={"query": _disguises("http://127.0.0.1:9/")[name]})
    assert says in response.text


# --- JSON-LD with a remote @context ---------------------------------------------------------------


def test_no_route_takes_json_ld_or_any_rdf_from_a_client(client: TestClient) -> None:
    document = json.dumps({"@context": "http://127.0.0.1:9/context.jsonld", "@id": "urn:x", "name": "x"})
    for path in ("/sparql", "/reconcile"):
        response = client.post(path, content=document, headers={"Content-Type": "application/ld+json"})
        assert response.status_code == 415, (path, response.status_code)
    for path in ("/doc/organisatie/ser", "/id/organisatie/ser", "/downloads/", "/"):
        for method in ("POST", "PUT", "PATCH"):
            response = client.request(method, path, content=document,
                                      headers={"Content-Type": "application/ld+json"})
            assert response.status_code == 405, (method, path)


def test_the_store_parser_never_fetches_a_remote_context(http_recorder: Recorder) -> None:
    document = json.dumps({"@context": f"{http_recorder.url}context.jsonld",
                           "@id": "https://data.ser.nl/id/x", "name": "x"}).encode()
    with pytest.raises((SyntaxError, ValueError, OSError)):
        list(ox.parse(document, format=ox.RdfFormat.JSON_LD))
    nested = json.dumps({"@context": [{"@import": f"{http_recorder.url}c.jsonld"}], "@id": "urn:x"}).encode()
    with pytest.raises((SyntaxError, ValueError, OSError)):
        list(ox.parse(nested, format=ox.RdfFormat.JSON_LD))
    time.sleep(0.2)
    assert http_recorder.requests == []


def test_the_json_ld_we_publish_names_only_its_own_context(client: TestClient, tmp_path: Path) -> None:
    """A client reading our JSON-LD fetches at most the one context this server publishes (at the public URL
    the settings give, never one a request chose), and the dump needs none."""

    def contexts(node: object) -> list[object]:
        if isinstance(node, dict):
            return [v for k, v in node.items() if k == "@context"] + [c for v in node.values() for c in contexts(v)]
        if isinstance(node, list):
            return [c for v in node for c in contexts(v)]
        return []

    document = client.get("/doc/organisatie/ser.jsonld", headers={"Host": "evil.example"}).json()
    found = contexts(document)
    assert found == ["https://data.ser.nl/ns/context.jsonld"]
    assert client.get("/ns/context.jsonld").status_code == 200
    assert all(isinstance(c, dict) for c in contexts(client.get("/ns/context.jsonld").json()))
    from server.store.oxigraph.memory import MemoryDataset

    dumped = tmp_path / "ser.jsonld"
    MemoryDataset((Path(__file__).parents[1] / "fixtures" / "release" / "ser.nq").read_bytes()).dump(
        dumped, "jsonld", {"ser": "https://data.ser.nl/def/"})
    found = contexts(json.loads(dumped.read_text("utf-8")))
    assert found and all(isinstance(c, dict) for c in found)


# --- redirects ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/downloads/latest/..%2F..%2Fevil.example",
    "/downloads/latest/%2F%2Fevil.example%2Fx",
    "/reconcile/view?id=https://evil.example/",
    "/reconcile/view?id=//evil.example/",
    "/id/organisatie/ser?redirect=https://evil.example/",
    "/doc/organisatie/ser?next=//evil.example",
])
def test_the_server_never_redirects_to_another_host(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
                          follow_redirects=False)
    assert response.status_code < 500
    location = response.headers.get("location", "/")
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert urlsplit(location).netloc == ""


def test_the_server_never_follows_a_redirect_itself(live_server: LiveServer, http_recorder: Recorder) -> None:
    """It has no HTTP client: whatever a query names (a graph, an endpoint, a context), nothing is fetched,
    so no redirect can lead it anywhere. The witness stays silent through every form at once."""
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        for params in ({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                        "default-graph-uri": f"{http_recorder.url}redirect?to=http://127.0.0.1:9/"},
                       {"query": f"LOAD <{http_recorder.url}redirect>"}):
            assert http.get("/sparql", params=params).status_code in (400, 403)
    time.sleep(0.2)
    assert http_recorder.requests == []
