"""Reading record files: hostile YAML is refused at parse time, with the file and the line, and never
costs more memory or time than the file is long (finding 15 of issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.pipeline.sources import files as sources

RECORD = "- key: ser\n  naam:\n    nl: SER\n"
VALUE_LIMIT, DEPTH_LIMIT = 20_000, 16  # the limits that data/README.md documents

# (file text, line of the problem, words the problem must hold)
HOSTILE: dict[str, tuple[str, int, str]] = {
    "an alias bomb": ("- key: a\n  x: &a [lol, lol, lol]\n  y: &b [*a, *a, *a]\n  z: [*b, *b, *b]\n",
                      2, "an anchor (&a) is not allowed"),
    "an alias without its anchor": ("- key: a\n  naam: *elders\n", 2, "an alias (*elders) is not allowed"),
    "a self-referencing alias": ("- key: a\n  naam: &zelf\n    nl: *zelf\n", 2, "an anchor (&zelf) is not allowed"),
    "an anchor on a record": ("- &r\n  key: a\n", 1, "an anchor (&r) is not allowed"),
    "a merge key": ("- key: a\n  <<: *basis\n", 2, "an alias (*basis) is not allowed"),
    "a list used as a key": ("- key: a\n  ? [x, y]\n  : 1\n", 2, "a field name must be plain text"),
    "a mapping used as a key": ("- key: a\n  {x: 1}: 2\n", 2, "a field name must be plain text"),
    "a value over the limit": (f"- key: a\n  naam:\n    nl: {'x' * (VALUE_LIMIT + 1)}\n", 3,
                               "at most 20,000 are allowed"),
    "nesting over the limit": ("- key: a\n  naam: " + "[" * 40 + "]" * 40 + "\n", 2,
                               "nested more than 16 levels deep"),
    "a raw NUL": ("- key: a\n  naam:\n    nl: a\x00b\n", 3, "character U+0000"),
    "a raw ESC": ("- key: a\n\n  naam:\n    nl: a\x1bb\n", 4, "character U+001B"),
    "two documents": ("- key: a\n---\n- key: b\n", 2, "one YAML document"),
}


def read_one(tmp_path: Path, text: str | bytes, max_file_bytes: int = sources.MAX_FILE_BYTES) -> sources.Sources:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    target = data / "organisaties.yaml"
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    return sources.read(data, tmp_path, max_file_bytes=max_file_bytes)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_yaml_is_one_problem_with_the_file_and_the_line(tmp_path: Path, case: str) -> None:
    text, line, words = HOSTILE[case]
    read = read_one(tmp_path, text)
    assert [(p.file, p.line) for p in read.problems] == [("data/organisaties.yaml", line)]
    assert words in read.problems[0].message
    assert read.records == []


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    """Five levels of nine: 59,000 strings if expanded (nine levels would be 387 million, gigabytes);
    refused at the first anchor instead."""
    levels = ["- key: a", '  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"  l{i}: &l{i} [{', '.join(f'*l{i - 1}' for _ in range(9))}]" for i in range(1, 5)]
    read = read_one(tmp_path, "\n".join(levels) + "\n")
    assert [(p.line, p.message.split(" is ")[0]) for p in read.problems] == [(2, "an anchor (&l0)")]


def test_a_file_over_the_limit_is_not_parsed(tmp_path: Path) -> None:
    read = read_one(tmp_path, RECORD + "# " + "x" * 1000 + "\n", max_file_bytes=1000)
    assert [(p.file, p.line) for p in read.problems] == [("data/organisaties.yaml", None)]
    assert "a record file may hold at most 1,000" in read.problems[0].message


def test_text_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    read = read_one(tmp_path, (RECORD + "  motto:\n    nl: caf\xe9\n").encode("latin-1"))
    assert [(p.line, p.message.split(":")[0]) for p in read.problems] == [(5, "not UTF-8 text")]


def test_the_limits_are_the_documented_ones_and_real_records_read_as_before(tmp_path: Path) -> None:
    from server.settings import PROJECT_ROOT

    assert (sources.MAX_VALUE_CHARS, sources.MAX_DEPTH, sources.MAX_FILE_BYTES) == (VALUE_LIMIT, DEPTH_LIMIT, 64 << 20)
    real = sources.read(PROJECT_ROOT / "data", PROJECT_ROOT)
    assert real.problems == [] and len(real.records) > 100
    text = RECORD + "  andereNamen:\n    nl: [SER, 'Raad']\n  omschrijving:\n    nl: >-\n      twee\n      regels\n"
    read = read_one(tmp_path, text)
    assert read.problems == []
    [record] = read.records
    assert record.values == {"naam": {"nl": "SER"}, "andereNamen": {"nl": ["SER", "Raad"]},
                             "omschrijving": {"nl": "twee regels"}}
    assert record.lines == {"key": 1, "naam": 2, "andereNamen": 4, "omschrijving": 6}
