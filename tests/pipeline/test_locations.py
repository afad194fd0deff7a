"""A SHACL result names the file, line, record and YAML field it comes from, with the IRI and property
as its detail (server/pipeline/shacl/locations.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.cli import main
from server.pipeline.shacl.locations import Locator
from server.pipeline.shacl.results import Place, Result
from server.pipeline.sources.files import read
from server.settings import PROJECT_ROOT

BASE = "https://data.ser.nl/"
ORGANISATIES = """\
- key: ser
  naam:
    nl: Sociaal-Economische Raad
  soort: [zbo]
  wikidata: Q2300541
  bronnen:
    - https://www.ser.nl/
- key: fnv
  naam:
    nl: FNV
  soort: [werknemersorganisatie]
  tooi: https://identifier.overheid.nl/tooi/id/oorg/oorg10000
  bronnen:
    - https://www.fnv.nl/
"""
ZETELVERDELINGEN = """\
- key: zv-2014
  naam:
    nl: Zetelverdeling 2014
  zetels:
    - key: fnv
      organisatie: fnv
      geleding: werknemers
      zetels: "6"
  bronnen:
    - https://www.ser.nl/
  van: "2014"
  tot: onbekend
"""
TAKEN = """\
- key: adviseren
  naam:
    nl: Adviseren
  organisatie: ser
  bronnen:
    - https://www.ser.nl/
"""
ADRESSEN = """\
- key: ser-bezoekadres
  organisatie: ser
  soort: bezoekadres
  postcode: 2594 AW
  plaats: Den Haag
  breedtegraad: "52.0857799"
  lengtegraad: "4.3299348"
  bronnen:
    - https://www.ser.nl/
"""
INGETROKKEN = """\
- iri: persoon/oud
  opvolger: organisatie/ser
"""


@pytest.fixture
def locator(tmp_path: Path) -> Locator:
    data = tmp_path / "data"
    data.mkdir()
    for name, text in (("organisaties.yaml", ORGANISATIES), ("zetelverdelingen.yaml", ZETELVERDELINGEN),
                       ("taken.yaml", TAKEN), ("ingetrokken.yaml", INGETROKKEN),
                       ("adressen.yaml", ADRESSEN)):
        (data / name).write_text(text, encoding="utf-8")
    return Locator.of(read(data, tmp_path))


@pytest.mark.parametrize(("focus", "path", "expected"), [
    # the field of the property, at the field's own line
    ("id/organisatie/ser", "http://www.w3.org/2004/02/skos/core#prefLabel",
     Place("data/organisaties.yaml", 2, "ser", "naam")),
    # owl:sameAs is two fields (wikidata, tooi): the one the record gives
    ("id/organisatie/ser", "http://www.w3.org/2002/07/owl#sameAs",
     Place("data/organisaties.yaml", 5, "ser", "wikidata")),
    ("id/organisatie/fnv", "http://www.w3.org/2002/07/owl#sameAs",
     Place("data/organisaties.yaml", 12, "fnv", "tooi")),
    # a field the record does not give (a missing homepage): the record's first line
    ("id/organisatie/fnv", "http://xmlns.com/foaf/0.1/homepage",
     Place("data/organisaties.yaml", 8, "fnv", "website")),
    # a property no field writes: the record, no field
    ("id/organisatie/fnv", "http://example.org/unknown", Place("data/organisaties.yaml", 8, "fnv", None)),
    # no path (a node constraint): the record
    ("id/organisatie/ser", None, Place("data/organisaties.yaml", 1, "ser", None)),
    # a field written the other way round (<ser> ser:taak <adviseren>): the inverse path
    ("id/taak/adviseren", "^https://data.ser.nl/def/taak", Place("data/taken.yaml", 4, "adviseren", "organisatie")),
    # a nested record, and the list that holds it
    ("id/zeteltoewijzing/zv-2014-fnv", "https://data.ser.nl/def/aantalZetels",
     Place("data/zetelverdelingen.yaml", 8, "zv-2014-fnv", "zetels")),
    ("id/zetelverdeling/zv-2014", "https://data.ser.nl/def/toewijzing",
     Place("data/zetelverdelingen.yaml", 4, "zv-2014", "zetels")),
    # the period of a record (server/pipeline/graph/periods.py) and its instants: the date fields behind them
    ("id/zetelverdeling/zv-2014#begin", "http://www.w3.org/2006/time#inXSDgYear",
     Place("data/zetelverdelingen.yaml", 11, "zv-2014", "van")),
    ("id/zetelverdeling/zv-2014#einde", None, Place("data/zetelverdelingen.yaml", 12, "zv-2014", "tot")),
    ("id/zetelverdeling/zv-2014#periode", "http://www.w3.org/2006/time#hasEnd",
     Place("data/zetelverdelingen.yaml", 12, "zv-2014", "tot")),
    ("id/zetelverdeling/zv-2014#periode", None, Place("data/zetelverdelingen.yaml", 11, "zv-2014", "van or tot")),
    ("id/zetelverdeling/zv-2014", "http://purl.org/dc/terms/temporal",
     Place("data/zetelverdelingen.yaml", 11, "zv-2014", "van or tot")),
    # the statement node of a field's own sources (server/pipeline/graph/reification.py)
    ("id/organisatie/ser#bron-naam-1a2b3c4d", "http://purl.org/dc/terms/source",
     Place("data/organisaties.yaml", 1, "ser", "bronnenPerVeld")),
    # a part of a record (records.PARTS): the field of its path, or the fields that write it
    ("id/adres/ser-bezoekadres#geo", "https://schema.org/longitude",
     Place("data/adressen.yaml", 7, "ser-bezoekadres", "lengtegraad")),
    ("id/adres/ser-bezoekadres#geo", None,
     Place("data/adressen.yaml", 6, "ser-bezoekadres", "breedtegraad or lengtegraad")),
    # a retired IRI: its entry in ingetrokken.yaml
    ("id/persoon/oud", "http://purl.org/dc/terms/isReplacedBy",
     Place("data/ingetrokken.yaml", 1, "persoon/oud", "opvolger")),
])
def test_a_focus_node_and_path_are_placed_at_the_record_and_field(
        locator: Locator, focus: str, path: str | None, expected: Place) -> None:
    assert locator.place(BASE + focus, path) == expected


def test_a_node_no_record_minted_has_no_place(locator: Locator) -> None:
    assert locator.place(BASE + "id/organisatiesoort/zbo", None) is None
    assert locator.place(BASE + "id/organisatie/nope", None) is None
    assert locator.place(BASE + "id/organisatie/nope#periode", None) is None
    assert locator.place(BASE + "id/organisatie/ser#periode", None) == Place("data/organisaties.yaml", 1, "ser", None)


def test_under_another_base_the_rebased_iris_and_properties_are_placed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "taken.yaml").write_text(TAKEN, encoding="utf-8")
    (data / "organisaties.yaml").write_text(ORGANISATIES, encoding="utf-8")
    other = Locator.of(read(data, tmp_path), "http://localhost:8000/")
    assert other.place("http://localhost:8000/id/taak/adviseren", "^http://localhost:8000/def/taak") == \
        Place("data/taken.yaml", 4, "adviseren", "organisatie")
    assert other.place(BASE + "id/taak/adviseren", None) is None


def test_a_placed_result_reads_file_line_record_field_and_keeps_iri_and_property() -> None:
    result = Result(BASE + "id/persoon/x", "https://schema.org/deathDate",
                    "http://www.w3.org/ns/shacl#SPARQLConstraintComponent", "Violation", "too early", "s",
                    Place("data/personen.yaml", 27, "x", "sterfjaar"))
    assert str(result) == ("data/personen.yaml:27: record 'x' field 'sterfjaar': [Violation] too early "
                           "(SPARQLConstraintComponent; <https://data.ser.nl/id/persoon/x> <https://schema.org/deathDate>)")


@pytest.fixture(scope="module")
def broken_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project with one person who died before being born (a Violation only SHACL finds)."""
    root = tmp_path_factory.mktemp("broken")
    for folder in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    people = root / "data" / "personen.yaml"
    text = people.read_text(encoding="utf-8")
    assert '  sterfjaar: "1996"\n' in text
    people.write_text(text.replace('  sterfjaar: "1996"\n', '  sterfjaar: "1900"\n', 1), encoding="utf-8")
    return root


@pytest.mark.parametrize("engine", ["pyshacl", "sparql"])
@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_violation_in_a_record_names_its_file_line_record_and_field(
        broken_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        engine: str, command: str) -> None:
    for name, value in (("ROOT", broken_project), ("RELEASES_DIR", broken_project / "releases"),
                        ("STORE_DIR", broken_project / "var"), ("PROGRESS", "false"), ("SHACL_ENGINE", engine)):
        monkeypatch.setenv(f"SER_KG_{name}", str(value))
    lines = (broken_project / "data" / "personen.yaml").read_text(encoding="utf-8").splitlines()
    line = lines.index('  sterfjaar: "1900"') + 1
    record = next(text[len("- key: "):] for text in reversed(lines[:line]) if text.startswith("- key: "))
    assert main([command]) == 1
    err = capsys.readouterr().err
    violations = [text for text in err.splitlines() if "[Violation]" in text]
    assert len(violations) == 1, err
    assert violations[0].lstrip(" -").startswith(
        f"data/personen.yaml:{line}: record '{record}' field 'sterfjaar': [Violation] ")
    assert violations[0].endswith(f"<https://data.ser.nl/id/persoon/{record}> <https://schema.org/deathDate>)")
    assert not (broken_project / "releases" / "latest").exists()
