"""The SPARQL 1.1 Service Description of ``/sparql`` (https://www.w3.org/TR/sparql11-service-description/).

A GET on the endpoint without a query returns it, in whichever RDF format the client asks for. It says
what a client needs before the first query:

* the language (SPARQL 1.1 Query only: no Update, no federation), the result formats and the features
  (``sd:UnionDefaultGraph``: the default graph is the union of the release's named graphs);
* the default dataset: the release's three named graphs with their triple counts and the default
  graph (their union) with its distinct triples, identified by the dataset's VoID description (SPARQL
  1.1 SD §3.2.8 with VoID §6.3), so that the VoID is one click away; the counts are the VoID's;
* the limits of this server: time per query, rows per answer (and the header that flags a cut answer),
  query length and request size. These use ``ser:`` terms, as the SD vocabulary has none.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from server.errors import ReleaseError
from server.rdf.formats import RDF_FORMATS, RESULT_FORMATS, W3C_FORMATS, Format
from server.rdf.namespaces import GRAPHS, SD, graph_iri, prefixes, ser
from server.settings import Settings
from server.store.base import Store
from server.store.manifest import read_manifest

ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")
TRUNCATED_HEADER = "SER-KG-Truncated"
LIMIT_HEADER = "SER-KG-Result-Limit"

_TRIPLE_WRITERS = {"trig": "turtle", "nquads": "nt"}
_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
# A triple in two graphs is one triple of the union, so the default graph is not the sum of the graphs.
_UNION_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
# The release's own dataset: not a subset of another, and the one with an endpoint or subsets (the
# others in the VoID are the linked datasets: Wikidata, wetten.overheid.nl and so on).
_VOID_DATASET = """PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?d WHERE {
  GRAPH ?g { ?d a void:Dataset }
  FILTER NOT EXISTS { ?parent void:subset ?d }
  OPTIONAL { ?d void:sparqlEndpoint ?endpoint }
  OPTIONAL { ?d void:subset ?subset }
} ORDER BY DESC(BOUND(?endpoint)) DESC(BOUND(?subset)) ?d LIMIT 1"""


def void_dataset(store: Store, base: str) -> str:
    """IRI of the release's VoID dataset, or the VoID well-known location when the release has none."""
    rows = store.select(_VOID_DATASET)
    return str(rows[0]["d"]) if rows else f"{base}.well-known/void"


def graph_sizes(store: Store) -> tuple[dict[str, int], int]:
    """(triples per named graph, distinct triples of the default graph, their union): from the release
    manifest where the build wrote them (counting a large store takes seconds at every start), else
    counted. They are the numbers of the VoID description, which the build counts the same way.
    """
    try:
        manifest = read_manifest(store.release.path)
        return {str(g): int(n) for g, n in manifest["graphs"].items()}, int(manifest["default_graph_triples"])
    except (ReleaseError, ValueError, KeyError, TypeError, AttributeError):
        sizes = {str(r["g"]): int(r["n"]) for r in store.select(_GRAPH_SIZES)}
        rows = store.select(_UNION_SIZE)
        return sizes, int(rows[0]["n"]) if rows else 0


class ServiceDescription:
    """Built once from the store and the settings; serialised per endpoint URL and format, then cached."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.base = store.release.base_iri
        self.release = store.release.version
        self.void = void_dataset(store, self.base)
        self.sizes, self.union_size = graph_sizes(store)
        self._rendered: dict[tuple[str, str], bytes] = {}

    def graph(self, endpoint: str) -> Graph:
        g = Graph()
        for prefix, namespace in prefixes(self.base).items():
            g.bind(prefix, namespace, replace=True)
        # Blank nodes with fixed labels: rdflib orders them by label, so every process writes the same bytes.
        service, dataset, default = URIRef(endpoint), URIRef(self.void), BNode("default-graph")
        ser_ns = ser(self.base)
        g.add((service, RDF.type, SD.Service))
        g.add((service, SD.endpoint, service))
        g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
        g.add((service, SD.feature, SD.UnionDefaultGraph))
        g.add((service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))
        for fmt in (*RESULT_FORMATS, *RDF_FORMATS):
            g.add((service, SD.resultFormat, URIRef(W3C_FORMATS[fmt.name])))
        g.add((service, DCTERMS.title, Literal("SER Linked Data SPARQL endpoint", lang="en")))
        g.add((service, DCTERMS.title, Literal("SPARQL-endpoint van SER Linked Data", lang="nl")))
        g.add((service, RDFS.comment, Literal(self._limits_text(), lang="en")))
        limits = (
            ("queryTimeout", Literal(str(float(self.settings.query_timeout)), datatype=XSD.decimal)),
            ("resultLimit", Literal(self.settings.result_limit, datatype=XSD.integer)),
            ("maxQueryLength", Literal(self.settings.max_query_length, datatype=XSD.integer)),
            ("maxRequestBytes", Literal(self.settings.max_body_bytes, datatype=XSD.integer)),
            ("truncationHeader", Literal(TRUNCATED_HEADER)),
        )
        for term, value in limits:
            g.add((service, ser_ns[term], value))
        g.add((service, SD.defaultDataset, dataset))
        g.add((dataset, RDF.type, SD.Dataset))
        g.add((dataset, RDF.type, VOID.Dataset))
        g.add((dataset, DCTERMS.hasVersion, Literal(self.release)))
        g.add((dataset, SD.defaultGraph, default))
        g.add((default, RDF.type, SD.Graph))
        g.add((default, RDFS.comment, Literal("The union of the named graphs of the release.", lang="en")))
        g.add((default, VOID.triples, Literal(self.union_size, datatype=XSD.integer)))
        for name in GRAPHS:
            iri = graph_iri(name, self.base)
            named, description = BNode(f"named-graph-{name}"), BNode(f"graph-{name}")
            g.add((dataset, SD.namedGraph, named))
            g.add((named, RDF.type, SD.NamedGraph))
            g.add((named, SD.name, URIRef(iri)))
            g.add((named, SD.graph, description))
            g.add((description, RDF.type, SD.Graph))
            g.add((description, VOID.triples, Literal(self.sizes.get(iri, 0), datatype=XSD.integer)))
        return g

    def _limits_text(self) -> str:
        s = self.settings
        return (
            f"Read-only SPARQL 1.1 Query; no SERVICE, no LOAD, no remote FROM. Each query may run "
            f"{s.query_timeout:g} s (longer: 503). An answer holds at most {s.result_limit} rows or "
            f"triples; a cut answer carries the header '{TRUNCATED_HEADER}: true'. Queries may be "
            f"{s.max_query_length} characters long (414 or 413 beyond) and request bodies "
            f"{s.max_body_bytes} bytes (413 beyond). Relative IRIs are resolved against {self.base} "
            f"when the query declares no BASE."
        )

    def render(self, endpoint: str, fmt: Format) -> bytes:
        key = (endpoint, fmt.name)
        body = self._rendered.get(key)
        if body is None:
            # Everything is in the default graph, so Turtle is valid TriG and N-Triples valid N-Quads.
            writer = _TRIPLE_WRITERS.get(fmt.name, fmt.rdflib or "turtle")
            body = self.graph(endpoint).serialize(format=writer, encoding="utf-8")
            self._rendered[key] = body  # one endpoint (the configured public URL) times the formats
        return body
