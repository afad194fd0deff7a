"""Check digits of the identifiers the records hold, so that a mistyped digit is caught where it was typed.

A field names its check in ``records.Field.check``; the transform runs it after the field's pattern
(which has already fixed the form) and reports a failure with the file, record and field.

ISBN (ISO 2108): an ISBN-10's ten digits, weighted 10 down to 1, sum to a multiple of 11, its last
digit being ``X`` for 10; an ISBN-13's thirteen digits, weighted 1, 3, 1, 3, ..., sum to a multiple
of 10. Hyphens only group the digits and are not counted.
"""

from __future__ import annotations

from collections.abc import Callable


def isbn_check_digit(first: str) -> str:
    """The check digit that completes the first nine (ISBN-10) or twelve (ISBN-13) digits."""
    digits = [int(c) for c in first]
    if len(digits) == 9:
        remainder = (11 - sum((10 - i) * d for i, d in enumerate(digits)) % 11) % 11
        return "X" if remainder == 10 else str(remainder)
    if len(digits) == 12:
        return str((10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10)
    raise ValueError(f"an ISBN has 10 or 13 digits, not {len(digits) + 1}")


def isbn(text: str) -> str | None:
    """Why ``text`` is not a valid ISBN-10 or ISBN-13, or None."""
    compact = text.replace("-", "")
    if len(compact) not in (10, 13) or not compact[:-1].isdigit() or not (
            compact[-1].isdigit() or (compact[-1] == "X" and len(compact) == 10)):
        return "an ISBN is 10 digits (the last may be X) or 13 digits, grouped by hyphens"
    expected = isbn_check_digit(compact[:-1])
    if compact[-1] != expected:
        kind = "ISBN-10" if len(compact) == 10 else "ISBN-13"
        return (f"the check digit is wrong: an {kind} with these first {len(compact) - 1} digits ends in "
                f"{expected}, not {compact[-1]}; check the number against the source")
    return None


CHECKS: dict[str, Callable[[str], str | None]] = {"isbn": isbn}
