"""An in-memory Oxigraph dataset for the build: it runs the SPARQL checks and writes the dumps.

The build assembles and validates with rdflib (pyshacl needs it), then hands the quads over here as
N-Quads, because Oxigraph serialises 7-27x faster than rdflib (research/tech-probe.md §2).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from server.errors import QueryRejected
from server.store.base import Row
from server.store.terms import to_rdflib

DUMP_FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_QUAD_FORMATS = {"trig", "nquads", "jsonld"}


class MemoryDataset:
    def __init__(self, nquads: bytes) -> None:
        self._store = ox.Store()
        self.load(nquads)

    def load(self, nquads: bytes) -> None:
        self._store.bulk_load(nquads, ox.RdfFormat.N_QUADS)

    def replace_graph(self, iri: str, nquads: bytes) -> None:
        """Empty the named graph ``iri`` and load ``nquads`` (quads of that graph) into it."""
        self._store.remove_graph(ox.NamedNode(iri))
        self.load(nquads)

    def __len__(self) -> int:
        return len(self._store)

    def select(self, query: str, prefixes: Mapping[str, str] | None = None) -> Sequence[Row]:
        try:
            result = self._store.query(query, use_default_graph_as_union=True, prefixes=dict(prefixes or {}))
        except SyntaxError as exc:
            raise QueryRejected(str(exc)) from None
        if not isinstance(result, ox.QuerySolutions):
            raise QueryRejected("a check must be a SELECT query")
        names = [v.value for v in result.variables]
        return [{n: to_rdflib(s[n]) for n in names if s[n] is not None} for s in result]

    def dump(self, path: Path, fmt: str, prefixes: Mapping[str, str]) -> None:
        """Write the whole dataset to ``path``; triple formats get the union of the named graphs."""
        if fmt == "jsonld":
            with path.open("wb") as stream:
                head, tail = _context_frame(prefixes)
                stream.write(head)
                self._store.dump(stream, DUMP_FORMATS[fmt], prefixes=dict(prefixes))
                stream.write(tail)
        elif fmt in _QUAD_FORMATS:
            self._store.dump(str(path), DUMP_FORMATS[fmt], prefixes=dict(prefixes))
        elif fmt == "ntriples":  # no prefixes to apply: stream the union straight to the file
            with path.open("wb") as stream:
                self._union_triples().serialize(stream, ox.RdfFormat.N_TRIPLES)
        else:  # Turtle needs a graph to shorten IRIs with the prefixes: the union, in a store of its own
            merged = ox.Store()
            merged.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in self._union_triples())
            merged.dump(str(path), DUMP_FORMATS[fmt], from_graph=ox.DefaultGraph(), prefixes=dict(prefixes))

    def _union_triples(self) -> ox.QueryTriples:
        union = self._store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(union, ox.QueryTriples)
        return union


def _context_frame(prefixes: Mapping[str, str]) -> tuple[bytes, bytes]:
    """What goes around expanded JSON-LD to make a document with the prefix map as its inline context.

    The context only defines prefixes, so every full IRI keeps its meaning and the file parses
    offline: no remote context is ever fetched.
    """
    context = json.dumps({"@context": dict(prefixes)})[:-1].encode()  # drop the closing brace
    return context + b', "@graph": ', b"}\n"
