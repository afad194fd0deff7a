"""The field tables of ``data/README.md``, generated from the record table so that they cannot drift.

``tests/pipeline/test_recorddocs.py`` checks that the README holds exactly this text between its markers.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from server.pipeline.sources.fields import Field
from server.pipeline.sources.records import NESTED, TYPES
from server.rdf.namespaces import prefixes

BEGIN = "<!-- BEGIN generated field tables: server/pipeline/sources/recorddocs.py -->"
END = "<!-- END generated field tables -->"


def _curie(graph: Graph, iri: URIRef) -> str:
    return iri.n3(graph.namespace_manager)


def _notes(f: Field) -> str:
    notes = []
    if f.targets:
        notes.append(("points to " if f.kind == "ref" else "scheme ") + ", ".join(f.targets))
    if f.pattern:
        notes.append(f"pattern `{f.pattern}`")
    if f.inverse:
        notes.append("written from the target to this record")
    if f.check:
        notes.append(f"checked by `checkdigits.{f.check}`")
    if f.part:
        notes.append(f"written on the record's part `#{f.part}` (records.PARTS)")
    if f.help:
        notes.append(f.help)
    return "; ".join(notes).replace("|", "\\|")


def field_tables() -> str:
    graph = Graph()
    for prefix, ns in prefixes().items():
        graph.bind(prefix, ns, replace=True)
    parents = {n.record_type: (parent, n.name) for parent, n in NESTED.items()}
    out = [BEGIN, ""]
    for t in TYPES:
        if t.name in parents:
            parent, list_name = parents[t.name]
            where = f"`data/{t.file}`, in the `{list_name}` list of each {parent} record"
            iri = f"`/id/{t.name}/{{{parent} key}}-{{key}}`"
        elif t.identity == "url":
            where, iri = f"`data/{t.file}`", "its `url`, the document's own address (each entry starts with `- url:`)"
        else:
            where, iri = f"`data/{t.file}`", f"`/id/{t.name}/{{key}}`"
        out += [f"### {t.name}", "", f"{t.help}. File: {where}. IRI: {iri}. Class: `{_curie(graph, t.rdf_class)}`.", ""]
        out += ["| field | kind | required | list | RDF | notes |", "|---|---|---|---|---|---|"]
        for f in t.fields:
            out.append(f"| `{f.name}` | {f.kind} | {'yes' if f.required else ''} | {'yes' if f.many else ''} "
                       f"| `{_curie(graph, f.predicate)}` | {_notes(f)} |")
        out.append("")
    out.append(END)
    return "\n".join(out) + "\n"
