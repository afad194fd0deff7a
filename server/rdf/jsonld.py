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
MEMO_SIZE = 65536

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


class FlatCompactor:
    """Compaction of flat node objects against a context made by :func:`build_context`, as pyld does it.

    The dump has a million triples where a document has a few hundred: pyld takes about 0.2 ms a
    triple, three minutes for the dump, where the rest of the build takes one. A node of the dump
    embeds nothing and the context holds only prefixes and terms with one ``@id``, ``@type`` or
    ``@language`` container each, so compaction (JSON-LD 1.1 API §6.1, IRI compaction §6.3) reduces to
    choosing, for each value, the term whose coercion it fits, else the shortest compact IRI.
    ``tests/rdf/test_jsonld.py`` holds it equal to :func:`compact` (pyld) on every node of a release.
    """

    def __init__(self, context: JsonObject) -> None:
        self.terms: dict[str, tuple[str, JsonObject]] = {}  # property or class IRI -> (term, definition)
        self.prefixes: list[tuple[str, str]] = []
        # Compacted IRIs, at most MEMO_SIZE: properties, classes and datatypes recur on every node.
        self._done: dict[tuple[str, bool], str] = {}
        for name, value in context.items():
            if name.startswith("@") or name in KEYWORD_ALIASES:
                continue
            definition = value if isinstance(value, dict) else {"@id": value}
            iri = definition["@id"]
            if isinstance(value, str) and iri[-1:] in "/#:?[]@":
                self.prefixes.append((name, iri))
            else:
                self.terms[iri] = (name, definition)

    def iri(self, iri: str, vocab: bool) -> str:
        """``iri`` compacted: a term (with ``vocab``, a term without coercion), else the shortest compact IRI."""
        known = self._done.get((iri, vocab))
        if known is None:
            if len(self._done) >= MEMO_SIZE:
                self._done.clear()
            known = self._done[(iri, vocab)] = self._compact_iri(iri, vocab)
        return known

    def _compact_iri(self, iri: str, vocab: bool) -> str:
        if vocab and iri in self.terms:
            name, definition = self.terms[iri]
            if len(definition) == 1:
                return name
        candidates = [f"{name}:{iri[len(ns):]}" for name, ns in self.prefixes
                      if iri.startswith(ns) and len(iri) > len(ns)]
        return min(candidates, key=lambda c: (len(c), c)) if candidates else iri

    def _value(self, value: JsonObject) -> Any:
        if "@id" in value:
            return {"id": self.iri(value["@id"], False)}
        if "@language" in value:
            return {"@value": value["@value"], "@language": value["@language"]}
        if "@type" in value:
            return {"@value": value["@value"], "type": self.iri(value["@type"], True)}
        return value["@value"]

    def _fits(self, definition: JsonObject, value: JsonObject) -> bool:
        coercion = definition.get("@type")
        if definition.get("@container") == LANGUAGE:  # a string without a language goes under @none
            return "@language" in value or ("@type" not in value and "@id" not in value)
        if coercion == "@id":
            return "@id" in value
        if coercion is not None:
            return value.get("@type") == coercion and "@language" not in value
        return True

    def node(self, node: JsonObject) -> JsonObject:
        out: JsonObject = {"id": self.iri(node["@id"], False)}
        if node.get("@type"):
            types = [self.iri(t, True) for t in node["@type"]]
            out["type"] = types[0] if len(types) == 1 else types
        keyed: dict[str, list[Any]] = {}
        maps: dict[str, dict[str, list[str]]] = {}
        for prop, values in sorted(node.items()):
            if prop.startswith("@"):
                continue
            term = self.terms.get(prop)
            for value in values:
                if term is not None and self._fits(term[1], value):
                    name, definition = term
                    if definition.get("@container") == LANGUAGE:
                        language = value.get("@language", "@none")
                        maps.setdefault(name, {}).setdefault(language, []).append(value["@value"])
                    elif definition.get("@type") == "@id":
                        keyed.setdefault(name, []).append(self.iri(value["@id"], False))
                    elif "@type" in definition:
                        keyed.setdefault(name, []).append(value["@value"])
                    else:
                        keyed.setdefault(name, []).append(self._value(value))
                else:
                    keyed.setdefault(self.iri(prop, True) if term is None else self.iri(prop, False), []).append(
                        self._value(value))
        for name, languages in maps.items():
            keyed[name] = [{lang: texts[0] if len(texts) == 1 else texts for lang, texts in languages.items()}]
        for name in sorted(keyed):
            values = keyed[name]
            out[name] = values[0] if len(values) == 1 else values
        return out


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
