"""The VoID description of a release (W3C Interest Group Note "Describing Linked Datasets with the VoID
Vocabulary": §3 general metadata and access, §4 statistics and partitions, §5 linksets, §6 subsets).

The release is one ``void:Dataset`` <{base}id/dataset/ser>. Its statistics count the **ontology and
data graphs**. The metadata graph is left out on purpose: it holds this very description (and the
catalogue), is filled only after this function has run, and so cannot count itself. Leaving it out
also makes the description inside the dumps and ``void.ttl`` (both made by the release writer, before
and after the metadata graph exists) carry the same numbers. The metadata subset is named, without a
size; the manifest gives the size of every graph.

What the counts mean (§4.6):

- ``void:triples``: distinct triples; ``void:entities``: distinct IRI subjects under ``{base}id/`` (the
  ``void:uriSpace``); ``void:classes``: distinct objects of ``rdf:type``; ``void:properties``:
  distinct predicates; ``void:distinctSubjects`` / ``void:distinctObjects``: distinct nodes.
- a class partition's ``void:entities``: IRI subjects typed with that class, in any namespace (so
  ``owl:Class`` counts the ontology's classes); a property partition's ``void:triples``: triples with
  that predicate.
- a linkset's ``void:triples``: triples of the data graph with the link predicate and an object in
  the target's URI space.

Partitions get IRIs made from a hash of the class or property, so that the same input gives the same
graph, triple for triple.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD
from rdflib.term import Node

from server.build.facts import ReleaseFacts
from server.rdf.namespaces import ELI, EXTERNAL, GRAPHS, graph_iri, prefixes

TITLE = {
    "nl": "SER Linked Data: kennisgraaf van de Sociaal-Economische Raad",
    "en": "SER Linked Data: knowledge graph of the Social and Economic Council of the Netherlands",
}
DESCRIPTION = {
    "nl": "Open linked data over de Sociaal-Economische Raad (SER): de raad en zijn organen, leden en "
          "zetelverdeling, adviezen en adviesaanvragen, akkoorden en IMVO-convenanten, taken, financiering "
          "en de wetten waarop de SER rust. Elk feit verwijst naar zijn bron.",
    "en": "Open linked data about the Social and Economic Council of the Netherlands (SER): the council and "
          "its bodies, members and seat allocation, advisory reports and requests, national and RBC "
          "agreements, tasks, funding and the laws the SER rests on. Every fact links to its source.",
}
GRAPH_TITLES = {
    "ontology": {"nl": "Ontologie en begrippenlijsten", "en": "Ontology and concept schemes"},
    "data": {"nl": "Gegevens", "en": "Data"},
    "metadata": {"nl": "Metagegevens: VoID en DCAT-catalogus", "en": "Metadata: VoID and DCAT catalogue"},
}


@dataclass(frozen=True)
class LinkTarget:
    key: str  # last IRI segment of the linkset and of the target's description
    predicate: URIRef
    uri_space: str  # objects starting with this are links to the target
    title: str
    homepage: str


# Links out of the data graph, as written by the record table (server/build/records.py).
LINK_TARGETS: tuple[LinkTarget, ...] = (
    LinkTarget("wikidata", OWL.sameAs, "http://www.wikidata.org/entity/", "Wikidata",
               "https://www.wikidata.org/"),
    LinkTarget("tooi", OWL.sameAs, "https://identifier.overheid.nl/tooi/",
               "TOOI: Thesaurus en Ontologie Overheidsinformatie", "https://standaarden.overheid.nl/tooi"),
    LinkTarget("wetten", RDFS.seeAlso, "https://wetten.overheid.nl/",
               "wetten.overheid.nl (Basiswettenbestand)", "https://wetten.overheid.nl/"),
)

# W3C format IRIs (http://www.w3.org/ns/formats/) for void:feature, by the media type of the RDF.
FEATURES = {
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/n-quads": "N-Quads",
    "application/trig": "TriG",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
}

Triple = tuple[Node, Node, Node]


def void_description(dataset: Dataset, facts: ReleaseFacts) -> Graph:
    """The VoID description of the release ``facts`` whose content is ``dataset``."""
    base = facts.base_iri
    by_graph = _triples_by_graph(dataset)
    metadata = URIRef(graph_iri("metadata", base))
    content: set[Triple] = set().union(*(t for g, t in by_graph.items() if g != metadata))
    data = by_graph.get(URIRef(graph_iri("data", base)), set())

    out = Graph()
    for prefix, namespace in prefixes(base).items():
        out.bind(prefix, namespace)
    ds = URIRef(facts.dataset_iri)
    _describe(out, ds, facts)
    _statistics(out, ds, content, f"{base}id/")
    _partitions(out, ds, content)
    for name in GRAPHS:
        subset = URIRef(graph_iri(name, base))
        out.add((ds, VOID.subset, subset))
        out.add((subset, RDF.type, VOID.Dataset))
        _texts(out, subset, DCTERMS.title, GRAPH_TITLES[name])
        if subset != metadata:
            out.add((subset, VOID.triples, _count(len(by_graph.get(subset, ())))))
    _linksets(out, ds, data, base)
    for example in _examples(data, base):
        out.add((ds, VOID.exampleResource, example))
    for vocabulary in _vocabularies(content, base):
        out.add((ds, VOID.vocabulary, vocabulary))
    return out


def _triples_by_graph(dataset: Dataset) -> dict[Node, set[Triple]]:
    out: dict[Node, set[Triple]] = defaultdict(set)
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name: Node | None = g.identifier if isinstance(g, Graph) else g
        if name is not None:
            out[name].add((s, p, o))
    return out


def _describe(out: Graph, ds: URIRef, facts: ReleaseFacts) -> None:
    base = facts.base_iri
    out.add((ds, RDF.type, VOID.Dataset))
    _texts(out, ds, DCTERMS.title, TITLE)
    _texts(out, ds, DCTERMS.description, DESCRIPTION)
    out.add((ds, DCTERMS.license, URIRef(facts.licence)))
    out.add((ds, DCTERMS.publisher, URIRef(f"{base}id/organisatie/ser")))
    created = Literal(facts.created.isoformat(), datatype=XSD.dateTime)
    out.add((ds, DCTERMS.created, created))
    out.add((ds, DCTERMS.modified, created))
    out.add((ds, FOAF.homepage, URIRef(base)))
    out.add((ds, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    out.add((ds, VOID.uriSpace, Literal(f"{base}id/")))
    for file in facts.files:
        out.add((ds, VOID.dataDump, URIRef(facts.download_url(file.name))))
        feature = FEATURES.get(file.format or file.media_type)
        if feature:
            out.add((ds, VOID.feature, URIRef(f"http://www.w3.org/ns/formats/{feature}")))


def _statistics(out: Graph, ds: URIRef, triples: set[Triple], uri_space: str) -> None:
    subjects = {s for s, _, _ in triples}
    entities = {s for s in subjects if isinstance(s, URIRef) and s.startswith(uri_space)}
    out.add((ds, VOID.triples, _count(len(triples))))
    out.add((ds, VOID.entities, _count(len(entities))))
    out.add((ds, VOID.classes, _count(len({o for _, p, o in triples if p == RDF.type}))))
    out.add((ds, VOID.properties, _count(len({p for _, p, _ in triples}))))
    out.add((ds, VOID.distinctSubjects, _count(len(subjects))))
    out.add((ds, VOID.distinctObjects, _count(len({o for _, _, o in triples}))))


def _partitions(out: Graph, ds: URIRef, triples: set[Triple]) -> None:
    instances: dict[Node, set[Node]] = defaultdict(set)
    for s, p, o in triples:
        if p == RDF.type and isinstance(s, URIRef):
            instances[o].add(s)
        elif p == RDF.type:
            instances.setdefault(o, set())  # a class used on blank nodes only still gets a partition
    for cls, members in instances.items():
        part = _partition_iri(ds, "class", cls)
        out.add((ds, VOID.classPartition, part))
        out.add((part, VOID["class"], cls))
        out.add((part, VOID.entities, _count(len(members))))
    for prop, n in Counter(p for _, p, _ in triples).items():
        part = _partition_iri(ds, "property", prop)
        out.add((ds, VOID.propertyPartition, part))
        out.add((part, VOID.property, prop))
        out.add((part, VOID.triples, _count(n)))


def _linksets(out: Graph, ds: URIRef, data: set[Triple], base: str) -> None:
    for target in LINK_TARGETS:
        n = sum(1 for _, p, o in data if p == target.predicate and isinstance(o, URIRef)
                and o.startswith(target.uri_space))
        if not n:
            continue  # a linkset without links says nothing
        other = URIRef(f"{base}id/dataset/{target.key}")
        out.add((other, RDF.type, VOID.Dataset))
        out.add((other, DCTERMS.title, Literal(target.title)))
        out.add((other, FOAF.homepage, URIRef(target.homepage)))
        out.add((other, VOID.uriSpace, Literal(target.uri_space)))
        linkset = URIRef(f"{ds}/linkset/{target.key}")
        out.add((ds, VOID.subset, linkset))
        out.add((linkset, RDF.type, VOID.Linkset))
        out.add((linkset, VOID.subjectsTarget, ds))
        out.add((linkset, VOID.objectsTarget, other))
        out.add((linkset, VOID.target, ds))
        out.add((linkset, VOID.target, other))
        out.add((linkset, VOID.linkPredicate, target.predicate))
        out.add((linkset, VOID.triples, _count(n)))


def _examples(data: set[Triple], base: str) -> list[URIRef]:
    """The SER itself, the first advies and the first law (by IRI), where the data has them."""
    subjects = {s for s, _, _ in data}
    ser = URIRef(f"{base}id/organisatie/ser")
    found = [ser] if ser in subjects else []
    for cls in (URIRef(f"{base}def/Advies"), ELI.LegalResource):
        typed = sorted(s for s, p, o in data if p == RDF.type and o == cls and isinstance(s, URIRef))
        found += typed[:1]
    return found


def _vocabularies(triples: set[Triple], base: str) -> set[URIRef]:
    """Namespaces of the reused (not our own) properties and classes."""
    terms = {p for _, p, _ in triples} | {o for _, p, o in triples if p == RDF.type}
    known = sorted(EXTERNAL.values(), key=len, reverse=True)
    found = set()
    for term in terms:
        if not isinstance(term, URIRef) or term.startswith(base):
            continue
        namespace = next((n for n in known if term.startswith(n)), None) or _split(str(term))
        found.add(URIRef(namespace))
    return found


def _split(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def _partition_iri(ds: URIRef, kind: str, term: Node) -> URIRef:
    digest = hashlib.sha256(str(term).encode("utf-8")).hexdigest()[:16]
    return URIRef(f"{ds}/{kind}/{digest}")


def _texts(out: Graph, subject: URIRef, predicate: URIRef, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        out.add((subject, predicate, Literal(text, lang=lang)))


def _count(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)

