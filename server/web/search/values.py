"""Property values of things: fetched for data extension, compared for property constraints.

Reconciliation Service API v0.2 §4.1 (property values in a query: a string, number, boolean or an
entity ``{"id": ...}``) and §7.4 (data extension cells: ``{"id","name"}``, ``{"str"}``, ``{"int"}``,
``{"float"}``, ``{"date"}``). A value that is one of our things becomes an entity cell; any other IRI
is given as a string, because it is not in this service's identifier space.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from server.store.base import Store
from server.web.descriptions import iri_ref
from server.web.search import names
from server.web.search.directory import Directory

Values = dict[str, dict[str, list[Identifier]]]  # thing -> property -> values
MAX_ROWS = 10000  # a query by properties alone reads the values of one property; at most these many

_INTEGERS = {str(XSD[t]) for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger",
                                   "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong")}
_FLOATS = {str(XSD[t]) for t in ("decimal", "double", "float")}


def fetch(store: Store, things: Sequence[str], properties: Sequence[str]) -> Values:
    """The values of ``properties`` on ``things``, over every graph of the release."""
    found: Values = defaultdict(lambda: defaultdict(list))
    if not things or not properties:
        return found
    rows = store.select(f"""SELECT ?s ?p ?o WHERE {{
        VALUES ?s {{ {" ".join(iri_ref(t) for t in things)} }}
        VALUES ?p {{ {" ".join(iri_ref(p) for p in properties)} }}
        ?s ?p ?o FILTER(!isBlank(?o)) }}""")
    for row in rows:
        found[str(row["s"])][str(row["p"])].append(row["o"])
    return found


def holders(store: Store, prop: str) -> Values:
    """Every thing with a value of ``prop``: the candidates of a query given by properties alone."""
    found: Values = defaultdict(lambda: defaultdict(list))
    for row in store.select(f"SELECT ?s ?o WHERE {{ ?s {iri_ref(prop)} ?o FILTER(isIRI(?s)) }} LIMIT {MAX_ROWS}"):
        found[str(row["s"])][prop].append(row["o"])
    return found


def wanted_values(v: Any) -> list[Any]:
    return list(v) if isinstance(v, list) else [v]


def matches(value: Identifier, wanted: Any, directory: Directory) -> bool:
    """Whether one value of a thing is what a query asked for (an id, a name, a string, a number)."""
    if isinstance(wanted, dict):
        wanted_id = str(wanted.get("id", ""))
        found = directory.thing(wanted_id)
        return isinstance(value, URIRef) and str(value) in {wanted_id, found.iri if found else ""}
    if isinstance(wanted, bool):
        wanted = "true" if wanted else "false"
    text = str(wanted).strip()
    if not text:
        return False
    if isinstance(value, URIRef):
        if str(value) == text:
            return True
        return directory.things.is_named(str(value), text)
    if isinstance(value, Literal):
        if isinstance(wanted, int | float) and not isinstance(wanted, bool):
            # Decimal, not float: a number of 400 digits does not fit a float (it was a 500).
            try:
                return Decimal(str(value)) == Decimal(wanted)
            except (InvalidOperation, ValueError):
                return False
        literal = str(value)
        # A year or a month asks for any date within it: "2019" matches 2019-09-20.
        if text[:1].isdigit() and literal.startswith(text):
            return True
        return names.key(names.tokens(literal)) == names.key(names.tokens(text))
    return False


def cells(found: Iterable[Identifier], directory: Directory, lang: str) -> list[dict[str, Any]]:
    """Data extension cells for the values of one property of one thing, sorted for a stable answer."""
    values = list(found)
    tagged = [v for v in values if isinstance(v, Literal) and v.language]
    if tagged:
        # Language-tagged texts in the reader's language when there are any; untagged values always.
        chosen = [v for v in tagged if v.language == lang] or [v for v in tagged if v.language == "nl"] or tagged
        values = [*(v for v in values if not (isinstance(v, Literal) and v.language)), *chosen]
    out = [cell(v, directory, lang) for v in values]
    return sorted(out, key=lambda c: sorted((k, str(v)) for k, v in c.items()))


def cell(value: Identifier, directory: Directory, lang: str) -> dict[str, Any]:
    if isinstance(value, URIRef):
        entity = directory.things.entity(str(value))
        if entity is not None:  # an id in the identifier space, as the reconciliation candidates have
            return {"id": entity.iri.removeprefix(f"{directory.base}id/"), "name": entity.name(lang)}
        return {"str": str(value)}
    if isinstance(value, Literal):
        datatype = str(value.datatype) if value.datatype else ""
        text = str(value)
        try:
            if datatype in _INTEGERS:
                return {"int": int(text)}
            if datatype in _FLOATS:
                return {"float": float(text)}
        except ValueError:
            return {"str": text}
        if datatype == str(XSD.date) and len(text) == 10:
            return {"date": f"{text}T00:00:00Z"}
        if datatype == str(XSD.dateTime):
            return {"date": text if text[-1:] == "Z" or "+" in text[10:] or "-" in text[10:] else text + "Z"}
        return {"str": text}
    return {"str": str(value)}
