"""The parts of the record table (``records.py``): what a field is, what a record type is, and the
fields and value patterns that many record types share.

Kept apart from the table itself so that the table reads as the contract it is: one entry per record
type, each a list of these fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, SKOS

from server.rdf.namespaces import DEFAULT_BASE, SCHEMA

SER = DEFAULT_BASE + "def/"


def ser(term: str) -> URIRef:
    """A term of the SER ontology, written against the default base (rebased at build time)."""
    return URIRef(SER + term)


# The parts a field may write on (Field.part): the fragment, and the property and class that link and type it.
PARTS: dict[str, tuple[URIRef, URIRef]] = {"geo": (SCHEMA.geo, SCHEMA.GeoCoordinates)}

KINDS = ("text", "string", "date", "int", "decimal", "bool", "duration", "url", "ref", "concept")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    predicate: URIRef
    required: bool = False
    many: bool = False
    targets: tuple[str, ...] = ()  # ref: record types it may point to; concept: (scheme,)
    inverse: bool = False  # the triple is written <target> predicate <this record>
    pattern: str | None = None  # string and url: the value must match this regular expression
    iri_template: str | None = None  # string: the object is this IRI with {} replaced by the value
    link: tuple[URIRef, str] | None = None  # string: also write <record> link[0] <link[1] with {}>
    help: str = ""
    # date: a word that stands for "there is one, but the sources do not date it". It writes no date:
    # for the end of a term that certainly ended, server/pipeline/graph/periods.py gives the interval an
    # end instant without a value; on a required field the record says ser:waardeOnbekend <predicate>.
    unknown: str | None = None
    # The triple is written on a part of the record's description, ``<record#{part}>``, which PARTS
    # links to the record and types (an address's coordinates: <address> schema:geo <address#geo>).
    part: str | None = None
    # string: the name of a check the value must pass beyond its pattern (server/pipeline/sources/checkdigits.py)
    check: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")
        if self.part is not None and self.part not in PARTS:
            raise ValueError(f"unknown record part {self.part!r}")


@dataclass(frozen=True)
class RecordType:
    name: str  # the IRI segment: /id/{name}/{key}
    file: str  # file under data/
    rdf_class: URIRef
    fields: tuple[Field, ...]
    help: str = ""
    # The field that identifies a record: "key" (the IRI is /id/{name}/{key}) or "url" (the record
    # describes the document at that URL, and the URL is its IRI).
    identity: str = "key"

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class NestedList:
    """A list of sub-records inside a record, each minted as ``/id/{type}/{parent key}-{sub key}``."""

    name: str
    record_type: str  # the name of a RecordType with in_parent set
    link: URIRef  # <parent> link <child>


SOURCES = Field("bronnen", "url", DCTERMS.source, required=True, many=True,
                help="URLs of the sources that show this record's facts")
DESCRIPTION = Field("omschrijving", "text", DCTERMS.description, help="short description, nl and en")
WIKIDATA = Field("wikidata", "string", OWL.sameAs, pattern=r"^Q[1-9][0-9]*$",
                 iri_template="http://www.wikidata.org/entity/{}",
                 help="Wikidata QID, such as Q233262; becomes owl:sameAs wd:Q...")
NAME = Field("naam", "text", SKOS.prefLabel, required=True, help="name, nl required, en where known")
ALT = Field("andereNamen", "text", SKOS.altLabel, many=True, help="abbreviations and other current names")
HIDDEN = Field("verborgenNamen", "text", SKOS.hiddenLabel, many=True,
               help="forms that search should find but pages never show: a colloquial or misspelt name")
HISTORIC = Field("historischeNamen", "text", ser("historischeNaam"), many=True, help="former names")
UNKNOWN = "onbekend"
START = Field("van", "date", SCHEMA.startDate, help="start date; leave it out where the sources do not give it")
END = Field("tot", "date", SCHEMA.endDate, unknown=UNKNOWN,
            help="end date; 'onbekend' where it certainly ended but the sources do not say when; leave it out "
                 "only while it is still running")
PAGES = Field("paginas", "url", FOAF.page, many=True, help="pages about it on the web (ser.nl and others)")

BWB = r"^BWBR[0-9]{7}$"
ECLI = r"^ECLI:[A-Z]{2}:[A-Z0-9]{1,7}:[0-9]{4}:[A-Z0-9.]{1,25}$"  # CEU Council conclusions 2011/C 127/01, annex
# An ISBN-13 (978 or 979, then ten more digits) or an ISBN-10 (nine digits and a digit or X), hyphens between
# digits allowed; the check digit is checked by checkdigits.isbn.
ISBN = r"^(97[89]-[0-9](-?[0-9]){9}|[0-9](-?[0-9]){8}-?[0-9X])$"
# A Dutch telephone or fax number as the sources print it: 0 or +31, then nine digits with single spaces
# between groups, such as 070 3499 499 or +31 70 3 832 535.
PHONE = r"^(\+31 |0)[1-9]( ?[0-9]){8}$"


def compiled(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None
