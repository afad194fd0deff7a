"""What a value node must be, for the SHACL constraints compiled to SPARQL (``shacl_sparql``): its node
kind as a SPARQL test and as a Python one, and pyshacl's reading of sh:datatype and sh:pattern.

A query can only over-report where SPARQL and rdflib disagree about a literal; these are the Python
rules that then decide, so that both engines give pyshacl's results.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

TYPE_PATH = f"<{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"

NODE_KINDS = {  # sh:nodeKind -> SPARQL test of ?v (SHACL §4.1.3)
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))", SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
KIND_TEST: dict[URIRef, Callable[[Node], bool]] = {
    SH.IRI: lambda n: isinstance(n, URIRef), SH.BlankNode: lambda n: isinstance(n, BNode),
    SH.Literal: lambda n: isinstance(n, Literal), SH.BlankNodeOrIRI: lambda n: not isinstance(n, Literal),
    SH.BlankNodeOrLiteral: lambda n: not isinstance(n, URIRef), SH.IRIOrLiteral: lambda n: not isinstance(n, BNode),
}

# Lexical forms that rdflib certainly reads as well-formed; other literals of the datatype go to confirm().
SAFE_LEXICAL: dict[Node, str] = {
    XSD.date: r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
    XSD.gYear: r"^[0-9]{4}$",
    XSD.gYearMonth: r"^[0-9]{4}-(0[1-9]|1[0-2])$",
    XSD.boolean: r"^(true|false)$",
    XSD.integer: r"^-?[0-9]+$",
    XSD.nonNegativeInteger: r"^[0-9]+$",
    XSD.decimal: r"^-?[0-9]+(\.[0-9]+)?$",
    XSD.duration: r"^P[0-9]+Y$|^P([0-9]+Y)?[0-9]+M$|^P([0-9]+Y)?([0-9]+M)?[0-9]+D$",
}
# Oxigraph stores these as xsd:integer or xsd:dateTime: the dataset no longer tells them apart, so
# their sh:datatype is checked on the original rdflib terms (Check.original).
FOLDED = {XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger, XSD.nonPositiveInteger,
          XSD.long, XSD.int, XSD.short, XSD.byte, XSD.unsignedLong, XSD.unsignedInt, XSD.unsignedShort,
          XSD.unsignedByte, XSD.dateTime, XSD.dateTimeStamp}
PYTHON_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
}
# sh:minInclusive ... sh:maxExclusive (SHACL §4.3): the comparison and the order it asks of a value and the bound.
RANGES: dict[URIRef, tuple[str, Callable[[int], bool]]] = {
    SH.minExclusive: (">", lambda order: order > 0), SH.minInclusive: (">=", lambda order: order >= 0),
    SH.maxExclusive: ("<", lambda order: order < 0), SH.maxInclusive: ("<=", lambda order: order <= 0),
}
# Bounds and values SPARQL compares exactly as rdflib does: integers and decimals in a plain lexical form.
EXACT_NUMBERS = (XSD.integer, XSD.decimal)



def datatype_ok(value: Node, datatype: URIRef) -> bool:
    """pyshacl's sh:datatype rule, on an rdflib term: the datatype matches and rdflib can read the lexical form."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        if value.ill_typed is True:
            return False
    elif not (value.datatype is None and value.language is None and datatype == XSD.string):
        return datatype == RDF.langString and bool(value.language)
    python_type = PYTHON_TYPES.get(datatype)
    return python_type is None or isinstance(value.value, python_type)


def out_of_range(bound: Literal, holds: Callable[[int], bool]) -> Callable[[Node], bool]:
    """pyshacl's reading of a value range: a value fails unless it is a literal that compares with the bound
    (a string only with a string) in the wanted order."""
    bound_is_string = isinstance(bound.value, str)

    def fails(value: Node) -> bool:
        if not isinstance(value, Literal) or isinstance(value.value, str) != bound_is_string:
            return True
        try:
            return not holds(compare_literal(value, bound))  # type: ignore[no-untyped-call]
        except (TypeError, NotImplementedError):
            return True

    return fails


def range_test(bound: Literal, operator: str, v: str) -> str:
    """A SPARQL test that ``v`` certainly lies in the range; false where only rdflib can say (confirm())."""
    if bound.datatype not in EXACT_NUMBERS or not re.match(SAFE_LEXICAL[XSD.decimal], str(bound)):
        return "false"
    kinds = ", ".join(d.n3() for d in EXACT_NUMBERS)
    return (f"COALESCE(isLiteral({v}) && DATATYPE({v}) IN ({kinds}) && "
            f"REGEX(STR({v}), {sparql_string(SAFE_LEXICAL[XSD.decimal])}) && {v} {operator} {bound.n3()}, false)")


def pattern_string(value: Node) -> str:
    if isinstance(value, Literal) and value.value is not None and value.datatype in (None, RDF.langString, XSD.string):
        return str(value.value)
    return str(value)


def regex_flags(flags: Literal | None) -> tuple[str, int]:
    text = str(flags or "")
    if set(text) - set("ismx"):
        raise ValueError(text)
    return text, sum({"i": re.I, "s": re.S, "m": re.M, "x": re.X}[f] for f in text)


def not_of(datatype: Node) -> Callable[[Node], bool]:
    return lambda value: not datatype_ok(value, datatype)  # type: ignore[arg-type]


def none_of(tests: list[Callable[[Node], bool]]) -> Callable[[Node], bool]:
    return lambda value: not any(test(value) for test in tests)


def sparql_string(text: str) -> str:
    return Literal(text).n3()


def datatype_test(datatype: Node, v: str) -> tuple[str, bool]:
    """A SPARQL test that ``v`` is certainly of ``datatype``, and whether it is exact (no confirm() needed)."""
    test = f"(isLiteral({v}) && DATATYPE({v}) = {datatype.n3()}"
    if datatype == XSD.string:
        return test + ")", True
    safe = SAFE_LEXICAL.get(datatype)
    return test + (f" && REGEX(STR({v}), {sparql_string(safe)}))" if safe else " && false)"), False


def class_test(cls: Node, v: str) -> str:
    """A SPARQL test that ``v`` is an instance of ``cls`` (SHACL §4.1.1: rdf:type/rdfs:subClassOf*)."""
    return f"(!isLiteral({v}) && EXISTS {{ {v} {TYPE_PATH} {cls.n3()} }})"


def language_test(wanted: list[str], v: str) -> str:
    """A SPARQL test that ``v`` has one of the language tags ``wanted`` (lower case; "*" is any)."""
    if "*" in wanted:
        return f"(isLiteral({v}) && LANG({v}) != \"\")"
    options = ", ".join(sparql_string(x) for x in wanted) or '""'
    return (f"(isLiteral({v}) && LANG({v}) != \"\" && (LCASE(LANG({v})) IN ({options}) || "
            f"LCASE(STRBEFORE(LANG({v}), \"-\")) IN ({options})))")
