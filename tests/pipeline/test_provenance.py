"""Provenance guard: every source a record cites is described in data/bronnen.yaml, every source
described there is cited, and every record cites at least one.

A wrong fact in a government knowledge graph is worse than a missing one, and so is a wrong
provenance claim: `dct:source` must name a page the fact was actually taken from. Each such page is
described once, in the repository itself (``data/bronnen.yaml``, see data/README.md, "Sources"), so
these checks run on any clone. The build refuses the same things (server/pipeline/graph/citations.py);
this test reads the files directly, so that a mistake is named here too.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib.namespace import DCTERMS

from server.cli import main
from server.pipeline.assemble import ontology_files, read_turtle
from server.pipeline.sources import files as sources
from server.settings import PROJECT_ROOT
from tests.release.conftest import copy_project, env_for


@pytest.fixture(scope="module")
def read() -> sources.Sources:
    found = sources.read(PROJECT_ROOT / "data", PROJECT_ROOT)
    assert found.problems == []
    return found


def described(read: sources.Sources) -> list[str]:
    return [record.key for record in read.by_type("bron")]


def cited(read: sources.Sources) -> list[tuple[str, str, str]]:
    """(file, record, url) of every citation: records, retirements and the concept schemes of ontology/."""
    out = []
    for record in read.all_records():
        if record.type.name != "bron":
            out += [(record.file, record.key, url) for url in record.values.get("bronnen", []) or []]
    for retirement in read.retirements:
        out += [(retirement.file, retirement.ref, url) for url in retirement.sources]
    ontology, problems = read_turtle(ontology_files(PROJECT_ROOT / "ontology"), PROJECT_ROOT)
    assert problems == []
    out += [("ontology/", str(s), str(url)) for s, url in ontology.subject_objects(DCTERMS.source)]
    return out


def test_every_cited_source_is_described_in_bronnen_yaml(read: sources.Sources) -> None:
    known = set(described(read))
    strays = [f"{file}: {record}: {url}" for file, record, url in cited(read) if url not in known]
    assert strays == []


def test_every_described_source_is_cited(read: sources.Sources) -> None:
    used = {url for _, _, url in cited(read)}
    assert [url for url in described(read) if url not in used] == []


def test_every_source_is_described_once(read: sources.Sources) -> None:
    assert [url for url, n in Counter(described(read)).items() if n > 1] == []


def test_every_record_cites_at_least_one_source(read: sources.Sources) -> None:
    bare = [r.ref for r in read.records if r.type.name != "bron" and not r.values.get("bronnen")]
    assert bare == []


def test_every_source_names_its_publisher_and_says_what_it_is(read: sources.Sources) -> None:
    incomplete = [r.key for r in read.by_type("bron")
                  if not r.values.get("uitgever") or "nl" not in (r.values.get("omschrijving") or {})]
    assert incomplete == []


NEW_RECORD = """
- key: nieuw
  naam:
    nl: Nieuwe organisatie
  soort: [adviesorgaan]
  bronnen:
    - https://www.ser.nl/nl/ser/raad
    - https://example.org/niet-beschreven
"""


def test_the_build_refuses_a_citation_of_an_undescribed_source_naming_file_line_and_record(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "p")
    target = root / "data" / "organisaties.yaml"
    text = target.read_text(encoding="utf-8") + NEW_RECORD
    target.write_text(text, encoding="utf-8")
    line = len(text.splitlines())  # the last line: the URL that has no entry
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env_for(root).items():
            mp.setenv(key, value)
        code = main(["validate"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert (f"data/organisaties.yaml:{line}: record 'nieuw' field 'bronnen': https://example.org/niet-beschreven "
            "is not described in data/bronnen.yaml") in err, err
    assert err.count("is not described") == 1, err  # the described one beside it is fine
    assert "Traceback" not in err
