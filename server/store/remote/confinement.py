"""Graph names in a shared engine: where each release lives, and queries confined to one release.

``ser-kg publish`` (``server.store.remote.publish``) loads each release into the engine under versioned graph
names, ``{base}graph/{version}/{name}``, and then switches a small pointer graph, ``{base}graph/release``,
to the new version: one Graph Store Protocol PUT, so a reader sees the old release or the new one,
never a mix. A server serves one version; :class:`Renamer` confines every query to that version's
graphs: the protocol dataset (``default-graph-uri`` / ``named-graph-uri``, Protocol §2.1.4) names
them, a public graph name after GRAPH or FROM is pointed at its versioned twin, and a graph variable
is bound to the public names by the engine itself (:meth:`Renamer.query`). Clients never see the
versioned names, and a query that compares, prints or joins a graph name answers as on the embedded
store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from server.rdf.namespaces import GRAPHS, graph_iri
from server.rdf.sparql_lexer import Token, tokens
from server.store.cache import SizedCache, key_bytes

OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
KEPT = "http://purl.org/dc/terms/hasVersion"  # every version whose graphs are still in the engine
HELPER = "ser_kg_stored_graph_"  # the variables the rewriting adds; dropped from answers
ENCODED_BYTES = 1024 * 1024  # protocol datasets as form parameters, keys included


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
        # Keys are graphs of this release only (check_dataset refused the others), but a client may repeat
        # them up to the parameter limit: bounded in bytes like every other cache. Public, to be looked at.
        self.encoded_datasets = SizedCache[tuple[tuple[str, ...] | None, tuple[str, ...] | None], str](
            ENCODED_BYTES, size=lambda key, value: key_bytes(key) + len(value))

    def query(self, text: str) -> str:
        """``text`` confined to the served version's graphs, with the answers of the embedded store.

        A public graph name after GRAPH, FROM or FROM NAMED is pointed at its stored twin; the same IRI
        elsewhere is data (the metadata graph describes the graphs) and stays as it is. ``GRAPH ?g { P }``
        becomes ``{ VALUES (?stored ?g) { ...pairs... } GRAPH ?stored { P } }``: the engine binds
        ``?g`` to the public name itself, so a FILTER, a VALUES or a BIND that uses ``?g`` sees what it
        would see in the embedded store. The helper variables (:data:`HELPER` and a number) are
        dropped from answers (``SELECT *`` would show them). A
        query with FROM but no FROM NAMED gets ``FROM NAMED`` of a graph that holds nothing, and the other
        way round: SPARQL makes the missing part of the dataset empty (Query §13.2), where Virtuoso
        would fill it with every graph it holds.
        """
        prefixes: dict[str, str] = {}
        toks = list(tokens(text))
        renamed: set[int] = set()  # positions of the tokens to rename
        clauses: dict[bool, int] = {}  # named or not: the position of the last such clause's IRI
        edits: list[tuple[int, int, str]] = []  # (offset, length replaced, new text)
        for i, tok in enumerate(toks):
            word = tok.text.upper() if tok.kind == "word" else ""
            if word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
                prefixes[toks[i + 1].text[:-1]] = toks[i + 2].text[1:-1]
            elif word == "GRAPH" and i + 1 < len(toks) and toks[i + 1].kind == "var":
                edits.extend(self._graph_variable(toks, i, len(edits)))
            elif word in ("GRAPH", "FROM", "NAMED") and i + 1 < len(toks):
                renamed.add(i + 1)
                if word == "FROM":
                    named = toks[i + 1].kind == "word" and toks[i + 1].text.upper() == "NAMED"
                    clauses[named] = i + 1 + named
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

    def _graph_variable(self, toks: Sequence[Token], at: int, number: int) -> list[tuple[int, int, str]]:
        """The edits that wrap ``GRAPH ?g { ... }`` at ``toks[at]`` (see :meth:`query`); none if no group follows."""
        opening = at + 2
        if opening >= len(toks) or toks[opening].text != "{" or toks[opening].kind != "punct":
            return []
        depth = 0
        for closing in range(opening, len(toks)):
            if toks[closing].kind == "punct" and toks[closing].text in "{}":
                depth += 1 if toks[closing].text == "{" else -1
                if depth == 0:
                    break
        else:
            return []  # unbalanced: the engine's parser will say so
        helper, variable = f"?{HELPER}{number}", toks[at + 1]
        pairs = " ".join(f"(<{stored}> <{public}>)" for public, stored in self.stored.items())
        start, end = toks[at].offset, toks[closing].offset + 1
        if closing == opening + 1:
            # GRAPH ?g { }: one answer per named graph. Virtuoso gives none for an empty group, so the
            # graphs are enumerated by a pattern that matches in every non-empty one (all of ours are).
            any_triple = " ".join(f"{helper}_{n}" for n in "spo")
            enumerated = f"{{ SELECT DISTINCT {helper} WHERE {{ GRAPH {helper} {{ {any_triple} }} }} }}"
            return [(start, end - start, f"{{ VALUES ({helper} {variable.text}) {{ {pairs} }} {enumerated} }}")]
        return [(start, 0, f"{{ VALUES ({helper} {variable.text}) {{ {pairs} }} "),
                (variable.offset, len(variable.text), helper),
                (end, 0, " }")]

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
        found = self.encoded_datasets.get(key)
        if found is None:
            found = urlencode(self.dataset(job_default, job_named))
            self.encoded_datasets.put(key, found)
        return found

    def term(self, term: Any) -> Any:
        if isinstance(term, ox.NamedNode) and term.value in self.public:
            return ox.NamedNode(self.public[term.value])
        return term


def _resolve(text: str, kind: str, prefixes: dict[str, str]) -> str | None:
    if kind == "iri":
        return text[1:-1]
    if kind == "pname":
        prefix, _, local = text.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else None
    return None
