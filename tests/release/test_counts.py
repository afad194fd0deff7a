"""The numbers of the release built from the real sources agree with what its dumps and its endpoint
hold: every dump file is parsed and counted again (tests/pipeline/recount.py), and compared with the
VoID description in ``void.ttl``, the VoID inside the dumps and the Service Description."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import VOID, XSD

from server.rdf.namespaces import DEFAULT_BASE, GRAPHS, SD, graph_iri
from server.settings import Settings
from server.store.oxigraph.embedded import EmbeddedStore
from server.web.sparql.service_description import ServiceDescription
from tests.pipeline.recount import counted, stated

BASE = DEFAULT_BASE
DATASET = f"{BASE}id/dataset/ser"
FORMATS = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD,
           "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
QUAD_FORMATS = {"trig", "nq", "jsonld"}
DUMPS = sorted(f"ser.{suffix}{gz}" for suffix in FORMATS for gz in ("", ".gz"))


def parsed(release: Path, name: str) -> list[ox.Quad]:
    data = (release / name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    return list(ox.parse(data, format=FORMATS[name.removesuffix(".gz").rsplit(".", 1)[1]]))


def void_file(release: Path) -> Graph:
    return Graph().parse(release / "void.ttl", format="turtle")


def test_the_void_lists_every_dump_file_of_the_release(released: Path) -> None:
    dumps = {str(d).rsplit("/", 1)[1] for d in void_file(released).objects(URIRef(DATASET), VOID.dataDump)}
    assert dumps == set(DUMPS) == {p.name for p in released.glob("ser.*")}


@pytest.mark.parametrize("name", DUMPS)
def test_the_void_states_what_each_dump_holds(released: Path, name: str) -> None:
    numbers = counted(parsed(released, name), BASE)
    expected = stated(void_file(released), DATASET, BASE)
    if name.removesuffix(".gz").rsplit(".", 1)[1] not in QUAD_FORMATS:  # merged into one graph
        expected = {key: n for key, n in expected.items() if not key.startswith("graph ")}
    assert numbers == expected
    assert expected["triples"] > 5_000  # the real data, metadata graph included


def test_the_void_inside_the_dumps_states_the_numbers_of_void_ttl(released: Path) -> None:
    metadata = ox.NamedNode(graph_iri("metadata", BASE))
    inside = [ox.Triple(q.subject, q.predicate, q.object) for q in parsed(released, "ser.nq")
              if q.graph_name == metadata]
    graph = Graph().parse(data=ox.serialize(inside, format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert stated(graph, DATASET, BASE) == stated(void_file(released), DATASET, BASE)


def test_the_manifest_and_the_service_description_give_the_same_counts(
        released: Path, real_store: EmbeddedStore, settings: Settings) -> None:
    quads = counted(parsed(released, "ser.nq"), BASE)
    union = counted(parsed(released, "ser.nt"), BASE)["triples"]
    manifest = json.loads((released / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["default_graph_triples"] == union
    assert {f"graph {g}": n for g, n in manifest["graphs"].items()} == {
        key: n for key, n in quads.items() if key.startswith("graph ")}

    endpoint = URIRef(f"{BASE}sparql")
    sd = ServiceDescription(settings, real_store).graph(str(endpoint))
    dataset = sd.value(endpoint, SD.defaultDataset)
    assert dataset == URIRef(DATASET)
    assert sd.value(sd.value(dataset, SD.defaultGraph), VOID.triples) == Literal(union, datatype=XSD.integer)
    for named in sd.objects(dataset, SD.namedGraph):
        name = str(sd.value(named, SD.name))
        assert sd.value(sd.value(named, SD.graph), VOID.triples) == Literal(quads[f"graph {name}"],
                                                                            datatype=XSD.integer)
    assert {str(sd.value(n, SD.name)) for n in sd.objects(dataset, SD.namedGraph)} == {
        graph_iri(name, BASE) for name in GRAPHS}


def test_the_endpoints_default_graph_holds_what_the_void_says(released: Path, real_store: EmbeddedStore) -> None:
    expected = stated(void_file(released), DATASET, BASE)
    rows = real_store.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    assert int(rows[0]["n"]) == expected["triples"]
    for name in GRAPHS:
        iri = graph_iri(name, BASE)
        rows = real_store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
        assert int(rows[0]["n"]) == expected[f"graph {iri}"], name


def test_the_void_names_the_projects_own_vocabulary(released: Path) -> None:
    vocabularies = set(void_file(released).objects(URIRef(DATASET), VOID.vocabulary))
    assert URIRef(f"{BASE}def/") in vocabularies
