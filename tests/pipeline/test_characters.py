"""Control, format and bidi characters in values are refused at build, with the file, record and field
(finding 16 of issue 14): they break RDF/XML and SPARQL XML results and reach the pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from tests.pipeline.test_transform import ID, ORGS, run

# (YAML double-quoted escape, code point named in the message)
REFUSED = {
    "NUL": ("\\0", "U+0000"), "ESC": ("\\e", "U+001B"), "BEL": ("\\a", "U+0007"), "DEL": ("\\x7F", "U+007F"),
    "a C1 control": ("\\x9B", "U+009B"), "NEL": ("\\N", "U+0085"),
    "left-to-right embedding": ("\\u202A", "U+202A"), "right-to-left override": ("\\u202E", "U+202E"),
    "pop directional formatting": ("\\u202C", "U+202C"), "left-to-right isolate": ("\\u2066", "U+2066"),
    "pop directional isolate": ("\\u2069", "U+2069"), "right-to-left mark": ("\\u200F", "U+200F"),
    "zero width space": ("\\u200B", "U+200B"), "byte order mark": ("\\uFEFF", "U+FEFF"),
    "line separator": ("\\L", "U+2028"), "a private-use character": ("\\uE000", "U+E000"),
    "a noncharacter": ("\\uFFFF", "U+FFFF"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_control_or_format_character_in_a_label_is_refused_with_file_record_and_field(
        tmp_path: Path, case: str) -> None:
    escape, code = REFUSED[case]
    orgs = ORGS.replace("naam: {nl: Ministerie van", f'naam: {{nl: "Ministerie{escape} van', 1).replace(
        "Werkgelegenheid}", 'Werkgelegenheid"}', 1)
    _graph, problems = run(tmp_path, {"organisaties.yaml": orgs})
    assert [(p.file, p.record, p.field, p.line) for p in problems] == [
        ("data/organisaties.yaml", "ministerie-szw", "naam", 8)]
    assert problems[0].message.startswith(f"nl: character {code} ")
    assert "break RDF/XML, SPARQL XML results and pages" in problems[0].message


@pytest.mark.parametrize(("field", "value"), [
    ("statutaireZetel", '"Den\\tHaag"'), ("statutaireZetel", '"Den\\nHaag"'), ("wikidata", '"Q1\\u202E"'),
])
def test_only_text_fields_may_hold_tabs_and_line_breaks(tmp_path: Path, field: str, value: str) -> None:
    orgs = ORGS.replace("  opgericht: 1950\n", f"  opgericht: 1950\n  {field}: {value}\n", 1)
    orgs = orgs.replace("naam: {nl: Ministerie van", 'naam: {nl: "Ministerie\\tvan\\n', 1).replace(
        "Werkgelegenheid}", 'Werkgelegenheid\\u00a0(SZW) — café, Ærø, 中文"}', 1)
    graph, problems = run(tmp_path, {"organisaties.yaml": orgs})
    assert [(p.record, p.field, p.line) for p in problems] == [("ser", field, 6)]
    assert "tab or line break" in problems[0].message or "U+202E" in problems[0].message
    # in a text field, white space (the no-break space too) is folded into single spaces, as before
    label = graph.value(URIRef(ID + "organisatie/ministerie-szw"), SKOS.prefLabel)
    assert label == Literal("Ministerie van Sociale Zaken en Werkgelegenheid (SZW) — café, Ærø, 中文", lang="nl")


def test_a_bad_url_character_is_refused_too(tmp_path: Path) -> None:
    orgs = ORGS.replace("bronnen: [https://example.org/szw]", 'bronnen: ["https://example.org/s\\0zw"]')
    _graph, problems = run(tmp_path, {"organisaties.yaml": orgs})
    assert [(p.record, p.field, p.message.split(" (")[0]) for p in problems] == [
        ("ministerie-szw", "bronnen", "character U+0000")]


def test_a_retirement_reason_with_a_bidi_override_is_refused(tmp_path: Path) -> None:
    retired = '- iri: organisatie/oud\n  reden: {nl: "weg\\u202Egeweest"}\n  bronnen: [https://example.org/oud]\n'
    _graph, problems = run(tmp_path, {"organisaties.yaml": ORGS, "ingetrokken.yaml": retired})
    assert [(p.file, p.record, p.field) for p in problems] == [("data/ingetrokken.yaml", "organisatie/oud", "reden")]
    assert "U+202E" in problems[0].message
