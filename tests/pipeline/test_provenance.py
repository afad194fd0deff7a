"""Provenance guard: every source a record cites is a source of the fact dossier.

A wrong fact in a government knowledge graph is worse than a missing one, and so is a wrong
provenance claim: `dct:source` must name a page the fact was actually taken from. The dossier
(``../shared/facts/ser-facts.md``) lists the sources that were consulted; a record citing anything
else is either a new source (add it to the dossier first) or an invented one.
"""

from __future__ import annotations

import re

import pytest

from server.pipeline import sources
from server.settings import PROJECT_ROOT

DOSSIER = PROJECT_ROOT.parent / "shared" / "facts" / "ser-facts.md"


def dossier_urls() -> set[str]:
    if not DOSSIER.is_file():
        pytest.fail(f"{DOSSIER} is missing: CI and developers have ../shared beside the checkout")
    text = DOSSIER.read_text(encoding="utf-8")
    return {u.rstrip(".,") for u in re.findall(r"https?://[^\s|;>]+", text)} | {
        u.rstrip(".,)") for u in re.findall(r"https?://[^\s|;>]+", text)}


def cited() -> list[tuple[str, str, str]]:
    read = sources.read(PROJECT_ROOT / "data", PROJECT_ROOT)
    out = []
    for record in read.all_records():
        for url in record.values.get("bronnen", []) or []:
            out.append((record.file, record.key, url))
    for retirement in read.retirements:
        out += [(retirement.file, retirement.ref, url) for url in retirement.sources]
    return out


def test_every_cited_source_is_in_the_dossier() -> None:
    known = dossier_urls()
    strays = [f"{file}: {key}: {url}" for file, key, url in cited() if url not in known]
    assert strays == []


def test_every_record_cites_at_least_one_source() -> None:
    read = sources.read(PROJECT_ROOT / "data", PROJECT_ROOT)
    bare = [r.ref for r in read.records if not r.values.get("bronnen")]
    assert bare == []
