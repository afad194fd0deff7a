"""Query results written out with a row cap: SPARQL 1.1 Query Results JSON (§3), XML, CSV and TSV
(SPARQL 1.1 Query Results CSV and TSV Formats), and the triples of CONSTRUCT/DESCRIBE in the RDF formats.

The engine's own result serialisers write every row; the public endpoint must stop at the result limit
and say so, so rows are read one by one up to the limit plus one and written here. The extra row is how
truncation is detected: a result of exactly ``limit`` rows is complete.

Where SPARQL leaves the order open (a graph's triples; the rows of a query without ORDER BY), each engine
has its own, and a different engine, or another run of a parallel one, could send the same answer in
another order under the same ETag. Such answers are written in one canonical order instead: sorted by
the terms' N-Triples forms. Blank node labels stay the engine's own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring as _quote  # JSON string literal, non-ASCII kept
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
RESULT_FORMATS = ("json", "xml", "csv", "tsv")


@dataclass(frozen=True)
class Written:
    body: bytes
    count: int  # rows or triples written
    truncated: bool  # more existed than the limit allowed


T = TypeVar("T")


def capped(items: Iterable[T], limit: int) -> tuple[list[T], bool]:
    kept: list[T] = []
    for item in items:
        if len(kept) == limit:
            return kept, True
        kept.append(item)
    return kept, False


def solutions(result: ox.QuerySolutions, fmt: str, limit: int, *, ordered: bool = True) -> Written:
    """The rows of ``result`` up to ``limit``; unless ``ordered`` (the query has ORDER BY), sorted."""
    names = [v.value for v in result.variables]
    rows, truncated = capped(result, limit)
    if not ordered:
        rows.sort(key=_row_key)
    return Written(_SOLUTION_WRITERS[fmt](names, rows), len(rows), truncated)


def boolean(value: bool, fmt: str) -> Written:
    text = "true" if value else "false"
    if fmt == "json":
        body = json.dumps({"head": {}, "boolean": value}).encode()
    elif fmt == "xml":
        body = (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head></head><boolean>{text}</boolean></sparql>\n").encode()
    else:  # CSV and TSV define no boolean form; like Oxigraph, write the bare word
        body = f"{text}\n".encode()
    return Written(body, 1, False)


def triples(result: ox.QueryTriples, fmt: str, limit: int, prefixes: dict[str, str]) -> Written:
    kept, truncated = capped(result, limit)
    kept.sort(key=_triple_key)
    body = ox.serialize(kept, format=RDF_FORMATS[fmt], prefixes=prefixes) or b""
    return Written(body, len(kept), truncated)


def _row_key(row: Iterable[object]) -> tuple[str, ...]:
    return tuple("" if term is None else str(term) for term in row)


def _triple_key(triple: ox.Triple) -> tuple[str, str, str]:
    return str(triple.subject), str(triple.predicate), str(triple.object)


def _json_term(term: object) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):  # SPARQL 1.2 triple terms
        return {"type": "triple", "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        }}
    raise TypeError(f"unexpected term {term!r}")


def _json_fragment(term: object) -> str:
    """One term as SPARQL JSON text, written directly: twice as fast as building dicts for json.dumps."""
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _quote(term.value) + "}"  # type: ignore[attr-defined]
    if kind is ox.Literal:
        value = _quote(term.value)  # type: ignore[attr-defined]
        if term.language:  # type: ignore[attr-defined]
            return '{"type":"literal","value":' + value + ',"xml:lang":' + _quote(term.language) + "}"  # type: ignore[attr-defined]
        datatype = term.datatype.value  # type: ignore[attr-defined]
        if datatype == XSD_STRING:
            return '{"type":"literal","value":' + value + "}"
        return '{"type":"literal","value":' + value + ',"datatype":' + _quote(datatype) + "}"
    return json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))


def _json(names: Sequence[str], rows: Sequence[ox.QuerySolution]) -> bytes:
    keys = [_quote(name) + ":" for name in names]
    written: dict[object, str] = {}  # the same term (a predicate, a class) recurs in many rows
    bindings = []
    for row in rows:
        cells = []
        for key, term in zip(keys, row, strict=True):
            if term is None:
                continue
            fragment = written.get(term)
            if fragment is None:
                fragment = written[term] = _json_fragment(term)
            cells.append(key + fragment)
        bindings.append("{" + ",".join(cells) + "}")
    head = ",".join(_quote(name) for name in names)
    return ('{"head":{"vars":[' + head + ']},"results":{"bindings":[' + ",".join(bindings) + "]}}").encode()


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"unexpected term {term!r}")


def _xml(names: Sequence[str], rows: Sequence[ox.QuerySolution]) -> bytes:
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    parts.extend(f"<variable name={quoteattr(n)}/>" for n in names)
    parts.append("</head>\n<results>\n")
    for row in rows:
        parts.append("<result>")
        for name, term in zip(names, row, strict=True):
            if term is not None:
                parts.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        parts.append("</result>\n")
    parts.append("</results>\n</sparql>\n")
    return "".join(parts).encode()


def _csv_cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.NamedNode | ox.Literal):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv(names: Sequence[str], rows: Sequence[ox.QuerySolution]) -> bytes:
    lines = [",".join(names)]
    lines.extend(",".join(_csv_cell(t) for t in row) for row in rows)
    return ("\r\n".join(lines) + "\r\n").encode()


def _tsv_cell(term: object) -> str:
    # str() of a term is its N-Triples form, which already escapes tabs and line breaks in literals.
    return "" if term is None else str(term)


def _tsv(names: Sequence[str], rows: Sequence[ox.QuerySolution]) -> bytes:
    lines = ["\t".join(f"?{n}" for n in names)]
    lines.extend("\t".join(_tsv_cell(t) for t in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()


_SOLUTION_WRITERS: dict[str, Callable[[Sequence[str], Sequence[ox.QuerySolution]], bytes]] = {
    "json": _json,
    "xml": _xml,
    "csv": _csv,
    "tsv": _tsv,
}
