"""ISBN check digits (server/pipeline/sources/checkdigits.py), and the record reader's refusal of a wrong one."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.pipeline.sources.checkdigits import isbn, isbn_check_digit
from tests.pipeline.test_transform import ORGS, run


@pytest.mark.parametrize("text", [
    "978-94-6134-085-6",  # ISBN-13, hyphenated
    "9789461340856",  # ISBN-13 without hyphens
    "979-10-90636-07-1",  # ISBN-13 in the 979 range
    "90-74442-62-5",  # ISBN-10, hyphenated
    "1-234-56789-X",  # ISBN-10 whose check digit is 10, written X
])
def test_an_isbn_with_its_right_check_digit_passes(text: str) -> None:
    assert isbn(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("978-94-6134-085-7", "an ISBN-13 with these first 12 digits ends in 6, not 7"),
    ("90-74442-62-4", "an ISBN-10 with these first 9 digits ends in 5, not 4"),
    ("1-234-56789-0", "ends in X, not 0"),
    ("978-94-6134-085-X", "an ISBN is 10 digits"),  # X only ends an ISBN-10
    ("90-74442-62", "an ISBN is 10 digits"),
])
def test_an_isbn_with_a_wrong_check_digit_or_length_is_refused_with_the_reason(text: str, expected: str) -> None:
    assert expected in (isbn(text) or "")


@pytest.mark.parametrize(("first", "digit"), [("978946134085", "6"), ("907444262", "5"), ("123456789", "X")])
def test_the_check_digit_completes_nine_or_twelve_digits(first: str, digit: str) -> None:
    assert isbn_check_digit(first) == digit


ADVIEZEN = """\
- key: geschiedenis
  label: {{nl: Een studie, en: A study}}
  soort: advies
  datum: "1998"
  isbn: {isbn}
  bronnen: [https://example.org/studie]
"""


@pytest.mark.parametrize("good", ["978-94-6134-085-6", "90-74442-62-5"])
def test_the_record_reader_accepts_both_kinds_of_isbn(tmp_path: Path, good: str) -> None:
    _graph, problems = run(tmp_path, {"organisaties.yaml": ORGS, "adviezen.yaml": ADVIEZEN.format(isbn=good)})
    assert [p for p in problems if p.field == "isbn"] == []


@pytest.mark.parametrize(("bad", "reason"), [
    ("978-94-6134-085-5", "check digit is wrong"), ("90-74442-62-6", "check digit is wrong"),
    ("ISBN 90-74442-62-5", "does not match the pattern"),
])
def test_the_record_reader_refuses_a_wrong_isbn_naming_file_record_and_field(tmp_path: Path, bad: str,
                                                                             reason: str) -> None:
    _graph, problems = run(tmp_path, {"organisaties.yaml": ORGS, "adviezen.yaml": ADVIEZEN.format(isbn=bad)})
    wrong = [p for p in problems if p.field == "isbn"]
    assert [(p.file, p.record) for p in wrong] == [("data/adviezen.yaml", "geschiedenis")]
    assert reason in wrong[0].message and bad in wrong[0].message
