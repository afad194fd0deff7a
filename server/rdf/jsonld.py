"""JSON-LD for web developers: the release's context, and compaction and framing with pyld.

JSON-LD 1.1 (§4.1 the context, §4.3 type coercion, §4.6.2 language maps, §4.9 included blocks) and
JSON-LD 1.1 Framing (§4.1 framing around one node). The context gives every property and class of a
release a short term (its local name, the project's own ``ser:`` term first when two share one) and
the prefixes for the rest; a property whose values are all IRIs is coerced to ``@id``, one whose
literals all have one datatype to that datatype, and one whose literals all carry a language gets a
language map (``"naam": {"nl": …, "en": …}``). So ``"datum": "2020-06-01"`` means what the triple
says, and expanding a document gives back exactly its triples (tests/rdf/test_jsonld.py).

pyld fetches remote contexts through a document loader. Ours serves the release's own context from
memory and refuses every other URL, so no document, context or frame can make the server (or the
build) reach the network; pyld's default loader is replaced by one that refuses everything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pyld import jsonld
from rdflib.namespace import OWL, RDF, RDFS, XSD

from server.rdf.namespaces import own, prefixes

JsonObject = dict[str, Any]
Loader = Callable[[str, Any], JsonObject]
# The prefixes a document leaves out, so that things and graphs keep their full IRI ("id" is a link).
FULL_IRIS = ("serid", "sergraph")
KEYWORD_ALIASES: dict[str, str] = {"id": "@id", "type": "@type"}
_TERM = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
LANGUAGE, NODE = "@language", "@id"

# (property, kind of value, how many): kind is @id (an IRI or blank node), @language (a tagged
# literal) or the datatype of an untagged literal.
USAGE_QUERY = """SELECT ?p ?kind (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o }
  BIND(IF(isLiteral(?o), IF(LANG(?o) != "", "@language", STR(DATATYPE(?o))), "@id") AS ?kind) }
GROUP BY ?p ?kind"""
CLASSES_QUERY = f"SELECT DISTINCT ?c WHERE {{ GRAPH ?g {{ ?s <{RDF.type}> ?c FILTER(isIRI(?c)) }} }}"
# Properties the ontology declares, with their range, so that a term exists before any record uses it.
DECLARED_QUERY = f"""SELECT ?p ?t ?range WHERE {{ GRAPH ?g {{
  VALUES ?t {{ <{OWL.ObjectProperty}> <{OWL.DatatypeProperty}> }} ?p <{RDF.type}> ?t
  OPTIONAL {{ ?p <{RDFS.range}> ?range FILTER(isIRI(?range)) }} }} }}"""


def refuse(url: str, options: Any = None) -> JsonObject:
    raise jsonld.JsonLdError(f"refusing to load {url!r}: only the release's own context is served locally",
                             "jsonld.LoadDocumentError", code="loading document failed")


jsonld.set_document_loader(refuse)  # pyld's default fetches over HTTP; nothing here may


def local_loader(documents: Mapping[str, JsonObject]) -> Loader:
    """A document loader that serves ``documents`` (URL -> JSON) from memory and refuses any other URL."""

    def load(url: str, options: Any = None) -> JsonObject:
        if url not in documents:
            return refuse(url)
        return {"contextUrl": None, "documentUrl": url, "document": documents[url]}

    return load


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def definition(iri: str, kinds: set[str]) -> str | JsonObject:
    """The term definition of a property whose values are of ``kinds``."""
    if kinds == {NODE}:
        return {NODE: iri, "@type": "@id"}
    if kinds == {LANGUAGE}:
        return {NODE: iri, "@container": "@language"}
    if len(kinds) == 1 and not kinds & {NODE, LANGUAGE, str(XSD.string)}:
        return {NODE: iri, "@type": next(iter(kinds))}
    return iri


def build_context(base: str, usage: Iterable[tuple[str, str]], classes: Iterable[str],
                  declared: Iterable[tuple[str, str, str | None]] = ()) -> JsonObject:
    """The context of a release: keyword aliases, prefixes and a term per property and class.

    ``usage`` gives (property, kind) for every kind of value a property has in the release,
    ``declared`` (property, owl:ObjectProperty or owl:DatatypeProperty, range) for the ontology's
    properties, which count only where the release never uses them.
    """
    kinds: dict[str, set[str]] = {}
    for prop, kind in usage:
        kinds.setdefault(prop, set()).add(kind)
    for prop, typ, range_ in declared:
        if prop in kinds:
            continue
        if typ == str(OWL.ObjectProperty):
            kinds[prop] = {NODE}
        elif range_ == str(RDF.langString):
            kinds[prop] = {LANGUAGE}
        else:
            kinds[prop] = {range_} if range_ and range_.startswith(str(XSD)) else {str(XSD.string)}
    kinds.pop(str(RDF.type), None)  # written "type"
    names = {p: ns for p, ns in prefixes(base).items() if p not in FULL_IRIS}
    taken = set(names) | set(KEYWORD_ALIASES)
    ours = own(base)["ser"]
    by_name: dict[str, list[str]] = {}
    for iri in sorted({*kinds, *classes}):
        name = _local_name(iri)
        if _TERM.match(name) and name not in taken:
            by_name.setdefault(name, []).append(iri)
    terms: JsonObject = {}
    for name, iris in sorted(by_name.items()):
        chosen = iris[0] if len(iris) == 1 else next((i for i in iris if i.startswith(ours)), None)
        if chosen is not None:  # two foreign terms with one local name: both keep their prefixed name
            terms[name] = definition(chosen, kinds[chosen]) if chosen in kinds else chosen
    return {**KEYWORD_ALIASES, **names, **terms}


def context_of(select: Callable[[str], Sequence[Mapping[str, Any]]], base: str) -> JsonObject:
    """The context of the release that ``select`` (a SELECT over its dataset) queries."""
    usage = [(str(r["p"]), str(r["kind"])) for r in select(USAGE_QUERY)]
    classes = [str(r["c"]) for r in select(CLASSES_QUERY)]
    declared = [(str(r["p"]), str(r["t"]), str(r["range"]) if r.get("range") is not None else None)
                for r in select(DECLARED_QUERY)]
    return build_context(base, usage, classes, declared)


def compact(nodes: list[JsonObject], context: JsonObject) -> list[JsonObject]:
    """Expanded node objects, compacted against ``context`` (inline, so nothing is loaded)."""
    if not nodes:
        return []
    out = jsonld.compact(nodes, {"@context": context}, {"skipExpansion": True, "documentLoader": refuse})
    graph = out.get("@graph")
    if graph is None:
        out.pop("@context", None)
        return [out]
    return list(graph)


def _references(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        if "@id" in value and "@value" not in value:
            yield value["@id"]
        for key, inner in value.items():
            if key != "@id":
                yield from _references(inner)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def merged(expanded: Iterable[JsonObject]) -> dict[str, JsonObject]:
    """Expanded node objects by ``@id``, one per node, with ``rdf:type`` written as ``@type``.

    A serialiser may write a node in several objects, and writes ``rdf:type`` as a property; as
    ``@type`` its values compact to class terms and are not embedded as nodes by framing.
    """
    nodes: dict[str, JsonObject] = {}
    for node in expanded:
        into = nodes.setdefault(node["@id"], {"@id": node["@id"]})
        for key, values in node.items():
            if key == "@id":
                continue
            if key == str(RDF.type):
                classes = [v["@id"] for v in values if "@id" in v and not v["@id"].startswith("_:")]
                into.setdefault("@type", []).extend(classes)
                values = [v for v in values if "@id" not in v or v["@id"].startswith("_:")]
                if not values:
                    continue
            into.setdefault(key, []).extend(values)
    return nodes


def frame_around(expanded: list[JsonObject], iri: str, context: JsonObject, context_url: str) -> JsonObject:
    """A document of expanded JSON-LD node objects, framed around ``iri`` and compacted.

    What ``iri`` links to is embedded (each node once, JSON-LD Framing's ``@once``); the nodes that
    link to it, which framing would drop, follow in ``@included``. The output names its context by
    ``context_url``, whose content is ``context``.
    """
    nodes = merged(expanded)
    expanded = list(nodes.values())
    reached, todo = {iri}, [iri]
    while todo:
        for ref in _references({k: v for k, v in nodes.get(todo.pop(), {}).items() if k != "@id"}):
            if ref not in reached:
                reached.add(ref)
                todo.append(ref)
    loader = local_loader({context_url: {"@context": context}})
    options = {"documentLoader": loader, "omitGraph": True}
    framed: JsonObject = jsonld.frame(expanded, {"@context": context, "@id": iri}, options)
    framed.pop("@context", None)
    if "@graph" in framed:  # nothing matched: the resource has no triples of its own
        framed = {"id": iri}
    included = compact([n for key, n in nodes.items() if key not in reached], context)
    if included:
        framed["@included"] = included
    return {"@context": context_url, **framed}


def expand(document: JsonObject, documents: Mapping[str, JsonObject]) -> list[JsonObject]:
    """``document`` expanded, with only ``documents`` (URL -> JSON) to load contexts from."""
    result: list[JsonObject] = jsonld.expand(document, {"documentLoader": local_loader(documents)})
    return result


def to_nquads(document: JsonObject, documents: Mapping[str, JsonObject]) -> str:
    """The triples of ``document`` as N-Quads, with only ``documents`` to load contexts from."""
    text: str = jsonld.to_rdf(document, {"documentLoader": local_loader(documents), "format": "application/n-quads"})
    return text
