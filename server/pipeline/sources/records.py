"""The table of source-record types: which file holds them, how their IRIs are minted, and what each
field means in RDF.

This table is the contract between ``data/`` (edited by SER staff), the transform to RDF and the
documentation in ``data/README.md``. A field's ``kind`` says how its YAML value is read:

=========  ============================================================================  ==============
kind       YAML value                                                                    RDF object
=========  ============================================================================  ==============
text       ``{nl: ..., en: ...}``; a language may hold a list                            lang literal
string     plain text                                                                    xsd:string
date       ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (as precise as the source is)         gYear/.../date
int        whole number >= 0                                                             xsd:integer
decimal    number                                                                        xsd:decimal
bool       ``ja`` / ``nee``                                                              xsd:boolean
duration   ISO 8601 duration such as ``P5Y``                                             xsd:duration
url        an http(s) URL outside this dataset                                           IRI
ref        the key of another record (``type/key`` when the target could be two types)   IRI
concept    the key of a concept in ``ontology/vocab/{scheme}.ttl``                       IRI
=========  ============================================================================  ==============

Every record has ``key`` (readable, lower case, words joined by ``-``; never reused) and
``bronnen``: the URLs of the sources that show its facts (``dct:source``). Each of those URLs is
described once in ``data/bronnen.yaml``: a ``bron`` record is identified by its ``url`` instead of a key,
and is published under that URL, the document's own address (``server/pipeline/graph/citations.py``).
"""

from __future__ import annotations

from rdflib.namespace import DC, DCTERMS, FOAF, ORG, OWL, RDFS, SKOS

from server.pipeline.sources.fields import (
    ALT,
    BWB,
    DESCRIPTION,
    ECLI,
    END,
    HIDDEN,
    HISTORIC,
    ISBN,
    NAME,
    PAGES,
    PHONE,
    SOURCES,
    START,
    UNKNOWN,
    WIKIDATA,
    Field,
    NestedList,
    RecordType,
    ser,
)
from server.rdf.namespaces import ELI, SCHEMA

TYPES: tuple[RecordType, ...] = (
    RecordType("organisatie", "organisaties.yaml", ORG.FormalOrganization, (
        NAME, ALT, HISTORIC, DESCRIPTION,
        Field("soort", "concept", ORG.classification, required=True, many=True, targets=("organisatiesoort",)),
        Field("overlegniveau", "concept", ser("overlegniveau"), many=True, targets=("overlegniveau",)),
        Field("opgericht", "date", SCHEMA.foundingDate),
        Field("opgeheven", "date", SCHEMA.dissolutionDate),
        Field("onderdeelVan", "ref", ORG.subOrganizationOf, targets=("organisatie",)),
        Field("leden", "ref", ORG.hasMember, many=True, targets=("organisatie",),
              help="member organisations, where the organisation is made up of organisations (a federation, the "
                   "Stichting van de Arbeid)"),
        Field("rechtsvorm", "text", ser("rechtsvorm")),
        Field("statutaireZetel", "string", ser("statutaireZetel")),
        Field("website", "url", FOAF.homepage),
        Field("tooi", "url", OWL.sameAs, pattern=r"^https://identifier\.overheid\.nl/tooi/id/[a-z]+/[a-z]+[0-9]+$"),
        WIKIDATA, PAGES, SOURCES,
    ), help="the SER and the organisations around it: Stichting van de Arbeid, employer and employee "
            "organisations, ministries, chambers, DNB, CPB, SCP"),
    RecordType("orgaan", "organen.yaml", ORG.OrganizationalUnit, (
        NAME, ALT, HISTORIC, DESCRIPTION,
        Field("soort", "concept", ORG.classification, required=True, targets=("orgaansoort",)),
        Field("onderdeelVan", "ref", ORG.unitOf, required=True, targets=("organisatie", "orgaan")),
        Field("opgericht", "date", SCHEMA.foundingDate),
        Field("opgeheven", "date", SCHEMA.dissolutionDate, unknown=UNKNOWN,
              help="'onbekend' where it certainly ended but the sources do not say when"),
        Field("opvolgerVan", "ref", DCTERMS.replaces, targets=("orgaan",)),
        Field("samenstelling", "text", ser("samenstelling")),
        PAGES, SOURCES,
    ), help="the council (Raad), its committees and other bodies of the SER"),
    RecordType("persoon", "personen.yaml", FOAF.Person, (
        Field("naam", "string", FOAF.name, required=True),
        Field("geboortejaar", "date", SCHEMA.birthDate),
        Field("sterfjaar", "date", SCHEMA.deathDate),
        Field("partij", "string", ser("politiekePartij"), many=True),
        Field("telefoon", "string", SCHEMA.telephone, pattern=PHONE,
              help="the work telephone number a source gives for the person's post"),
        DESCRIPTION, WIKIDATA, SOURCES,
    ), help="people who hold or held a post, membership or role"),
    RecordType("functie", "functies.yaml", ORG.Post, (
        NAME, DESCRIPTION,
        Field("rol", "concept", ORG.role, required=True, targets=("rol",)),
        Field("in", "ref", ORG.postIn, required=True, targets=("organisatie", "orgaan")),
        SOURCES,
    ), help="posts such as chair and deputy chair"),
    RecordType("lidmaatschap", "lidmaatschappen.yaml", ORG.Membership, (
        Field("persoon", "ref", ORG.member, required=True, targets=("persoon",)),
        Field("organisatie", "ref", ORG.organization, required=True, targets=("organisatie", "orgaan")),
        Field("rol", "concept", ORG.role, required=True, targets=("rol",)),
        Field("functie", "ref", ser("functie"), targets=("functie",)),
        Field("geleding", "concept", ser("geleding"), targets=("geleding",)),
        Field("namens", "ref", ser("namens"), targets=("organisatie",)),
        START, END,
        Field("gezienOp", "date", ser("gezienOp"), many=True,
              help="dates on which a source shows the person in office without a start or end; claims no end"),
        DESCRIPTION, SOURCES,
    ), help="a person's membership or term in a post, with start and end"),
    RecordType("zetelverdeling", "zetelverdelingen.yaml", ser("Zetelverdeling"), (
        NAME, DESCRIPTION, START, END,
        Field("totaal", "int", ser("totaalAantalZetels")),
        Field("besluit", "url", ser("vastgelegdIn"), many=True),
        SOURCES,
    ), help="the allocation of council seats for a period; its list 'zetels' holds the seats per organisation"),
    RecordType("zeteltoewijzing", "zetelverdelingen.yaml", ser("Zeteltoewijzing"), (
        Field("organisatie", "ref", ser("organisatie"), targets=("organisatie",)),
        Field("geleding", "concept", ser("geleding"), required=True, targets=("geleding",)),
        Field("zetels", "int", ser("aantalZetels"), required=True),
        DESCRIPTION,
    ), help="seats of one organisation (or of the crown members) within a seat allocation"),
    RecordType("advies", "adviezen.yaml", ser("Advies"), (
        Field("titel", "text", DCTERMS.title),
        Field("label", "text", RDFS.label, help="descriptive name where the official title is not known"),
        ALT,
        Field("soort", "concept", ser("documentsoort"), required=True, targets=("documentsoort",)),
        Field("datum", "date", DCTERMS.issued, required=True, unknown=UNKNOWN,
              help="date of issue; 'onbekend' where the sources do not date the report"),
        Field("nummer", "string", DCTERMS.identifier, many=True),
        Field("isbn", "string", SCHEMA.isbn, pattern=ISBN, check="isbn",
              help="ISBN-10 or ISBN-13 as the publication prints it, hyphens allowed, such as 978-94-6134-085-6 or "
                   "90-74442-62-5; its check digit is checked"),
        Field("thema", "concept", DCTERMS.subject, many=True, targets=("thema",)),
        Field("aanvraag", "ref", ser("naAanvraag"), targets=("adviesaanvraag",)),
        Field("eigenInitiatief", "bool", ser("uitEigenBeweging")),
        Field("voorbereidDoor", "ref", ser("voorbereidDoor"), many=True, targets=("orgaan",)),
        DESCRIPTION, PAGES,
        Field("pdf", "url", ser("pdf")),
        SOURCES,
    ), help="advisory reports: adviezen, verkenningen, briefadviezen"),
    RecordType("adviesaanvraag", "adviesaanvragen.yaml", ser("Adviesaanvraag"), (
        Field("label", "text", RDFS.label, required=True),
        Field("datum", "date", DCTERMS.date),
        Field("aanvrager", "ref", ser("aanvrager"), required=True, many=True, targets=("organisatie",)),
        Field("ondertekenaar", "ref", ser("ondertekendDoor"), many=True, targets=("persoon",),
              help="the minister or state secretary who signed the request"),
        DESCRIPTION, SOURCES,
    ), help="requests for advice from ministers or either chamber"),
    RecordType("akkoord", "akkoorden.yaml", ser("Akkoord"), (
        Field("titel", "text", DCTERMS.title, required=True),
        Field("bereikt", "date", ser("bereiktOp")),
        Field("ondertekend", "date", ser("ondertekendOp")),
        END,
        Field("gefaciliteerdDoor", "ref", ser("gefaciliteerdDoor"), many=True, targets=("organisatie", "orgaan")),
        Field("geslotenIn", "ref", ser("geslotenIn"), targets=("organisatie", "orgaan"),
              help="the body within which the agreement was concluded, where a source says so"),
        Field("partijen", "ref", ser("partij"), many=True, targets=("organisatie",)),
        Field("partijenOmschrijving", "text", ser("partijenOmschrijving")),
        Field("voorzitter", "ref", ser("voorzitter"), targets=("persoon",)),
        Field("gebaseerdOp", "ref", ser("gebaseerdOp"), many=True, targets=("advies",)),
        Field("overlegniveau", "concept", ser("overlegniveau"), targets=("overlegniveau",)),
        Field("opvolgerVan", "ref", DCTERMS.replaces, targets=("akkoord",),
              help="the agreement this one took over, where a source says so"),
        DESCRIPTION, PAGES, SOURCES,
    ), help="national agreements such as the Energieakkoord and the Klimaatakkoord"),
    RecordType("convenant", "convenanten.yaml", ser("IMVOConvenant"), (
        Field("titel", "text", DCTERMS.title, required=True),
        Field("ondertekend", "date", ser("ondertekendOp")),
        Field("inwerking", "date", ser("inWerkingOp"), help="the date the covenant came into force"),
        END,
        Field("looptijd", "duration", ser("looptijd")),
        Field("gefaciliteerdDoor", "ref", ser("gefaciliteerdDoor"), many=True, targets=("organisatie", "orgaan")),
        Field("partijen", "ref", ser("partij"), many=True, targets=("organisatie",)),
        Field("partijenOmschrijving", "text", ser("partijenOmschrijving")),
        Field("voorzitter", "ref", ser("voorzitter"), targets=("persoon",)),
        Field("gebaseerdOp", "ref", ser("gebaseerdOp"), many=True, targets=("advies",)),
        Field("stand", "text", ser("stand"), help="state of play where the covenant was not (yet) signed"),
        HIDDEN, DESCRIPTION, PAGES, SOURCES,
    ), help="IMVO (international responsible business conduct) covenants"),
    RecordType("wet", "wetten.yaml", ELI.LegalResource, (
        Field("titel", "text", ELI.title, required=True),
        ALT,
        Field("historischeTitels", "text", ser("historischeNaam"), many=True),
        Field("soort", "concept", ser("regelingsoort"), required=True, targets=("regelingsoort",)),
        Field("bwb", "string", ELI.id_local, pattern=BWB, link=(SKOS.exactMatch, "https://wetten.overheid.nl/{}"),
              help="BWB id; becomes skos:exactMatch to the regulation on wetten.overheid.nl"),
        Field("datum", "date", ELI.date_document),
        Field("inwerking", "date", ELI.first_date_entry_in_force),
        Field("bekendmaking", "url", ser("bekendmaking"), many=True),
        Field("stelsIn", "ref", ser("stelsIn"), many=True, targets=("organisatie", "orgaan")),
        Field("regelt", "ref", ser("regelt"), many=True, targets=("organisatie", "orgaan")),
        DESCRIPTION, SOURCES,
    ), help="laws and decrees, with their BWB identifiers"),
    RecordType("taak", "taken.yaml", ser("Taak"), (
        NAME, DESCRIPTION,
        Field("organisatie", "ref", ser("taak"), required=True, targets=("organisatie", "orgaan"), inverse=True),
        Field("grondslag", "ref", ser("wettelijkeGrondslag"), many=True, targets=("wet",)),
        SOURCES,
    ), help="the SER's tasks"),
    RecordType("prijs", "prijzen.yaml", ser("Prijs"), (
        NAME, ALT, DESCRIPTION,
        Field("organisatie", "ref", ser("reiktUit"), required=True, targets=("organisatie",), inverse=True,
              help="the organisation that awards it"),
        PAGES, SOURCES,
    ), help="prizes the SER awards, such as the SER Scriptieprijs"),
    RecordType("publicatie", "publicaties.yaml", SCHEMA.Book, (
        NAME, DESCRIPTION,
        Field("auteur", "string", DC.creator, many=True, help="the author's name as the publication prints it"),
        Field("isbn", "string", SCHEMA.isbn, pattern=ISBN, check="isbn",
              help="ISBN-10 or ISBN-13 as the publication prints it, hyphens allowed; its check digit is checked"),
        Field("uitgever", "ref", DCTERMS.publisher, many=True, targets=("organisatie",),
              help="the publishing organisations of this dataset"),
        PAGES, SOURCES,
    ), help="books and studies about the SER that are not its own adviezen, such as its history"),
    RecordType("uitspraak", "uitspraken.yaml", ser("Uitspraak"), (
        NAME, DESCRIPTION,
        Field("ecli", "string", DCTERMS.identifier, required=True, pattern=ECLI,
              help="the European Case Law Identifier, such as ECLI:NL:CBB:2008:BC6322"),
        Field("datum", "date", DCTERMS.date, required=True, help="the date of the ruling"),
        Field("partijen", "ref", ser("procespartij"), many=True, targets=("organisatie",),
              help="the parties to the case that are organisations of this dataset"),
        PAGES, SOURCES,
    ), help="court rulings in cases to which the SER is a party"),
    RecordType("podcast", "podcasts.yaml", SCHEMA.PodcastSeries, (
        NAME, DESCRIPTION,
        Field("organisatie", "ref", DCTERMS.publisher, required=True, targets=("organisatie",),
              help="the organisation that publishes it"),
        PAGES, SOURCES,
    ), help="podcast series the SER publishes"),
    RecordType("land", "landen.yaml", SCHEMA.Country, (
        NAME, WIKIDATA, DESCRIPTION,
        Field("bediendDoor", "ref", SCHEMA.areaServed, many=True, targets=("organisatie",), inverse=True,
              help="organisations whose area this country is"),
        SOURCES,
    ), help="countries, with their Wikidata item, such as the Netherlands"),
    RecordType("adres", "adressen.yaml", SCHEMA.PostalAddress, (
        Field("organisatie", "ref", SCHEMA.address, required=True, targets=("organisatie",), inverse=True),
        Field("soort", "concept", ser("adressoort"), required=True, targets=("adressoort",)),
        Field("straat", "string", SCHEMA.streetAddress),
        Field("postbus", "string", SCHEMA.postOfficeBoxNumber),
        Field("postcode", "string", SCHEMA.postalCode, required=True, pattern=r"^[1-9][0-9]{3} [A-Z]{2}$"),
        Field("plaats", "string", SCHEMA.addressLocality, required=True),
        Field("land", "string", SCHEMA.addressCountry, pattern=r"^[A-Z]{2}$"),
        Field("telefoon", "string", SCHEMA.telephone, many=True, pattern=PHONE,
              help="telephone numbers, each as a source prints it"),
        Field("fax", "string", SCHEMA.faxNumber, pattern=PHONE),
        Field("email", "string", SCHEMA.email, many=True, pattern=r"^[^@\s]+@[^@\s]+$"),
        Field("breedtegraad", "decimal", SCHEMA.latitude, part="geo",
              help="latitude in decimal degrees (WGS 84), -90 to 90, as the source gives it; with lengtegraad it "
                   "becomes schema:geo, a schema:GeoCoordinates"),
        Field("lengtegraad", "decimal", SCHEMA.longitude, part="geo",
              help="longitude in decimal degrees (WGS 84), -180 to 180, as the source gives it"),
        SOURCES,
    ), help="visiting and postal addresses"),
    RecordType("kerncijfer", "kerncijfers.yaml", ser("Kerncijfer"), (
        Field("organisatie", "ref", ser("betreft"), required=True, targets=("organisatie", "orgaan")),
        Field("grootheid", "concept", ser("grootheid"), required=True, targets=("grootheid",)),
        Field("waarde", "decimal", ser("waarde"), required=True),
        Field("peiljaar", "date", ser("peildatum")),
        DESCRIPTION, SOURCES,
    ), help="key figures: budget, staff, number of reports, funding"),
    RecordType("financiering", "financiering.yaml", ser("Financiering"), (
        NAME, DESCRIPTION,
        Field("organisatie", "ref", ser("gefinancierdDoor"), required=True, targets=("organisatie",),
              inverse=True),
        Field("grondslag", "ref", ser("wettelijkeGrondslag"), many=True, targets=("wet",)),
        Field("fonds", "ref", ser("viaFonds"), targets=("fonds",), help="the fund the money comes from"),
        START, END, SOURCES,
    ), help="how the SER is funded (Awf) and was funded before"),
    RecordType("organisatiewijziging", "organisatiewijzigingen.yaml", ORG.ChangeEvent, (
        NAME, DESCRIPTION,
        Field("datum", "date", DCTERMS.date,
              help="when the change took effect, as precise as the source (a year, a month or a day), so dct:date "
                   "rather than ORG's prov:startedAtTime, which needs a full xsd:dateTime; left out where no "
                   "source dates it"),
        Field("oorspronkelijk", "ref", ORG.originalOrganization, many=True, targets=("organisatie",),
              help="the organisations that the change ended or changed, where the sources name them"),
        Field("resultaat", "ref", ORG.resultingOrganization, many=True, targets=("organisatie",),
              help="the organisations that came out of the change, under their new name"),
        SOURCES,
    ), help="mergers, renamings and dissolutions of organisations (ORG change events)"),
    RecordType("fonds", "fondsen.yaml", ser("Fonds"), (
        NAME, ALT, DESCRIPTION,
        Field("grondslag", "ref", ser("wettelijkeGrondslag"), many=True, targets=("wet",)),
        SOURCES,
    ), help="funds that pay for the SER, such as the Algemeen Werkloosheidsfonds (Awf)"),
    RecordType("doel", "doelen.yaml", ser("Doel"), (
        NAME, DESCRIPTION,
        Field("soort", "concept", ser("doelsoort"), required=True, targets=("doelsoort",)),
        Field("organisatie", "ref", ORG.purpose, required=True, targets=("organisatie",), inverse=True),
        Field("onderdeelVan", "ref", DCTERMS.isPartOf, targets=("doel",),
              help="the objective a sub-aim belongs to"),
        Field("vastgesteld", "date", DCTERMS.dateAccepted, help="when the organisation adopted it"),
        SOURCES,
    ), help="an organisation's objective, its sub-aims and the goals it named before (org:purpose)"),
    RecordType("verklaring", "verklaringen.yaml", ser("Verklaring"), (
        NAME,
        Field("soort", "concept", ser("verklaringsoort"), required=True, targets=("verklaringsoort",)),
        Field("organisatie", "ref", SCHEMA.about, required=True, targets=("organisatie",)),
        Field("tekst", "text", SCHEMA.text, required=True, help="what the organisation says of itself"),
        Field("wetten", "ref", DCTERMS.references, many=True, targets=("wet",), help="the laws it refers to"),
        Field("financiering", "ref", DCTERMS.references, many=True, targets=("financiering",),
              help="the funding it refers to"),
        DESCRIPTION, SOURCES,
    ), help="what an organisation states about itself, one statement per record with its own sources: "
            "motto, independence, legal status, funding"),
    RecordType("overlegvorm", "overlegvormen.yaml", ser("Overlegvorm"), (
        NAME, ALT, DESCRIPTION,
        Field("overlegniveau", "concept", ser("overlegniveau"), required=True, targets=("overlegniveau",)),
        Field("partijsoorten", "concept", ser("partijsoort"), many=True, targets=("organisatiesoort",),
              help="the kinds of organisation that consult with each other"),
        Field("organen", "ref", ser("overlegorgaan"), many=True, targets=("organisatie", "orgaan"),
              help="the bodies in which the consultation takes place"),
        Field("gecoordineerdDoor", "ref", ser("gecoordineerdDoor"), many=True, targets=("organisatie",)),
        Field("grondslag", "ref", ser("wettelijkeGrondslag"), many=True, targets=("wet",)),
        Field("serTaken", "ref", ser("ondersteunendeTaak"), many=True, targets=("taak",),
              help="the SER's tasks for this form of consultation"),
        Field("serOrganen", "ref", ser("ondersteunendOrgaan"), many=True, targets=("orgaan",),
              help="the SER's bodies that carry out those tasks"),
        SOURCES,
    ), help="the forms of consultation at the three levels of the consultation economy: the works council, "
            "cao negotiations, national consultation"),
    RecordType("bron", "bronnen.yaml", ser("Bron"), (
        Field("titel", "text", DCTERMS.title,
              help="the document's own title, only where the fact dossier gives it"),
        Field("omschrijving", "text", DCTERMS.description, required=True,
              help="what the document is, in plain words (never presented as its title)"),
        Field("uitgever", "string", DC.publisher, required=True,
              help="who publishes it, by the name the site uses (NRC, Rijksoverheid, SER)"),
        Field("uitgegevenDoor", "ref", DCTERMS.publisher, targets=("organisatie",),
              help="the publisher's record, where it is an organisation of this dataset"),
        Field("datum", "date", DCTERMS.issued, help="the document's date, only where it is known"),
        Field("geraadpleegd", "date", ser("geraadpleegdOp"), help="when it was consulted, only where known"),
        Field("archief", "url", SCHEMA.archivedAt, many=True, help="an archived copy, only where one is known"),
    ), help="the source documents that records cite: one entry per URL, described once", identity="url"),
)

NESTED: dict[str, NestedList] = {
    "zetelverdeling": NestedList("zetels", "zeteltoewijzing", ser("toewijzing")),
}
IN_PARENT = {n.record_type for n in NESTED.values()}
BY_NAME: dict[str, RecordType] = {t.name: t for t in TYPES}
TOP_LEVEL = tuple(t for t in TYPES if t.name not in IN_PARENT)

