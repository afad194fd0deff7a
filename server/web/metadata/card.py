"""The dataset card that opens the catalogue and VoID pages, and names for the metadata graph's things.

The card (DCAT-AP-NL 3.0 §dcat:Dataset; VoID §4) says what a person looks for first: the title, the
description, the licence, the publisher and the distributions, in the page's language. The licence and
publisher are the dataset's own, else the catalogue's, else (licence) the first distribution's.

Many things of the metadata graph have no label: VoID's class and property partitions, checksums,
contact points. :func:`section_title` names them by what they are about ("Klassepartitie: Persoon"),
never by their IRI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID
from rdflib.term import Node

from server.web import addresses
from server.web.labels import LABEL_PREDICATES, Vocabulary, pick
from server.web.literals import human_decimal
from server.web.site import Site

SPDX_CHECKSUM = URIRef("http://spdx.org/rdf/terms#checksum")
# What a partition or part is about -> how it is named, per language.
ABOUT = (
    (VOID["class"], {"nl": "Klassepartitie", "en": "Class partition"}),
    (VOID.property, {"nl": "Eigenschapspartitie", "en": "Property partition"}),
)


@dataclass(frozen=True)
class Link:
    text: str
    href: str | None = None


@dataclass
class Card:
    title: str
    description: str | None
    licence: Link | None
    publisher: Link | None
    distributions: list[Link] = field(default_factory=list)


def labels_of(graph: Graph, term: Node) -> list[tuple[str, Literal]]:
    return [(str(p), o) for p in LABEL_PREDICATES for o in graph.objects(term, URIRef(p))
            if isinstance(o, Literal)]


def text_in(graph: Graph, subject: Node, predicate: URIRef, lang: str) -> str | None:
    literals = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    ranked = sorted(literals, key=lambda o: (0 if o.language == lang else 1 if o.language == "nl" else 2, str(o)))
    return str(ranked[0]) if ranked else None


def name_of(graph: Graph, term: Node, lang: str, vocab: Vocabulary) -> str:
    """A thing's label in the graph, else the ontology's name for it, else a name from what it is about."""
    label = pick(labels_of(graph, term), lang)
    if label is not None:
        return str(label)
    iri = str(term)
    if iri in vocab.terms:
        return vocab.name(iri, lang)
    for predicate, names in ABOUT:
        about = next(iter(graph.objects(term, predicate)), None)
        if about is not None:
            return f"{names.get(lang, names['nl'])}: {vocab.name(str(about), lang)}"
    for owner in graph.subjects(SPDX_CHECKSUM, term):
        return f"SHA-256 · {name_of(graph, owner, lang, vocab)}"
    return addresses.readable(iri)


def section_title(graph: Graph, subject: URIRef, lang: str, site: Site) -> str:
    return name_of(graph, subject, lang, site.vocab)


def first_object(graph: Graph, subjects: list[URIRef], predicate: URIRef) -> Node | None:
    for subject in subjects:
        found = next(iter(sorted(graph.objects(subject, predicate), key=str)), None)
        if found is not None:
            return found
    return None


def dataset_card(graph: Graph, lang: str, site: Site) -> Card | None:
    """The card of the release's dataset (``{base}id/dataset/ser``), when the graph describes it."""
    dataset = URIRef(f"{site.base}id/dataset/ser")
    if (dataset, None, None) not in graph:
        return None
    catalogues = sorted((s for s in graph.subjects(RDF.type, DCAT.Catalog) if isinstance(s, URIRef)), key=str)
    distributions = sorted((d for d in graph.objects(dataset, DCAT.distribution) if isinstance(d, URIRef)), key=str)

    def link(term: Node | None) -> Link | None:
        if term is None:
            return None
        return Link(name_of(graph, term, lang, site.vocab), addresses.href(str(term), site.base))

    title = text_in(graph, dataset, DCTERMS.title, lang) or name_of(graph, dataset, lang, site.vocab)
    licence = first_object(graph, [dataset, *catalogues, *distributions], DCTERMS.license)
    publisher = first_object(graph, [dataset, *catalogues], DCTERMS.publisher)
    publisher_link = None
    if publisher is not None:
        named = text_in(graph, publisher, FOAF.name, lang)
        publisher_link = Link(named, addresses.href(str(publisher), site.base)) if named else link(publisher)
    card = Card(title, text_in(graph, dataset, DCTERMS.description, lang), link(licence), publisher_link)
    for distribution in distributions:
        download = first_object(graph, [distribution], DCAT.downloadURL)
        size = first_object(graph, [distribution], DCAT.byteSize)
        text = text_in(graph, distribution, DCTERMS.title, lang) or name_of(graph, distribution, lang, site.vocab)
        if isinstance(size, Literal):
            text = f"{text}, {human_decimal(str(size), lang)} bytes"
        href = addresses.href(str(download), site.base) if download is not None else None
        card.distributions.append(Link(text, href))
    return card
