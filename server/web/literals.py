"""Literals written for people, by datatype and, for key figures, by the unit of their quantity.

* ``xsd:duration`` (XSD 1.1 §3.3.6, ISO 8601): ``P5Y`` is "5 jaar" / "5 years", ``P1Y6M`` "1 jaar en 6 maanden";
* numbers get the separators of the page's language ("21.966.000" in Dutch, "21,966,000" in English), and
  money its euro sign; a percentage its per cent sign;
* dates at their precision: ``gYear`` "1985", ``gYearMonth`` "april 1996", ``date`` "16 september 2022";
* booleans as ja/nee, yes/no.

A key figure (``ser:Kerncijfer``) names its quantity (``ser:grootheid``); :data:`UNITS` gives the unit of
each quantity the data uses, so that "21966000"^^xsd:decimal of the budget reads "€ 21.966.000".
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rdflib import Literal
from rdflib.namespace import XSD

from server.web.language import human_date

DATES = {str(XSD.date), str(XSD.gYear), str(XSD.gYearMonth), str(XSD.dateTime)}
NUMBERS = {str(XSD.decimal), str(XSD.integer), str(XSD.nonNegativeInteger), str(XSD.positiveInteger),
           str(XSD.int), str(XSD.long), str(XSD.double), str(XSD.float)}
# The quantity's path under /id/ -> its unit; the definitions of these concepts name the same units.
UNITS = {"grootheid/begroting": "euro", "grootheid/heffingstarief": "euro",
         "grootheid/aandeel-eigen-initiatief": "percent", "grootheid/aandeel-vrouwen": "percent",
         "grootheid/voorbereidingstijd": "months", "grootheid/formatie": "fte"}
# ISO 8601 designators of a duration, in order, with their names (singular, plural) per language.
DURATION_PARTS = (
    ("Y", {"nl": ("jaar", "jaar"), "en": ("year", "years")}),
    ("M", {"nl": ("maand", "maanden"), "en": ("month", "months")}),
    ("W", {"nl": ("week", "weken"), "en": ("week", "weeks")}),
    ("D", {"nl": ("dag", "dagen"), "en": ("day", "days")}),
    ("TH", {"nl": ("uur", "uur"), "en": ("hour", "hours")}),
    ("TM", {"nl": ("minuut", "minuten"), "en": ("minute", "minutes")}),
    ("TS", {"nl": ("seconde", "seconden"), "en": ("second", "seconds")}),
)
_DURATION = re.compile(r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                       r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")
AND = {"nl": "en", "en": "and"}


def human_duration(lexical: str, lang: str) -> str:
    """``P5Y`` -> "5 jaar"; the lexical form itself when it is no duration."""
    match = _DURATION.fullmatch(lexical.strip())
    if match is None or not any(match.groups()[1:]) or lexical.strip().endswith("T"):
        return lexical
    words = []
    for (_, names), amount in zip(DURATION_PARTS, match.groups()[1:], strict=True):
        if amount is None:
            continue
        singular, plural = names.get(lang, names["nl"])
        words.append(f"{human_decimal(amount, lang)} {singular if Decimal(amount) == 1 else plural}")
    text = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {AND.get(lang, 'en')} {words[-1]}"
    return f"-{text}" if match.group(1) else text


def human_decimal(lexical: str, lang: str) -> str:
    """A number with the separators of ``lang``: thousands grouped, the decimal mark kept as given."""
    try:
        number = Decimal(lexical.strip())
    except InvalidOperation:
        return lexical
    if not number.is_finite():
        return lexical
    sign = "-" if number < 0 else ""
    digits = format(abs(number), "f")
    whole, _, fraction = digits.partition(".")
    grouped = f"{int(whole):,}"
    if lang == "nl":
        grouped = grouped.replace(",", ".")
        return sign + grouped + ("," + fraction if fraction else "")
    return sign + grouped + ("." + fraction if fraction else "")


def with_unit(number: str, unit: str | None, lang: str) -> str:
    if unit == "euro":
        return f"€ {number}" if lang == "nl" else f"€{number}"
    if unit == "percent":
        return f"{number}%"
    if unit == "months":
        return f"{number} {'maanden' if lang == 'nl' else 'months'}"
    if unit == "fte":
        return f"{number} fte"
    return number


def literal_text(literal: Literal, lang: str, unit: str | None = None) -> str:
    """The text of a literal on a page in ``lang``; ``unit`` is the unit of the quantity it measures."""
    datatype = str(literal.datatype) if literal.datatype else ""
    lexical = str(literal)
    if datatype in DATES:
        return human_date(lexical, datatype, lang)
    if datatype == str(XSD.duration):
        return human_duration(lexical, lang)
    if datatype in NUMBERS:
        return with_unit(human_decimal(lexical, lang), unit, lang)
    if datatype == str(XSD.boolean):
        yes = lexical.lower() in {"true", "1"}
        return ("ja" if yes else "nee") if lang == "nl" else ("yes" if yes else "no")
    return lexical


def unit_of(quantity_path: str) -> str | None:
    """The unit of a quantity, by its path under /id/ (``grootheid/begroting``)."""
    return UNITS.get(quantity_path)
