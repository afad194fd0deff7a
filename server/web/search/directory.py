"""The directory of a release: every named thing, class and property, read from the store once.

Search and reconciliation both look names up here. Things are the IRIs under ``{base}id/`` with a
label in the data or ontology graph (records and the concepts of the vocabularies); classes and
properties are named by the ontology graph, which labels every term in both languages. Class
hierarchy comes from ``rdfs:subClassOf`` in the ontology graph plus :data:`KNOWN_BROADER`, so that a
type constraint ``org:Organization`` also admits the formal organisations.

One directory per store, built when the first router asks for it (that is, when the app is created);
a store serves one immutable release, so nothing here is ever invalidated.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS

from server.rdf.namespaces import graph_iri, prefixes, ser
from server.settings import Settings
from server.store.base import Store
from server.web.labels import LABEL_PREDICATES, Vocabulary, curie
from server.web.search import names
from server.web.search.index import HIDDEN, Entity, NameIndex

# The names a matcher reads: the labels a page shows (server.web.labels) and the other names of a thing.
MATCHED_NAMES = (*LABEL_PREDICATES, str(SKOS.altLabel), str(SKOS.hiddenLabel))
DESCRIPTION_PREDICATES = (DCTERMS.description, SKOS.definition)
DESCRIPTION_LENGTH = 200
# The vocabularies' concepts (ontology graph) rank just below the records of the same name, so that
# "Grondwet" is first the law and then the kind of regulation.
CONCEPT_PRIOR = 0.95
# Facts of the W3C Organization Ontology (§3) that our ontology graph does not repeat.
KNOWN_BROADER: dict[str, tuple[str, ...]] = {
    str(ORG.FormalOrganization): (str(ORG.Organization),),
    str(ORG.OrganizationalUnit): (str(ORG.Organization),),
}
_THING_PATH = re.compile(r"^[a-z]+/[a-z0-9]+(?:-[a-z0-9]+)*$")


def _values(terms: Iterable[object]) -> str:
    return " ".join(f"<{t}>" for t in terms)


@dataclass
class Directory:
    base: str
    things: NameIndex
    types: NameIndex
    properties: NameIndex
    broader: dict[str, tuple[str, ...]]  # class -> its direct superclasses
    members: dict[str, set[str]]  # class -> the things of that class or of a subclass
    usage: dict[str, list[tuple[str, int]]]  # class -> (property, how many of its things use it), most first

    def kinds(self) -> list[str]:
        """The classes to offer as choices: those of named things, most things first, and the broader
        classes that two or more of them share (``org:Organization``, ``ser:Overeenkomst``); the
        classes of the vocabularies' concepts come last."""
        direct = Counter(t for thing in self.things.entities for t in thing.types)
        records = {t for thing in self.things.entities if thing.prior == 1.0 for t in thing.types}
        shared = Counter(parent for t in direct for parent in self.broader.get(t, ()))
        chosen = set(direct) | {parent for parent, n in shared.items() if n >= 2}
        records |= {parent for parent in chosen if parent not in direct}
        return sorted(chosen, key=lambda t: (t not in records, -len(self.members.get(t, ())), t))

    def ancestors(self, cls: str) -> set[str]:
        seen: set[str] = set()
        todo = [cls]
        while todo:
            for parent in self.broader.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def of_types(self, types: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for cls in types:
            found |= self.members.get(cls, set())
        return found

    def thing(self, text: str) -> Entity | None:
        """The thing an identifier names: its IRI, its document URL, or its path such as ``organisatie/ser``."""
        text = text.strip()
        for prefix in (f"{self.base}id/", f"{self.base}doc/", "/doc/", "/id/"):
            if text.startswith(prefix):
                text = text[len(prefix):]
                break
        if not _THING_PATH.match(text):
            return None
        return self.things.entity(f"{self.base}id/{text}")

    def term(self, text: str) -> str:
        """A class or property IRI from an IRI or a CURIE (``ser:Advies``); anything else as given."""
        prefix, colon, local = text.strip().partition(":")
        namespace = prefixes(self.base).get(prefix)
        return namespace + local if colon and namespace and not local.startswith("//") else text.strip()

    def curie(self, iri: str) -> str:
        return curie(iri, self.base)


def _things(store: Store, base: str) -> list[Entity]:
    # The graphs are named in VALUES and the IRIs filtered here, not in FILTERs: Oxigraph evaluates a
    # FILTER next to VALUES ?g row by row, three times slower on a release of a million triples.
    graphs = _values(graph_iri(g, base) for g in ("data", "ontology"))
    data, within = graph_iri("data", base), f"{base}id/"
    labels: dict[str, list[tuple[str, Literal]]] = defaultdict(list)
    records: set[str] = set()
    for row in store.select(f"""SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {graphs} }}
            VALUES ?p {{ {_values((*MATCHED_NAMES, ser(base).historischeNaam))} }} GRAPH ?g {{ ?s ?p ?o }} }}"""):
        subject, literal = str(row["s"]), row["o"]
        if isinstance(literal, Literal) and subject.startswith(within):
            labels[subject].append((str(row["p"]), literal))
            if str(row["g"]) == data:
                records.add(subject)
    types: dict[str, set[str]] = defaultdict(set)
    for row in store.select(f"SELECT ?s ?t WHERE {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s a ?t }} }}"):
        if str(row["s"]) in labels:
            types[str(row["s"])].add(str(row["t"]))
    descriptions: dict[str, dict[str, str]] = defaultdict(dict)
    for row in store.select(f"""SELECT ?s ?o WHERE {{ VALUES ?g {{ {graphs} }}
            VALUES ?p {{ {_values(DESCRIPTION_PREDICATES)} }} GRAPH ?g {{ ?s ?p ?o }} }}"""):
        if str(row["s"]) in labels:
            text = " ".join(str(row["o"]).split())
            if len(text) > DESCRIPTION_LENGTH:
                text = text[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0] + " …"
            descriptions[str(row["s"])].setdefault(getattr(row["o"], "language", None) or "", text)
    # A statement about one fact (its own source, data/README.md "Per-fact sources") is part of a
    # record's description, not a thing a search or a reconciliation should offer.
    return [Entity(iri, tuple(sorted(types[iri])), tuple(sorted(found)), descriptions.get(iri, {}),
                   1.0 if iri in records else CONCEPT_PRIOR) for iri, found in sorted(labels.items())
            if str(RDF.Statement) not in types[iri]]


def _terms(iris: Iterable[str], vocab: Vocabulary, base: str) -> list[Entity]:
    """Classes or properties as entities: their ontology labels, and their local name in words (hidden)."""
    entities = []
    for iri in sorted(set(iris)):
        term = vocab.terms.get(iri)
        labels = [(str(RDFS.label), Literal(text, lang=lang or None)) for lang, text in
                  sorted(term.labels.items())] if term else []
        local = re.split(r"[/#]", iri)[-1]
        labels += [(str(SKOS.hiddenLabel), Literal(names.camel_words(local))),
                   (str(SKOS.hiddenLabel), Literal(curie(iri, base)))]
        entities.append(Entity(iri, (), tuple(labels), dict(term.definitions) if term else {}))
    return entities


def build(store: Store, vocab: Vocabulary, base: str) -> Directory:
    things = _things(store, base)
    broader: dict[str, set[str]] = defaultdict(set)
    for cls, parents in KNOWN_BROADER.items():
        broader[cls].update(parents)
    for row in store.select(f"""SELECT ?c ?super WHERE {{ GRAPH <{graph_iri("ontology", base)}> {{
            ?c <{RDFS.subClassOf}> ?super FILTER(isIRI(?c) && isIRI(?super)) }} }}"""):
        broader[str(row["c"])].add(str(row["super"]))
    hierarchy = {cls: tuple(sorted(parents)) for cls, parents in broader.items()}
    directory = Directory(base, NameIndex(things, {str(ser(base).historischeNaam): HIDDEN}), NameIndex([]),
                          NameIndex([]), hierarchy, {}, {})
    members: dict[str, set[str]] = defaultdict(set)
    for thing in things:
        for cls in thing.types:
            for kind in (cls, *directory.ancestors(cls)):
                members[kind].add(thing.iri)
    usage: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in store.select(f"""SELECT ?t ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{
            GRAPH <{graph_iri("data", base)}> {{ ?s a ?t ; ?p ?o }} }} GROUP BY ?t ?p"""):
        usage[str(row["t"])].append((str(row["p"]), int(str(row["n"]))))
    directory.members = dict(members)
    directory.usage = {cls: sorted(found, key=lambda u: (-u[1], u[0])) for cls, found in usage.items()}
    directory.types = NameIndex(_terms(members, vocab, base))
    directory.properties = NameIndex(_terms((p for found in usage.values() for p, _ in found), vocab, base))
    return directory


def directory_for(settings: Settings, store: Store) -> Directory:
    """The directory of ``store``'s release, read afresh: ``create_app`` reads one per app and gives it to
    the search and the reconciliation routers."""
    return build(store, Vocabulary(store, settings.base_iri), settings.base_iri)
