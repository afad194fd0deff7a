"""The change log of a release: what differs from the release before it.

The data and ontology graphs of both releases are read as quads (the new one from the build's Oxigraph
copy, the previous one from its ``ser.nq``; the metadata graph is left out, as it changes with every
release). Statements are grouped by thing: a subject IRI, with the blank nodes it reaches (a period's
parts, a list) attached to it. A thing's description is put into canonical form with rdflib's
``rdflib.compare.to_canonical_graph`` (one graph per named graph), so that blank nodes that are only
relabelled or written in another order compare equal, while a blank-node structure that differs shows
as statements added and removed. A thing is *added* (only in the new release), *removed* (only in the
previous one: sources, which are not minted, and ontology terms), *withdrawn* (its IRI is now
deprecated, ``data/ingetrokken.yaml``), *redirected* (withdrawn with a successor, ``dct:isReplacedBy``)
or *changed*.

Three files are written into the release: ``changes.rdfp``, an RDF Patch
(https://afs.github.io/rdf-patch/, one transaction, ``D`` rows before ``A`` rows per thing, blank nodes
with their canonical labels, which stay the same from release to release for the same structure);
``changes.json``, what the server's ``/changes/`` pages read; ``changes.txt``, the summary for people,
in Dutch and English. The first release has no previous one: its log says so and lists nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, OWL, XSD
from rdflib.term import Node

from server.pipeline.releases.searchindex import NAMES
from server.rdf.namespaces import graph_iri
from server.store.manifest import read_manifest
from server.store.oxigraph.memory import MemoryDataset

PATCH = "changes.rdfp"
PATCH_MEDIA_TYPE = "application/rdf-patch"
SUMMARY = "changes.json"
TEXT = "changes.txt"
GRAPHS = ("data", "ontology")
KINDS = ("added", "changed", "withdrawn", "redirected", "removed")
LANGUAGES = ("nl", "en")
UNATTACHED = ""  # the group of blank nodes that no IRI reaches

QUADS = """SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}"""

Triple = tuple[Node, Node, Node]


def term(node: Node) -> str:
    """``node`` in N-Triples syntax (RDF 1.1 N-Triples §2.4: strings escaped, xsd:string left implicit)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        text = str(node).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if node.language:
            return f'"{text}"@{node.language}'
        if node.datatype is not None and node.datatype != XSD.string:
            return f'"{text}"^^<{node.datatype}>'
        return f'"{text}"'
    raise TypeError(f"not an RDF term: {node!r}")


@dataclass(frozen=True)
class Thing:
    """One thing's description: its statements as N-Quads rows without the final dot, canonical."""

    iri: str
    statements: frozenset[str]
    names: Mapping[str, str] = field(default_factory=dict)
    deprecated: bool = False
    successor: str | None = None


def describe(quads: Iterable[tuple[Node, Node, Node, Node]]) -> dict[str, Thing]:
    """The things of a set of quads, each with the blank nodes it reaches, in canonical form."""
    by_graph: dict[Node, dict[Node, list[Triple]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o, g in quads:
        by_graph[g][s].append((s, p, o))
    statements: dict[str, set[str]] = defaultdict(set)
    facts: dict[str, list[Triple]] = defaultdict(list)
    for g, subjects in by_graph.items():
        reached: set[Node] = set()
        for s in subjects:
            if isinstance(s, URIRef):
                triples = _reach(s, subjects, reached)
                statements[str(s)] |= _canonical(triples, g)
                facts[str(s)] += [t for t in triples if t[0] == s]
        left = [t for s, triples in subjects.items() if isinstance(s, BNode) and s not in reached for t in triples]
        if left:
            statements[UNATTACHED] |= _canonical(left, g)
    return {iri: _thing(iri, frozenset(lines), facts.get(iri, [])) for iri, lines in statements.items()}


def _reach(start: URIRef, subjects: Mapping[Node, list[Triple]], reached: set[Node]) -> list[Triple]:
    out: list[Triple] = []
    todo: list[Node] = [start]
    seen: set[Node] = {start}
    while todo:
        for triple in subjects.get(todo.pop(), []):
            out.append(triple)
            if isinstance(triple[2], BNode) and triple[2] not in seen:
                seen.add(triple[2])
                reached.add(triple[2])
                todo.append(triple[2])
    return out


def _canonical(triples: list[Triple], g: Node) -> set[str]:
    if any(isinstance(n, BNode) for t in triples for n in t):
        graph = Graph()
        for triple in triples:
            graph.add(triple)
        triples = list(to_canonical_graph(graph))
    return {f"{term(s)} {term(p)} {term(o)} {term(g)}" for s, p, o in triples}


def _thing(iri: str, statements: frozenset[str], facts: list[Triple]) -> Thing:
    names: dict[str, str] = {}
    for predicate in NAMES:  # the first naming property that has a text in a language wins
        for _s, p, o in facts:
            if p == predicate and isinstance(o, Literal) and (o.language or "") in (*LANGUAGES, ""):
                names.setdefault(o.language or "", str(o))
    deprecated = any(p == OWL.deprecated and o == Literal(True) for _s, p, o in facts)
    successor = next((str(o) for _s, p, o in facts if p == DCTERMS.isReplacedBy), None)
    return Thing(iri, statements, names, deprecated, successor)


def from_memory(memory: MemoryDataset, base: str) -> dict[str, Thing]:
    graphs = " ".join(f"<{graph_iri(g, base)}>" for g in GRAPHS)
    rows = memory.rows(QUADS.format(graphs=graphs))
    return describe((r["s"], r["p"], r["o"], r["g"]) for r in rows)


@dataclass(frozen=True)
class Change:
    iri: str
    kind: str  # one of KINDS
    names: Mapping[str, str]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    successor: str | None = None


@dataclass(frozen=True)
class ChangeLog:
    previous: str | None  # the previous release's version; None for the first release
    previous_created: str | None
    things: int  # things the new release describes
    changes: tuple[Change, ...]

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for c in self.changes if c.kind == kind) for kind in KINDS}

    def to_json(self, version: str) -> dict[str, Any]:
        return {"version": version, "previous": self.previous, "previous_created": self.previous_created,
                "things": self.things, "counts": self.counts(),
                "changes": [{"iri": c.iri, "kind": c.kind, "names": dict(c.names), "successor": c.successor,
                             "added": list(c.added), "removed": list(c.removed)} for c in self.changes]}

    def patch(self, version: str, base: str) -> str:
        rows = [f"H id <{base}downloads/{version}/{PATCH}> ."]
        if self.previous is not None:
            rows.append(f"H prev <{base}downloads/{self.previous}/{PATCH}> .")
        if self.changes:
            rows.append("TX .")
            for change in self.changes:
                rows += [f"D {line} ." for line in change.removed]
                rows += [f"A {line} ." for line in change.added]
            rows.append("TC .")
        return "\n".join(rows) + "\n"

    def text(self, version: str) -> str:
        """The summary for people: counts and the things by name, in Dutch, then in English."""
        out = []
        for lang in LANGUAGES:
            words = WORDS[lang]
            out.append(f"{words['title']} {version}")
            if self.previous is None:
                out += [words["first"].format(things=self.things), ""]
                continue
            counts = self.counts()
            out.append(words["since"].format(previous=self.previous))
            out += [f"  {words[kind]}: {counts[kind]}" for kind in KINDS]
            for kind in KINDS:
                listed = [c for c in self.changes if c.kind == kind]
                if listed:
                    out.append(f"{words[kind]}:")
                    out += [f"  - {name_of(c.names, c.iri, lang)} <{c.iri}>" for c in listed]
            out.append("")
        return "\n".join(out)


WORDS = {
    "nl": {"title": "Wijzigingen in release", "since": "Ten opzichte van release {previous}:",
           "first": "Dit is de eerste release; er is geen eerdere om mee te vergelijken. "
                    "Ze beschrijft {things} dingen.",
           "added": "Toegevoegd", "changed": "Gewijzigd", "withdrawn": "Ingetrokken",
           "redirected": "Ingetrokken met opvolger", "removed": "Verwijderd"},
    "en": {"title": "Changes in release", "since": "Compared with release {previous}:",
           "first": "This is the first release; there is no earlier one to compare it with. "
                    "It describes {things} things.",
           "added": "Added", "changed": "Changed", "withdrawn": "Withdrawn",
           "redirected": "Withdrawn with a successor", "removed": "Removed"},
}


def name_of(names: Mapping[str, str], iri: str, lang: str) -> str:
    return names.get(lang) or names.get("") or next(iter(names.values()), None) or iri.rstrip("/").rsplit("/", 1)[-1]


def compare(before: Mapping[str, Thing], after: Mapping[str, Thing]) -> list[Change]:
    """The changes from ``before`` to ``after``, ordered by kind and IRI."""
    out = []
    for iri in sorted(before.keys() | after.keys()):
        old, new = before.get(iri), after.get(iri)
        if old is not None and new is not None and old.statements == new.statements:
            continue
        added = tuple(sorted(new.statements - (old.statements if old else frozenset()))) if new else ()
        removed = tuple(sorted(old.statements - (new.statements if new else frozenset()))) if old else ()
        if old is None:
            kind = "added"
        elif new is None:
            kind = "removed"
        elif new.deprecated and not old.deprecated:
            kind = "redirected" if new.successor else "withdrawn"
        else:
            kind = "changed"
        names = dict(new.names if new and new.names else old.names if old else {})
        out.append(Change(iri, kind, names, added, removed, new.successor if new else None))
    return sorted(out, key=lambda c: (KINDS.index(c.kind), c.iri))


def change_log(previous: Path | None, memory: MemoryDataset, base: str) -> ChangeLog:
    """The change log of the release in ``memory`` against the release folder ``previous`` (or none)."""
    after = from_memory(memory, base)
    things = sum(1 for iri in after if iri != UNATTACHED)
    if previous is None:
        return ChangeLog(None, None, things, ())
    manifest = read_manifest(previous)
    before = from_memory(MemoryDataset((previous / "ser.nq").read_bytes()), str(manifest["base_iri"]))
    return ChangeLog(str(manifest["version"]), str(manifest.get("created", "")), things,
                     tuple(compare(before, after)))


def files(log: ChangeLog, base: str) -> list[tuple[str, str, Callable[[Path, str], object]]]:
    """(file name, media type, writer of that file given the release version), the patch first."""
    return [
        (PATCH, PATCH_MEDIA_TYPE, lambda path, version: path.write_text(log.patch(version, base), encoding="utf-8")),
        (SUMMARY, "application/json", lambda path, version: path.write_text(
            json.dumps(log.to_json(version), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")),
        (TEXT, "text/plain", lambda path, version: path.write_text(log.text(version), encoding="utf-8")),
    ]
