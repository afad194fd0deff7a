"""The SPARQL validation engine: compiled shapes run on the build's Oxigraph dataset (SHACL §3.6 reports).

Runs the queries of shacl_sparql.py on a MemoryDataset of the ontology and data graphs, and reads the
rows into the same :class:`~server.pipeline.shacl.results.Result` objects and the same kind of
sh:ValidationReport graph as pyshacl gives (validate.py), so that the build and the release's
validation-report.ttl do not depend on the engine. Where pyshacl has its own habits, this follows
them: a SHACL-SPARQL result without ?value names the focus node as its value, and its messages have
{?var} and {$var} replaced by the solution's terms.
"""

from __future__ import annotations

import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from server.pipeline.shacl.results import Report, Result
from server.pipeline.shacl.sparql import Check, compile_shapes
from server.store.base import Row
from server.store.oxigraph.memory import MemoryDataset

Found = tuple[Check, Node, Node | None, Node | None, tuple[Literal, ...]]  # check, focus, value, path, messages


def _path_text(shapes: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    inverse = shapes.value(path, SH.inversePath) if isinstance(path, BNode) else None
    return f"^{inverse}" if inverse is not None else str(path)


def _sparql_messages(check: Check, row: Row, value: Node | None) -> tuple[Literal, ...]:
    """pyshacl's substitution: the solution's other variables first, then this, path and value."""
    bindings: dict[str, Node] = {k: v for k, v in row.items() if k not in ("this", "path", "value")}
    bindings["this"] = row["this"]
    if row.get("path") is not None:
        bindings["path"] = row["path"]
    if value is not None:
        bindings["value"] = value
    out = []
    for message in check.messages:
        text = str(message)
        for name, term in bindings.items():
            text = re.sub(f"{{[?$]{name}}}", str(term), text)
        out.append(Literal(text, lang=message.language))
    return tuple(out)


def _values(data: Graph, shapes: Graph, focus: Node, path: Node | None) -> list[Node]:
    if isinstance(path, URIRef):
        return list(data.objects(focus, path))
    return list(data.subjects(shapes.value(path, SH.inversePath), focus))


def _found(check: Check, rows: list[Row], shapes: Graph, data: Graph | None) -> list[Found]:
    found: list[Found] = []
    if check.original:
        if data is None:
            # No rdflib graph at scale: judge the values as Oxigraph holds them. Integer subtypes are then
            # already folded into xsd:integer; the build's transform writes no other integer type.
            pairs: set[tuple[Node, Node]] = {(row["this"], row["value"]) for row in rows
                                             if "this" in row and "value" in row}
        else:
            pairs = {(focus, term) for focus in {row["this"] for row in rows}
                     for term in _values(data, shapes, focus, check.path)}
        for focus, term in sorted(pairs, key=lambda pair: (str(pair[0]), str(pair[1]))):
            if check.confirm is not None and check.confirm(term):
                found.append((check, focus, term, check.path, check.messages))
        return found
    if check.sparql:
        seen = set()
        for row in rows:
            key = tuple(sorted((k, v.n3()) for k, v in row.items()))
            if key in seen or "this" not in row:
                continue
            seen.add(key)
            focus = row["this"]
            # a node shape's result without ?value names the focus node (pyshacl does the same)
            value: Node | None = row.get("value") or (focus if check.path is None else None)
            path: Node | None = row.get("path") or check.path
            found.append((check, focus, value, path, _sparql_messages(check, row, value)))
        return found
    unique = {(row["this"], row.get("value")) for row in rows if "this" in row}
    for this, candidate in sorted(unique, key=lambda fv: (str(fv[0]), str(fv[1]))):
        if check.confirm is not None and candidate is not None and not check.confirm(candidate):
            continue
        found.append((check, this, candidate if check.has_value else None, check.path, check.messages))
    return found


def _report_graph(shapes: Graph, found: list[Found], conforms: bool) -> Graph:
    graph = Graph()
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(conforms)))
    copied: set[Node] = set()
    for check, focus, value, path, messages in found:
        result = BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, focus))
        graph.add((result, SH.resultSeverity, check.severity))
        graph.add((result, SH.sourceConstraintComponent, check.component))
        graph.add((result, SH.sourceShape, check.shape))
        if check.constraint is not None:
            graph.add((result, SH.sourceConstraint, check.constraint))
        if value is not None:
            graph.add((result, SH.value, value))
        if path is not None:
            graph.add((result, SH.resultPath, path))
            if isinstance(path, BNode) and path not in copied:  # an inverse path is a node of the shapes graph
                copied.add(path)
                graph += shapes.triples((path, None, None))
        for message in messages:
            graph.add((result, SH.resultMessage, message))
    return graph


def validate_sparql(memory: MemoryDataset, shapes: Graph, data: Graph | None = None) -> Report:
    """Validate the union of the dataset's graphs against ``shapes``; the same Report as validate.validate.

    ``data`` is the same data as an rdflib graph (ontology not needed): sh:datatype of the integer
    types and xsd:dateTime is checked there, because Oxigraph folds those datatypes together.
    """
    found: list[Found] = []
    for check in compile_shapes(shapes):
        found += _found(check, list(memory.select(check.query)), shapes, data)
    results = []
    for check, focus, _value, path, messages in found:
        results.append(Result(
            focus=str(focus), path=_path_text(shapes, path), component=str(check.component),
            severity=str(check.severity).rsplit("#", 1)[-1],
            message=" / ".join(sorted(str(m) for m in messages)) or f"{check.component.n3()} not met",
            shape=str(check.shape),
        ))
    results.sort(key=lambda r: (r.severity != "Violation", r.focus, r.path or "", r.component))
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(results, _report_graph(shapes, found, conforms))
