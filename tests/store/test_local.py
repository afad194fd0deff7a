"""`ser-kg query`: the maintainer's local queries read as the public endpoint's do."""

from __future__ import annotations

import json
from pathlib import Path

from server.settings import Settings
from server.store.oxigraph.local import run_query

SER_NAME = "SELECT ?n WHERE { <id/organisatie/ser> <http://www.w3.org/2004/02/skos/core#prefLabel> ?n }"


def test_a_relative_iri_resolves_against_the_release_base_as_at_the_endpoint(
        tiny_release_dir: Path, settings: Settings) -> None:
    answer = json.loads(run_query(tiny_release_dir, settings.store_dir, SER_NAME, "json"))
    assert {b["n"]["value"] for b in answer["results"]["bindings"]} >= {"Sociaal-Economische Raad"}


def test_every_format_ends_with_a_line_break(tiny_release_dir: Path, settings: Settings) -> None:
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"
    for text, fmt in ((SER_NAME, "table"), (SER_NAME, "json"), (SER_NAME, "csv"), (SER_NAME, "tsv"),
                      (construct, "turtle"), (construct, "ntriples"), ("ASK {}", "table")):
        assert run_query(tiny_release_dir, settings.store_dir, text, fmt).endswith("\n"), fmt
