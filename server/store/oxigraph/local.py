"""``ser-kg query``: run one SPARQL query against the latest release, on this machine.

This is the maintainer's tool, not the public endpoint: it trusts its user, has no time limit, and
prints the whole result.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from server.errors import QueryRejected, UsageError
from server.rdf.namespaces import prefixes
from server.store.manifest import read_release
from server.store.oxigraph.embedded import ensure_database

_RESULTS = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
_TRIPLES = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return str(term)


def _table(solutions: ox.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[_cell(s[n]) for n in names] for s in solutions]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def run_query(release_dir: Path, store_dir: Path, text: str, fmt: str) -> str:
    release = read_release(release_dir)
    store = ox.Store.read_only(str(ensure_database(store_dir, release)))
    try:
        # Relative IRIs (<id/organisatie/ser>) resolve against the base IRI, as at the public endpoint.
        result = store.query(text, use_default_graph_as_union=True, prefixes=prefixes(release.base_iri),
                             base_iri=release.base_iri)
    except SyntaxError as exc:
        raise QueryRejected(f"the query is not valid SPARQL: {exc}") from None
    if isinstance(result, ox.QueryBoolean):
        return "true\n" if bool(result) else "false\n"
    if isinstance(result, ox.QuerySolutions):
        if fmt == "table":
            return _table(result)
        if fmt not in _RESULTS:
            raise UsageError(f"--format {fmt}: a SELECT query prints as table, json, csv or tsv")
        return _line_ended((result.serialize(format=_RESULTS[fmt]) or b"").decode("utf-8"))
    fmt = "turtle" if fmt == "table" else fmt
    if fmt not in _TRIPLES:
        raise UsageError(f"--format {fmt}: a CONSTRUCT or DESCRIBE query prints as turtle or ntriples")
    return _line_ended((result.serialize(format=_TRIPLES[fmt]) or b"").decode("utf-8"))


def _line_ended(text: str) -> str:
    """JSON results end without a line break, which would leave the shell's prompt on their last line."""
    return text if not text or text.endswith("\n") else text + "\n"
