"""Graph names in a shared engine: where each release lives, and queries confined to one release.

``ser-kg publish`` (``server.store.publish``) loads each release into the engine under versioned graph
names, ``{base}graph/{version}/{name}``, and then switches a small pointer graph, ``{base}graph/release``,
to the new version: one Graph Store Protocol PUT, so a reader sees the old release or the new one,
never a mix. A server serves one version; :class:`Renamer` confines every query to that version's
graphs: the protocol dataset (``default-graph-uri`` / ``named-graph-uri``, Protocol §2.1.4) names
them, and a public graph name in a graph position of the query (``{base}graph/data`` after GRAPH or
FROM, or in the VALUES of a graph variable) is pointed at its versioned twin. Graph names in answers
are mapped back, so clients never see the versioned names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from server.rdf.namespaces import GRAPHS, graph_iri
from server.rdf.sparql_policy import Token, tokens

OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
KEPT = "http://purl.org/dc/terms/hasVersion"  # every version whose graphs are still in the engine


def pointer_graph(base: str) -> str:
    """The graph that names the current release; it is never part of a query's dataset."""
    return f"{base}graph/release"


def empty_graph(base: str) -> str:
    """A graph name that ``ser-kg publish`` never writes: a part of a dataset that must hold nothing."""
    return f"{base}graph/none"


def versioned_graph(base: str, version: str, name: str) -> str:
    return f"{base}graph/{version}/{name}"


class Renamer:
    """The public graph names of one release and the versioned names the engine holds them under."""

    def __init__(self, base: str, version: str) -> None:
        self.stored = {graph_iri(n, base): versioned_graph(base, version, n) for n in GRAPHS}
        self.public = {v: k for k, v in self.stored.items()}
        self.empty = empty_graph(base)
        self._encoded: dict[tuple[tuple[str, ...] | None, tuple[str, ...] | None], str] = {}

    def query(self, text: str) -> str:
        """``text`` with each public graph name in a graph position pointed at its stored twin: after
        GRAPH, FROM or FROM NAMED, and in the VALUES of a variable that is used after GRAPH.

        The same IRI elsewhere is data (the metadata graph describes the graphs) and stays as it is. A
        query with FROM but no FROM NAMED gets ``FROM NAMED`` of a graph that holds nothing, and the other
        way round: SPARQL makes the missing part of the dataset empty (Query §13.2), where Virtuoso
        would fill it with every graph it holds.
        """
        prefixes: dict[str, str] = {}
        toks = list(tokens(text))
        graph_vars = {toks[i + 1].text[1:] for i, t in enumerate(toks[:-1])
                      if t.kind == "word" and t.text.upper() == "GRAPH" and toks[i + 1].kind == "var"}
        renamed: set[int] = set()  # positions of the tokens to rename
        clauses: dict[bool, int] = {}  # named or not: the position of the last such clause's IRI
        for i, tok in enumerate(toks):
            word = tok.text.upper() if tok.kind == "word" else ""
            if word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
                prefixes[toks[i + 1].text[:-1]] = toks[i + 2].text[1:-1]
            elif word in ("GRAPH", "FROM", "NAMED") and i + 1 < len(toks):
                renamed.add(i + 1)
                if word == "FROM":
                    named = toks[i + 1].kind == "word" and toks[i + 1].text.upper() == "NAMED"
                    clauses[named] = i + 1 + named
            elif word == "VALUES":
                renamed.update(_values_of(toks, i + 1, graph_vars))
        edits: list[tuple[int, int, str]] = []  # (offset, length replaced, new text)
        for i in renamed:
            iri = _resolve(toks[i].text, toks[i].kind, prefixes)
            if iri in self.stored:
                edits.append((toks[i].offset, len(toks[i].text), f"<{self.stored[iri]}>"))
        if len(clauses) == 1 and max(clauses.values()) < len(toks):
            (named, last), = clauses.items()
            end = toks[last].offset + len(toks[last].text)
            edits.append((end, 0, f" FROM {'' if named else 'NAMED '}<{self.empty}>"))
        for offset, length, new in sorted(edits, reverse=True):
            text = text[:offset] + new + text[offset + length:]
        return text

    def dataset(self, job_default: Sequence[str] | None, job_named: Sequence[str] | None) -> list[tuple[str, str]]:
        """Protocol dataset parameters: the release's graphs, or the requested subset of them.

        A part the request leaves out is empty (Protocol §2.1.4 with Query §13.2); it is named as a graph
        that holds nothing, since an engine may read a missing parameter as "every graph I hold".
        """
        if job_default is None and job_named is None:
            default = named = list(self.stored.values())
        else:
            default = [self.stored[g] for g in job_default or ()] or [self.empty]
            named = [self.stored[g] for g in job_named or ()] or [self.empty]
        return [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]

    def encoded(self, job_default: Sequence[str] | None, job_named: Sequence[str] | None) -> str:
        """:meth:`dataset` as form parameters, remembered: most requests ask for the same dataset."""
        key = (None if job_default is None else tuple(job_default), None if job_named is None else tuple(job_named))
        found = self._encoded.get(key)
        if found is None:
            if len(self._encoded) >= 256:
                self._encoded.clear()
            found = self._encoded[key] = urlencode(self.dataset(job_default, job_named))
        return found

    def term(self, term: Any) -> Any:
        if isinstance(term, ox.NamedNode) and term.value in self.public:
            return ox.NamedNode(self.public[term.value])
        return term


def _values_of(toks: Sequence[Token], at: int, wanted: set[str]) -> set[int]:
    """Positions of the values given to the ``wanted`` variables by the VALUES block starting at ``at``."""
    names: list[str] = []
    i = at
    if i < len(toks) and toks[i].kind == "var":
        names, i = [toks[i].text[1:]], i + 1
    elif i < len(toks) and toks[i].text == "(":
        i += 1
        while i < len(toks) and toks[i].kind == "var":
            names.append(toks[i].text[1:])
            i += 1
        i += 1  # the closing bracket
    if not set(names) & wanted or i >= len(toks) or toks[i].text != "{":
        return set()
    found: set[int] = set()
    column = depth = 0
    for j in range(i + 1, len(toks)):
        text = toks[j].text
        if text == "}" and toks[j].kind == "punct":
            break
        if text == "(" and toks[j].kind == "punct":
            depth, column = 1, 0
        elif text == ")" and toks[j].kind == "punct":
            depth = 0
        else:
            if names[column % len(names)] in wanted:
                found.add(j)
            column = column + 1 if depth or len(names) == 1 else column
    return found


def _resolve(text: str, kind: str, prefixes: dict[str, str]) -> str | None:
    if kind == "iri":
        return text[1:-1]
    if kind == "pname":
        prefix, _, local = text.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else None
    return None
