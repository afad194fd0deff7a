"""An in-memory Oxigraph dataset for the build: it runs the SPARQL checks and writes the dumps.

The build assembles and validates with rdflib (pyshacl needs it), then hands the quads over here as
N-Quads, because Oxigraph serialises 7-27x faster than rdflib (research/tech-probe.md §2).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from server.errors import QueryRejected
from server.rdf import jsonld
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
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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
        return list(self.rows(query, prefixes))

    def rows(self, query: str, prefixes: Mapping[str, str] | None = None) -> Iterator[Row]:
        """The rows of a SELECT one at a time, as the engine gives them (no list of them all is made)."""
        try:
            result = self._store.query(query, use_default_graph_as_union=True, prefixes=dict(prefixes or {}))
        except SyntaxError as exc:
            raise QueryRejected(str(exc)) from None
        if not isinstance(result, ox.QuerySolutions):
            raise QueryRejected("a check must be a SELECT query")
        names = [v.value for v in result.variables]
        for solution in result:
            yield {n: to_rdflib(solution[n]) for n in names if solution[n] is not None}

    def dump(self, path: Path, fmt: str, prefixes: Mapping[str, str],
             context: Mapping[str, Any] | None = None) -> None:
        """Write the whole dataset to ``path``; triple formats get the union of the named graphs.

        JSON-LD is compacted against ``context`` (the release's, inline, so the file parses offline).
        """
        if fmt == "jsonld":
            with path.open("wb") as stream:
                self._compacted(stream, dict(context or prefixes))
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


    def nodes(self) -> Iterator[dict[str, Any]]:
        """Every named graph's triples as expanded JSON-LD node objects, one per subject and graph."""
        for graph in sorted(self._store.named_graphs(), key=str):
            yield from _nodes(self._store.quads_for_pattern(None, None, None, graph))

    def _compacted(self, stream: BinaryIO, context: dict[str, Any]) -> None:
        """The dataset as one JSON-LD document: the default graph's nodes, then each named graph with its
        nodes, each node compacted as it is read."""
        compactor = jsonld.FlatCompactor(context)
        stream.write(b'{"@context": ' + json.dumps(context, ensure_ascii=False).encode() + b',\n"@graph": [')
        written = 0
        for node in _nodes(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
            stream.write((b",\n" if written else b"\n") + json.dumps(compactor.node(node), ensure_ascii=False).encode())
            written += 1
        for graph in sorted(self._store.named_graphs(), key=str):
            name = json.dumps(_value(graph)["@id"]).encode()
            stream.write((b",\n" if written else b"\n") + b'{"@id": ' + name + b', "@graph": [')
            written += 1
            for n, node in enumerate(_nodes(self._store.quads_for_pattern(None, None, None, graph))):
                stream.write((b",\n" if n else b"\n") + json.dumps(compactor.node(node), ensure_ascii=False).encode())
            stream.write(b"]}")
        stream.write(b"]}\n")


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, str]:
    """A term as an expanded JSON-LD value (JSON-LD 1.1 §8 ``RDF to object conversion``)."""
    if isinstance(term, ox.NamedNode):
        return {"@id": term.value}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == _XSD_STRING:
            return {"@value": term.value}
        return {"@value": term.value, "@type": term.datatype.value}
    raise ValueError(f"a release holds no RDF-star triple terms: {term}")


def _nodes(quads: Iterator[ox.Quad]) -> Iterator[dict[str, Any]]:
    """Expanded node objects of quads that come grouped by subject, as a graph's index gives them."""
    node: dict[str, Any] = {}
    subject: object = None
    for quad in quads:
        if quad.subject != subject:
            if node:
                yield node
            subject = quad.subject
            node = {"@id": _value(quad.subject)["@id"]}
        obj = quad.object
        if isinstance(obj, ox.NamedNode):
            if quad.predicate == _RDF_TYPE:
                node.setdefault("@type", []).append(obj.value)
                continue
            value = {"@id": obj.value}
        else:
            value = _value(obj)
        node.setdefault(quad.predicate.value, []).append(value)
    if node:
        yield node
