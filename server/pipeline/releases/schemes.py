"""The identifier schemes inside the datasets the release links to, for the VoID description
(:mod:`server.pipeline.releases.void`).

The data graph links things to TOOI (the ``tooi`` field, ``owl:sameAs``) and laws to the
Basiswettenbestand on wetten.overheid.nl (the ``bwb`` field, ``skos:exactMatch``). A reader who
follows such a link, or who wants to link back, needs to know how the other side builds its IRIs.
So each scheme the fact dossier gives (docs/facts/ser-facts.md §7.2 and §7.3) is a ``void:Dataset``
that is a ``void:subset`` of its target's description, with ``void:uriSpace`` and
``void:uriRegexPattern`` (VoID §3.5), the dossier's examples as ``void:exampleResource`` and its
source as ``dct:source``.

Why here and not in ``data/``: these are descriptions of other publishers' datasets, made for the
VoID like the link targets themselves; they are not things of the SER's world, and they hold no
counts, so they leave the fixed point of the VoID alone (every triple here is the same whatever the
data holds).

What is stated, and what is not:

- Only the dossier's facts. The regular expressions say what the dossier's patterns say (``<NNNN>``
  is four digits); a placeholder the dossier does not define (``<structure>``, an article ``<n>``)
  matches any text of one path segment or query value. The BWB identifier is ``BWBR`` and seven
  digits, the form the records' ``bwb`` field checks (server/pipeline/sources/records.py).
- A source the dossier gives only as "a public GitHub file (repository not recorded)" is not a URL and
  is not cited. The scheme cites what the dossier gives with the pattern instead, its example
  identifiers or a copy of such an identifier on another host; where it gives nothing, no
  ``dct:source`` is stated. No URL is made up (data/README.md, "Identifier schemes").
- No ``dct:publisher``: the dossier names no publisher of TOOI or of wetten.overheid.nl.
- The example identifiers carry the name the dossier gives them ("oorg10111 = KOOP").
- The statement that consolidated BWB texts have no native ``/eli/`` URIs is a third party's (the
  documentation of the nl-eli-mcp package); it is a ``skos:note`` of the BWB dataset, in our own
  words, with that page as its ``dct:source``, and says whose statement it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, VOID

TOOI_ID = "https://identifier.overheid.nl/tooi/id/"
WETTEN = "https://wetten.overheid.nl/"
BWB_ID = "BWBR[0-9]{7}"
DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
NL_ELI_MCP = "https://pypi.org/project/nl-eli-mcp"


@dataclass(frozen=True)
class Example:
    iri: str
    name: str | None = None  # the name the dossier gives the thing, if any


@dataclass(frozen=True)
class Scheme:
    target: str  # the LinkTarget.key of the dataset this scheme is part of
    key: str  # last IRI segment: {base}id/dataset/{target}/{key}
    title: dict[str, str]
    uri_space: str
    pattern: str  # void:uriRegexPattern, anchored
    examples: tuple[Example, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Note:
    target: str
    text: dict[str, str]
    source: str


def _tooi(kind: str, code: str, title: dict[str, str], example: Example) -> Scheme:
    space = f"{TOOI_ID}{kind}/"
    # The dossier's source is a file without a recorded repository: the example is what it gives.
    return Scheme("tooi", kind, title, space, f"^{_escaped(space)}{code}$", (example,), (example.iri,))


def _escaped(text: str) -> str:
    return text.replace(".", "\\.")


SCHEMES: tuple[Scheme, ...] = (
    _tooi("ministerie", "mnre[0-9]{4}", {"nl": "TOOI: ministeries", "en": "TOOI: ministries"},
          Example(f"{TOOI_ID}ministerie/mnre1034", "BZK")),
    _tooi("oorg", "oorg[0-9]{5}", {"nl": "TOOI: overige organisaties", "en": "TOOI: other organisations"},
          Example(f"{TOOI_ID}oorg/oorg10111", "KOOP")),
    _tooi("gemeente", "gm[0-9]{4}", {"nl": "TOOI: gemeenten", "en": "TOOI: municipalities"},
          Example(f"{TOOI_ID}gemeente/gm0363", "Amsterdam")),
    Scheme("wetten", "geconsolideerd",
           {"nl": "wetten.overheid.nl: geconsolideerde tekst van een artikel op een datum",
            "en": "wetten.overheid.nl: consolidated text of an article on a date"},
           WETTEN, f"^{_escaped(WETTEN)}{BWB_ID}/{DATE}/[0-9]+/[^/]+/Artikel[^/]+$",
           (Example(f"{WETTEN}BWBR0002747/2023-02-18/0/HoofdstukIVA/Artikel27"),),
           (f"{WETTEN}BWBR0002747/2023-02-18/0/HoofdstukIVA/Artikel27",)),
    # The dossier's one JCI example is on the acceptance host wetten-acc.overheid.nl: the source,
    # not an example of this scheme. Its dates come g before z, so the two may come in either order.
    Scheme("wetten", "jci",
           {"nl": "wetten.overheid.nl: JCI-verwijzingen naar artikelen",
            "en": "wetten.overheid.nl: JCI references to articles"},
           f"{WETTEN}jci1.3:c:",
           f"^{_escaped(WETTEN)}jci1\\.3:c:{BWB_ID}&artikel=[^&]+(&hoofdstuk=[^&]+)?(&[zg]={DATE}){{0,2}}$",
           (), ("https://wetten-acc.overheid.nl/jci1.3:c:BWBR0002058&artikel=93&g=2013-04-12&z=2024-11-23",)),
    Scheme("wetten", "toestand",
           {"nl": "wetten.overheid.nl: blijvende URI's van een toestand (versie) van een regeling",
            "en": "wetten.overheid.nl: persistent URIs of a version (toestand) of a regulation"},
           "http://wetten.overheid.nl/id/", f"^http://wetten\\.overheid\\.nl/id/{BWB_ID}/{DATE}/[0-9]+$",
           (), (NL_ELI_MCP,)),
)

NOTES: tuple[Note, ...] = (
    Note("wetten", {
        "nl": "Geconsolideerde BWB-teksten hebben geen eigen /eli/-URI's van de Nederlandse uitgever; "
              "dat zegt een derde partij, de documentatie van het pakket nl-eli-mcp.",
        "en": "Consolidated BWB texts have no /eli/ URIs of their own from the Dutch publisher, as a "
              "third party states: the documentation of the nl-eli-mcp package.",
    }, NL_ELI_MCP),
)


def targets_with_schemes() -> set[str]:
    return {scheme.target for scheme in SCHEMES} | {note.target for note in NOTES}


def scheme_iri(base: str, scheme: Scheme) -> URIRef:
    return URIRef(f"{base}id/dataset/{scheme.target}/{scheme.key}")


def describe_schemes(out: Graph, target_key: str, target: URIRef, base: str) -> None:
    """Add the schemes and notes of the link target ``target_key`` (described as ``target``) to ``out``."""
    for scheme in SCHEMES:
        if scheme.target != target_key:
            continue
        iri = scheme_iri(base, scheme)
        out.add((target, VOID.subset, iri))
        out.add((iri, RDF.type, VOID.Dataset))
        for lang, text in scheme.title.items():
            out.add((iri, DCTERMS.title, Literal(text, lang=lang)))
        out.add((iri, VOID.uriSpace, Literal(scheme.uri_space)))
        out.add((iri, VOID.uriRegexPattern, Literal(scheme.pattern)))
        for example in scheme.examples:
            out.add((iri, VOID.exampleResource, URIRef(example.iri)))
            if example.name:
                out.add((URIRef(example.iri), RDFS.label, Literal(example.name)))
        for source in scheme.sources:
            out.add((iri, DCTERMS.source, URIRef(source)))
    for note in NOTES:
        if note.target == target_key:
            for lang, text in note.text.items():
                out.add((target, SKOS.note, Literal(text, lang=lang)))
            out.add((target, DCTERMS.source, URIRef(note.source)))
