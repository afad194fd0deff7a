"""SHACL validation of the assembled graph with pyshacl, on an in-memory rdflib graph.

SHACL §3.6 (validation reports). A Violation blocks a release; a Warning or Info is reported.
pyshacl runs on rdflib's Memory store on purpose: on an Oxigraph-backed graph it is ~40x slower and
reports false ``sh:in`` results (research/tech-probe.md §3).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import traverse
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor
from rdflib.query import Result as RDFResult
from rdflib.term import Identifier, Node

from server.errors import Problem, SourceError
from server.pipeline.graph.rebase import rebase
from server.pipeline.shacl.results import Report, Result
from server.rdf.namespaces import DEFAULT_BASE


def load_shapes(shapes_dir: Path, base: str = DEFAULT_BASE) -> Graph:
    """The shapes of ``shapes/*.ttl``, moved to ``base`` (they are written against the production base)."""
    shapes = Graph()
    problems = []
    for path in sorted(shapes_dir.glob("*.ttl")):
        try:
            shapes.parse(path, format="turtle")
        except Exception as exc:  # noqa: BLE001 - rdflib raises many unrelated types for bad Turtle
            problems.append(Problem(path.name, "", "", f"not valid Turtle: {exc}"))
    if problems:
        raise SourceError(problems)
    return shapes if base == DEFAULT_BASE else rebase(shapes, base)


def _path(graph: Graph, node: Node | None) -> str | None:
    """A result path as text: an IRI, or ``^IRI`` for an inverse path."""
    if node is None:
        return None
    inverse = graph.value(node, SH.inversePath)
    return f"^{inverse}" if inverse is not None else str(node)


class _ParameterList(list[Any]):
    """pyshacl's list of constraint parameters, with a set beside it for ``in``.

    For every shape it evaluates (nested ones once per value node), pyshacl filters the shape's
    predicates with ``p in <list of 33 parameters>``: 29 million term comparisons, a third of the
    validation time at 100k triples. The list API stays, so pyshacl's own copy()/append() keep working.
    pyshacl has no option for this; the fix is proposed upstream in
    docs/upstream/pyshacl-constraint-parameters-set.md, and this goes when a release has it.
    """

    def __init__(self, items: Any) -> None:
        super().__init__(items)
        self._members = set(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> _ParameterList:
        return _ParameterList(self)

    def append(self, item: Any) -> None:
        super().append(item)
        self._members.add(item)


def _fast_parameter_lookup() -> None:
    """Seed pyshacl's lazily filled ``shape.CONSTRAINT_PARAMS`` with a set-backed list.

    Guarded: only while that module attribute is unfilled or the (list, dict) pair of pyshacl 0.40.
    If its internals change, nothing is touched and pyshacl runs its own lookup (slower, same results).
    """
    try:
        from pyshacl import shape
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    except ImportError:
        return
    current = getattr(shape, "CONSTRAINT_PARAMS", None)
    if isinstance(current, tuple) and current and isinstance(current[0], _ParameterList):
        return
    unfilled = current is None or current == (None, None)  # pyshacl fills it on its first shape
    expected = unfilled or (isinstance(current, tuple) and len(current) == 2
                            and isinstance(current[0], list) and isinstance(current[1], dict))
    if expected and isinstance(ALL_CONSTRAINT_PARAMETERS, list) and isinstance(CONSTRAINT_PARAMETERS_MAP, dict):
        shape.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


def _remote(query: Query) -> bool:
    """Whether a prepared query reads a graph from elsewhere: a FROM/FROM NAMED clause or a SERVICE."""
    found: list[bool] = []

    def visit(node: Any) -> None:
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            found.append(True)

    traverse(query.algebra, visitPre=visit)
    return bool(found) or query.algebra.get("datasetClause") is not None


class PreparingGraph(Graph):
    """The data graph as pyshacl queries it: each SHACL-SPARQL query text is parsed once.

    pyshacl hands ``Graph.query`` the same query text for every focus node (the focus node goes in
    ``initBindings``), and rdflib parses a text every time: with the date-order constraints that was
    935 parses of ~18 ms for an 8k-triple graph, 90% of the validation. rdflib's ``prepareQuery``
    gives a query reusable with other bindings, so this graph keeps one per text (and namespaces and
    base, which change its meaning). It shares the store of the graph it views: nothing is copied,
    and pyshacl gets it with ``inplace=True``, so no global of pyshacl or rdflib changes. Reported
    upstream in docs/upstream/pyshacl-sparql-prepared-once.md.

    A query that names a graph elsewhere (FROM, FROM NAMED, SERVICE) is refused: rdflib would fetch
    it, and validation reads only the data graph. (rdflib's ``SPARQL_LOAD_GRAPHS`` is a module
    global; this check needs none.)
    """

    def __init__(self, data: Graph, prepare: Callable[..., Query] = prepareQuery) -> None:
        super().__init__(store=data.store, identifier=data.identifier, namespace_manager=data.namespace_manager,
                         base=data.base)
        self._prepare = prepare
        self._prepared: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Query] = {}

    def query(self, query_object: str | Query, processor: str | Processor = "sparql",
              result: str | type[RDFResult] = "sparql", initNs: Mapping[str, Any] | None = None,
              initBindings: Mapping[str, Identifier] | None = None,
              use_store_provided: bool = True, **kwargs: Any) -> RDFResult:
        if isinstance(query_object, str):
            namespaces = dict(initNs or self.namespaces())
            base = kwargs.get("base")
            key = (query_object, base, tuple(sorted((k, str(v)) for k, v in namespaces.items())))
            prepared = self._prepared.get(key)
            if prepared is None:
                prepared = self._prepare(query_object, initNs=namespaces, base=base)
                if _remote(prepared):
                    raise ValueError(f"a SHACL-SPARQL query of shapes/ reads a graph from elsewhere (FROM or "
                                     f"SERVICE), which validation does not allow: {query_object[:200]!r}")
                self._prepared[key] = prepared
            query_object, initNs = prepared, namespaces
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


def _run(data: Graph, shapes: Graph, use: list[URIRef] | None) -> Graph:
    use_shapes: list[str | URIRef] | None = None if use is None else [shape for shape in use]
    _fast_parameter_lookup()
    # inplace: no inference runs, so nothing is written to the data graph, and pyshacl's defensive
    # copy of it (a second million-triple graph at scale) is not needed.
    _conforms, report_graph, _text_report = shacl_validate(
        data if isinstance(data, PreparingGraph) else PreparingGraph(data), shacl_graph=shapes,
        inference="none", advanced=True, allow_warnings=True, allow_infos=True, inplace=True,
        use_shapes=use_shapes,
    )
    assert isinstance(report_graph, Graph)
    return report_graph


# The graphs a forked validation process inherits (fork shares them copy-on-write; nothing is pickled).
_INHERITED: tuple[Graph, Graph] | None = None


def _run_inherited(use: list[URIRef]) -> bytes:
    assert _INHERITED is not None
    return _run(*_INHERITED, use).serialize(format="nt", encoding="utf-8")


def _merge(parts: list[bytes]) -> Graph:
    """One validation report from the reports of several processes."""
    merged, results, conforms = Graph(), [], True
    for part in parts:
        graph = Graph().parse(data=part, format="nt")  # a parse per part keeps blank nodes apart
        for report in list(graph.subjects(RDF.type, SH.ValidationReport)):
            conforms = conforms and graph.value(report, SH.conforms) == Literal(True)
            results += list(graph.objects(report, SH.result))
            graph.remove((report, None, None))
        merged += graph
    report = BNode()
    merged.add((report, RDF.type, SH.ValidationReport))
    merged.add((report, SH.conforms, Literal(conforms)))
    for result in results:
        merged.add((report, SH.result, result))
    return merged


def _groups(data: Graph, shapes: Graph, workers: int) -> list[list[URIRef]]:
    """The targeted node shapes in ``workers`` groups of about equal work (focus nodes x constraints)."""
    def focus_nodes(shape: Node) -> int:
        nodes = sum(len(set(data.subjects(RDF.type, c))) for c in shapes.objects(shape, SH.targetClass)) + 1
        constraints = len(list(shapes.objects(shape, SH.property))) + len(list(shapes.objects(shape, SH.sparql)))
        return nodes * (constraints + 1)
    targeted = sorted({s for s in shapes.subjects(SH.targetClass, None) if isinstance(s, URIRef)},
                      key=lambda s: (-focus_nodes(s), str(s)))
    groups: list[list[URIRef]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for shape in targeted:
        lightest = loads.index(min(loads))
        groups[lightest].append(shape)
        loads[lightest] += focus_nodes(shape)
    # pyshacl's use_shapes also filters the named property shapes of a node shape: list them too.
    return [g + sorted({p for n in g for p in shapes.objects(n, SH.property) if isinstance(p, URIRef)}, key=str)
            for g in groups if g]


def validate(data: Graph, shapes: Graph, workers: int = 1) -> Report:
    """Validate ``data``; with ``workers`` > 1 the shapes are split over forked processes (same results)."""
    # Split only when every targeted shape has an IRI and a class target; otherwise one process does it all.
    untargeted = any(shapes.subjects(SH.targetNode, None)) or any(shapes.subjects(SH.targetSubjectsOf, None)) \
        or any(shapes.subjects(SH.targetObjectsOf, None)) \
        or any(not isinstance(s, URIRef) for s in shapes.subjects(SH.targetClass, None))
    if workers <= 1 or untargeted or "fork" not in multiprocessing.get_all_start_methods():
        report_graph = _run(data, shapes, None)
    else:
        global _INHERITED
        _INHERITED = (data, shapes)
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                report_graph = _merge(pool.map(_run_inherited, _groups(data, shapes, workers)))
        finally:
            _INHERITED = None
    return _report(report_graph)


def _report(report_graph: Graph) -> Report:
    results = []
    # Only top-level results: nested sh:detail results explain a parent result, they are not extra ones.
    for node in report_graph.objects(None, SH.result):
        severity = report_graph.value(node, SH.resultSeverity)
        messages = sorted(str(m) for m in report_graph.objects(node, SH.resultMessage))
        results.append(Result(
            focus=str(report_graph.value(node, SH.focusNode)),
            path=_path(report_graph, report_graph.value(node, SH.resultPath)),
            component=str(report_graph.value(node, SH.sourceConstraintComponent)),
            severity=str(severity).rsplit("#", 1)[-1] if isinstance(severity, URIRef) else "Violation",
            message=" / ".join(messages) or "does not conform",
            shape=str(report_graph.value(node, SH.sourceShape)),
        ))
    results.sort(key=lambda r: (r.severity != "Violation", r.focus, r.path or "", r.component))
    return Report(results, report_graph)
