"""A class index as a table: the things of one class, sorted by name, with the columns useful for the
class (:data:`COLUMNS`), a filter on the name (``?q=``) and paging (``?page=``).

The work is bounded: a class's names are read once (at most :data:`MAX_ROWS` things, cached by the
caller), filtered and sorted in Python, and the column values are fetched for one page only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS
from rdflib.term import Node

from server.store.base import Store
from server.web import addresses
from server.web.descriptions import iri_ref
from server.web.labels import LABEL_VALUES, Vocabulary, pick
from server.web.literals import literal_text

PAGE_SIZE = 50
MAX_ROWS = 10_000  # Virtuoso sorts at most 10,000 rows under a LIMIT (its MaxSortedTopRows); Oxigraph has no such cap
MAX_FILTER = 100  # characters of ?q= that are used
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"

# class (``{ser}`` for the ontology's namespace) -> the properties shown as columns, in order.
COLUMNS: dict[str, tuple[str, ...]] = {
    str(FOAF.Person): ("{ser}politiekePartij", f"{SCHEMA}birthDate", f"{SCHEMA}deathDate"),
    f"{ORG}Membership": (f"{ORG}role", f"{ORG}organization", f"{SCHEMA}startDate", f"{SCHEMA}endDate"),
    f"{ORG}Organization": (str(SKOS.altLabel), f"{ORG}classification", f"{SCHEMA}foundingDate"),
    f"{ORG}FormalOrganization": (str(SKOS.altLabel), f"{SCHEMA}foundingDate"),
    f"{ORG}OrganizationalUnit": (f"{ORG}unitOf", f"{ORG}classification"),
    f"{ORG}Post": (f"{ORG}role", f"{ORG}postIn", f"{ORG}heldBy"),
    "{ser}Advies": (str(DCTERMS.issued), "{ser}documentsoort", "{ser}aangevraagdDoor"),
    "{ser}Akkoord": (str(DCTERMS.date), "{ser}overlegniveau"),
    "{ser}Kerncijfer": ("{ser}grootheid", "{ser}waarde", "{ser}peildatum"),
}
DEFAULT_COLUMNS = (f"{SCHEMA}startDate", f"{SCHEMA}endDate")


@dataclass(frozen=True)
class Named:
    iri: str
    name: str
    key: str  # the name folded for sorting and filtering


@dataclass
class TableRow:
    href: str
    name: str
    cells: list[list[tuple[str, str | None]]] = field(default_factory=list)  # per column: (text, href)


@dataclass
class Table:
    columns: list[str]
    rows: list[TableRow]
    total: int  # things that pass the filter
    pages: int


def fold(text: str) -> str:
    """Lower case without accents, so that "mariette" finds "Mariëtte" and sorting ignores case."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def names(store: Store, cls: str, lang: str, base: str) -> list[Named]:
    """The things of ``cls`` with their names in ``lang``, sorted by name."""
    rows = store.select(f"""SELECT ?s ?lp ?l WHERE {{
  {{ SELECT DISTINCT ?s WHERE {{ ?s a {iri_ref(cls)} }} ORDER BY ?s LIMIT {MAX_ROWS} }}
  OPTIONAL {{ VALUES ?lp {{ {LABEL_VALUES} }} ?s ?lp ?l }}
}}""")
    labels: dict[str, list[tuple[str, Literal]]] = {}
    for row in rows:
        entry = labels.setdefault(str(row["s"]), [])
        literal = row.get("l")
        if "lp" in row and isinstance(literal, Literal):
            entry.append((str(row["lp"]), literal))
    found = []
    for iri, candidates in labels.items():
        label = pick(candidates, lang)
        name = str(label) if label is not None else addresses.readable(iri)
        found.append(Named(iri, name, fold(name)))
    return sorted(found, key=lambda n: (n.key, n.iri))


def columns_for(cls: str, base: str) -> list[str]:
    ser = f"{base}def/"
    for key, columns in COLUMNS.items():
        if key.replace("{ser}", ser) == cls:
            return [c.replace("{ser}", ser) for c in columns]
    return list(DEFAULT_COLUMNS)


def matching(named: list[Named], query: str) -> list[Named]:
    words = fold(query[:MAX_FILTER]).split()
    return [n for n in named if all(w in n.key for w in words)] if words else named


def table(store: Store, vocab: Vocabulary, cls: str, named: list[Named], page: int, lang: str,
          base: str, page_size: int = PAGE_SIZE) -> Table:
    """One page of ``named`` (already filtered) with the class's columns; empty columns are left out."""
    pages = max(1, -(-len(named) // page_size))
    shown = named[(page - 1) * page_size:page * page_size]
    columns = columns_for(cls, base)
    cells: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
    if shown and columns:
        values = " ".join(iri_ref(n.iri) for n in shown)
        props = " ".join(iri_ref(c) for c in columns)
        rows = store.select(f"""SELECT ?s ?p ?o ?lp ?l WHERE {{
  VALUES ?s {{ {values} }} VALUES ?p {{ {props} }} ?s ?p ?o
  OPTIONAL {{ FILTER(isIRI(?o)) VALUES ?lp {{ {LABEL_VALUES} }} ?o ?lp ?l }}
}}""")
        objects: dict[tuple[str, str], dict[str, tuple[Node, list[tuple[str, Literal]]]]] = {}
        for row in rows:
            per = objects.setdefault((str(row["s"]), str(row["p"])), {})
            term: Node = row["o"]
            entry = per.setdefault(term.n3(), (term, []))
            literal = row.get("l")
            if "lp" in row and isinstance(literal, Literal):
                entry[1].append((str(row["lp"]), literal))
        for key, per in objects.items():
            kept = _in_language(list(per.values()), lang)
            cells[key] = sorted({_cell(term, labels, lang, base, vocab) for term, labels in kept},
                                key=lambda c: c[0].lower())
    used = [c for c in columns if any((n.iri, c) in cells for n in shown)]
    rows_out = [TableRow(addresses.href(n.iri, base), n.name, [cells.get((n.iri, c), []) for c in used])
                for n in shown]
    return Table([vocab.name(c, lang) for c in used], rows_out, len(named), pages)


def _cell(term: Node, labels: list[tuple[str, Literal]], lang: str, base: str,
          vocab: Vocabulary) -> tuple[str, str | None]:
    if isinstance(term, Literal):
        return literal_text(term, lang), None
    iri = str(term)
    label = pick(labels, lang)
    text = str(label) if label is not None else vocab.name(iri, lang) if iri in vocab.terms else addresses.readable(iri)
    return text, addresses.href(iri, base) if isinstance(term, URIRef) else None


def _in_language(terms: list[tuple[Node, list[tuple[str, Literal]]]],
                 lang: str) -> list[tuple[Node, list[tuple[str, Literal]]]]:
    """Of tagged literals, those in ``lang`` (else Dutch, else all): a table cell shows one language."""
    tags = {t.language for t, _ in terms if isinstance(t, Literal) and t.language}
    best = lang if lang in tags else "nl" if "nl" in tags else None
    if best is None:
        return terms
    return [(t, labels) for t, labels in terms
            if not isinstance(t, Literal) or not t.language or t.language == best]
