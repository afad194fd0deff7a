"""The VoID description of a release (W3C Interest Group Note "Describing Linked Datasets with the VoID
Vocabulary": §3 general metadata and access, §4 statistics and partitions, §5 linksets, §6 subsets).

The release is one ``void:Dataset`` <{base}id/dataset/ser>, and its numbers count **everything the dumps
and the endpoint hold**: the ontology, data and metadata graphs. The metadata graph holds this very
description, so the description counts itself, a fixed point (:func:`settle`):

1. the ontology and data graphs are counted once in Oxigraph (:func:`statistics`; at a million
   triples this is the costly part);
2. a description is made from those numbers, put into the metadata graph, and only what the metadata
   graph *adds* is counted (its triples, subjects, objects, classes and properties that the other
   graphs do not have: queries over the small metadata graph, :func:`with_metadata`);
3. if those numbers are not the ones the description states, the description is made again from
   them, until the two agree (two or three rounds: the partitions of the metadata's own terms add
   triples once, and nothing after).

Every number but one depends only on which triples there are, never on the values of the counts:
``void:distinctObjects`` also counts the literal that states it, which is no new object when another
triple has the same number. In the rare case that no number can be right (n is taken and n+1 is not
a count that fits), the dataset's ``void:distinctObjects`` is left out (it is optional, §4.6) rather
than stated wrong.

``void.ttl`` is made after the dumps with the same numbers: it describes the dumps, and it adds the
sizes and checksums of the files, which cannot be inside the files they describe (so ``void.ttl`` and
``catalog.ttl`` together hold a few more triples than the metadata graph they describe).

What the counts mean (§4.6):

- ``void:triples``: distinct triples of the union of the three graphs (what the endpoint's default
  graph holds, and the triples of ``ser.ttl`` and ``ser.nt``); each graph is a ``void:subset`` with
  its own ``void:triples`` (the quads of ``ser.nq`` in that graph); the sum of the three is the
  dataset's count when no triple is in two graphs, as in the real data.
- ``void:entities``: distinct IRI subjects under ``{base}id/`` (the ``void:uriSpace``);
  ``void:classes``: distinct objects of ``rdf:type``; ``void:properties``: distinct predicates;
  ``void:distinctSubjects`` / ``void:distinctObjects``: distinct nodes.
- a class partition's ``void:entities``: IRI subjects typed with that class, in any namespace (so
  ``owl:Class`` counts the ontology's classes); a property partition's ``void:triples``: triples with
  that predicate.
- a linkset's ``void:triples``: triples of the data graph with the link predicate and an object in
  the target's URI space.
- a link target is described with the identifier schemes inside it (``void:subset``, with
  ``void:uriRegexPattern`` and examples: :mod:`server.pipeline.releases.schemes`), even before it has links.
- ``void:vocabulary``: the namespace of every class and property used, the project's own
  (``{base}def/``) included.

Partitions get IRIs made from a hash of the class or property, so that the same input gives the same
graph, triple for triple.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, SKOS, VOID, XSD

from server.errors import ReleaseError
from server.pipeline.assemble import to_nquads
from server.pipeline.releases.facts import ReleaseFacts
from server.pipeline.releases.schemes import describe_schemes, targets_with_schemes
from server.rdf.namespaces import ELI, EXTERNAL, GRAPHS, graph_iri, own, prefixes
from server.store.base import Row
from server.store.oxigraph.memory import MemoryDataset

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


# Links out of the data graph, as written by the record table (server/pipeline/sources/records.py).
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
    objects: int | None  # None: not stated (no number can be right; see the module docstring)
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

# What the metadata graph adds to the other two: its triples, subjects, objects and typings that they
# do not hold. These run over the small metadata graph only, each lookup through an index.
ELSEWHERE = "FILTER NOT EXISTS {{ GRAPH ?h {{ {pattern} }} FILTER(?h != <{metadata}>) }}"
ADDED = {
    "size": "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{metadata}> {{ ?s ?p ?o }} }}",
    "properties": """SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH <{metadata}> {{ ?s ?p ?o }} {triple} }}
        GROUP BY ?p""",
    "subjects": """SELECT (COUNT(DISTINCT ?s) AS ?subjects)
        (COUNT(DISTINCT IF(isIRI(?s) && STRSTARTS(STR(?s), "{space}"), ?s, ?none)) AS ?entities)
        WHERE {{ GRAPH <{metadata}> {{ ?s ?p ?o }} {subject} }}""",
    "objects": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ GRAPH <{metadata}> {{ ?s ?p ?o }} {object} }}",
    "classes": """SELECT ?class (COUNT(DISTINCT IF(isIRI(?s), ?s, ?none)) AS ?n)
        WHERE {{ GRAPH <{metadata}> {{ ?s rdf:type ?class }} {typing} }} GROUP BY ?class""",
}
ELSEWHERE_PATTERNS = {"triple": "?s ?p ?o", "subject": "?s ?q ?x", "object": "?x ?q ?o", "typing": "?s rdf:type ?class"}


def _number(rows: Sequence[Row], name: str) -> int:
    return int(rows[0][name]) if rows and name in rows[0] else 0


def statistics(memory: MemoryDataset, base: str) -> Statistics:
    """Count the ontology and data graphs of ``memory``; :func:`with_metadata` adds the metadata graph."""
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


def with_metadata(memory: MemoryDataset, base: str, content: Statistics) -> Statistics:
    """The numbers of the whole release: ``content`` (the ontology and data graphs, from
    :func:`statistics`) and what the metadata graph now in ``memory`` adds to them."""
    metadata = graph_iri("metadata", base)
    values = {name: ELSEWHERE.format(pattern=pattern, metadata=metadata)
              for name, pattern in ELSEWHERE_PATTERNS.items()}

    def run(key: str) -> Sequence[Row]:
        return memory.select(ADDED[key].format(metadata=metadata, space=f"{base}id/", **values), {"rdf": str(RDF)})

    added = {str(r["p"]): int(r["n"]) for r in run("properties")}
    properties = _add(content.property_triples, added)
    classes = _add(content.class_entities, {str(r["class"]): int(r["n"]) for r in run("classes")})
    subjects = run("subjects")
    objects = None if content.objects is None else content.objects + _number(run("objects"), "n")
    return dataclasses.replace(
        content, triples=content.triples + sum(added.values()),
        entities=content.entities + _number(subjects, "entities"), classes=len(classes),
        properties=len(properties), subjects=content.subjects + _number(subjects, "subjects"), objects=objects,
        class_entities=classes, property_triples=properties,
        graph_triples={**content.graph_triples, metadata: _number(run("size"), "n")},
    )


def _add(counts: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    return {key: counts.get(key, 0) + more.get(key, 0) for key in counts.keys() | more.keys()}


# Rounds before the description must agree with its counts: the partitions of the metadata's own
# terms settle in the second or third; more means distinctObjects has no right value (see above).
ROUNDS = 6


def settle(memory: MemoryDataset, base: str, content: Statistics,
           describe: Callable[[Statistics], Graph]) -> Statistics:
    """Put ``describe(stats)`` into the metadata graph of ``memory`` for the ``stats`` that count the
    whole release with that very graph in it, and return them (the fixed point of the module docstring).
    """
    metadata = graph_iri("metadata", base)
    stats = dataclasses.replace(content, graph_triples={**content.graph_triples, metadata: 0})
    for attempt in range(2 * ROUNDS):
        if attempt == ROUNDS and stats.objects is not None:
            # distinctObjects keeps flipping between two wrong values: leave it out, count again.
            content = dataclasses.replace(content, objects=None)
            stats = dataclasses.replace(stats, objects=None)
        memory.replace_graph(metadata, to_nquads({metadata: describe(stats)}))
        counted = with_metadata(memory, base, content)
        if counted == stats:
            return stats
        stats = counted
    raise ReleaseError(f"the VoID counts of the release did not settle in {2 * ROUNDS} rounds; "
                       "see server/pipeline/releases/void.py")


def void_description(stats: Statistics, facts: ReleaseFacts) -> Graph:
    """The VoID description of the release ``facts`` whose numbers are ``stats``."""
    base = facts.base_iri
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
    if stats.objects is not None:
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
    described = targets_with_schemes()
    for target in LINK_TARGETS:
        n = stats.links.get(target.key, 0)
        if not n and target.key not in described:
            continue  # a target without links or schemes says nothing
        other = URIRef(f"{base}id/dataset/{target.key}")
        out.add((other, RDF.type, VOID.Dataset))
        out.add((other, DCTERMS.title, Literal(target.title)))
        out.add((other, FOAF.homepage, URIRef(target.homepage)))
        out.add((other, VOID.uriSpace, Literal(target.uri_space)))
        describe_schemes(out, target.key, other, base)  # its identifier schemes (schemes.py)
        if not n:
            continue  # a linkset without links says nothing
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
    """Namespaces of the classes and properties in use: the reused ones and the project's own."""
    terms = set(stats.property_triples) | set(stats.class_entities)
    ours = own(base)
    known = sorted([*EXTERNAL.values(), ours["ser"], ours["sersh"]], key=len, reverse=True)
    found = set()
    for term in terms:
        if (term.startswith(base) and not term.startswith(ours["ser"])) or not term.startswith(("http://", "https://")):
            continue  # under the base but outside def/: things, not a vocabulary
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

