"""A description turned into what a page shows: a title, the types, the properties in groups and
named with the ontology's labels, values written for people, and a schema.org block for search
engines (schema.org's JSON-LD embedding, https://schema.org/docs/gs.html).

Grouping is a table (:data:`GROUP_OF`) with a fallback on the kind of value, so that a new property
lands somewhere sensible without code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Identifier, Node

from server.rdf.namespaces import ELI, SCHEMA, ser
from server.web import addresses
from server.web.descriptions import Description
from server.web.labels import LABEL_PREDICATES, Vocabulary, curie, pick
from server.web.language import human_date

GROUPS = ("names", "facts", "links", "web", "sources")
NAME_PREDICATES = (*LABEL_PREDICATES, str(SKOS.altLabel), "{ser}historischeNaam", str(DCTERMS.description),
                   str(RDFS.comment), str(SKOS.definition))
# Literals in every language are worth showing for these (a name in Dutch and English); other
# literals are shown in the reader's language only.
ALL_LANGUAGES = (*LABEL_PREDICATES, str(SKOS.altLabel), "{ser}historischeNaam")
GROUP_OF = {str(DCTERMS.source): "sources", str(OWL.sameAs): "web", str(FOAF.homepage): "web",
            str(FOAF.page): "web", str(RDFS.seeAlso): "web",
            str(SKOS.exactMatch): "web"}
DATES = {str(XSD.date), str(XSD.gYear), str(XSD.gYearMonth), str(XSD.dateTime)}
HIDDEN = {str(RDF.type)}

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


@dataclass
class Row:
    iri: str
    name: str
    href: str
    values: list[Value] = field(default_factory=list)


@dataclass
class EntityView:
    iri: str
    title: str
    types: list[Value]
    groups: list[tuple[str, list[Row]]]
    incoming: list[Row]
    json_ld: str


def _expand(iri: str, base: str) -> str:
    return iri.replace("{ser}", str(ser(base)))


def literal_text(literal: Literal, lang: str) -> str:
    datatype = str(literal.datatype) if literal.datatype else ""
    if datatype in DATES:
        return human_date(str(literal), datatype, lang)
    if datatype == str(XSD.boolean):
        yes = str(literal).lower() in {"true", "1"}
        return ("ja" if yes else "nee") if lang == "nl" else ("yes" if yes else "no")
    return str(literal)


def value_of(term: Node, labels: list[tuple[str, Literal]], lang: str, base: str,
             vocab: Vocabulary) -> Value:
    if isinstance(term, Literal):
        tag = term.language
        return Value(literal_text(term, lang), lang=tag if tag and tag != lang else None)
    if isinstance(term, BNode):
        return Value("[…]")
    iri = str(term)
    label = pick(labels, lang)
    text = str(label) if label is not None else vocab.name(iri, lang) if iri in vocab.terms else iri
    return Value(text, href=addresses.href(iri, base), title=iri)


def _group(predicate: str, obj: Identifier, base: str, names: set[str]) -> str:
    if predicate in names:
        return "names"
    if predicate in GROUP_OF:
        return GROUP_OF[predicate]
    if isinstance(obj, Literal):
        return "facts"
    return "links" if addresses.is_ours(str(obj), base) or isinstance(obj, BNode) else "web"


def _keep_literal(predicate: str, literal: Literal, description: Description, lang: str,
                  all_languages: set[str]) -> bool:
    """Show a tagged literal in the reader's language only, unless none exists in it."""
    if not literal.language or predicate in all_languages:
        return True
    tags = {(o.language or "") for (p, o) in description.outgoing
            if p == predicate and isinstance(o, Literal)}
    best = lang if lang in tags else "nl" if "nl" in tags else min(tags)
    return (literal.language or "") == best


def _row_order(row: Row, order: dict[str, int]) -> tuple[int, str]:
    return (order.get(row.iri, len(order)), row.name.lower())


def _disambiguate(rows: list[Row], base: str) -> None:
    """Two properties with one label (skos:prefLabel and rdfs:label, both "name") get their CURIE added."""
    seen: dict[str, int] = {}
    for row in rows:
        seen[row.name] = seen.get(row.name, 0) + 1
    for row in rows:
        if seen[row.name] > 1:
            row.name = f"{row.name} ({curie(row.iri, base)})"


def entity_view(description: Description, lang: str, base: str, vocab: Vocabulary) -> EntityView:
    names = {_expand(p, base) for p in NAME_PREDICATES}
    all_languages = {_expand(p, base) for p in ALL_LANGUAGES}
    order = {p: i for i, p in enumerate(_expand(p, base) for p in NAME_PREDICATES)}
    rows: dict[tuple[str, str], Row] = {}
    types: list[Value] = []
    # By text, then by the full term: "SER" and "SER"@en are two values, in one order on every backend.
    for (predicate, obj), labels in sorted(description.outgoing.items(), key=lambda kv: (str(kv[0][1]), kv[0][1].n3())):
        if predicate in HIDDEN:
            if predicate == str(RDF.type) and isinstance(obj, URIRef):
                # A type leads to the index of its class: the other things of this kind.
                types.append(Value(vocab.name(str(obj), lang), href=f"/classes/{curie(str(obj), base)}",
                                   title=str(obj)))
            continue
        if isinstance(obj, Literal) and not _keep_literal(predicate, obj, description, lang, all_languages):
            continue
        group = _group(predicate, obj, base, names)
        row = rows.setdefault((group, predicate), Row(predicate, vocab.name(predicate, lang),
                                                     addresses.href(predicate, base)))
        value = value_of(obj, labels, lang, base, vocab)
        own = description.fact_sources.get((predicate, obj))
        if own:
            found = (value_of(URIRef(src), src_labels, lang, base, vocab) for src, src_labels in own.items())
            value = replace(value, sources=tuple(sorted(found, key=lambda v: (v.text.lower(), v.href or ""))))
        row.values.append(value)
    _disambiguate([*rows.values()], base)
    groups = [(g, sorted((r for (k, _), r in rows.items() if k == g), key=lambda r: _row_order(r, order)))
              for g in GROUPS]
    incoming_rows: dict[str, Row] = {}
    for (subject, predicate), labels in sorted(description.incoming.items()):
        row = incoming_rows.setdefault(predicate, Row(predicate, vocab.name(predicate, lang),
                                                      addresses.href(predicate, base)))
        row.values.append(value_of(URIRef(subject), labels, lang, base, vocab))
    for row in incoming_rows.values():
        row.values.sort(key=lambda v: v.text.lower())
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
    types = {str(o) for o in description.values(str(RDF.type))}
    schema_type = next((t for iri, t in SCHEMA_TYPES if _expand(iri, base) in types), "Thing")
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": schema_type,
        "@id": description.iri,
        "name": title,
    }
    descriptions = [o for o in description.values(str(DCTERMS.description)) if isinstance(o, Literal)]
    chosen = [o for o in descriptions if o.language == lang] or descriptions
    if chosen:
        data["description"] = str(chosen[0])
    alternate = sorted({str(o) for o in description.values(str(SKOS.altLabel))})
    if alternate:
        data["alternateName"] = alternate
    same = sorted({str(o) for p in (OWL.sameAs, FOAF.homepage) for o in description.values(str(p))})
    if same:
        data["sameAs"] = same
    for predicate, key in SCHEMA_DATES.items():
        values = description.values(predicate)
        if values:
            data[key] = str(values[0])
    return script_json(data)


def script_json(data: object) -> str:
    """JSON that is safe inside <script>: '<', '>' and '&' escaped, so no text can close the element."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
