"""SHACL validation of the assembled graph with pyshacl, on an in-memory rdflib graph.

SHACL §3.6 (validation reports). A Violation blocks a release; a Warning or Info is reported.
pyshacl runs on rdflib's Memory store on purpose: on an Oxigraph-backed graph it is ~40x slower and
reports false ``sh:in`` results (research/tech-probe.md §3).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins import sparql as rdflib_sparql
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.term import Node

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
    predicates with ``p in <list of ~40 parameters>``: 29 million term comparisons, a third of the
    validation time at 100k triples. The list API stays, so pyshacl's own copy()/append() keep working.
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
    from pyshacl import shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    if not isinstance(getattr(shape, "CONSTRAINT_PARAMS", (None,))[0], _ParameterList):
        shape.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


@contextmanager
def _prepared_queries() -> Iterator[None]:
    """Parse each SHACL-SPARQL query once instead of once per focus node.

    pyshacl hands rdflib the query text for every focus node, and rdflib parses it every time: with
    the date-order constraints that was 935 parses of ~18 ms for an 8k-triple graph, 90% of the
    validation. A translated query is reusable with other bindings (that is what rdflib's
    ``prepareQuery`` returns), so the text is parsed once and the prepared query reused. Also makes
    sure rdflib never loads remote graphs named in FROM while validating.
    """
    original = SPARQLProcessor.query
    cache: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Any] = {}

    def query(self: SPARQLProcessor, query: Any, initBindings: Mapping[str, Any] | None = None,
              initNs: Mapping[str, Any] | None = None, base: str | None = None, DEBUG: bool = False) -> Any:
        if isinstance(query, str):
            key = (query, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(query), base, initNs)
            query = cache[key]
        return original(self, query, initBindings, initNs, base, DEBUG)

    load_graphs = rdflib_sparql.SPARQL_LOAD_GRAPHS
    SPARQLProcessor.query = query  # type: ignore[method-assign,assignment]
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    try:
        yield
    finally:
        SPARQLProcessor.query = original  # type: ignore[method-assign]
        rdflib_sparql.SPARQL_LOAD_GRAPHS = load_graphs


def _run(data: Graph, shapes: Graph, use: list[URIRef] | None) -> Graph:
    use_shapes: list[str | URIRef] | None = None if use is None else [shape for shape in use]
    _fast_parameter_lookup()
    with _prepared_queries():
        # inplace: no inference runs, so nothing is written to the data graph, and pyshacl's defensive
        # copy of it (a second million-triple graph at scale) is not needed.
        _conforms, report_graph, _text_report = shacl_validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, allow_infos=True,
            inplace=True, use_shapes=use_shapes,
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
