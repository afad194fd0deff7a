"""The representation table: media type, file suffix, names for rdflib and pyoxigraph, and a quality
weight (qs) for content negotiation, as in Apache's type maps and W3C's ``.var`` files.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str  # short name, also the value of a ?format= parameter
    media_type: str
    suffix: str  # file suffix without the dot
    rdflib: str | None  # rdflib serializer/parser name
    quads: bool  # carries named graphs
    qs: float = 1.0  # server-side preference when the client has no preference
    label: str = ""


RDF_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "ttl", "turtle", False, 1.0, "Turtle"),
    Format("jsonld", "application/ld+json", "jsonld", "json-ld", False, 0.95, "JSON-LD"),
    Format("ntriples", "application/n-triples", "nt", "nt", False, 0.9, "N-Triples"),
    Format("rdfxml", "application/rdf+xml", "rdf", "xml", False, 0.8, "RDF/XML"),
    Format("trig", "application/trig", "trig", "trig", True, 0.7, "TriG"),
    Format("nquads", "application/n-quads", "nq", "nquads", True, 0.7, "N-Quads"),
)

RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "srj", None, False, 1.0, "SPARQL JSON"),
    Format("xml", "application/sparql-results+xml", "srx", None, False, 0.9, "SPARQL XML"),
    Format("csv", "text/csv", "csv", None, False, 0.8, "CSV"),
    Format("tsv", "text/tab-separated-values", "tsv", None, False, 0.8, "TSV"),
)

HTML = Format("html", "text/html", "html", None, False, 1.0, "HTML")

# The formats of a document about triples (a resource, the VoID, the catalogue), in the server's order of
# preference for a client without one: a page, then the triple formats (a document holds no named graphs).
DOCUMENT_FORMATS: tuple[Format, ...] = (HTML, *(f for f in RDF_FORMATS if not f.quads))

# Aliases that clients send for the same representation.
ALIASES: dict[str, str] = {
    "application/x-turtle": "text/turtle",
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/plain": "application/n-triples",
    "application/xhtml+xml": "text/html",
}

# ``format`` parameter values that clients send, beyond the short names, suffixes and media types of the
# table: SPARQLWrapper's default mode sends xml, rdf+xml, json-ld and n3 for CONSTRUCT and DESCRIBE (and
# Virtuoso reads them so). Each names formats in order; the first that the query's kind of answer has is
# taken, so xml is SPARQL XML for a SELECT and RDF/XML for a CONSTRUCT. N3 is answered with Turtle, which
# is N3 (W3C Team Submission, §1).
PARAMETER_NAMES: dict[str, tuple[str, ...]] = {
    "xml": ("xml", "rdfxml"),
    "rdf+xml": ("rdfxml",),
    "rdf/xml": ("rdfxml",),
    "json": ("json", "jsonld"),
    "json-ld": ("jsonld",),
    "n3": ("turtle",),
    "text/n3": ("turtle",),
    "text/rdf+n3": ("turtle",),
    "n-triples": ("ntriples",),
    "nt": ("ntriples",),
    "n-quads": ("nquads",),
    "ttl": ("turtle",),
}
BY_SUFFIX: dict[str, Format] = {f.suffix: f for f in (*RDF_FORMATS, HTML)}
BY_NAME: dict[str, Format] = {f.name: f for f in (*RDF_FORMATS, *RESULT_FORMATS, HTML)}
BY_MEDIA_TYPE: dict[str, Format] = {f.media_type: f for f in (*RDF_FORMATS, *RESULT_FORMATS, HTML)}

# The W3C's IRIs for formats (https://www.w3.org/ns/formats/), as a SPARQL Service Description names
# them in sd:resultFormat.
W3C_FORMATS: dict[str, str] = {
    "turtle": "http://www.w3.org/ns/formats/Turtle",
    "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
    "ntriples": "http://www.w3.org/ns/formats/N-Triples",
    "rdfxml": "http://www.w3.org/ns/formats/RDF_XML",
    "trig": "http://www.w3.org/ns/formats/TriG",
    "nquads": "http://www.w3.org/ns/formats/N-Quads",
    "json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "tsv": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
}
