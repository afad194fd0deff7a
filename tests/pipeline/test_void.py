"""The VoID description of a release, built from a small three-graph dataset whose counts are known.

The first tests check what each number means on the ontology and data graphs, counted by hand; the
later ones check that the settled description (which counts the metadata graph, itself included)
states what the dataset holds, counted again from its quads (tests/pipeline/recount.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, ORG, OWL, RDF, RDFS, SKOS, VOID, XSD

from server.errors import ReleaseError
from server.pipeline.assemble import to_nquads
from server.pipeline.releases.facts import FileInfo, ReleaseFacts
from server.pipeline.releases.void import Statistics, settle, statistics, void_description
from server.rdf.namespaces import ELI, SCHEMA, graph_iri
from server.store.oxigraph.memory import MemoryDataset
from tests.pipeline.recount import counted, stated

# Not the production base: a description that hard-codes https://data.ser.nl/ shows up here.
BASE = "https://lod.example.org/"
ID = Namespace(f"{BASE}id/")
DEF = Namespace(f"{BASE}def/")
VERSION = "2026-01-15.1"
DATASET = URIRef(f"{BASE}id/dataset/ser")
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

SER = ID["organisatie/ser"]
ADVIES = (ID["advies/werken-zonder-armoede"], ID["advies/perspectief-op-herstel"])
WETTEN = (ID["wet/wet-op-de-ser"], ID["wet/wor"])


def fixture_dataset() -> Dataset:
    """23 data triples, 5 ontology triples, 2 metadata triples (which the statistics must ignore)."""
    ds = Dataset()
    ontology = ds.graph(URIRef(graph_iri("ontology", BASE)))
    for triple in [
        (DEF.ser, RDF.type, OWL.Ontology), (DEF.ser, RDFS.label, Literal("SER-ontologie", lang="nl")),
        (DEF.Advies, RDF.type, OWL.Class), (DEF.Advies, RDFS.label, Literal("Advies", lang="nl")),
        (DEF.uitEigenBeweging, RDF.type, OWL.DatatypeProperty),
    ]:
        ontology.add(triple)
    data = ds.graph(URIRef(graph_iri("data", BASE)))
    address = BNode("address")
    tk, bzk = ID["organisatie/tweede-kamer"], ID["organisatie/bzk"]
    for triple in [
        (SER, RDF.type, ORG.FormalOrganization), (SER, SKOS.prefLabel, Literal("Sociaal-Economische Raad", lang="nl")),
        (SER, SCHEMA.address, address), (address, RDF.type, SCHEMA.PostalAddress),
        (address, SCHEMA.postalCode, Literal("2594 AW")),
        (tk, RDF.type, ORG.FormalOrganization), (tk, SKOS.prefLabel, Literal("Tweede Kamer", lang="nl")),
        (tk, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q233262")),
        (bzk, RDF.type, ORG.FormalOrganization), (bzk, SKOS.prefLabel, Literal("Ministerie van BZK", lang="nl")),
        (bzk, OWL.sameAs, URIRef("https://identifier.overheid.nl/tooi/id/ministerie/mnre1034")),
        # sameAs outside every known target: in the owl:sameAs partition, in no linkset
        (bzk, OWL.sameAs, URIRef("http://dbpedia.org/resource/Ministry_of_the_Interior")),
        (ADVIES[0], RDF.type, DEF.Advies), (ADVIES[0], DCTERMS.title, Literal("Werken zonder armoede", lang="nl")),
        (ADVIES[0], DEF.uitEigenBeweging, Literal(False)),
        (ADVIES[0], RDFS.seeAlso, URIRef("https://www.ser.nl/nl/Publicaties/werken-zonder-armoede")),
        (ADVIES[1], RDF.type, DEF.Advies), (ADVIES[1], DCTERMS.title, Literal("Perspectief op herstel", lang="nl")),
        (WETTEN[0], RDF.type, ELI.LegalResource), (WETTEN[0], ELI.id_local, Literal("BWBR0002058")),
        (WETTEN[0], SKOS.exactMatch, URIRef("https://wetten.overheid.nl/BWBR0002058")),
        (WETTEN[1], RDF.type, ELI.LegalResource),
        (WETTEN[1], SKOS.exactMatch, URIRef("https://wetten.overheid.nl/BWBR0002747")),
    ]:
        data.add(triple)
    metadata = ds.graph(URIRef(graph_iri("metadata", BASE)))
    metadata.add((DATASET, RDF.type, VOID.Dataset))
    metadata.add((DATASET, VOID.triples, Literal(999)))
    return ds


def memory_of(ds: Dataset) -> MemoryDataset:
    return MemoryDataset(to_nquads({str(g.identifier): g for g in ds.graphs() if len(g)}))


def describe(ds: Dataset, facts: ReleaseFacts) -> Graph:
    """A VoID description from the first step alone: the ontology and data graphs counted in Oxigraph."""
    return void_description(statistics(memory_of(ds), BASE), facts)


def settled(ds: Dataset, facts: ReleaseFacts) -> tuple[Graph, MemoryDataset, Statistics]:
    """The VoID of ``ds`` as the release writer makes it: in the metadata graph, counting itself."""
    memory = memory_of(ds)
    stats = settle(memory, BASE, statistics(memory, BASE), lambda numbers: void_description(numbers, facts))
    return void_description(stats, facts), memory, stats


def quads_of(memory: MemoryDataset, folder: Path) -> list[ox.Quad]:
    memory.dump(folder / "dump.nq", "nquads", {})
    return list(ox.parse(path=folder / "dump.nq", format=ox.RdfFormat.N_QUADS))


def fixture_facts(sizes: bool = True) -> ReleaseFacts:
    def info(name: str, media: str, fmt: str) -> FileInfo:
        return FileInfo(name, media, 1234 if sizes else None, SHA if sizes else None, fmt)

    return ReleaseFacts(VERSION, datetime(2026, 1, 15, 9, 30, tzinfo=UTC), BASE, [
        info("ser.ttl", "text/turtle", "text/turtle"),
        info("ser.ttl.gz", "application/gzip", "text/turtle"),
        info("ser.nq", "application/n-quads", "application/n-quads"),
    ])


def number(graph: Graph, subject: URIRef, predicate: URIRef) -> int:
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal) and value.datatype == XSD.integer, (subject, predicate, value)
    return int(value)


def test_the_first_count_is_of_the_ontology_and_data_graphs_without_the_metadata_graph() -> None:
    void = describe(fixture_dataset(), fixture_facts())
    stats = {p: number(void, DATASET, p) for p in (VOID.triples, VOID.entities, VOID.classes, VOID.properties,
                                                    VOID.distinctSubjects, VOID.distinctObjects)}
    assert stats == {VOID.triples: 28, VOID.entities: 7, VOID.classes: 7, VOID.properties: 11,
                     VOID.distinctSubjects: 11, VOID.distinctObjects: 24}


def test_void_gives_every_class_its_number_of_iri_instances() -> None:
    void = describe(fixture_dataset(), fixture_facts())
    partitions = {void.value(part, VOID["class"]): number(void, part, VOID.entities)
                  for part in void.objects(DATASET, VOID.classPartition)}
    assert partitions == {ORG.FormalOrganization: 3, SCHEMA.PostalAddress: 0, DEF.Advies: 2,
                          ELI.LegalResource: 2, OWL.Ontology: 1, OWL.Class: 1, OWL.DatatypeProperty: 1}


def test_void_gives_every_property_its_number_of_triples() -> None:
    void = describe(fixture_dataset(), fixture_facts())
    partitions = {void.value(part, VOID.property): number(void, part, VOID.triples)
                  for part in void.objects(DATASET, VOID.propertyPartition)}
    assert partitions == {RDF.type: 11, SKOS.prefLabel: 3, SCHEMA.address: 1, SCHEMA.postalCode: 1,
                          OWL.sameAs: 3, DCTERMS.title: 2, DEF.uitEigenBeweging: 1, ELI.id_local: 1,
                          RDFS.seeAlso: 1, SKOS.exactMatch: 2, RDFS.label: 2}


def test_void_partitions_have_iris_under_the_dataset_not_blank_nodes() -> None:
    void = describe(fixture_dataset(), fixture_facts())
    parts = [*void.objects(DATASET, VOID.classPartition), *void.objects(DATASET, VOID.propertyPartition)]
    assert len(parts) == 18
    assert all(isinstance(p, URIRef) and p.startswith(f"{DATASET}/") for p in parts)
    assert not any(isinstance(node, BNode) for triple in void for node in triple)


def test_void_names_one_subset_per_graph_with_its_own_size() -> None:
    void, _memory, _stats = settled(fixture_dataset(), fixture_facts())
    graphs = {URIRef(graph_iri(name, BASE)) for name in ("ontology", "data", "metadata")}
    assert graphs <= set(void.objects(DATASET, VOID.subset))
    assert number(void, URIRef(graph_iri("ontology", BASE)), VOID.triples) == 5
    assert number(void, URIRef(graph_iri("data", BASE)), VOID.triples) == 23
    # the metadata graph holds this description, which counts it too; the fixture's two triples are gone
    assert number(void, URIRef(graph_iri("metadata", BASE)), VOID.triples) == len(void)
    assert number(void, DATASET, VOID.triples) == 5 + 23 + len(void)


def test_void_linksets_count_only_links_into_each_targets_uri_space() -> None:
    void = describe(fixture_dataset(), fixture_facts())
    linksets = {}
    for linkset in void.subjects(RDF.type, VOID.Linkset):
        target = void.value(linkset, VOID.objectsTarget)
        assert void.value(linkset, VOID.subjectsTarget) == DATASET
        assert set(void.objects(linkset, VOID.target)) == {DATASET, target}
        assert (DATASET, VOID.subset, linkset) in void
        linksets[str(void.value(target, VOID.uriSpace))] = (void.value(linkset, VOID.linkPredicate),
                                                          number(void, linkset, VOID.triples))
    assert linksets == {
        "http://www.wikidata.org/entity/": (OWL.sameAs, 1),
        "https://identifier.overheid.nl/tooi/": (OWL.sameAs, 1),
        "https://wetten.overheid.nl/": (SKOS.exactMatch, 2),
    }


def test_void_leaves_out_a_linkset_without_links() -> None:
    ds = fixture_dataset()
    data = ds.graph(URIRef(graph_iri("data", BASE)))
    data.remove((None, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q233262")))
    void = describe(ds, fixture_facts())
    spaces = {str(void.value(void.value(ls, VOID.objectsTarget), VOID.uriSpace))
              for ls in void.subjects(RDF.type, VOID.Linkset)}
    assert spaces == {"https://identifier.overheid.nl/tooi/", "https://wetten.overheid.nl/"}


def test_void_links_every_dump_file_in_the_versions_download_folder() -> None:
    void = describe(fixture_dataset(), fixture_facts())
    assert set(void.objects(DATASET, VOID.dataDump)) == {
        URIRef(f"{BASE}downloads/{VERSION}/{name}") for name in ("ser.ttl", "ser.ttl.gz", "ser.nq")}
    assert set(void.objects(DATASET, VOID.feature)) == {
        URIRef("http://www.w3.org/ns/formats/Turtle"), URIRef("http://www.w3.org/ns/formats/N-Quads")}


def test_void_puts_uri_space_endpoint_homepage_and_publisher_under_the_base() -> None:
    void = describe(fixture_dataset(), fixture_facts())
    assert void.value(DATASET, VOID.uriSpace) == Literal(f"{BASE}id/")
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(f"{BASE}sparql")
    assert void.value(DATASET, DCTERMS.publisher) == SER
    assert (DATASET, URIRef("http://xmlns.com/foaf/0.1/homepage"), URIRef(BASE)) in void
    assert void.value(DATASET, DCTERMS.license) == URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
    assert {t.language for t in void.objects(DATASET, DCTERMS.title)} == {"nl", "en"}
    assert void.value(DATASET, DCTERMS.modified) == Literal("2026-01-15T09:30:00+00:00", datatype=XSD.dateTime)


def test_void_examples_are_the_ser_the_first_advies_and_the_first_law() -> None:
    void = describe(fixture_dataset(), fixture_facts())
    assert set(void.objects(DATASET, VOID.exampleResource)) == {SER, ADVIES[1], WETTEN[0]}


def test_void_lists_the_reused_vocabularies_and_our_own() -> None:
    void = describe(fixture_dataset(), fixture_facts())
    assert {str(v) for v in void.objects(DATASET, VOID.vocabulary)} == {
        str(RDF), str(RDFS), str(OWL), str(SKOS), str(DCTERMS), str(ORG), str(SCHEMA), str(ELI), str(DEF)}


def test_the_settled_void_lists_the_vocabularies_of_the_metadata_graph_too() -> None:
    void, _memory, _stats = settled(fixture_dataset(), fixture_facts())
    vocabularies = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    assert {str(VOID), "http://xmlns.com/foaf/0.1/", str(DEF), str(ELI)} <= vocabularies
    assert not any(v.startswith(f"{BASE}id/") for v in vocabularies)  # things, not a vocabulary


def test_void_is_the_same_graph_for_the_same_input_and_leaves_the_input_alone() -> None:
    ds = fixture_dataset()
    before = set(ds.quads((None, None, None, None)))
    first = describe(ds, fixture_facts())
    second = describe(fixture_dataset(), fixture_facts())
    assert isomorphic(first, second)
    assert set(first) == set(second)
    assert set(ds.quads((None, None, None, None))) == before


def test_the_settled_void_states_what_the_dataset_holds_itself_included(tmp_path: Path) -> None:
    void, memory, _stats = settled(fixture_dataset(), fixture_facts(sizes=False))
    assert counted(quads_of(memory, tmp_path), BASE) == stated(void, str(DATASET), BASE)
    # what the release writer puts into the metadata graph is this very description
    assert number(void, URIRef(graph_iri("metadata", BASE)), VOID.triples) == len(void)


def test_void_ttl_states_the_numbers_of_the_metadata_graph_in_the_dumps() -> None:
    # The dumps hold the files without sizes; void.ttl, written after them, adds sizes and checksums.
    inside, _memory, stats = settled(fixture_dataset(), fixture_facts(sizes=False))
    outside = void_description(stats, fixture_facts())
    assert stated(outside, str(DATASET), BASE) == stated(inside, str(DATASET), BASE)


def test_a_triple_in_two_graphs_counts_once_in_the_dataset_and_once_in_each_graph(tmp_path: Path) -> None:
    ds = fixture_dataset()
    ds.graph(URIRef(graph_iri("data", BASE))).add((DATASET, RDF.type, VOID.Dataset))  # also in the metadata
    void, memory, _stats = settled(ds, fixture_facts())
    numbers = stated(void, str(DATASET), BASE)
    assert counted(quads_of(memory, tmp_path), BASE) == numbers
    assert numbers["triples"] == sum(n for key, n in numbers.items() if key.startswith("graph ")) - 1


def test_distinct_objects_is_left_out_only_when_no_number_can_be_right(tmp_path: Path) -> None:
    # An integer in the data near the number of distinct objects: when n is taken by another object
    # and n+1 is not, the count's own literal makes every value wrong. Every other case has its number.
    _void, _memory, first = settled(fixture_dataset(), fixture_facts())
    assert first.objects is not None
    left_out = 0
    for value in range(first.objects - 4, first.objects + 8):
        ds = fixture_dataset()
        ds.graph(URIRef(graph_iri("data", BASE))).add((SER, DEF.kerncijfer, Literal(value, datatype=XSD.integer)))
        void, memory, stats = settled(ds, fixture_facts())
        numbers = counted(quads_of(memory, tmp_path), BASE)
        if stats.objects is None:
            left_out += 1
            assert (DATASET, VOID.distinctObjects, None) not in void
            del numbers["distinctObjects"]
        assert numbers == stated(void, str(DATASET), BASE), value
    assert left_out >= 1


def test_a_description_that_never_agrees_with_its_counts_is_refused() -> None:
    memory = memory_of(fixture_dataset())
    rounds = iter(range(1000))

    def growing(stats: Statistics) -> Graph:  # one more triple every time: no count is ever right
        out = void_description(stats, fixture_facts())
        for n in range(next(rounds)):
            out.add((ID[f"round/{n}"], RDF.type, VOID.Dataset))
        return out

    with pytest.raises(ReleaseError, match="did not settle"):
        settle(memory, BASE, statistics(memory, BASE), growing)
