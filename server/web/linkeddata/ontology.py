"""The ontology's documentation page, generated from the ontology graph in the store.

Every term ``{base}def/{Term}`` answers 303 to ``/doc/def/ser#{Term}``: one document for the
whole ontology, as small vocabularies do (Best Practice Recipes for Publishing RDF Vocabularies,
recipe 3). This module reads the classes and properties with their labels, definitions, super
terms, domains and ranges; the page shows them in both languages, the RDF comes from the graph itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib.namespace import OWL, RDF, RDFS

from server.rdf.namespaces import graph_iri
from server.store.base import Store
from server.web import addresses
from server.web.addresses import Link
from server.web.labels import Vocabulary, curie, in_language

CLASS_KINDS = {str(OWL.Class), str(RDFS.Class)}
PROPERTY_KINDS = {str(OWL.ObjectProperty), str(OWL.DatatypeProperty), str(RDF.Property),
                  str(OWL.AnnotationProperty)}
RELATIONS = {str(RDFS.subClassOf): "super", str(RDFS.subPropertyOf): "super", str(RDFS.domain): "domain",
             str(RDFS.range): "range"}


@dataclass
class TermView:
    anchor: str
    iri: str
    name: str
    other_name: str | None
    definition: str | None
    super: list[Link] = field(default_factory=list)
    domain: list[Link] = field(default_factory=list)
    range: list[Link] = field(default_factory=list)


@dataclass
class OntologyView:
    iri: str
    title: str
    description: str | None
    classes: list[TermView]
    properties: list[TermView]


def ontology_rdf_query(base: str) -> str:
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri('ontology', base)}> {{ ?s ?p ?o }} }}"


def terms_query(base: str) -> str:
    kinds = " ".join(f"<{k}>" for k in sorted(CLASS_KINDS | PROPERTY_KINDS))
    relations = " ".join(f"<{r}>" for r in RELATIONS)
    return f"""SELECT ?s ?kind ?rel ?o WHERE {{
  GRAPH <{graph_iri('ontology', base)}> {{
    VALUES ?kind {{ {kinds} }} ?s a ?kind .
    FILTER(STRSTARTS(STR(?s), "{base}def/"))
    OPTIONAL {{ VALUES ?rel {{ {relations} }} ?s ?rel ?o FILTER(isIRI(?o)) }}
  }}
}}"""


def _link(iri: str, base: str, vocab: Vocabulary, lang: str) -> Link:
    return Link(vocab.name(iri, lang), addresses.href(iri, base))


def ontology_view(store: Store, base: str, vocab: Vocabulary, lang: str) -> OntologyView:
    other = "en" if lang == "nl" else "nl"
    terms: dict[str, TermView] = {}
    kinds: dict[str, set[str]] = {}
    prefix = f"{base}def/"
    for row in store.select(terms_query(base)):
        iri = str(row["s"])
        local = iri[len(prefix):]
        if "/" in local or local == addresses.ONTOLOGY_NAME:
            continue
        kinds.setdefault(iri, set()).add(str(row["kind"]))
        term = terms.get(iri)
        if term is None:
            labels = vocab.terms[iri].labels if iri in vocab.terms else {}
            other_name = labels.get(other)
            term = terms[iri] = TermView(local, iri, vocab.name(iri, lang),
                                         other_name if other_name != vocab.name(iri, lang) else None,
                                         vocab.definition(iri, lang))
        if "rel" in row and "o" in row:
            target = getattr(term, RELATIONS[str(row["rel"])])
            link = _link(str(row["o"]), base, vocab, lang)
            if link not in target:
                target.append(link)
    onto = addresses.ontology_iri(base)
    meta = vocab.terms.get(onto)
    title = (in_language(meta.labels, lang) if meta else None) or curie(onto, base)
    description = vocab.definition(onto, lang)

    def order(t: TermView) -> str:
        return t.name.lower()

    classes = sorted((t for t in terms.values() if kinds[t.iri] & CLASS_KINDS), key=order)
    properties = sorted((t for t in terms.values() if not kinds[t.iri] & CLASS_KINDS), key=order)
    return OntologyView(onto, title, description, classes, properties)
