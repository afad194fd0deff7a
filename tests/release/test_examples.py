"""Every example query of the query page runs on the release built from the real data, and answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.settings import PROJECT_ROOT
from server.store.oxigraph.embedded import EmbeddedStore

EXAMPLES = sorted((PROJECT_ROOT / "queries" / "examples").glob("*.rq"))


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_query_answers_on_the_real_data(real_store: EmbeddedStore, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#"), "the first line is the example's title"
    if "CONSTRUCT" in text or "DESCRIBE" in text:
        assert real_store.construct(text, "application/n-triples").count(b"\n") > 0
    elif text.lstrip("# \n").upper().startswith("ASK") or "\nASK" in text:
        assert real_store.ask(text)
    else:
        rows = real_store.select(text)
        assert rows, f"{path.name} gives no rows on the real data"
        assert all(row for row in rows), f"{path.name} gives empty rows"
