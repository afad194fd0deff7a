"""What the server says about one resource, and whether it may say anything at all.

A description (Cool URIs §4.3; the "concise bounded description" of the W3C member submission,
widened the way Pubby and Trifid do) holds:

* the resource's own triples, with one level of blank nodes;
* the labels of everything it links to (and so the class labels of its types, from the ontology graph);
* the incoming links: who refers to it (at most :data:`MAX_INCOMING`), with their labels;
* its sources (``dct:source``), which are among its own triples;
* the sources of single facts: the ``rdf:Statement`` nodes that describe one of its triples with a
  ``dct:source`` of their own (data/README.md, "Per-fact sources"), with the sources' labels. They are
  not listed as incoming links; the page shows each source beside its fact.

Retired IRIs are data: the build writes ``<old> owl:deprecated true`` with an optional
``dct:isReplacedBy <successor>``, ``dct:date`` and ``skos:changeNote``. :meth:`Descriptions.status`
reads them so that the routes can answer 301/303 to the successor or 410 Gone.

All queries are trusted and run in-process; the one IRI pasted into them has been checked against
the patterns of :mod:`server.web.addresses` and is checked once more by :func:`iri_ref`. Results are
cached per IRI, within a bound in bytes: a store serves one immutable release.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

from rdflib import Literal
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS
from rdflib.term import Identifier

from server.store.base import Row, Store
from server.store.cache import Memo, SizedCache
from server.web.labels import LABEL_VALUES

MAX_INCOMING = 1000
# Bytes of keys and values: a Status is some 200 bytes with its IRI, so the first covers about 80,000 IRIs.
STATUS_CACHE_BYTES = 16 * 1024 * 1024
DESCRIPTION_CACHE_BYTES = 32 * 1024 * 1024
CLASSES_CACHE_BYTES = 1024 * 1024
_UNSAFE_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri_ref(iri: str) -> str:
    """``<iri>`` for a SPARQL query; refuses anything that could break out of the IRI."""
    if _UNSAFE_IRI.search(iri):
        raise ValueError(f"refusing to write {iri!r} into a query")
    return f"<{iri}>"


@dataclass(frozen=True)
class Status:
    exists: bool
    deprecated: bool = False
    successor: str | None = None
    date: Literal | None = None
    notes: tuple[Literal, ...] = ()

    @property
    def gone(self) -> bool:
        return self.deprecated and self.successor is None


UNKNOWN = Status(exists=False)


@dataclass
class Description:
    """The rows of a description, ready to be grouped for a page."""

    iri: str
    # (predicate, object) -> labels of the object as (label predicate, literal)
    outgoing: dict[tuple[str, Identifier], list[tuple[str, Literal]]] = field(default_factory=dict)
    # (subject, predicate) -> labels of the subject
    incoming: dict[tuple[str, str], list[tuple[str, Literal]]] = field(default_factory=dict)
    # (predicate, object) of an own triple -> its own sources -> labels of the source
    fact_sources: dict[tuple[str, Identifier], dict[str, list[tuple[str, Literal]]]] = field(default_factory=dict)

    def values(self, predicate: str) -> list[Identifier]:
        return [o for (p, o) in self.outgoing if p == predicate]

    @property
    def own_labels(self) -> list[tuple[str, Literal]]:
        return [(p, o) for (p, o) in self.outgoing if isinstance(o, Literal)]


Labels = list[tuple[str, Literal]]


def description_bytes(iri: str, description: Description) -> int:
    """The bytes of a cached description with its key, as :func:`server.store.cache.footprint` counts them
    (the same sum), written out for this one shape: the generic walk took some 60 us a page."""
    size = sys.getsizeof

    def labels(found: Labels) -> int:
        return size(found) + sum(size(pair) + size(pair[0]) + size(pair[1]) for pair in found)

    def pairs(rows: dict[tuple[str, Identifier], Labels] | dict[tuple[str, str], Labels]) -> int:
        return size(rows) + sum(size(k) + size(k[0]) + size(k[1]) + labels(v) for k, v in rows.items())

    facts = description.fact_sources
    return (size(iri) + size(description) + size(description.iri) + pairs(description.outgoing)
            + pairs(description.incoming)
            + size(facts) + sum(size(k) + size(k[0]) + size(k[1]) + size(sources)
                                + sum(size(src) + labels(found) for src, found in sources.items())
                                for k, sources in facts.items()))


def status_query(iri: str) -> str:
    s = iri_ref(iri)
    return f"""SELECT ?p ?dep ?succ ?date ?note WHERE {{
  {{ SELECT ?p WHERE {{ {s} ?p ?x }} LIMIT 1 }}
  OPTIONAL {{ {s} <{OWL.deprecated}> ?dep }}
  OPTIONAL {{ {s} <{DCTERMS.isReplacedBy}> ?succ }}
  OPTIONAL {{ {s} <{DCTERMS.date}> ?date }}
  OPTIONAL {{ {s} <{SKOS.changeNote}> ?note }}
}}"""


def construct_query(iri: str) -> str:
    """The description as a CONSTRUCT, for the RDF representations."""
    s = iri_ref(iri)
    # Label joins sit in OPTIONALs so that they are evaluated per bound ?o / ?in; as plain joins,
    # Oxigraph scans every label in the store first (100x slower, measured in bench/linkeddata).
    return f"""CONSTRUCT {{
  {s} ?p ?o . ?o ?lp ?l . ?in ?ip {s} . ?in ?ilp ?il . ?o ?bp ?bo . ?st ?sp ?so .
}} WHERE {{
  {{ {s} ?p ?o OPTIONAL {{ VALUES ?lp {{ {LABEL_VALUES} }} ?o ?lp ?l }}
     OPTIONAL {{ FILTER(isBlank(?o)) ?o ?bp ?bo }} }}
  UNION
  {{ {{ SELECT ?in ?ip WHERE {{ ?in ?ip {s} }} ORDER BY ?in ?ip LIMIT {MAX_INCOMING} }}
     OPTIONAL {{ VALUES ?ilp {{ {LABEL_VALUES} }} ?in ?ilp ?il }} }}
  UNION
  {{ {{ SELECT ?st WHERE {{ ?st <{RDF.subject}> {s} ; a <{RDF.Statement}> }} LIMIT {MAX_INCOMING} }}
     ?st ?sp ?so }}
}}"""


def select_query(iri: str) -> str:
    """The description as rows, for the HTML page: one query, labels joined in.

    Outgoing rows bind ``?p ?o``, incoming rows ``?ip ?in``, the sources of single facts ``?fp ?fo ?src``
    (the predicate and object of the fact, and its source); ``?lp ?l`` is a label of the other end.
    """
    s = iri_ref(iri)
    return f"""SELECT DISTINCT ?p ?o ?ip ?in ?fp ?fo ?src ?lp ?l WHERE {{
  {{ {s} ?p ?o OPTIONAL {{ FILTER(!isLiteral(?o)) VALUES ?lp {{ {LABEL_VALUES} }} ?o ?lp ?l }} }}
  UNION
  {{ {{ SELECT ?in ?ip WHERE {{ ?in ?ip {s} FILTER(?ip != <{RDF.subject}>) }} ORDER BY ?in ?ip LIMIT {MAX_INCOMING} }}
     OPTIONAL {{ VALUES ?lp {{ {LABEL_VALUES} }} ?in ?lp ?l }} }}
  UNION
  {{ {{ SELECT ?fp ?fo ?src WHERE {{
       ?st <{RDF.subject}> {s} ; a <{RDF.Statement}> ; <{RDF.predicate}> ?fp ; <{RDF.object}> ?fo ;
           <{DCTERMS.source}> ?src }} ORDER BY ?fp ?fo ?src LIMIT {MAX_INCOMING} }}
     OPTIONAL {{ VALUES ?lp {{ {LABEL_VALUES} }} ?src ?lp ?l }} }}
}}"""


class Descriptions:
    """Status and descriptions of resources in one store, cached per IRI."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Bounded in bytes, keys included: the IRIs come from request paths (at most MAX_PATH_BYTES long,
        # server.web.security), and any path that could be an IRI is looked up and its status kept.
        self.status = Memo(self._status, SizedCache[str, Status](STATUS_CACHE_BYTES))
        self.describe = Memo(self._describe, SizedCache[str, Description](DESCRIPTION_CACHE_BYTES,
                                                                                  size=description_bytes))
        # For the 404 page ("things of this kind are listed here"): a scan, so cached per IRI prefix.
        self.classes_under = Memo(self._classes_under, SizedCache[str, tuple[str, ...]](CLASSES_CACHE_BYTES))

    @property
    def cache_bytes(self) -> int:
        """Bytes held by the caches of status, descriptions and classes, as they count them."""
        return sum(memo.cache.bytes for memo in (self.status, self.describe, self.classes_under))

    def _classes_under(self, prefix: str) -> tuple[str, ...]:
        iri_ref(prefix)
        rows = self.store.select(
            f"""SELECT DISTINCT ?c WHERE {{ ?s a ?c FILTER(STRSTARTS(STR(?s), "{prefix}")) }} LIMIT 5""")
        return tuple(sorted(str(r["c"]) for r in rows))

    def _status(self, iri: str) -> Status:
        rows = self.store.select(status_query(iri))
        if not rows:
            return UNKNOWN
        deprecated = any(str(r.get("dep", "")).lower() in {"true", "1"} for r in rows)
        successor = next((str(r["succ"]) for r in rows if "succ" in r), None)
        date = next((r["date"] for r in rows if isinstance(r.get("date"), Literal)), None)
        notes = tuple(sorted({r["note"] for r in rows if isinstance(r.get("note"), Literal)}, key=str))
        return Status(True, deprecated, successor if deprecated else None, date, notes)  # type: ignore[arg-type]

    def _describe(self, iri: str) -> Description:
        description = Description(iri)
        for row in self.store.select(select_query(iri)):
            label = _label(row)
            if "p" in row:
                labels = description.outgoing.setdefault((str(row["p"]), row["o"]), [])
            elif "src" in row:
                fact = description.fact_sources.setdefault((str(row["fp"]), row["fo"]), {})
                labels = fact.setdefault(str(row["src"]), [])
            else:
                labels = description.incoming.setdefault((str(row["in"]), str(row["ip"])), [])
            if label is not None:
                labels.append(label)
        return description

    def document(self, iri: str, media_type: str) -> bytes:
        return self.store.construct(construct_query(iri), media_type)


def _label(row: Row) -> tuple[str, Literal] | None:
    lp = row.get("lp")
    literal = row.get("l")
    if lp is None or not isinstance(literal, Literal):
        return None
    return str(lp), literal
