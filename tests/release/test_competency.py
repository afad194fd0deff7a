"""The competency questions: each file in queries/competency/ is a question a user asks, as SPARQL,
with its expected answer written under it. Every question runs against the release built from the
real sources, and must give exactly the expected rows.

Format of the expected answer (comment lines after the question):

    # expect:
    # | chair          | from |
    # | Theo Quené     | 1985 |

Cells compare with the value of each term (an IRI's text, a literal's lexical form); an empty cell is
an unbound variable. Rows compare as a set, or in order when a line says ``# ordered``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from server.rdf.namespaces import sparql_prologue
from server.settings import PROJECT_ROOT
from server.store.oxigraph.embedded import EmbeddedStore

QUESTIONS = sorted((PROJECT_ROOT / "queries" / "competency").glob("cq-*.rq"))


def expected_answer(text: str) -> tuple[list[str], list[tuple[str, ...]], bool]:
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    start = lines.index("expect:")
    table = [line for line in lines[start + 1:] if line.startswith("|")]
    header = [c.strip() for c in table[0].strip("|").split("|")]
    rows = [tuple(c.strip() for c in row.strip("|").split("|")) for row in table[1:]]
    return header, rows, "ordered" in lines


def test_there_are_at_least_25_questions() -> None:
    assert len(QUESTIONS) >= 25


@pytest.mark.parametrize("path", QUESTIONS, ids=lambda p: p.stem)
def test_competency_question_gives_the_expected_answer(real_store: EmbeddedStore, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header, expected, ordered = expected_answer(text)
    rows = real_store.select(sparql_prologue(real_store.release.base_iri) + text)
    got = [tuple(str(row[name]) if name in row else "" for name in header) for row in rows]
    if ordered:
        assert got == expected
    else:
        assert sorted(got) == sorted(expected)
        assert len(got) == len(set(got)), "the query gives duplicate rows"
