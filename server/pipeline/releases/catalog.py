"""The DCAT-AP-NL 3.0 catalogue of a release (Geonovum, DCAT-AP-NL 3.0, built on DCAT-AP 3.0.1).

One ``dcat:Catalog`` <{base}catalog> lists the dataset <{base}id/dataset/ser>, one
``dcat:Distribution`` per dump file and two ``dcat:DataService``\\ s: the SPARQL endpoint and the
download service that serves the dump files. Every value from a code list is typed the way the shapes
ask (``skos:Concept`` with ``skos:prefLabel`` and ``skos:inScheme``, plus the DCAT-AP range class such
as ``dct:LinguisticSystem``), so the catalogue validates on its own, without the code lists loaded.

Choices the profile leaves open:

- Licence: DCAT-AP-NL requires a Creative Commons licence but has no licence list yet ("waardelijst
  moet nog worden toegevoegd"), so the plain CC0 1.0 IRI is used, matched to the EU licence list.
- Publisher type (ADMS list): NationalAuthority. The SER is a public-law body set up by national law
  (Wet op de SER, art. 1) though not part of central government; the ADMS list has nothing closer.
- Each download file names the download service as its ``dcat:accessService``: a folder of files
  served over HTTP is a data service in DCAT's sense, as INSPIRE download services are in GeoDCAT-AP.
  Its endpoint description is the release's ``manifest.json`` (files, sizes, checksums).
- The SPARQL endpoint describes itself (SPARQL 1.1 Service Description §2: GET without a query), so
  its endpoint URL is also its endpoint description.

Titles and descriptions of the dataset come from the VoID description, so the two never disagree.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from server.errors import ReleaseError
from server.pipeline.releases.facts import CC0, FileInfo, ReleaseFacts
from server.rdf.namespaces import ADMS, SPDX, VCARD, prefixes

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
ADMS_PUBLISHER = "http://purl.org/adms/publishertype/"
ADMS_LICENCE = "http://purl.org/adms/licencetype/"

# Code lists in use: IRI prefix of the values -> (scheme IRI, title).
SCHEMES: dict[str, tuple[str, str]] = {
    f"{EU}data-theme/": (f"{EU}data-theme", "Data theme"),
    f"{EU}language/": (f"{EU}language", "Language"),
    f"{EU}country/": (f"{EU}country", "Country"),
    f"{EU}access-right/": (f"{EU}access-right", "Access right"),
    f"{EU}frequency/": (f"{EU}frequency", "Frequency"),
    f"{EU}dataset-status/": (f"{EU}dataset-status", "Dataset status"),
    f"{EU}distribution-status/": (f"{EU}distribution-status", "Distribution status"),
    f"{EU}file-type/": (f"{EU}file-type", "File type"),
    ADMS_PUBLISHER: (f"{ADMS_PUBLISHER}1.0", "Publisher type"),
    ADMS_LICENCE: (f"{ADMS_LICENCE}1.0", "Licence type"),
}

# RDF media type -> (EU file type, label).
FILE_TYPES: dict[str, tuple[str, str]] = {
    "text/turtle": ("RDF_TURTLE", "RDF Turtle"),
    "application/n-triples": ("RDF_N_TRIPLES", "RDF N-Triples"),
    "application/n-quads": ("RDF_N_QUADS", "RDF N-Quads"),
    "application/trig": ("RDF_TRIG", "RDF TriG"),
    "application/ld+json": ("JSON_LD", "JSON-LD"),
    "application/rdf+xml": ("RDF_XML", "RDF/XML"),
    "application/rdf-patch": ("RDF", "RDF Patch"),  # the change log; the EU list has no entry of its own
}

# Code-list value -> (DCAT-AP range class besides skos:Concept, or None; label nl; label en).
CONCEPTS: dict[str, tuple[URIRef | None, str, str]] = {
    f"{EU}data-theme/ECON": (None, "Economie en financiën", "Economy and finance"),
    f"{EU}data-theme/SOCI": (None, "Bevolking en samenleving", "Population and society"),
    f"{EU}data-theme/GOVE": (None, "Overheid en publieke sector", "Government and public sector"),
    f"{EU}language/NLD": (DCTERMS.LinguisticSystem, "Nederlands", "Dutch"),
    f"{EU}language/ENG": (DCTERMS.LinguisticSystem, "Engels", "English"),
    f"{EU}country/NLD": (DCTERMS.Location, "Nederland", "Netherlands"),
    f"{EU}access-right/PUBLIC": (DCTERMS.RightsStatement, "Openbaar", "Public"),
    f"{EU}frequency/IRREG": (DCTERMS.Frequency, "Onregelmatig", "Irregular"),
    f"{EU}dataset-status/COMPLETED": (None, "Voltooid", "Completed"),
    f"{EU}distribution-status/COMPLETED": (None, "Voltooid", "Completed"),
    f"{ADMS_PUBLISHER}NationalAuthority": (None, "Nationale overheid", "National authority"),
    f"{ADMS_LICENCE}PublicDomain": (None, "Publiek domein", "Public domain"),
    **{f"{EU}file-type/{code}": (DCTERMS.MediaTypeOrExtent, name, name)
       for code, name in FILE_TYPES.values()},
}

# Licence IRI -> (label, ADMS licence type, EU licence list entry).
LICENCES: dict[str, tuple[str, str, str]] = {
    CC0: ("CC0 1.0 Universal", f"{ADMS_LICENCE}PublicDomain", f"{EU}licence/CC0"),
}

THEMES = ("ECON", "SOCI", "GOVE")
LANGUAGES = (f"{EU}language/NLD", f"{EU}language/ENG")
PUBLIC = f"{EU}access-right/PUBLIC"

# The publisher and its contact point (fact dossier §1.1-1.2, status seen).
PUBLISHER_NAME = {"nl": "Sociaal-Economische Raad", "en": "Social and Economic Council of the Netherlands"}
CONTACT_EMAIL = "mailto:communicatie@ser.nl"
WEBSITE = "https://www.ser.nl"

KEYWORDS = {
    "nl": ("SER", "Sociaal-Economische Raad", "overlegeconomie", "adviezen", "sociaal-economisch beleid",
           "IMVO-convenanten", "linked data"),
    "en": ("SER", "Social and Economic Council", "consultation economy", "advisory reports",
           "socio-economic policy", "RBC agreements", "linked data"),
}
CATALOG_TITLE = {"nl": "Catalogus van SER Linked Data", "en": "Catalogue of SER Linked Data"}
CATALOG_DESCRIPTION = {
    "nl": "De datasets en dataservices van SER Linked Data, beschreven volgens DCAT-AP-NL 3.0.",
    "en": "The datasets and data services of SER Linked Data, described with DCAT-AP-NL 3.0.",
}
SPARQL_TEXT = {
    "title": {"nl": "SPARQL-endpoint van SER Linked Data", "en": "SPARQL endpoint of SER Linked Data"},
    "description": {
        "nl": "Bevraag de kennisgraaf van de SER met SPARQL 1.1 (alleen lezen).",
        "en": "Query the SER knowledge graph with SPARQL 1.1 (read only).",
    },
}
DOWNLOAD_TEXT = {
    "title": {"nl": "Downloads van SER Linked Data", "en": "Downloads of SER Linked Data"},
    "description": {
        "nl": "Elke versie van de kennisgraaf als RDF-bestanden, ook gzip-gecomprimeerd; manifest.json "
              "noemt per bestand het formaat, de grootte en de SHA-256-controlesom.",
        "en": "Every version of the knowledge graph as RDF files, also gzip-compressed; manifest.json "
              "gives each file's format, size and SHA-256 checksum.",
    },
}
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
DCAT_VERSION = URIRef(f"{DCAT}version")  # DCAT 3; rdflib's DCAT namespace stops at DCAT 2


def catalogue(facts: ReleaseFacts, void: Graph) -> Graph:
    """The DCAT-AP-NL catalogue of the release ``facts``, whose VoID description is ``void``."""
    base = facts.base_iri
    out = Graph()
    for prefix, namespace in prefixes(base).items():
        out.bind(prefix, namespace)
    made = _Maker(out)
    ds = URIRef(facts.dataset_iri)
    catalog = URIRef(f"{base}catalog")
    publisher = URIRef(f"{base}id/organisatie/ser")
    contact = URIRef(f"{ds}/contact")
    sparql = URIRef(f"{ds}/service/sparql")
    downloads = URIRef(f"{ds}/service/downloads")
    ontology = URIRef(f"{base}def/ser")
    created = Literal(facts.created.isoformat(), datatype=XSD.dateTime)

    out.add((publisher, RDF.type, FOAF.Agent))
    out.add((publisher, RDF.type, FOAF.Organization))
    made.texts(publisher, FOAF.name, PUBLISHER_NAME)
    out.add((publisher, DCTERMS.type, made.concept(f"{ADMS_PUBLISHER}NationalAuthority")))
    for kind in (VCARD.Kind, VCARD.Organization):
        out.add((contact, RDF.type, kind))
    made.texts(contact, VCARD.fn, PUBLISHER_NAME)
    made.texts(contact, VCARD["organization-name"], PUBLISHER_NAME)
    out.add((contact, VCARD.hasEmail, URIRef(CONTACT_EMAIL)))
    out.add((contact, VCARD.hasURL, URIRef(WEBSITE)))
    licence = made.licence(facts.licence)

    out.add((catalog, RDF.type, DCAT.Catalog))
    made.texts(catalog, DCTERMS.title, CATALOG_TITLE)
    made.texts(catalog, DCTERMS.description, CATALOG_DESCRIPTION)
    made.document(catalog, FOAF.homepage, base)
    out.add((catalog, DCAT.dataset, ds))
    for service in (sparql, downloads):
        out.add((catalog, DCAT.service, service))
    out.add((catalog, DCAT.themeTaxonomy, made.scheme(f"{EU}data-theme/")))
    out.add((catalog, DCTERMS.spatial, made.concept(f"{EU}country/NLD")))
    out.add((catalog, DCTERMS.license, licence))

    out.add((ds, RDF.type, DCAT.Dataset))
    for predicate in (DCTERMS.title, DCTERMS.description):
        for text in void.objects(ds, predicate):
            out.add((ds, predicate, text))
    out.add((ds, DCTERMS.identifier, Literal(str(ds))))
    out.add((ds, DCAT_VERSION, Literal(facts.version)))
    out.add((ds, DCTERMS.accrualPeriodicity, made.concept(f"{EU}frequency/IRREG")))
    out.add((ds, DCTERMS.spatial, made.concept(f"{EU}country/NLD")))
    out.add((ds, ADMS.status, made.concept(f"{EU}dataset-status/COMPLETED")))
    made.document(ds, DCAT.landingPage, base)
    made.document(ds, FOAF.page, str(ontology))
    out.add((ds, DCTERMS.conformsTo, made.standard(ontology, "SER-ontologie", "SER ontology")))

    # What the catalogue, the dataset and both services share.
    for resource in (catalog, ds, sparql, downloads):
        out.add((resource, DCTERMS.publisher, publisher))
        out.add((resource, DCTERMS.creator, publisher))
        out.add((resource, DCTERMS.modified, created))
        for language in LANGUAGES:
            out.add((resource, DCTERMS.language, made.concept(language)))
        if resource != catalog:
            out.add((resource, DCTERMS.issued, created))
    out.add((catalog, DCTERMS.issued, created))
    out.add((catalog, DCAT.contactPoint, contact))
    for resource in (ds, sparql, downloads):
        out.add((resource, DCAT.contactPoint, contact))
        out.add((resource, DCTERMS.accessRights, made.concept(PUBLIC)))
        for theme in THEMES:
            out.add((resource, DCAT.theme, made.concept(f"{EU}data-theme/{theme}")))
        for lang, words in KEYWORDS.items():
            for word in words:
                out.add((resource, DCAT.keyword, Literal(word, lang=lang)))

    for service, texts in ((sparql, SPARQL_TEXT), (downloads, DOWNLOAD_TEXT)):
        out.add((service, RDF.type, DCAT.DataService))
        made.texts(service, DCTERMS.title, texts["title"])
        made.texts(service, DCTERMS.description, texts["description"])
        out.add((service, DCTERMS.identifier, Literal(str(service))))
        out.add((service, DCTERMS.license, licence))
        out.add((service, DCAT.servesDataset, ds))
    out.add((sparql, DCAT.endpointURL, URIRef(f"{base}sparql")))
    out.add((sparql, DCAT.endpointDescription, URIRef(f"{base}sparql")))
    out.add((sparql, DCTERMS.conformsTo, made.standard(URIRef(SPARQL_PROTOCOL), "SPARQL 1.1 Protocol")))
    out.add((downloads, DCAT.endpointURL, URIRef(f"{base}downloads/")))
    out.add((downloads, DCAT.endpointDescription, URIRef(facts.download_url("manifest.json"))))

    for file in [*facts.files, *facts.others]:
        out.add((ds, DCAT.distribution, _distribution(made, facts, file, downloads, licence, ontology)))
    return out


def _distribution(made: _Maker, facts: ReleaseFacts, file: FileInfo, service: URIRef, licence: URIRef,
                  schema: URIRef) -> URIRef:
    out = made.out
    dist = URIRef(f"{facts.dataset_iri}/distribution/{facts.version}/{file.name}")
    media = file.format or file.media_type
    if media not in FILE_TYPES:
        raise ReleaseError(f"{file.name}: media type {media!r} has no EU file type; add it to FILE_TYPES in "
                           "server/pipeline/releases/catalog.py")
    code, label = FILE_TYPES[media]
    gzipped = file.media_type == "application/gzip"
    out.add((dist, RDF.type, DCAT.Distribution))
    out.add((dist, DCTERMS.title, Literal(f"{file.name} ({label}{', gzip' if gzipped else ''})")))
    url = URIRef(facts.download_url(file.name))
    out.add((dist, DCAT.accessURL, url))
    out.add((dist, DCAT.downloadURL, url))
    out.add((dist, DCAT.accessService, service))
    out.add((dist, DCTERMS.format, made.concept(f"{EU}file-type/{code}")))
    out.add((dist, DCAT.mediaType, made.media_type(media)))
    if gzipped:
        out.add((dist, DCAT.compressFormat, made.media_type("application/gzip")))
    out.add((dist, DCTERMS.license, licence))
    out.add((dist, DCTERMS.conformsTo, schema))
    out.add((dist, ADMS.status, made.concept(f"{EU}distribution-status/COMPLETED")))
    out.add((dist, DCTERMS.issued, Literal(facts.created.isoformat(), datatype=XSD.dateTime)))
    for language in LANGUAGES:
        out.add((dist, DCTERMS.language, made.concept(language)))
    # The release writer describes the files twice: before they exist (for the metadata inside the
    # dumps, without size and checksum) and after.
    if file.bytes is not None:
        out.add((dist, DCAT.byteSize, Literal(file.bytes, datatype=XSD.nonNegativeInteger)))
    if file.sha256 is not None:
        checksum = URIRef(f"{dist}/checksum")
        out.add((dist, SPDX.checksum, checksum))
        out.add((checksum, RDF.type, SPDX.Checksum))
        out.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        out.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
        out.add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))
    return dist


class _Maker:
    """Adds typed nodes to the catalogue: code-list values, documents, standards, the licence."""

    def __init__(self, out: Graph) -> None:
        self.out = out

    def texts(self, subject: URIRef, predicate: URIRef, texts: dict[str, str]) -> None:
        for lang, text in texts.items():
            self.out.add((subject, predicate, Literal(text, lang=lang)))

    def scheme(self, prefix: str) -> URIRef:
        iri, title = SCHEMES[prefix]
        scheme = URIRef(iri)
        self.out.add((scheme, RDF.type, SKOS.ConceptScheme))
        self.out.add((scheme, DCTERMS.title, Literal(title, lang="en")))
        return scheme

    def concept(self, iri: str) -> URIRef:
        range_class, nl, en = CONCEPTS[iri]
        concept = URIRef(iri)
        self.out.add((concept, RDF.type, SKOS.Concept))
        if range_class is not None:
            self.out.add((concept, RDF.type, range_class))
        if nl == en:
            self.out.add((concept, SKOS.prefLabel, Literal(en)))
        else:
            self.texts(concept, SKOS.prefLabel, {"nl": nl, "en": en})
        self.out.add((concept, SKOS.inScheme, self.scheme(iri[: iri.rfind("/") + 1])))
        return concept

    def media_type(self, media: str) -> URIRef:
        node = URIRef(IANA + media)
        self.out.add((node, RDF.type, DCTERMS.MediaType))
        self.out.add((node, RDFS.label, Literal(media)))
        return node

    def document(self, subject: URIRef, predicate: URIRef, iri: str) -> None:
        self.out.add((subject, predicate, URIRef(iri)))
        self.out.add((URIRef(iri), RDF.type, FOAF.Document))

    def standard(self, iri: URIRef, title: str, title_en: str | None = None) -> URIRef:
        self.out.add((iri, RDF.type, DCTERMS.Standard))
        if title_en is None:
            self.out.add((iri, DCTERMS.title, Literal(title)))
        else:
            self.texts(iri, DCTERMS.title, {"nl": title, "en": title_en})
        return iri

    def licence(self, iri: str) -> URIRef:
        node = URIRef(iri)
        self.out.add((node, RDF.type, DCTERMS.LicenseDocument))
        if iri in LICENCES:
            label, licence_type, eu = LICENCES[iri]
            self.out.add((node, RDFS.label, Literal(label)))
            self.out.add((node, DCTERMS.type, self.concept(licence_type)))
            self.out.add((node, SKOS.exactMatch, URIRef(eu)))
        return node
