"""The DCAT-AP-NL 3.0 catalogue: validated with pySHACL against the official shapes, and read for content.

The shapes are vendored in tests/fixtures/dcat-ap-nl-3.0/ (CC BY 4.0, Geonovum and SEMIC; its README
names the upstream commit). A missing file fails the tests instead of skipping them: an unchecked
catalogue is not a passing one.
"""

from __future__ import annotations

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH, SKOS, XSD

from server import settings
from server.errors import ReleaseError
from server.pipeline.releases.catalog import catalogue
from server.pipeline.releases.facts import FileInfo
from server.rdf.namespaces import ADMS, SPDX, VCARD
from tests.pipeline.test_void import BASE, DATASET, SER, SHA, VERSION, describe, fixture_dataset, fixture_facts

REFERENCE = settings.load().root / "tests" / "fixtures" / "dcat-ap-nl-3.0"
VIOLATION_FILES = ("dcat-ap-SHACL.ttl", "dcat-ap-nl-SHACL.ttl", "dcat-ap-nl-SHACL-klassebereik.ttl",
                   "dcat-ap-nl-SHACL-klassebereik-codelijsten.ttl")
RECOMMENDED_FILE = "dcat-ap-nl-SHACL-aanbevolen.ttl"
EU = "http://publications.europa.eu/resource/authority/"
DANGLING = {"dc08f4dca4377fade57f89454e3fa06a8389d314", "eb3ac4e4fdde2e2588a9502c5956060a18c5c99f"}


def shapes(*names: str) -> Graph:
    missing = [n for n in names if not (REFERENCE / n).is_file()]
    if missing:
        pytest.fail(f"DCAT-AP-NL 3.0 shapes not found: {', '.join(missing)} in {REFERENCE} (see its README.md "
                    "for where they come from)")
    graph = Graph()
    for name in names:
        graph.parse(REFERENCE / name, format="turtle")
    # dcat-ap-SHACL.ttl names two property shapes of dcat:DataService that it never defines (the range
    # checks of the endpoint URL and description, "any resource"; see the fixture folder's README.md).
    # pySHACL 0.40 stops on a dangling sh:property; a shape with no triples constrains nothing, so
    # dropping the reference loses no check. Only those two may be dropped.
    dangling = {(shape, ref) for shape, ref in graph.subject_objects(SH.property)
                if (ref, None, None) not in graph}
    assert {str(ref).rsplit("/", 1)[-1] for _, ref in dangling} <= DANGLING, dangling
    for shape, ref in dangling:
        graph.remove((shape, SH.property, ref))
    return graph


@pytest.fixture(scope="module")
def violation_shapes() -> Graph:
    return shapes(*VIOLATION_FILES)


@pytest.fixture(scope="module")
def recommended_shapes() -> Graph:
    return shapes(RECOMMENDED_FILE)


def results(data: Graph, shapes_graph: Graph) -> list[tuple[str, str, str, str]]:
    """(severity, focus node, path, message) of every validation result."""
    _, report, _ = validate(data, shacl_graph=shapes_graph, inference="none", allow_warnings=True)
    assert isinstance(report, Graph)
    def text(result: object, predicate: URIRef) -> str:
        return str(report.value(result, predicate)).rsplit("#", 1)[-1]  # type: ignore[arg-type]

    return sorted((text(r, SH.resultSeverity), text(r, SH.focusNode), text(r, SH.resultPath),
                   text(r, SH.resultMessage)) for r in report.subjects(RDF.type, SH.ValidationResult))


def make(sizes: bool = True) -> Graph:
    facts = fixture_facts(sizes)
    return catalogue(facts, describe(fixture_dataset(), facts))


def distribution(name: str) -> URIRef:
    return URIRef(f"{DATASET}/distribution/{VERSION}/{name}")


@pytest.mark.parametrize("sizes", [True, False], ids=["files-written", "files-planned"])
def test_catalogue_has_no_violations_of_dcat_ap_nl(violation_shapes: Graph, sizes: bool) -> None:
    assert results(make(sizes), violation_shapes) == []


def test_catalogue_merged_with_its_void_has_no_violations(violation_shapes: Graph) -> None:
    # The release's metadata graph holds both; VoID statements about the dataset must not break DCAT.
    facts = fixture_facts()
    void = describe(fixture_dataset(), facts)
    assert results(void + catalogue(facts, void), violation_shapes) == []


def test_catalogue_meets_every_recommendation(recommended_shapes: Graph) -> None:
    assert results(make(), recommended_shapes) == []


def test_catalogue_lists_the_dataset_and_both_services() -> None:
    cat = make()
    catalog = URIRef(f"{BASE}catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in cat
    assert set(cat.objects(catalog, DCAT.dataset)) == {DATASET}
    assert set(cat.objects(catalog, DCAT.service)) == {URIRef(f"{DATASET}/service/sparql"),
                                                       URIRef(f"{DATASET}/service/downloads")}


def test_catalogue_has_one_distribution_per_dump_file_with_size_and_checksum() -> None:
    cat = make()
    assert set(cat.objects(DATASET, DCAT.distribution)) == {distribution(n) for n in ("ser.ttl", "ser.ttl.gz",
                                                                                        "ser.nq")}
    ttl = distribution("ser.ttl")
    url = URIRef(f"{BASE}downloads/{VERSION}/ser.ttl")
    assert cat.value(ttl, DCAT.downloadURL) == url and cat.value(ttl, DCAT.accessURL) == url
    assert cat.value(ttl, DCAT.byteSize) == Literal(1234, datatype=XSD.nonNegativeInteger)
    checksum = cat.value(ttl, SPDX.checksum)
    assert cat.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert cat.value(checksum, SPDX.checksumValue) == Literal(SHA, datatype=XSD.hexBinary)
    assert cat.value(ttl, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/turtle")
    assert cat.value(ttl, DCTERMS.format) == URIRef(f"{EU}file-type/RDF_TURTLE")
    assert cat.value(ttl, DCAT.compressFormat) is None
    assert cat.value(distribution("ser.nq"), DCTERMS.format) == URIRef(f"{EU}file-type/RDF_N_QUADS")


def test_catalogue_describes_a_gzip_file_by_its_content_and_its_compression() -> None:
    cat = make()
    gz = distribution("ser.ttl.gz")
    assert cat.value(gz, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/turtle")
    assert cat.value(gz, DCAT.compressFormat) == URIRef(
        "https://www.iana.org/assignments/media-types/application/gzip")
    assert cat.value(gz, DCAT.downloadURL) == URIRef(f"{BASE}downloads/{VERSION}/ser.ttl.gz")


def test_catalogue_of_planned_files_has_no_sizes_or_checksums() -> None:
    cat = make(sizes=False)
    assert list(cat.objects(None, DCAT.byteSize)) == []
    assert list(cat.objects(None, SPDX.checksum)) == []
    assert len(set(cat.objects(DATASET, DCAT.distribution))) == 3


def test_catalogue_sparql_service_serves_the_dataset_at_the_endpoint() -> None:
    cat = make()
    service = URIRef(f"{DATASET}/service/sparql")
    assert (service, RDF.type, DCAT.DataService) in cat
    assert cat.value(service, DCAT.endpointURL) == URIRef(f"{BASE}sparql")
    assert cat.value(service, DCAT.servesDataset) == DATASET
    protocol = URIRef("https://www.w3.org/TR/sparql11-protocol/")
    assert cat.value(service, DCTERMS.conformsTo) == protocol
    assert (protocol, RDF.type, DCTERMS.Standard) in cat


def test_catalogue_publisher_and_contact_are_the_ser() -> None:
    cat = make()
    assert cat.value(DATASET, DCTERMS.publisher) == SER
    assert {n.language for n in cat.objects(SER, FOAF.name)} == {"nl", "en"}
    assert cat.value(SER, DCTERMS.type) == URIRef("http://purl.org/adms/publishertype/NationalAuthority")
    contact = cat.value(DATASET, DCAT.contactPoint)
    assert cat.value(contact, VCARD.hasEmail) == URIRef("mailto:communicatie@ser.nl")
    assert cat.value(contact, VCARD.hasURL) == URIRef("https://www.ser.nl")


@pytest.mark.parametrize(("predicate", "values", "range_class"), [
    (DCAT.theme, {"data-theme/ECON", "data-theme/SOCI", "data-theme/GOVE"}, None),
    (DCTERMS.language, {"language/NLD", "language/ENG"}, DCTERMS.LinguisticSystem),
    (DCTERMS.accessRights, {"access-right/PUBLIC"}, DCTERMS.RightsStatement),
    (DCTERMS.accrualPeriodicity, {"frequency/IRREG"}, DCTERMS.Frequency),
    (DCTERMS.spatial, {"country/NLD"}, DCTERMS.Location),
    (ADMS.status, {"dataset-status/COMPLETED"}, None),
])
def test_dataset_code_list_values_are_typed_concepts_in_their_scheme(
        predicate: URIRef, values: set[str], range_class: URIRef | None) -> None:
    cat = make()
    found = set(cat.objects(DATASET, predicate))
    assert found == {URIRef(EU + v) for v in values}
    for value in found:
        assert (value, RDF.type, SKOS.Concept) in cat
        assert range_class is None or (value, RDF.type, range_class) in cat
        assert cat.value(value, SKOS.prefLabel) is not None
        assert cat.value(value, SKOS.inScheme) == URIRef(value.rsplit("/", 1)[0])


def test_catalogue_takes_the_dataset_title_from_the_void_description() -> None:
    facts = fixture_facts()
    void = Graph()
    void.add((DATASET, DCTERMS.title, Literal("Testtitel", lang="nl")))
    void.add((DATASET, DCTERMS.description, Literal("Testomschrijving", lang="nl")))
    cat = catalogue(facts, void)
    assert set(cat.objects(DATASET, DCTERMS.title)) == {Literal("Testtitel", lang="nl")}


def test_catalogue_licence_is_cc0_everywhere_it_is_required() -> None:
    cat = make()
    cc0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
    for resource in (distribution("ser.ttl"), URIRef(f"{DATASET}/service/sparql"), URIRef(f"{BASE}catalog")):
        assert cat.value(resource, DCTERMS.license) == cc0
    assert (cc0, RDF.type, DCTERMS.LicenseDocument) in cat
    assert cat.value(cc0, SKOS.exactMatch) == URIRef(f"{EU}licence/CC0")


def test_catalogue_refuses_a_file_whose_format_has_no_eu_file_type() -> None:
    facts = fixture_facts()
    facts.files.append(FileInfo("ser.csv", "text/csv", 10, SHA, "text/csv"))
    with pytest.raises(ReleaseError, match=r"ser\.csv.*FILE_TYPES"):
        catalogue(facts, Graph())


def test_catalogue_is_the_same_graph_for_the_same_input() -> None:
    first, second = make(), make()
    assert isomorphic(first, second)
    assert set(first) == set(second)

