"""``ser-kg publish --to URL``: load a release into a remote engine by the SPARQL 1.1 Graph Store Protocol.

The steps, each of which a reader of the engine cannot tell from the one before:

1. PUT each named graph of the release (``ser.nq``) as N-Triples under its versioned name,
   ``{base}graph/{version}/{name}`` (Graph Store HTTP Protocol §5.3), where no server looks yet;
2. PUT the pointer graph ``{base}graph/release``, which names the new version: the switch. One
   graph replaced in one request is atomic in the engine, so a server that starts afterwards serves
   the whole new release, and one that started before goes on serving the whole old one;
3. DELETE the graphs of versions older than the previous one (§5.4). The previous release is kept,
   so that servers still running on it keep answering until they are restarted on the new one.

Credentials come from the settings (``store_user``, ``store_password``; HTTP digest, as Virtuoso's
``/sparql-graph-crud-auth`` asks), never from defaults.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import httpx
import pyoxigraph as ox

from server.errors import ReleaseError, StoreError
from server.rdf.namespaces import GRAPHS, graph_iri
from server.store.base import ReleaseInfo
from server.store.manifest import QUADS_FILE
from server.store.remote.confinement import KEPT, OWL_VERSION_INFO, pointer_graph, versioned_graph
from server.store.remote.engine import Engine

NTRIPLES = "application/n-triples"
LOAD_TIMEOUT = 600.0  # seconds for one graph: a large graph takes the engine a while to index
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # it becomes part of graph IRIs


@dataclass(frozen=True)
class Published:
    version: str
    triples: int
    removed: tuple[str, ...]  # versions whose graphs were deleted


class GraphStore:
    """The Graph Store Protocol operations publishing needs: GET, PUT and DELETE of one graph."""

    def __init__(self, engine: Engine, parameter: str = "graph", client: httpx.Client | None = None) -> None:
        """``client``: the HTTP client to send with (one with a transport of its own in tests); by default
        the engine's, with its credentials and time limit."""
        self.engine = engine
        self.parameter = parameter
        self._client = client if client is not None else engine.client()

    def _send(self, method: str, graph: str, body: bytes | None = None) -> httpx.Response:
        headers = {"Accept": NTRIPLES} if body is None else {"Content-Type": NTRIPLES}
        try:
            return self._client.request(method, self.engine.url, params={self.parameter: graph}, content=body,
                                        headers=headers, timeout=httpx.Timeout(LOAD_TIMEOUT))
        except httpx.TransportError as exc:
            raise self.engine.unreachable(exc) from None

    def get(self, graph: str) -> bytes | None:
        response = self._send("GET", graph)
        if response.status_code == 404:
            return None
        self._expect(response, "GET", graph)
        return response.content

    def put(self, graph: str, ntriples: bytes) -> None:
        self._expect(self._send("PUT", graph, ntriples), "PUT", graph)

    def delete(self, graph: str) -> None:
        response = self._send("DELETE", graph)
        if response.status_code != 404:  # already gone is fine
            self._expect(response, "DELETE", graph)

    def _expect(self, response: httpx.Response, method: str, graph: str) -> None:
        if response.status_code in (401, 403):
            raise StoreError(f"{method} <{graph}> at {self.engine.url} was refused ({response.status_code}): "
                             "set the engine's credentials in SER_KG_STORE_USER and SER_KG_STORE_PASSWORD")
        if not 200 <= response.status_code < 300:
            raise StoreError(f"{method} <{graph}> at {self.engine.url} failed with {response.status_code}: "
                             f"{response.text[:300].strip()}")

    def close(self) -> None:
        self._client.close()


def kept_versions(pointer: bytes | None) -> list[str]:
    """The versions the pointer graph lists as present, the current one first."""
    if not pointer:
        return []
    current, kept = [], []
    for quad in ox.parse(pointer, format=ox.RdfFormat.N_TRIPLES):
        if quad.predicate.value == OWL_VERSION_INFO:
            current.append(quad.object.value)
        elif quad.predicate.value == KEPT:
            kept.append(quad.object.value)
    return current + sorted(v for v in kept if v not in current)


def graphs_of(release: ReleaseInfo) -> dict[str, bytes]:
    """Each named graph of the release as N-Triples, by its public name."""
    grouped: dict[str, list[ox.Triple]] = defaultdict(list)
    allowed = {graph_iri(name, release.base_iri) for name in GRAPHS}
    try:
        for quad in ox.parse(path=str(release.path / QUADS_FILE), format=ox.RdfFormat.N_QUADS):
            graph = quad.graph_name
            if not isinstance(graph, ox.NamedNode) or graph.value not in allowed:
                raise ReleaseError(f"{release.path / QUADS_FILE}: a quad in {graph} is outside the release's graphs")
            grouped[graph.value].append(ox.Triple(quad.subject, quad.predicate, quad.object))
    except (OSError, SyntaxError) as exc:
        raise ReleaseError(f"cannot read {release.path / QUADS_FILE}: {exc}") from None
    return {graph: ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            for graph, triples in grouped.items()}


def pointer_body(base: str, current: str, kept: list[str]) -> bytes:
    pointer = ox.NamedNode(pointer_graph(base))
    triples = [ox.Triple(pointer, ox.NamedNode(OWL_VERSION_INFO), ox.Literal(current))]
    triples += [ox.Triple(pointer, ox.NamedNode(KEPT), ox.Literal(v)) for v in kept]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def publish(release: ReleaseInfo, store: GraphStore) -> Published:
    if not _VERSION.match(release.version):
        raise ReleaseError(f"release version {release.version!r} cannot be part of a graph IRI")
    base = release.base_iri
    graphs = graphs_of(release)
    before = kept_versions(store.get(pointer_graph(base)))
    for public, body in graphs.items():
        name = public[len(f"{base}graph/"):]
        store.put(versioned_graph(base, release.version, name), body)
    previous = [v for v in before if v != release.version][:1]
    store.put(pointer_graph(base), pointer_body(base, release.version, [release.version, *previous]))
    removed = tuple(v for v in before if v != release.version and v not in previous)
    for version in removed:
        for name in GRAPHS:
            store.delete(versioned_graph(base, version, name))
    triples = sum(len(body.splitlines()) for body in graphs.values())
    return Published(release.version, triples, removed)
