"""The one prefix map of the project.

It feeds Turtle output, the JSON-LD context, the SPARQL query page and CURIEs on HTML pages.
The project's own namespaces hang off the base IRI, which is a setting; ``DEFAULT_BASE`` is the
production value that the files in ``ontology/`` and ``shapes/`` are written against.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DC, DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, VOID, XSD

DEFAULT_BASE = "https://data.ser.nl/"

SCHEMA = Namespace("https://schema.org/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
LOCN = Namespace("http://www.w3.org/ns/locn#")

# Namespaces outside our base; stable, never rebased.
EXTERNAL: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "dc": str(DC),  # Dublin Core elements 1.1: dc:publisher takes a name, dct:publisher an agent
    "foaf": str(FOAF),
    "org": str(ORG),
    "prov": str(PROV),
    "dcat": str(DCAT),
    "void": str(VOID),
    "sh": str(SH),
    "schema": str(SCHEMA),
    "eli": str(ELI),
    "sd": str(SD),
    "vcard": str(VCARD),
    "adms": str(ADMS),
    "spdx": str(SPDX),
    "locn": str(LOCN),
    "time": str(TIME),
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
}


def own(base: str = DEFAULT_BASE) -> dict[str, str]:
    """The project's own prefixes under ``base``."""
    return {
        "ser": f"{base}def/",
        "serid": f"{base}id/",
        "sergraph": f"{base}graph/",
        "sersh": f"{base}def/shapes/",
    }


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Every prefix, own first, in a stable order."""
    return {**own(base), **EXTERNAL}


def ser(base: str = DEFAULT_BASE) -> Namespace:
    return Namespace(own(base)["ser"])


def graph_iri(name: str, base: str = DEFAULT_BASE) -> str:
    """IRI of one of the release's named graphs: ``ontology``, ``data`` or ``metadata``."""
    return f"{base}graph/{name}"


GRAPHS = ("ontology", "data", "metadata")


def sparql_prologue(base: str = DEFAULT_BASE) -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes(base).items())
