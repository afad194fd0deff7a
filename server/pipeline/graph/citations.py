"""Citations: every source a record cites is described once in ``data/bronnen.yaml``, and every source
described there is cited.

A record names its sources by URL (``bronnen:``, written as ``dct:source``); the URL is also the
identity of the source's entry (a ``bron`` record, ``server/pipeline/sources/records.py``), so the graph
describes the cited document under its own address, and ``dct:source`` points at that description.
This module checks the two directions of that link across the files, naming the file, the line (of
the list item) and the record of each citation that has no entry, and each entry that nothing cites.

It also writes each source's ``rdfs:label``, the name pages use as link text: the publisher and the
document's title where the dossier gives one, else the publisher and the plain description, so that
a description is never presented as a title (``data/README.md``, "Sources").
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

from server.errors import Problem
from server.pipeline.graph.reader import LANGUAGES, URL, TripleSink, unsafe_character
from server.pipeline.sources.files import Record, Sources
from server.pipeline.sources.records import BY_NAME

SOURCE_TYPE = BY_NAME["bron"]
SOURCES_FILE = f"data/{SOURCE_TYPE.file}"


def _is_url(value: object) -> bool:
    """A well-formed URL; anything else is reported where the field itself is read (transform.py)."""
    return isinstance(value, str) and bool(URL.match(value.strip())) and unsafe_character(value.strip()) is None


def _citations(sources: Sources) -> Iterator[tuple[str, Problem]]:
    """Each cited URL, with the problem to report if nothing describes it (its file, line and record)."""
    hint = (f"is not described in {SOURCES_FILE}: add an entry with this 'url', its 'uitgever' and "
            "'omschrijving' (data/README.md, 'Sources')")
    for record in sources.all_records():
        if record.type is SOURCE_TYPE:
            continue
        value = record.values.get("bronnen")
        items = value if isinstance(value, list) else [value]
        for index, url in enumerate(items):
            if _is_url(url):
                assert isinstance(url, str)
                item = index if isinstance(value, list) else None
                yield url.strip(), record.problem("bronnen", f"{url.strip()} {hint}", item)
    for ret in sources.retirements:
        for index, url in enumerate(ret.sources):
            if _is_url(url):
                line = ret.source_lines[index] if index < len(ret.source_lines) else ret.line
                yield url.strip(), Problem(ret.file, ret.ref, "bronnen", f"{url.strip()} {hint}", line)


def _vocabulary_citations(ontology: Graph) -> Iterator[tuple[str, Problem]]:
    """Sources cited in ontology/ (the concept schemes cite theirs too); the graph knows no file lines."""
    for subject, url in sorted(ontology.subject_objects(DCTERMS.source)):
        if isinstance(url, URIRef) and _is_url(str(url)):
            yield str(url), Problem("ontology/", str(subject), "dct:source", f"{url} is not described in "
                                    f"{SOURCES_FILE}: add an entry with this 'url' (data/README.md, 'Sources')")


def check(sources: Sources, ontology: Graph | None = None) -> list[Problem]:
    """Citations of undescribed sources, and described sources that nothing cites."""
    described = {record.key for record in sources.by_type(SOURCE_TYPE.name)}
    problems, cited = [], set()
    found = _citations(sources)
    if ontology is not None:
        found = chain(found, _vocabulary_citations(ontology))
    for url, problem in found:
        cited.add(url)
        if url not in described:
            problems.append(problem)
    reported: set[str] = set()
    for record in sources.by_type(SOURCE_TYPE.name):
        if record.key not in cited and record.key not in reported and _is_url(record.key):
            reported.add(record.key)
            problems.append(record.problem("url", "no record cites this source: remove the entry, or cite "
                                                  "the URL in the 'bronnen' of the records it supports"))
    return problems


def label(record: Record) -> list[Literal]:
    """The source's name per language: "publisher: title", or "publisher: description" without a title."""
    publisher = record.values.get("uitgever")
    texts = record.values.get("titel") or record.values.get("omschrijving")
    if not isinstance(publisher, str) or not publisher.strip() or not isinstance(texts, dict):
        return []  # a missing or malformed field, reported by the transform
    out = []
    for lang, text in sorted(texts.items()):
        if lang in LANGUAGES and isinstance(text, str) and text.strip() and unsafe_character(text, folded=True) is None:
            out.append(Literal(f"{publisher.strip()}: {' '.join(text.split())}", lang=lang))
    return out


def emit(sources: Sources, ontology: Graph, sink: TripleSink) -> list[Problem]:
    """Write every source's label to ``sink``; return the problems of the citations in the records
    and in ``ontology`` (ontology/ and its concept schemes)."""
    for record in sources.by_type(SOURCE_TYPE.name):
        if _is_url(record.key):
            for literal in label(record):
                sink.add((URIRef(record.key), RDFS.label, literal))
    return check(sources, ontology)
