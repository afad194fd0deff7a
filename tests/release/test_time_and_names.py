"""The release built from the real sources answers a generic client's first questions: the
materialised hierarchies (``?x a org:Organization``), a name in Dutch and English for every thing, and
a period for everything that holds for one (data/README.md, "Time", "Names", "Inference")."""

from __future__ import annotations

from server.rdf.namespaces import graph_iri, sparql_prologue
from server.store.oxigraph.embedded import EmbeddedStore


def select(store: EmbeddedStore, query: str) -> list[dict[str, str]]:
    rows = store.select(sparql_prologue(store.release.base_iri) + query)
    return [{name: str(value) for name, value in row.items()} for row in rows]


def things(store: EmbeddedStore, where: str) -> set[str]:
    return {row["x"] for row in select(store, f"SELECT DISTINCT ?x WHERE {{ {where} }}")}


def test_a_plain_query_for_organisations_finds_every_organisation_and_body(real_store: EmbeddedStore) -> None:
    found = things(real_store, "?x a org:Organization")
    expected = things(real_store, "{ ?x a org:FormalOrganization } UNION { ?x a org:OrganizationalUnit }")
    base = real_store.release.base_iri
    assert {f"{base}id/organisatie/ser", f"{base}id/organisatie/stichting-van-de-arbeid"} <= found
    assert len(expected) > 50
    assert found == expected


def test_the_reused_superclasses_hold_for_their_instances(real_store: EmbeddedStore) -> None:
    pairs = [("ser:Adviesaanvraag", "prov:Activity"), ("ser:Advies", "schema:Report"),
             ("ser:Advies", "foaf:Document"), ("foaf:Person", "foaf:Agent"), ("org:Organization", "foaf:Agent")]
    for narrower, broader in pairs:
        instances = things(real_store, f"?x a {narrower}")
        assert instances, narrower
        assert instances <= things(real_store, f"?x a {broader}"), f"{narrower} -> {broader}"


def test_superproperties_hold_too(real_store: EmbeddedStore) -> None:
    # ser:historischeNaam is a skos:hiddenLabel, so search and reconciliation find former names.
    missing = select(real_store, """SELECT ?x WHERE {
        ?x ser:historischeNaam ?name FILTER NOT EXISTS { ?x skos:hiddenLabel ?name } }""")
    assert missing == []
    assert things(real_store, "?x ser:historischeNaam ?name")


def test_every_thing_of_the_data_and_the_ontology_has_a_name_in_dutch_and_english(
        real_store: EmbeddedStore) -> None:
    base = real_store.release.base_iri
    for graph, names in ((graph_iri("data", base), "rdfs:label"),
                         (graph_iri("ontology", base), "rdfs:label|skos:prefLabel")):
        for lang in ("nl", "en"):
            nameless = select(real_store, f"""SELECT DISTINCT ?x WHERE {{
                GRAPH <{graph}> {{ ?x ?p ?o }} FILTER(isIRI(?x))
                FILTER NOT EXISTS {{ ?x {names} ?name FILTER(LANG(?name) = "{lang}") }} }}""")
            assert nameless == [], f"{graph}: no {lang} name for {nameless[:5]}"


def test_everything_that_holds_for_a_period_has_exactly_one(real_store: EmbeddedStore) -> None:
    for cls, link in (("org:Membership", "org:memberDuring"), ("ser:Zetelverdeling", "dct:temporal"),
                      ("ser:IMVOConvenant", "dct:temporal"), ("ser:Akkoord", "dct:temporal"),
                      ("ser:Financiering", "dct:temporal"), ("org:OrganizationalUnit", "dct:temporal")):
        wrong = select(real_store, f"""SELECT ?x (COUNT(?p) AS ?n) WHERE {{
            ?x a {cls} OPTIONAL {{ ?x {link} ?p . ?p a time:Interval }} }} GROUP BY ?x HAVING (COUNT(?p) != 1)""")
        assert wrong == [], f"{cls}: {wrong[:5]}"


def test_there_is_one_current_chair_and_every_seat_allocation_but_one_has_ended(real_store: EmbeddedStore) -> None:
    chairs = select(real_store, """SELECT ?name WHERE {
        ?t ser:functie serid:functie\\/voorzitter ; org:member/foaf:name ?name ; org:memberDuring ?p .
        FILTER NOT EXISTS { ?p time:hasEnd ?e } }""")
    assert chairs == [{"name": "Kim Putters"}]
    running = select(real_store, """SELECT ?a WHERE {
        ?a a ser:Zetelverdeling ; dct:temporal ?p . ?p time:hasBeginning ?b .
        FILTER NOT EXISTS { ?p time:hasEnd ?e } }""")
    assert running == [{"a": f"{real_store.release.base_iri}id/zetelverdeling/2023"}]


def test_no_name_shows_a_period_of_which_nothing_is_known(real_store: EmbeddedStore) -> None:
    """A term without a known year is named without years, never with "?" on both sides of the dash
    (data/README.md, "Names")."""
    found = select(real_store, """SELECT ?x ?label WHERE { ?x rdfs:label ?label
        FILTER(CONTAINS(STR(?label), "(?\\u2013?)")) } LIMIT 5""")
    assert found == []
