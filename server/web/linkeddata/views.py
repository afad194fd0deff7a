"""A description turned into what a page shows: a title, the types, the properties in groups and
named with the ontology's labels, values written for people, and a schema.org block for search
engines (schema.org's JSON-LD embedding, https://schema.org/docs/gs.html).

Grouping is a table (:data:`GROUP_OF`) with a fallback on the kind of value, so that a new property
lands somewhere sensible without code.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field, replace

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS
from rdflib.term import Identifier, Node

from server.rdf.namespaces import ELI, SCHEMA, ser
from server.web import addresses, language
from server.web.descriptions import Description
from server.web.labels import LABEL_PREDICATES, Vocabulary, curie, pick
from server.web.linkeddata.roles import Role
from server.web.literals import DATES, literal_text, unit_of

GROUPS = ("names", "facts", "links", "web", "sources")
NAME_PREDICATES = (*LABEL_PREDICATES, str(SKOS.altLabel), "{ser}historischeNaam", str(DCTERMS.description),
                   str(RDFS.comment), str(SKOS.definition))
# Literals in every language are worth showing for these (a name in Dutch and English); other
# literals are shown in the reader's language only.
ALL_LANGUAGES = (*LABEL_PREDICATES, str(SKOS.altLabel), "{ser}historischeNaam")
GROUP_OF = {str(DCTERMS.source): "sources", str(OWL.sameAs): "web", str(FOAF.homepage): "web",
            str(FOAF.page): "web", str(RDFS.seeAlso): "web",
            str(SKOS.exactMatch): "web"}
HIDDEN = {str(RDF.type)}
# <thing> ser:waardeOnbekend <p>: p has a value the sources do not give; shown as a fact "p: unknown".
UNKNOWN_VALUE = "{ser}waardeOnbekend"

# rdf:type -> schema.org type, for the JSON-LD block; the first match wins.
SCHEMA_TYPES: tuple[tuple[str, str], ...] = (
    ("http://www.w3.org/ns/org#FormalOrganization", "GovernmentOrganization"),
    ("http://www.w3.org/ns/org#Organization", "Organization"),
    ("http://www.w3.org/ns/org#OrganizationalUnit", "Organization"),
    (str(FOAF.Person), "Person"),
    (str(ELI.LegalResource), "Legislation"),
    ("{ser}Advies", "Report"),
    ("{ser}Akkoord", "CreativeWork"),
    ("{ser}IMVOConvenant", "CreativeWork"),
    (str(SCHEMA.PostalAddress), "PostalAddress"),
    (str(SKOS.Concept), "DefinedTerm"),
)
SCHEMA_DATES = {str(SCHEMA.foundingDate): "foundingDate", str(SCHEMA.dissolutionDate): "dissolutionDate",
                str(DCTERMS.issued): "datePublished", str(SCHEMA.birthDate): "birthDate",
                str(SCHEMA.deathDate): "deathDate", str(SCHEMA.startDate): "startDate",
                str(SCHEMA.endDate): "endDate"}


@dataclass(frozen=True)
class Value:
    text: str
    href: str | None = None
    lang: str | None = None  # shown as a badge when it differs from the page's language
    title: str | None = None  # the full IRI, for a tooltip
    sources: tuple[Value, ...] = ()  # the fact's own sources (an rdf:Statement's dct:source), shown beside it
    order: str | None = None  # what the value sorts by when its text would not do (a date's ISO form)


@dataclass
class Row:
    iri: str
    name: str
    href: str
    values: list[Value] = field(default_factory=list)
    count: int = 0  # the number of things behind an incoming row, shown beside its name


@dataclass
class EntityView:
    iri: str
    title: str
    types: list[Value]
    groups: list[tuple[str, list[Row]]]
    incoming: list[Row]
    json_ld: str
    roles: list[Role] = field(default_factory=list)


@functools.lru_cache(maxsize=1024)  # the constants above, for the one or two bases a server has
def _expand(iri: str, base: str) -> str:
    return iri.replace("{ser}", str(ser(base)))


def value_of(term: Node, labels: list[tuple[str, Literal]], lang: str, base: str,
             vocab: Vocabulary, unit: str | None = None) -> Value:
    """One value for a page: a literal written by its datatype (and ``unit``), a linked thing by its label
    in ``lang``, else the ontology's name for it, else a name read from its IRI; never the bare IRI."""
    if isinstance(term, Literal):
        tag = term.language
        when = str(term) if term.datatype is not None and str(term.datatype) in DATES else None
        return Value(literal_text(term, lang, unit), lang=tag if tag and tag != lang else None, order=when)
    if isinstance(term, BNode):
        return Value("[…]")
    iri = str(term)
    label = pick(labels, lang)
    text = str(label) if label is not None else vocab.name(iri, lang) if iri in vocab.terms else addresses.readable(iri)
    return Value(text, href=addresses.href(iri, base), title=iri)


# Properties that come in pairs are shown in their natural order, side by side: the beginning before the end.
FIELD_PAIRS = (("{schema}startDate", "{schema}endDate"), ("{ser}vroegsteDatum", "{ser}laatsteDatum"),
               ("{time}hasBeginning", "{time}hasEnd"))
SCHEMA_NS = "https://schema.org/"
TIME_NS = "http://www.w3.org/2006/time#"
QUANTITY = "{ser}grootheid"


@functools.lru_cache(maxsize=16)
def field_pairs(base: str) -> dict[str, str]:
    """The end of each pair -> its beginning (one dict per base, shared: read it, do not change it)."""
    def full(p: str) -> str:
        return _expand(p, base).replace("{schema}", SCHEMA_NS).replace("{time}", TIME_NS)

    return {full(end): full(begin) for begin, end in FIELD_PAIRS}


def order_rows(rows: list[Row], order: dict[str, int], pairs: dict[str, str]) -> list[Row]:
    """Rows in a meaningful order: names first (in the order of ``order``), then by name, except that the end
    of a pair follows its beginning ("van" before "tot", whatever the language makes of their names)."""
    names = {row.iri: row.name.lower() for row in rows}

    def key(row: Row) -> tuple[int, str, int]:
        lead = pairs.get(row.iri)
        if lead in names:
            return (order.get(lead, len(order)), names[lead], 1)
        return (order.get(row.iri, len(order)), names[row.iri], 0)

    return sorted(rows, key=key)


def value_order(value: Value, lang: str) -> tuple[int, str]:
    """Values of one row: the page's language first, then Dutch, then the rest; within that by text, dates
    in time order ("maart 2025" before "15 april 2025")."""
    tag = value.lang or lang
    return (0 if tag == lang else 1 if tag == "nl" else 2, value.order or value.text.lower())


def _once(values: list[Value]) -> list[Value]:
    """A text given in several languages alike ("Mariëtte Hamer" in Dutch and in English) is shown once,
    in the first language of the order (the page's), without a badge for the others."""
    kept: list[Value] = []
    seen: set[str] = set()
    for value in values:
        if value.href is None and not value.sources and value.text in seen:
            continue
        seen.add(value.text)
        kept.append(value)
    return kept


def unit_for(description: Description, base: str) -> str | None:
    """The unit of a key figure's values, from the quantity it measures (``ser:grootheid``)."""
    prefix = base + "id/"
    for quantity in description.values(_expand(QUANTITY, base)):
        if str(quantity).startswith(prefix):
            return unit_of(str(quantity)[len(prefix):])
    return None


def _group(predicate: str, obj: Identifier, base: str, names: frozenset[str]) -> str:
    if predicate in names:
        return "names"
    if predicate in GROUP_OF:
        return GROUP_OF[predicate]
    if isinstance(obj, Literal):
        return "facts"
    return "links" if addresses.is_ours(str(obj), base) or isinstance(obj, BNode) else "web"


def literal_tags(description: Description) -> dict[str, set[str]]:
    """The language tags ("" for none) of each predicate's literals, gathered in one pass."""
    tags: dict[str, set[str]] = {}
    for (p, o) in description.outgoing:
        if isinstance(o, Literal):
            tags.setdefault(p, set()).add(o.language or "")
    return tags


def _keep_literal(predicate: str, literal: Literal, tags_of: dict[str, set[str]], lang: str,
                  all_languages: frozenset[str]) -> bool:
    """Show a tagged literal in the reader's language only, unless none exists in it."""
    if not literal.language or predicate in all_languages:
        return True
    tags = tags_of[predicate]
    best = lang if lang in tags else "nl" if "nl" in tags else min(tags)
    return (literal.language or "") == best


def _disambiguate(rows: list[Row], base: str) -> None:
    """Two properties with one label (skos:prefLabel and rdfs:label, both "name") get their CURIE added."""
    seen: dict[str, int] = {}
    for row in rows:
        seen[row.name] = seen.get(row.name, 0) + 1
    for row in rows:
        if seen[row.name] > 1:
            row.name = f"{row.name} ({curie(row.iri, base)})"


@functools.lru_cache(maxsize=16)
def _names(base: str) -> tuple[frozenset[str], frozenset[str], dict[str, int]]:
    """The name predicates, those shown in every language, and the names' order, for one base (shared)."""
    names = frozenset(_expand(p, base) for p in NAME_PREDICATES)
    all_languages = frozenset(_expand(p, base) for p in ALL_LANGUAGES)
    order = {p: i for i, p in enumerate(_expand(p, base) for p in NAME_PREDICATES)}
    return names, all_languages, order


def _in_order(outgoing: dict[tuple[str, Identifier], list[tuple[str, Literal]]]
              ) -> list[tuple[tuple[str, Identifier], list[tuple[str, Literal]]]]:
    """By text, then by the full term: "SER" and "SER"@en are two values, in one order on every backend.
    The full term (``n3()``) is written only when two values share a text."""
    items = list(outgoing.items())
    texts = [str(o) for (_, o), _ in items]
    if len(set(texts)) == len(texts):
        return [item for _, item in sorted(zip(texts, items, strict=True), key=lambda t: t[0])]
    return sorted(items, key=lambda kv: (str(kv[0][1]), kv[0][1].n3()))


def entity_view(description: Description, lang: str, base: str, vocab: Vocabulary) -> EntityView:
    names, all_languages, order = _names(base)
    pairs = field_pairs(base)
    unit = unit_for(description, base)
    tags_of = literal_tags(description)
    unknown_value = _expand(UNKNOWN_VALUE, base)
    rows: dict[tuple[str, str], Row] = {}
    types: list[Value] = []
    for (predicate, obj), labels in _in_order(description.outgoing):
        if predicate in HIDDEN:
            if predicate == str(RDF.type) and isinstance(obj, URIRef):
                # A type leads to the index of its class: the other things of this kind.
                types.append(Value(vocab.name(str(obj), lang), href=f"/classes/{curie(str(obj), base)}",
                                   title=str(obj)))
            continue
        if isinstance(obj, Literal) and not _keep_literal(predicate, obj, tags_of, lang, all_languages):
            continue
        if predicate == unknown_value and isinstance(obj, URIRef):
            row = rows.setdefault(("facts", str(obj)), Row(str(obj), vocab.name(str(obj), lang),
                                                          addresses.href(str(obj), base)))
            row.values.append(Value(language.word("unknown_value", lang)))
            continue
        group = _group(predicate, obj, base, names)
        row = rows.setdefault((group, predicate), Row(predicate, vocab.name(predicate, lang),
                                                     addresses.href(predicate, base)))
        value = value_of(obj, labels, lang, base, vocab, unit)
        own = description.fact_sources.get((predicate, obj))
        if own:
            found = (value_of(URIRef(src), src_labels, lang, base, vocab) for src, src_labels in own.items())
            value = replace(value, sources=tuple(sorted(found, key=lambda v: (v.text.lower(), v.href or ""))))
        row.values.append(value)
    for row in rows.values():
        row.values.sort(key=lambda v: value_order(v, lang))
        row.values = _once(row.values)
    _disambiguate([*rows.values()], base)
    groups = [(g, order_rows([r for (k, _), r in rows.items() if k == g], order, pairs)) for g in GROUPS]
    incoming_rows: dict[str, Row] = {}
    for (subject, predicate), labels in sorted(description.incoming.items()):
        row = incoming_rows.setdefault(predicate, Row(predicate, vocab.name(predicate, lang),
                                                      addresses.href(predicate, base)))
        row.values.append(value_of(URIRef(subject), labels, lang, base, vocab))
    for row in incoming_rows.values():
        row.values.sort(key=lambda v: v.text.lower())
        row.count = len(row.values)
    label = pick(description.own_labels, lang)
    title = str(label) if label is not None else curie(description.iri, base)
    return EntityView(
        iri=description.iri,
        title=title,
        types=sorted(types, key=lambda v: v.text.lower()),
        groups=[(g, r) for g, r in groups if r],
        incoming=sorted(incoming_rows.values(), key=lambda r: r.name.lower()),
        json_ld=schema_org(description, title, lang, base),
    )


def schema_org(description: Description, title: str, lang: str, base: str) -> str:
    """A schema.org JSON-LD block, safe to put inside <script>: '<', '>' and '&' are escaped."""
    by_predicate: dict[str, list[Identifier]] = {}  # one pass over the triples, not one for each key
    for (p, o) in description.outgoing:
        by_predicate.setdefault(p, []).append(o)

    def of(predicate: str) -> list[Identifier]:
        return by_predicate.get(predicate, [])

    types = {str(o) for o in of(str(RDF.type))}
    schema_type = next((t for iri, t in SCHEMA_TYPES if _expand(iri, base) in types), "Thing")
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": schema_type,
        "@id": description.iri,
        "name": title,
    }
    descriptions = [o for o in of(str(DCTERMS.description)) if isinstance(o, Literal)]
    chosen = [o for o in descriptions if o.language == lang] or descriptions
    if chosen:
        data["description"] = str(chosen[0])
    alternate = sorted({str(o) for o in of(str(SKOS.altLabel))})
    if alternate:
        data["alternateName"] = alternate
    same = sorted({str(o) for p in (OWL.sameAs, FOAF.homepage) for o in of(str(p))})
    if same:
        data["sameAs"] = same
    for predicate, key in SCHEMA_DATES.items():
        values = of(predicate)
        if values:
            data[key] = str(values[0])
    return script_json(data)


def script_json(data: object) -> str:
    """JSON that is safe inside <script>: '<', '>' and '&' escaped, so no text can close the element."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
