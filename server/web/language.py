"""The language of a page: Dutch or English, and the words and dates a page shows in it.

The language is chosen, in this order, by ``?lang=`` (which also sets a cookie, so that the choice
sticks), by the ``lang`` cookie, and by the Accept-Language header (RFC 9110 §12.5.4). Dutch is the
default: the dataset is Dutch first. The words of the interface live in one table, so that a missing
translation shows up in a test rather than on a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

LANGUAGES = ("nl", "en")
DEFAULT = "nl"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

# Interface words: key -> (nl, en).
WORDS: Mapping[str, tuple[str, str]] = {
    "site": ("SER Linked Data", "SER Linked Data"),
    "tagline": ("Open gegevens over de Sociaal-Economische Raad en zijn omgeving",
                "Open data about the Social and Economic Council of the Netherlands and its surroundings"),
    "home": ("Home", "Home"),
    "query": ("Zoeken met SPARQL", "Query with SPARQL"),
    "downloads": ("Downloads", "Downloads"),
    "catalogue": ("Catalogus", "Catalogue"),
    "ontology": ("Ontologie", "Ontology"),
    "switch": ("English", "Nederlands"),
    "switch_title": ("Switch to English", "Naar het Nederlands"),
    "type": ("Soort", "Type"),
    "identifier": ("Identificatie", "Identifier"),
    "names": ("Namen en omschrijving", "Names and description"),
    "facts": ("Gegevens", "Facts"),
    "links": ("Verbanden", "Relations"),
    "web": ("Elders op het web", "Elsewhere on the web"),
    "unknown_value": ("onbekend", "unknown"),
    "sources": ("Bronnen", "Sources"),
    "incoming": ("Verwijzingen naar deze pagina", "Referred to by"),
    "formats": ("Deze gegevens als", "This data as"),
    "classes": ("Wat de dataset bevat", "What the dataset holds"),
    "class": ("Klasse", "Class"),
    "count": ("Aantal", "Count"),
    "release": ("Huidige uitgave", "Current release"),
    "version": ("Versie", "Version"),
    "created": ("Gemaakt", "Created"),
    "triples": ("Tripels", "Triples"),
    "previous": ("Vorige", "Previous"),
    "next": ("Volgende", "Next"),
    "page_of": ("Pagina {page} van {pages}", "Page {page} of {pages}"),
    "items": ("{count} items", "{count} items"),
    "not_found": ("Niet gevonden", "Not found"),
    "not_found_text": ("Er is niets bekend onder dit adres:", "Nothing is known at this address:"),
    "not_found_help": ("Zoek verder vanaf de startpagina, in de downloads of met een SPARQL-vraag.",
                       "Look further from the home page, in the downloads or with a SPARQL query."),
    "gone": ("Ingetrokken", "Withdrawn"),
    "gone_text": ("Deze identificatie is ingetrokken en heeft geen opvolger.",
                  "This identifier has been withdrawn and has no successor."),
    "reason": ("Reden", "Reason"),
    "date": ("Datum", "Date"),
    "file": ("Bestand", "File"),
    "format": ("Formaat", "Format"),
    "size": ("Grootte", "Size"),
    "checksum": ("SHA-256", "SHA-256"),
    "licence": ("Licentie", "Licence"),
    "current": ("huidig", "current"),
    "as_of": ("Deze pagina zoals ze was in versie {version} ({date}).",
              "This page as of release {version} ({date})."),
    "current_page": ("Naar de huidige pagina", "To the current page"),
    "earlier_releases": ("Deze pagina in eerdere versies", "This page in earlier releases"),
    "earlier": ("Eerdere uitgaven", "Earlier releases"),
    "terms_classes": ("Klassen", "Classes"),
    "terms_properties": ("Eigenschappen", "Properties"),
    "super": ("Specialisatie van", "Specialisation of"),
    "domain": ("Domein", "Domain"),
    "range": ("Bereik", "Range"),
    "instances": ("Alle items", "All items"),
    "property": ("Eigenschap", "Property"),
    "value": ("Waarde", "Value"),
    "void": ("Datasetbeschrijving (VoID)", "Dataset description (VoID)"),
    "skip": ("Naar de inhoud", "Skip to content"),
    "language": ("Taal", "Language"),
    "roles": ("Rollen", "Roles"),
    "cite": ("Citeer", "Cite this"),
    "cite_release": ("uitgave {version} van {date}", "release {version} of {date}"),
    "role": ("Rol", "Role"),
    "period": ("Periode", "Period"),
    "name": ("Naam", "Name"),
    "filter": ("Filter op naam", "Filter by name"),
    "filter_button": ("Filter", "Filter"),
    "no_match": ("Geen items met deze naam.", "No items with this name."),
    "menu": ("Menu", "Menu"),
    "dataset_card": ("De dataset", "The dataset"),
    "publisher": ("Uitgever", "Publisher"),
    "distributions": ("Distributies", "Distributions"),
    "all_triples": ("Alle gegevens", "All statements"),
    "about_ser": ("Over de SER", "About the SER"),
    "objective": ("Doelstelling", "Objective"),
    "says_itself": ("Wat de SER over zichzelf zegt", "What the SER says about itself"),
    "consultation": ("De overlegeconomie", "The consultation economy"),
    "consultation_lead": ("Overleg tussen werkgevers en werknemers op drie niveaus, met de organen waarin het "
                          "plaatsvindt en de wetten waarop het rust.",
                          "Consultation between employers and employees at three levels, with the bodies it "
                          "takes place in and the laws it rests on."),
    "in_bodies": ("In", "In"),
    "laws": ("Wetten", "Laws"),
    "supported_by": ("Ondersteund door", "Supported by"),
    "topics": ("Ingangen", "Ways in"),
    "topic_council": ("De raad en zijn leden nu", "The council and its members now"),
    "topic_chairs": ("De voorzitters", "The chairs"),
    "topic_seats": ("Zetels door de jaren heen", "Seats over time"),
    "topic_adviezen": ("Adviezen", "Advice reports"),
    "topic_agreements": ("Akkoorden", "Agreements"),
    "topic_covenants": ("Convenanten", "Covenants"),
    "topic_laws": ("Wetten", "Laws"),
    "topic_people": ("Mensen", "People"),
    "dataset": ("Over de dataset", "About the dataset"),
    "changes": ("Wijzigingen", "Changes"),
    "changes_feed": ("Wijzigingen als Atom-feed", "Changes as an Atom feed"),
    "added_in": ("Toegevoegd in uitgave {version}", "Added in release {version}"),
    "changed_in": ("Gewijzigd in uitgave {version}", "Changed in release {version}"),
    "withdrawn_in": ("Ingetrokken in uitgave {version}", "Withdrawn in release {version}"),
    "replaces_in": ("Vervangt {name}, ingetrokken in uitgave {version}",
                    "Replaces {name}, withdrawn in release {version}"),
}

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


@dataclass(frozen=True)
class Choice:
    lang: str
    set_cookie: bool  # the choice came from ?lang= and should stick


def choose(query_lang: str | None, cookie: str | None, accept_language: str | None) -> Choice:
    if query_lang in LANGUAGES:
        return Choice(query_lang, True)
    if cookie in LANGUAGES:
        return Choice(cookie, False)
    return Choice(from_accept_language(accept_language), False)


def from_accept_language(header: str | None) -> str:
    """The supported language the client ranks highest; Dutch when it names none of ours."""
    best, best_q = DEFAULT, 0.0
    for position, part in enumerate((header or "")[:1024].split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        # Earlier entries win ties: that is the client's own order.
        score = q - position * 1e-6
        if primary in LANGUAGES and score > best_q:
            best, best_q = primary, score
    return best


def word(key: str, lang: str) -> str:
    nl, en = WORDS[key]
    return en if lang == "en" else nl


def human_date(lexical: str, datatype: str, lang: str) -> str:
    """A date literal as a person writes it: '6 september 2013', 'maart 1950', '1950'."""
    months = MONTHS.get(lang, MONTHS[DEFAULT])
    local = datatype.rsplit("#", 1)[-1]
    try:
        if local == "gYear":
            return str(int(lexical[:4]))
        if local == "gYearMonth":
            year, month = lexical[:7].split("-")
            return f"{months[int(month) - 1]} {int(year)}"
        if local == "date":
            d = date.fromisoformat(lexical[:10])
            return f"{d.day} {months[d.month - 1]} {d.year}"
        if local == "dateTime":
            dt = datetime.fromisoformat(lexical.replace("Z", "+00:00"))
            zone = " UTC" if dt.utcoffset() is not None and not dt.utcoffset() else ""
            return f"{dt.day} {months[dt.month - 1]} {dt.year}, {dt:%H:%M}{zone}"
    except (ValueError, IndexError):
        pass
    return lexical


def human_size(size: int, lang: str) -> str:
    units = ("bytes", "kB", "MB", "GB")
    value = float(size)
    unit = 0
    while value >= 1000 and unit < len(units) - 1:
        value /= 1000
        unit += 1
    text = f"{int(value)}" if unit == 0 else f"{value:.1f}"
    if lang == "nl":
        text = text.replace(".", ",")
    return f"{text} {units[unit]}"


def human_number(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "nl" else text
