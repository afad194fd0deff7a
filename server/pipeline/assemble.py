"""Ontology, vocabularies and data -> one rdflib Dataset with the named graphs of a release.

``{base}graph/ontology`` holds ``ontology/*.ttl`` and the SKOS schemes of ``ontology/vocab/``;
``{base}graph/data`` the records of ``data/``; ``{base}graph/metadata`` (added by the release) the VoID,
the catalogue and the build's provenance.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rdflib import Graph

from server.errors import Problem, SourceError
from server.pipeline.graph import citations, transform
from server.pipeline.graph.rebase import rebase
from server.pipeline.shacl.locations import Locator
from server.pipeline.sources import files as sources
from server.rdf.namespaces import DEFAULT_BASE, graph_iri


class Assembled:
    """The ontology (an rdflib graph: small) and the data (N-Triples lines; an rdflib graph of them is
    made only when asked for, since at a million triples it costs a gigabyte)."""

    def __init__(self, ontology: Graph, data: transform.NTriples, base: str, locator: Locator | None = None) -> None:
        self.ontology = ontology
        self.lines = data
        self.base = base
        self.locator = locator or Locator()  # the record (file, line) of each IRI, for SHACL results
        self._graph: Graph | None = None

    @property
    def data(self) -> Graph:
        if self._graph is None:
            self._graph = self.lines.graph()
        return self._graph

    def forget_graph(self) -> None:
        self._graph = None

    def nquads(self) -> bytes:
        return to_nquads({graph_iri("ontology", self.base): self.ontology}) + self.lines.nquads(
            graph_iri("data", self.base))

    @contextmanager
    def with_ontology(self) -> Iterator[Graph]:
        """The data graph with the ontology's triples mixed in, for SHACL (subclasses, concept types).

        The triples are added in place and taken out again afterwards: a copy of a million-triple
        graph costs a gigabyte.
        """
        data = self.data
        added = [t for t in self.ontology if t not in data]
        for triple in added:
            data.add(triple)
        try:
            yield data
        finally:
            for triple in added:
                data.remove(triple)


def to_nquads(graphs: dict[str, Graph]) -> bytes:
    """N-Quads of named graphs. (rdflib's own Dataset serializer warns about a deprecated API of its own.)"""
    out = []
    for iri, graph in graphs.items():
        suffix = f"<{iri}> .".encode()
        for line in graph.serialize(format="nt", encoding="utf-8").splitlines():
            if line.endswith(b" ."):
                out.append(line[:-1] + suffix)
    return b"\n".join(out) + b"\n"


def read_turtle(paths: list[Path], root: Path) -> tuple[Graph, list[Problem]]:
    graph = Graph()
    problems: list[Problem] = []
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # noqa: BLE001 - rdflib raises many unrelated types for bad Turtle
            problems.append(Problem(str(path.relative_to(root)), "", "", f"not valid Turtle: {exc}"))
    return graph, problems


def ontology_files(ontology_dir: Path) -> list[Path]:
    return sorted(ontology_dir.glob("*.ttl")) + sorted((ontology_dir / "vocab").glob("*.ttl"))


def assemble(root: Path, base: str) -> Assembled:
    """Read everything and turn the records into RDF; raise SourceError listing every problem."""
    ontology, problems = read_turtle(ontology_files(root / "ontology"), root)
    records = sources.read(root / "data", root)
    data = transform.NTriples()
    problems += transform.emit(records, ontology, data)
    problems += citations.emit(records, ontology, data)
    locator = Locator.of(records, base)
    del records
    if problems:
        raise SourceError(problems)
    if base != DEFAULT_BASE:
        ontology = rebase(ontology, base)
        moved = transform.NTriples()
        for triple in rebase(data.graph(), base):
            moved.add(triple)
        data = moved
    return Assembled(ontology, data, base, locator)
