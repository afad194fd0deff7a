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
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, SKOS, VOID, XSD

from server.pipeline.facts import ReleaseFacts
from server.rdf.namespaces import ELI, EXTERNAL, GRAPHS, graph_iri, prefixes
from server.store.base import Row
from server.store.memory import MemoryDataset

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


# Links out of the data graph, as written by the record table (server/pipeline/records.py).
LINK_TARGETS: tuple[LinkTarget, ...] = (
    LinkTarget("wikidata", OWL.sameAs, "http://www.wikidata.org/entity/", "Wikidata",
               "https://www.wikidata.org/"),
    LinkTarget("tooi", OWL.sameAs, "https://identifier.overheid.nl/tooi/",
               "TOOI: Thesaurus en Ontologie Overheidsinformatie", "https://standaarden.overheid.nl/tooi"),
    LinkTarget("wetten", SKOS.exactMatch, "https://wetten.overheid.nl/",
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

@dataclass(frozen=True)
class Statistics:
    """The numbers of a release, counted once in Oxigraph (research/tech-probe.md: rdflib sets of a
    million triples cost seconds and hundreds of megabytes; these queries take a fraction of that)."""

    triples: int
    entities: int
    classes: int
    properties: int
    subjects: int
    objects: int
    class_entities: dict[str, int]  # class IRI -> IRI subjects typed with it
    property_triples: dict[str, int]  # property IRI -> triples
    graph_triples: dict[str, int]  # named graph IRI -> triples
    links: dict[str, int]  # LinkTarget.key -> links in the data graph
    examples: list[str]


CONTENT = "GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{metadata}>)"
QUERIES = {
    "totals": """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
        (COUNT(DISTINCT ?p) AS ?properties)
        (COUNT(DISTINCT IF(isIRI(?s) && STRSTARTS(STR(?s), "{space}"), ?s, ?none)) AS ?entities)
        (COUNT(DISTINCT IF(?p = rdf:type, ?o, ?none)) AS ?classes)
        WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {content} }} }}""",
    "classes": """SELECT ?class (COUNT(DISTINCT IF(isIRI(?s), ?s, ?none)) AS ?n)
        WHERE {{ SELECT DISTINCT ?s ?class WHERE {{ GRAPH ?g {{ ?s rdf:type ?class }} FILTER(?g != <{metadata}>) }} }}
        GROUP BY ?class""",
    "properties": """SELECT ?p (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {content} }} }}
        GROUP BY ?p""",
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
    "links": """SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{data}> {{ ?s <{predicate}> ?o }}
        FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{space}")) }}""",
    "first": """SELECT ?s WHERE {{ GRAPH <{data}> {{ ?s rdf:type <{cls}> }} FILTER(isIRI(?s)) }}
        ORDER BY STR(?s) LIMIT 1""",
    "described": "SELECT ?p WHERE {{ GRAPH <{data}> {{ <{iri}> ?p ?o }} }} LIMIT 1",
}


def _number(rows: Sequence[Row], name: str) -> int:
    return int(rows[0][name]) if rows and name in rows[0] else 0


def statistics(memory: MemoryDataset, base: str) -> Statistics:
    """Count the ontology and data graphs of ``memory`` (the metadata graph is left out: see above)."""
    names = {"metadata": graph_iri("metadata", base), "data": graph_iri("data", base)}
    content = CONTENT.format(metadata=names["metadata"])
    prefixes_ = {"rdf": str(RDF)}

    def run(key: str, **values: str) -> Sequence[Row]:
        return memory.select(QUERIES[key].format(content=content, **names, **values), prefixes_)

    totals = run("totals", space=f"{base}id/")
    links = {t.key: _number(run("links", predicate=str(t.predicate), space=t.uri_space), "n") for t in LINK_TARGETS}
    ser = f"{base}id/organisatie/ser"
    examples = [ser] if run("described", iri=ser) else []
    for cls in (f"{base}def/Advies", str(ELI.LegalResource)):
        examples += [str(r["s"]) for r in run("first", cls=cls)]
    return Statistics(
        triples=_number(totals, "triples"), entities=_number(totals, "entities"), classes=_number(totals, "classes"),
        properties=_number(totals, "properties"), subjects=_number(totals, "subjects"),
        objects=_number(totals, "objects"),
        class_entities={str(r["class"]): int(r["n"]) for r in run("classes")},
        property_triples={str(r["p"]): int(r["n"]) for r in run("properties")},
        graph_triples={str(r["g"]): int(r["n"]) for r in run("graphs")},
        links=links, examples=examples,
    )


def void_description(stats: Statistics, facts: ReleaseFacts) -> Graph:
    """The VoID description of the release ``facts`` whose numbers are ``stats``."""
    base = facts.base_iri
    metadata = URIRef(graph_iri("metadata", base))
    out = Graph()
    for prefix, namespace in prefixes(base).items():
        out.bind(prefix, namespace)
    ds = URIRef(facts.dataset_iri)
    _describe(out, ds, facts)
    _statistics(out, ds, stats)
    _partitions(out, ds, stats)
    for name in GRAPHS:
        subset = URIRef(graph_iri(name, base))
        out.add((ds, VOID.subset, subset))
        out.add((subset, RDF.type, VOID.Dataset))
        _texts(out, subset, DCTERMS.title, GRAPH_TITLES[name])
        if subset != metadata:
            out.add((subset, VOID.triples, _count(stats.graph_triples.get(str(subset), 0))))
    _linksets(out, ds, stats, base)
    for example in stats.examples:
        out.add((ds, VOID.exampleResource, URIRef(example)))
    for vocabulary in _vocabularies(stats, base):
        out.add((ds, VOID.vocabulary, vocabulary))
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


def _statistics(out: Graph, ds: URIRef, stats: Statistics) -> None:
    out.add((ds, VOID.triples, _count(stats.triples)))
    out.add((ds, VOID.entities, _count(stats.entities)))
    out.add((ds, VOID.classes, _count(stats.classes)))
    out.add((ds, VOID.properties, _count(stats.properties)))
    out.add((ds, VOID.distinctSubjects, _count(stats.subjects)))
    out.add((ds, VOID.distinctObjects, _count(stats.objects)))


def _partitions(out: Graph, ds: URIRef, stats: Statistics) -> None:
    for cls, n in stats.class_entities.items():
        part = _partition_iri(ds, "class", cls)
        out.add((ds, VOID.classPartition, part))
        out.add((part, VOID["class"], URIRef(cls)))
        out.add((part, VOID.entities, _count(n)))
    for prop, n in stats.property_triples.items():
        part = _partition_iri(ds, "property", prop)
        out.add((ds, VOID.propertyPartition, part))
        out.add((part, VOID.property, URIRef(prop)))
        out.add((part, VOID.triples, _count(n)))


def _linksets(out: Graph, ds: URIRef, stats: Statistics, base: str) -> None:
    for target in LINK_TARGETS:
        n = stats.links.get(target.key, 0)
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


def _vocabularies(stats: Statistics, base: str) -> set[URIRef]:
    """Namespaces of the reused (not our own) properties and classes."""
    terms = set(stats.property_triples) | set(stats.class_entities)
    known = sorted(EXTERNAL.values(), key=len, reverse=True)
    found = set()
    for term in terms:
        if term.startswith(base) or not term.startswith(("http://", "https://")):
            continue
        namespace = next((n for n in known if term.startswith(n)), None) or _split(term)
        found.add(URIRef(namespace))
    return found


def _split(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def _partition_iri(ds: URIRef, kind: str, term: str) -> URIRef:
    digest = hashlib.sha256(str(term).encode("utf-8")).hexdigest()[:16]
    return URIRef(f"{ds}/{kind}/{digest}")


def _texts(out: Graph, subject: URIRef, predicate: URIRef, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        out.add((subject, predicate, Literal(text, lang=lang)))


def _count(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)

