"""The build's stage that writes the release's full-text index (``search.sqlite``, server.store.fulltext).

Things are the IRIs under ``{base}id/`` with a name in the data or ontology graph, as the server's
directory has them (``server.web.search.directory``): their names, aliases and descriptions, each with its
language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from rdflib import Literal
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS

from server.rdf.namespaces import ELI, graph_iri, ser
from server.store import fulltext
from server.store.oxigraph.memory import MemoryDataset

NAMES = (SKOS.prefLabel, DCTERMS.title, FOAF.name, ELI.title, RDFS.label)
ALIASES = (SKOS.altLabel, SKOS.hiddenLabel)
DESCRIPTIONS = (DCTERMS.description, SKOS.definition)
FILE = "search.sqlite"
MEDIA_TYPE = "application/vnd.sqlite3"


def entries(memory: MemoryDataset, base: str) -> Iterator[fulltext.Entry]:
    kinds = {**{str(p): fulltext.NAME for p in NAMES}, **{str(p): fulltext.ALIAS for p in ALIASES},
             str(ser(base).historischeNaam): fulltext.ALIAS, **{str(p): fulltext.DESCRIPTION for p in DESCRIPTIONS}}
    graphs = " ".join(f"<{graph_iri(g, base)}>" for g in ("data", "ontology"))
    predicates = " ".join(f"<{p}>" for p in kinds)
    # Ordered by thing, so that the index is written one thing at a time. A fragment (a record's period)
    # is part of its record and found through it.
    rows = memory.rows(f"""SELECT ?s ?p ?o WHERE {{ VALUES ?g {{ {graphs} }} VALUES ?p {{ {predicates} }}
        GRAPH ?g {{ ?s ?p ?o }} FILTER(isLiteral(?o) && STRSTARTS(STR(?s), "{base}id/") && !CONTAINS(STR(?s), "#")) }}
        ORDER BY ?s""")
    for row in rows:
        literal = row["o"]
        if isinstance(literal, Literal):
            yield fulltext.Entry(str(row["s"]), kinds[str(row["p"])], str(literal), literal.language or "")


def stage(memory: MemoryDataset, base: str) -> tuple[str, str, Callable[[Path], object]]:
    """(file name, media type, writer) of the index, for ``release.write_release``'s ``extras``."""
    return FILE, MEDIA_TYPE, lambda path: fulltext.write(path, entries(memory, base))
