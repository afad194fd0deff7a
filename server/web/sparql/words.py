"""The words of the query page (``/sparql``) and of its editor, in Dutch and English.

The page's template and its scripts (``static/query-*.js``, which get them as JSON) read this one
table, so that the editor speaks the page's language and a missing translation shows up in a test.
``{name}`` marks a value the script or template fills in.
"""

from __future__ import annotations

from collections.abc import Mapping

WORDS: Mapping[str, tuple[str, str]] = {
    "title": ("Zoeken met SPARQL", "Query with SPARQL"),
    "intro": ("Doorzoek de kennisgraaf van de SER (uitgave {version}) met SPARQL 1.1. De standaardgraaf is "
              "de vereniging van de grafen van de uitgave. Een vraag mag {timeout} s duren en {results} rijen "
              "opleveren; een langer antwoord wordt afgekapt en gemarkeerd. Voorvoegsels als ser: en skos: "
              "zijn bekend en hoeven niet gedeclareerd te worden. Ctrl+Enter voert de vraag uit; Ctrl+Spatie "
              "vult namen aan.",
              "Query the SER knowledge graph (release {version}) with SPARQL 1.1. The default graph is the "
              "union of the release's graphs. Each query may run {timeout} s and return {results} rows; a "
              "longer answer is cut and flagged. Prefixes such as ser: and skos: are known and need no "
              "declaration. Ctrl+Enter runs the query; Ctrl+Space completes names."),
    "examples": ("Voorbeelden", "Examples"),
    "query_label": ("SPARQL-vraag", "SPARQL query"),
    "run": ("Vraag uitvoeren", "Run query"),
    "download_as": ("Downloaden als", "Download as"),
    "graph_forms": ("CONSTRUCT, DESCRIBE", "CONSTRUCT, DESCRIBE"),
    "no_script": ("Zonder JavaScript downloadt dit formulier het antwoord in het gekozen formaat.",
                  "Without JavaScript this form downloads the answer in the chosen format."),
    "programs": ("Voor programma's", "For programs"),
    "programs_text": ("Dit eindpunt volgt het SPARQL 1.1 Protocol: GET of POST met query, default-graph-uri en "
                      "named-graph-uri, of POST application/sparql-query. Resultaten komen als SPARQL JSON, "
                      "XML, CSV of TSV, grafen als Turtle, JSON-LD, N-Triples, RDF/XML, TriG of N-Quads, "
                      "gekozen met Accept of format. Een GET zonder vraag geeft de Service Description. Een "
                      "antwoord dat bij de limiet is afgekapt heeft de header SER-KG-Truncated: true.",
                      "This endpoint speaks the SPARQL 1.1 Protocol: GET or POST query, with "
                      "default-graph-uri and named-graph-uri, or POST application/sparql-query. Results come "
                      "as SPARQL JSON, XML, CSV or TSV, graphs as Turtle, JSON-LD, N-Triples, RDF/XML, TriG "
                      "or N-Quads, chosen by Accept or by format. A GET without a query returns the Service "
                      "Description. An answer cut at the result limit carries the header "
                      "SER-KG-Truncated: true."),
    "service_description": ("Service Description", "Service Description"),
    # The editor (static/query-*.js).
    "table": ("Tabel", "Table"),
    "pivot": ("Kruistabel", "Pivot"),
    "chart": ("Grafiek", "Chart"),
    "response": ("Antwoord", "Response"),
    "pivotCaption": ("Som van {value}: {rows} per {columns}", "Sum of {value}: {rows} by {columns}"),
    "chartCaption": ("{value} per {rows}", "{value} by {rows}"),
    "total": ("Totaal", "Total"),
    "noValue": ("(geen waarde)", "(no value)"),
    "filter": ("Filter de rijen", "Filter the rows"),
    "rows": ("{count} rijen", "{count} rows"),
    "pages": ("Pagina's", "Pages"),
    "pageOf": ("Pagina {page} van {pages}", "Page {page} of {pages}"),
    "previous": ("Vorige", "Previous"),
    "next": ("Volgende", "Next"),
    "sort": ("Sorteer op deze kolom", "Sort by this column"),
    "downloadCsv": ("Download als CSV", "Download as CSV"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
    "errorAt": ("De vraag klopt niet op regel {line}, kolom {column}.",
                "The query is malformed at line {line}, column {column}."),
    "error": ("Het eindpunt gaf een fout ({status}).", "The endpoint answered with an error ({status})."),
    "unknownPrefix": ("Een voorvoegsel in de vraag is niet gedeclareerd en is ook niet een van de voorvoegsels van "
                      "het project: declareer het met PREFIX of gebruik het volledige IRI tussen < en >.",
                      "A prefix in the query is neither declared nor one of the project's prefixes: declare it "
                      "with PREFIX or write the full IRI between < and >."),
    "serverMessage": ("De melding van het eindpunt", "The endpoint's message"),
    "unreachable": ("Het eindpunt was niet bereikbaar.", "The endpoint could not be reached."),
    "chip": ("{count} resultaten in {seconds} s", "{count} results in {seconds} s"),
    "chipOther": ("Antwoord na {seconds} s", "Answer after {seconds} s"),
    "closeTab": ("Tabblad sluiten", "Close tab"),
    "newTab": ("Vraag", "Query"),
    "addTab": ("Nieuw tabblad met een vraag", "A new tab with a query"),
    "editor": ("SPARQL-vraag", "SPARQL query"),
    "tabs": ("Vragen", "Queries"),
    "starterTab": ("Wat de graaf bevat", "What the graph holds"),
    "yourQuery": ("Uw vraag", "Your query"),
}


def words(lang: str) -> dict[str, str]:
    """Every word of the query page in ``lang`` (English for "en", Dutch otherwise)."""
    return {key: en if lang == "en" else nl for key, (nl, en) in WORDS.items()}
