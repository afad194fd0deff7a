"""Each SPARQL check in queries/checks/ finds its planted problem and stays quiet on good data."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from server.pipeline.assemble import to_nquads
from server.pipeline.checks import run_checks, title_of
from server.rdf.namespaces import graph_iri, prefixes
from server.settings import PROJECT_ROOT
from server.store.oxigraph.memory import MemoryDataset

CHECKS = PROJECT_ROOT / "queries" / "checks"
PREFIXES = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes().items())

GOOD = """
serid:persoon\\/a a foaf:Person ; foaf:name "A" ; dct:source <https://www.ser.nl/a> .
serid:persoon\\/b a foaf:Person ; foaf:name "B" ; dct:source <https://www.ser.nl/b> .
serid:functie\\/voorzitter a org:Post ; skos:prefLabel "voorzitter"@nl .
serid:rol\\/voorzitter a org:Role .
serid:lidmaatschap\\/a a org:Membership ; org:member serid:persoon\\/a ; ser:functie serid:functie\\/voorzitter ;
    org:role serid:rol\\/voorzitter ; schema:startDate "2012-09"^^xsd:gYearMonth ; schema:endDate "2014"^^xsd:gYear .
serid:lidmaatschap\\/b a org:Membership ; org:member serid:persoon\\/b ; ser:functie serid:functie\\/voorzitter ;
    org:role serid:rol\\/voorzitter ; schema:startDate "2014-09-10"^^xsd:date .
<https://www.ser.nl/a> a ser:Bron ; rdfs:label "SER: pagina a"@nl .
<https://www.ser.nl/b> a ser:Bron ; rdfs:label "SER: pagina b"@nl .
"""

BAD = {
    "dangling-links.rq": 'serid:persoon\\/a ser:namens serid:organisatie\\/bestaat-niet .',
    "sources-are-external.rq": "serid:persoon\\/b dct:source serid:persoon\\/a .",
    "undescribed-sources.rq": "serid:persoon\\/a dct:source <https://www.ser.nl/c> .",
    "uncited-sources.rq": '<https://www.ser.nl/d> a ser:Bron ; rdfs:label "SER: pagina d"@nl .',
    "duplicate-names.rq": 'serid:persoon\\/c a foaf:Person ; foaf:name "A" .',
    "overlapping-terms.rq": """serid:lidmaatschap\\/c a org:Membership ; org:member serid:persoon\\/a ;
        ser:functie serid:functie\\/voorzitter ; org:role serid:rol\\/voorzitter ;
        schema:startDate "2013-06-01"^^xsd:date ; schema:endDate "2013-12-01"^^xsd:date .""",
}


def dataset(turtle: str) -> MemoryDataset:
    graph = Graph().parse(data=PREFIXES + turtle, format="turtle")
    return MemoryDataset(to_nquads({graph_iri("data"): graph}))


def only(tmp_path: Path, name: str) -> Path:
    (tmp_path / name).write_text((CHECKS / name).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_every_check_has_a_planted_problem_and_a_title() -> None:
    names = sorted(p.name for p in CHECKS.glob("*.rq"))
    assert names == sorted(BAD)
    for name in names:
        assert title_of((CHECKS / name).read_text()) != "(untitled)"


def test_no_check_fires_on_good_data() -> None:
    assert run_checks(CHECKS, dataset(GOOD), prefixes()) == []


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_check_finds_its_planted_problem(tmp_path: Path, name: str) -> None:
    failures = run_checks(only(tmp_path, name), dataset(GOOD + BAD[name]), prefixes())
    assert [f.check for f in failures] == [name]
    assert len(failures[0].rows) == 1
