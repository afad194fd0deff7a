"""Names for things, properties and classes, in the reader's language.

A thing's label is the first of :data:`LABEL_PREDICATES` found in the requested language, then in
Dutch, then without a language, then in any language. Properties and classes are named by the
ontology graph (``ontology/ser.ttl`` and ``ontology/labels.ttl``: ``rdfs:label`` in nl and en for every
term used); a term it does not name is shown as a CURIE from the one prefix map.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import Literal
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS

from server.rdf.namespaces import ELI, graph_iri, prefixes
from server.store.base import Store

LABEL_PREDICATES: tuple[str, ...] = tuple(
    str(p) for p in (SKOS.prefLabel, DCTERMS.title, FOAF.name, ELI.title, RDFS.label)
)
LABEL_VALUES = " ".join(f"<{p}>" for p in LABEL_PREDICATES)
DEFINITION_PREDICATES = (str(SKOS.definition), str(RDFS.comment))


def pick(labels: Iterable[tuple[str, Literal]], lang: str) -> Literal | None:
    """The best label among ``(predicate, literal)`` pairs for a reader of ``lang``."""
    ranked: dict[tuple[int, int], Literal] = {}
    for predicate, literal in labels:
        try:
            p_rank = LABEL_PREDICATES.index(predicate)
        except ValueError:
            continue
        tag = (literal.language or "").lower()
        l_rank = 0 if tag == lang else 1 if tag == "nl" else 2 if not tag else 3
        key = (l_rank, p_rank)
        # Keep the smallest literal per rank, so the choice does not depend on row order.
        if key not in ranked or str(literal) < str(ranked[key]):
            ranked[key] = literal
    return ranked[min(ranked)] if ranked else None


def in_language(texts: Mapping[str, str], lang: str) -> str | None:
    """The text in ``lang``, else Dutch, else untagged, else any; ``texts`` maps language to text."""
    for tag in (lang, "nl", ""):
        if tag in texts:
            return texts[tag]
    return next(iter(sorted(texts.items())), (None, None))[1]


def curie(iri: str, base: str) -> str:
    for prefix, namespace in prefixes(base).items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


@dataclass
class Term:
    """What the ontology graph says about one property or class."""

    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)


class Vocabulary:
    """The labels of every term in the ontology graph, read once per store (the release is immutable)."""

    def __init__(self, store: Store, base: str) -> None:
        self._store = store
        self._base = base
        self._terms: dict[str, Term] | None = None
        self._lock = threading.Lock()

    @property
    def terms(self) -> dict[str, Term]:
        if self._terms is None:
            with self._lock:
                if self._terms is None:
                    self._terms = self._load()
        return self._terms

    def _load(self) -> dict[str, Term]:
        query = f"""
            SELECT ?s ?p ?o WHERE {{
              GRAPH <{graph_iri("ontology", self._base)}> {{
                VALUES ?p {{ <{RDFS.label}> <{SKOS.prefLabel}> <{RDFS.comment}> <{SKOS.definition}> }}
                ?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o))
              }}
            }}"""
        # Per term and language one label and one definition: rdfs:label before skos:prefLabel, skos:definition
        # before rdfs:comment, and between two of the same kind the first in text order, so the choice never
        # depends on the order the store answers in.
        rank = {str(RDFS.label): 0, str(SKOS.prefLabel): 1, str(SKOS.definition): 0, str(RDFS.comment): 1}
        best: dict[tuple[str, bool, str], tuple[int, str]] = {}
        for row in self._store.select(query):
            iri, predicate, literal = str(row["s"]), str(row["p"]), row["o"]
            key = (iri, predicate in DEFINITION_PREDICATES, getattr(literal, "language", None) or "")
            candidate = (rank[predicate], str(literal))
            if key not in best or candidate < best[key]:
                best[key] = candidate
        terms: dict[str, Term] = {}
        for (iri, is_definition, tag), (_, text) in sorted(best.items()):
            term = terms.setdefault(iri, Term(iri))
            (term.definitions if is_definition else term.labels)[tag] = text
        return terms

    def name(self, iri: str, lang: str) -> str:
        term = self.terms.get(iri)
        text = in_language(term.labels, lang) if term else None
        return text or curie(iri, self._base)

    def definition(self, iri: str, lang: str) -> str | None:
        term = self.terms.get(iri)
        return in_language(term.definitions, lang) if term else None
