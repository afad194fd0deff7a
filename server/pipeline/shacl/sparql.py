"""SHACL shapes compiled to SPARQL SELECT queries: one query per constraint (SHACL §4, SHACL-SPARQL §5).

The second validation engine, for builds too large for pyshacl (research/tech-probe.md §3); pyshacl
(validate.py) stays the reference and tests/pipeline/test_shacl_sparql.py keeps the two equal. This
module is the pure compile step: a shapes graph in, :class:`Check` objects out, each a query text
and what one of its rows means. shacl_engine.py runs them on the Oxigraph dataset of the build.

Every query starts from the focus nodes of its node shape, the instances of its sh:targetClass
(rdf:type/rdfs:subClassOf*, SHACL §2.1.3.1), as a DISTINCT sub-select: Oxigraph's union default
graph repeats a triple held in two named graphs, so counts use COUNT(DISTINCT).

A failure expression is written so that it never raises a SPARQL error (an error would drop the row
and hide a violation). Where SPARQL cannot say exactly what pyshacl says, the query over-reports and
a Python ``confirm`` decides: rdflib's idea of a well-formed literal for sh:datatype, Python's ``re``
for sh:pattern. Anything else this compiler does not know is refused with :class:`UnsupportedShape`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from server.errors import UsageError
from server.pipeline.shacl.values import (
    FOLDED,
    KIND_TEST,
    NODE_KINDS,
    RANGES,
    TYPE_PATH,
    class_test,
    datatype_ok,
    datatype_test,
    language_test,
    none_of,
    not_of,
    out_of_range,
    pattern_string,
    range_test,
    regex_flags,
    sparql_string,
)

# The parameters each kind of shape may have; any other sh: term is refused, never skipped.
_QUIET = {SH.message, SH.severity, SH.deactivated, SH.name, SH.description, SH.order, SH.group}
NODE_PARAMETERS = _QUIET | {SH.targetClass, SH.property, SH.sparql}
PROPERTY_PARAMETERS = _QUIET | {SH.path, SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH["class"],
                                SH.languageIn, SH.uniqueLang, SH.pattern, SH.flags, SH["or"], SH.node, SH.hasValue,
                                SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, *RANGES}
NESTED_PARAMETERS = {SH.datatype, SH.nodeKind, SH["class"], SH.languageIn, SH.pattern, SH.flags, SH["or"],
                     SH.hasValue, SH.property, SH.path}

class UnsupportedShape(UsageError):
    """A shape uses a SHACL feature the SPARQL engine cannot compile; use shacl_engine=pyshacl."""

    def __init__(self, shape: Node, feature: str) -> None:
        super().__init__(f"shape {shape}: the SPARQL validation engine does not support {feature}; "
                         "set SER_KG_SHACL_ENGINE=pyshacl or change the shape")


@dataclass(frozen=True)
class Check:
    """One constraint as one query, and how to read a row of it into a validation result."""

    query: str
    shape: Node  # sh:sourceShape
    component: URIRef
    severity: URIRef
    messages: tuple[Literal, ...]
    path: Node | None  # the shape's sh:path node (an IRI, or a blank node with sh:inversePath)
    has_value: bool  # the result names the value node (?value)
    confirm: Callable[[Node], bool] | None = None  # True: the candidate value really fails
    constraint: Node | None = None  # sh:sourceConstraint, for SHACL-SPARQL constraints
    sparql: bool = False  # rows are SHACL-SPARQL solutions (SHACL-SPARQL §5.3)
    original: bool = False  # rows are focus nodes whose values are read from the rdflib data graph


def _int(node: Node) -> int:
    return int(str(node))


@dataclass
class Compiler:
    shapes: Graph
    focus: str = ""  # the focus sub-select of the node shape being compiled
    checks: list[Check] = field(default_factory=list)

    def one(self, node: Node, p: URIRef) -> Node | None:
        return self.shapes.value(node, p)

    def refuse_unknown(self, node: Node, allowed: set[URIRef], where: Node) -> None:
        for p in set(self.shapes.predicates(node)):
            if str(p).startswith(str(SH)) and p not in allowed:
                raise UnsupportedShape(where, p.n3(self.shapes.namespace_manager))

    def compile(self) -> list[Check]:
        for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
            for shape in self.shapes.subjects(p, None):
                raise UnsupportedShape(shape, p.n3(self.shapes.namespace_manager))
        for shape in sorted(set(self.shapes.subjects(SH.targetClass, None)), key=str):
            if self.one(shape, SH.deactivated) == Literal(True):
                continue
            if self.one(shape, SH.path) is not None:
                raise UnsupportedShape(shape, "a target on a property shape")
            self.refuse_unknown(shape, NODE_PARAMETERS, shape)
            classes = " ".join(c.n3() for c in sorted(self.shapes.objects(shape, SH.targetClass), key=str))
            self.focus = (f"{{ SELECT DISTINCT ?this WHERE {{ VALUES ?shacl_target {{ {classes} }} "
                          f"?this {TYPE_PATH} ?shacl_target . }} }}")
            for prop in sorted(self.shapes.objects(shape, SH.property), key=str):
                if self.one(prop, SH.deactivated) != Literal(True):
                    self.property_shape(prop)
            for constraint in sorted(self.shapes.objects(shape, SH.sparql), key=str):
                if self.one(constraint, SH.deactivated) != Literal(True):
                    self.sparql_constraint(shape, constraint)
        return self.checks

    # -- property shapes (SHACL §2.3) --------------------------------------------------------------

    def property_shape(self, prop: Node) -> None:
        self.refuse_unknown(prop, PROPERTY_PARAMETERS, prop)
        path = self.one(prop, SH.path)
        values = self.value_pattern(prop, path, "?value")
        severity = self.one(prop, SH.severity) or SH.Violation
        messages = tuple(sorted((m for m in self.shapes.objects(prop, SH.message) if isinstance(m, Literal)), key=str))

        def add(component: str, where: str, has_value: bool, confirm: Callable[[Node], bool] | None = None,
                tail: str = "", original: bool = False) -> None:
            select = "SELECT DISTINCT ?this ?value" if has_value and not original else "SELECT DISTINCT ?this"
            self.checks.append(Check(f"{select} WHERE {{ {self.focus} {where} }} {tail}", prop, SH[component],
                                     severity, messages, path, has_value, confirm,  # type: ignore[arg-type]
                                     original=original))

        def value_fails(component: str, fails: str, confirm: Callable[[Node], bool] | None = None) -> None:
            add(component, f"{values} FILTER ({fails})", True, confirm)

        for minimum in self.shapes.objects(prop, SH.minCount):
            add("MinCountConstraintComponent", f"OPTIONAL {{ {values} }}", False,
                tail=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {_int(minimum)})")
        for maximum in self.shapes.objects(prop, SH.maxCount):
            add("MaxCountConstraintComponent", values, False,
                tail=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {_int(maximum)})")
        for datatype in self.shapes.objects(prop, SH.datatype):
            if datatype in FOLDED:
                add("DatatypeConstraintComponent", values, True, not_of(datatype), original=True)
                continue
            test, _exact = datatype_test(datatype, "?value")
            value_fails("DatatypeConstraintComponent", f"!{test}", not_of(datatype))
        for kind in self.shapes.objects(prop, SH.nodeKind):
            if kind not in NODE_KINDS:
                raise UnsupportedShape(prop, f"sh:nodeKind {kind}")
            value_fails("NodeKindConstraintComponent", "!" + NODE_KINDS[kind].format(v="?value"))  # type: ignore[index]
        for cls in self.shapes.objects(prop, SH["class"]):
            value_fails("ClassConstraintComponent", f"!{class_test(cls, '?value')}")
        for languages in self.shapes.objects(prop, SH.languageIn):
            value_fails("LanguageInConstraintComponent", f"!{language_test(self.language_list(languages), '?value')}")
        for pattern in self.shapes.objects(prop, SH.pattern):
            test, confirm = self.pattern_test(prop, prop, pattern, "?value")
            value_fails("PatternConstraintComponent", f"!{test}", lambda v, c=confirm: not c(v))  # type: ignore[misc]
        for parameter, (operator, holds) in RANGES.items():
            for bound in self.shapes.objects(prop, parameter):
                if not isinstance(bound, Literal):
                    raise UnsupportedShape(prop, f"{parameter.n3(self.shapes.namespace_manager)} with a bound "
                                           "that is not a literal")
                component = parameter.removeprefix(str(SH))
                value_fails(component[0].upper() + component[1:] + "ConstraintComponent",
                            f"!{range_test(bound, operator, '?value')}", out_of_range(bound, holds))
        for unique in self.shapes.objects(prop, SH.uniqueLang):
            if unique == Literal(True):
                other = self.value_pattern(prop, path, "?other")
                add("UniqueLangConstraintComponent", f"{values} {other} FILTER (isLiteral(?value) && "
                    "isLiteral(?other) && LANG(?value) != \"\" && !sameTerm(?value, ?other) && "
                    "LCASE(LANG(?value)) = LCASE(LANG(?other))) BIND (LCASE(LANG(?value)) AS ?lang)", False,
                    tail="GROUP BY ?this ?lang")
        for has in self.shapes.objects(prop, SH.hasValue):
            add("HasValueConstraintComponent", f"FILTER NOT EXISTS {{ {self.value_pattern(prop, path, has.n3())} }}",
                False)
        for alternatives in self.shapes.objects(prop, SH["or"]):
            members = [self.nested(prop, m, "?value", need_exact=False) for m in Collection(self.shapes, alternatives)]
            tests = [t for t, _ in members]
            locals_ = [c for _, c in members if c is not None]
            value_fails("OrConstraintComponent", f"!({' || '.join(tests)})",
                        None if len(locals_) < len(members) else none_of(locals_))
        for node in self.shapes.objects(prop, SH.node):
            test, _ = self.nested(prop, node, "?value", need_exact=True)
            value_fails("NodeConstraintComponent", f"!{test}")
        for qualified in self.shapes.objects(prop, SH.qualifiedValueShape):
            if self.one(prop, SH.qualifiedValueShapesDisjoint) == Literal(True):
                raise UnsupportedShape(prop, "sh:qualifiedValueShapesDisjoint")
            test, _ = self.nested(prop, qualified, "?value", need_exact=True)
            counted = f"OPTIONAL {{ {values} FILTER ({test}) }}"
            for minimum in self.shapes.objects(prop, SH.qualifiedMinCount):
                add("QualifiedMinCountConstraintComponent", counted, False,
                    tail=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {_int(minimum)})")
            for maximum in self.shapes.objects(prop, SH.qualifiedMaxCount):
                add("QualifiedMaxCountConstraintComponent", counted, False,
                    tail=f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {_int(maximum)})")

    def value_pattern(self, shape: Node, path: Node | None, value: str) -> str:
        if isinstance(path, URIRef):
            return f"?this {path.n3()} {value} ."
        inverse = self.one(path, SH.inversePath) if isinstance(path, BNode) else None
        if isinstance(inverse, URIRef) and len(set(self.shapes.predicate_objects(path))) == 1:
            return f"{value} {inverse.n3()} ?this ."
        raise UnsupportedShape(shape, "a path other than an IRI or sh:inversePath of an IRI")

    # -- tests of one node, used alone and inside sh:or, sh:node and sh:qualifiedValueShape ---------

    def language_list(self, languages: Node) -> list[str]:
        return [str(x).lower() for x in Collection(self.shapes, languages)]

    def pattern_test(self, where: Node, shape: Node, pattern: Node, v: str) -> tuple[str, Callable[[Node], bool]]:
        try:
            flags, python_flags = regex_flags(self.one(shape, SH.flags))  # type: ignore[arg-type]
        except ValueError as exc:
            raise UnsupportedShape(where, f"sh:flags {exc}") from None
        compiled = re.compile(str(pattern), python_flags)
        test = f"(!isBlank({v}) && REGEX(STR({v}), {sparql_string(str(pattern))}, {sparql_string(flags)}))"
        return test, lambda n: not isinstance(n, BNode) and compiled.search(pattern_string(n)) is not None

    def nested(self, where: Node, shape: Node, v: str, need_exact: bool) -> tuple[str, Callable[[Node], bool] | None]:
        """A test that ``v`` conforms to the nested ``shape``, and a Python test of the same when it needs
        no graph (then the SPARQL test may under-approximate; confirm() has the last word)."""
        self.refuse_unknown(shape, NESTED_PARAMETERS - {SH.path}, where)
        tests: list[str] = []
        local: list[Callable[[Node], bool]] = []
        graph_bound = exact = True
        for datatype in self.shapes.objects(shape, SH.datatype):
            if datatype in FOLDED:
                raise UnsupportedShape(where, f"a nested sh:datatype {datatype.n3()} (Oxigraph folds it)")
            test, is_exact = datatype_test(datatype, v)
            tests.append(test)
            exact = exact and is_exact
            local.append(lambda n, d=datatype: datatype_ok(n, d))  # type: ignore[misc]
        for kind in self.shapes.objects(shape, SH.nodeKind):
            if kind not in NODE_KINDS:
                raise UnsupportedShape(where, f"sh:nodeKind {kind}")
            tests.append(NODE_KINDS[kind].format(v=v))  # type: ignore[index]
            local.append(KIND_TEST[kind])  # type: ignore[index]
        for pattern in self.shapes.objects(shape, SH.pattern):
            test, confirm = self.pattern_test(where, shape, pattern, v)
            tests.append(test)
            local.append(confirm)
        for languages in self.shapes.objects(shape, SH.languageIn):
            wanted = {str(x).lower() for x in Collection(self.shapes, languages)}
            tests.append(language_test(self.language_list(languages), v))
            local.append(lambda n, w=wanted: isinstance(n, Literal) and bool(n.language) and (  # type: ignore[misc]
                "*" in w or str(n.language).lower() in w or str(n.language).split("-")[0].lower() in w))
        for cls in self.shapes.objects(shape, SH["class"]):
            tests.append(class_test(cls, v))
            graph_bound = False
        for has in self.shapes.objects(shape, SH.hasValue):
            tests.append(f"sameTerm({v}, {has.n3()})")
            local.append(lambda n, h=has: n == h)  # type: ignore[misc]
        for prop in self.shapes.objects(shape, SH.property):
            self.refuse_unknown(prop, {SH.path, SH.hasValue}, where)
            values = [h for h in self.shapes.objects(prop, SH.hasValue)]
            if not values:
                raise UnsupportedShape(where, "a nested sh:property without sh:hasValue")
            template = self.value_pattern(where, self.one(prop, SH.path), "{}").replace("?this", v)
            tests += [f"EXISTS {{ {template.format(h.n3())} }}" for h in values]
            graph_bound = False
        for alternatives in self.shapes.objects(shape, SH["or"]):
            parts = [self.nested(where, m, v, need_exact) for m in Collection(self.shapes, alternatives)]
            tests.append("(" + " || ".join(t for t, _ in parts) + ")")
            if any(c is None for _, c in parts):
                graph_bound = False
            else:
                local.append(lambda n, cs=[c for _, c in parts]: any(c(n) for c in cs))  # type: ignore[misc]
        if not exact and (need_exact or not graph_bound):
            raise UnsupportedShape(where, "sh:datatype other than xsd:string inside sh:node, "
                                   "sh:qualifiedValueShape or an sh:or that also needs the graph")
        test = "(" + " && ".join(tests or ["true"]) + ")"
        return test, ((lambda n: all(c(n) for c in local)) if graph_bound else None)

    # -- SHACL-SPARQL constraints (SHACL-SPARQL §5) ------------------------------------------------

    def sparql_constraint(self, shape: Node, constraint: Node) -> None:
        self.refuse_unknown(constraint, {SH.select, SH.prefixes, SH.message, SH.deactivated}, constraint)
        query = str(self.one(constraint, SH.select) or "")
        for feature in ("$currentShape", "$shapesGraph", "?currentShape", "?shapesGraph"):
            if feature in query:
                raise UnsupportedShape(constraint, feature)
        if len(re.findall(r"\bSELECT\b", query, re.I)) != 1:
            raise UnsupportedShape(constraint, "a sub-select in sh:select")
        projection = re.search(r"\bSELECT\b(.*?)\bWHERE\s*\{", query, re.I | re.S)
        if projection is None or not re.search(r"[?$]this\b|\*", projection.group(1)):
            raise UnsupportedShape(constraint, "a sh:select that does not project $this before WHERE {")
        aggregates = re.search(r"\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", query, re.I)
        if aggregates and not re.search(r"\bGROUP\s+BY\b[^{}]*[?$]this\b", query, re.I):
            raise UnsupportedShape(constraint, "aggregates without GROUP BY $this")
        prefixes = []
        for declared in self.shapes.objects(constraint, SH.prefixes):
            for declaration in self.shapes.objects(declared, SH.declare):
                prefixes.append(f"PREFIX {self.one(declaration, SH.prefix)}: <{self.one(declaration, SH.namespace)}>")
        # Pre-binding $this (SHACL-SPARQL §5.3.1) for all focus nodes at once: the focus sub-select joins
        # the WHERE group first, so every FILTER, BIND and OPTIONAL of the group sees $this bound.
        text = query[:projection.end()] + f" {self.focus} " + query[projection.end():]
        messages = tuple(sorted((m for m in self.shapes.objects(constraint, SH.message) if isinstance(m, Literal)),
                                key=str))
        self.checks.append(Check("\n".join([*prefixes, text]), shape, SH.SPARQLConstraintComponent,
                                 self.one(shape, SH.severity) or SH.Violation, messages,  # type: ignore[arg-type]
                                 self.one(shape, SH.path), True, constraint=constraint, sparql=True))


def compile_shapes(shapes: Graph) -> list[Check]:
    """One :class:`Check` per constraint of every targeted shape; raises UnsupportedShape on what it cannot do."""
    return Compiler(shapes).compile()
