"""A synthetic, SER-shaped graph of a chosen size, written straight to N-Quads (no build step).

For the SPARQL benchmark (bench/sparql/run.py): advisory reports with titles, dates, topics, requests
and the committees that prepared them; requests for advice from ministries; organisations; people and
their memberships; IMVO covenants with their parties; a SKOS topic scheme with broader topics in the
ontology graph, and a VoID description in the metadata graph. The predicates and classes are those of
``server/pipeline/records.py``; the numbers and names are made up. A fixed seed makes every run write the
same file.

    python bench/synthetic_graph.py --triples 1000000 --out /tmp/synthetic-1m
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

BASE = "https://data.ser.nl/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
VOID = "http://rdfs.org/ns/void#"
SER = BASE + "def/"
GRAPH = {name: f"<{BASE}graph/{name}>" for name in ("ontology", "data", "metadata")}
WORDS = ("arbeidsmarkt", "pensioen", "energie", "zorg", "onderwijs", "werk", "armoede", "klimaat", "wonen",
         "scholing", "digitalisering", "economie", "jongeren", "zelfstandigen", "gelijke", "kansen",
         "duurzaam", "herstel", "circulaire", "diversiteit", "toekomst", "loopbaan", "migratie", "regio")
# Triples written per unit (measured on this generator): one unit is 1 report, 0.25 requests,
# 0.5 people, 0.6 memberships, 0.05 organisations and 0.025 covenants.
TRIPLES_PER_UNIT = 19.1


def iri(kind: str, key: str | int) -> str:
    return f"<{BASE}id/{kind}/{key}>"


def lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def quads(units: int, seed: int = 20261125) -> Iterator[str]:
    rnd = random.Random(seed)
    a = f"<{RDF}type>"
    ontology, data, metadata = GRAPH["ontology"], GRAPH["data"], GRAPH["metadata"]
    topics = [iri("thema", f"t{i}") for i in range(200)]
    for i, topic in enumerate(topics):
        yield f"{topic} {a} <{SKOS}Concept> {ontology} ."
        yield f"{topic} <{SKOS}prefLabel> {lit(f'thema {WORDS[i % len(WORDS)]} {i}', 'nl')} {ontology} ."
        if i >= 20:
            yield f"{topic} <{SKOS}broader> {topics[i % 20]} {ontology} ."
    n_orgs, n_people = max(units // 20, 20), max(units // 2, 10)
    n_requests, n_committees = max(units // 4, 10), 30
    for o in range(n_orgs):
        org = iri("organisatie", f"o{o}")
        yield f"{org} {a} <{ORG}FormalOrganization> {data} ."
        yield f"{org} <{SKOS}prefLabel> {lit(f'Organisatie {o}', 'nl')} {data} ."
        yield f"{org} <{SKOS}prefLabel> {lit(f'Organisation {o}', 'en')} {data} ."
        yield f"{org} <{SCHEMA}foundingDate> {typed(1900 + o % 120, 'gYear')} {data} ."
        yield f"{org} <{DCT}source> <https://example.org/bron/o{o}> {data} ."
    for c in range(n_committees):
        committee = iri("orgaan", f"c{c}")
        yield f"{committee} {a} <{ORG}OrganizationalUnit> {data} ."
        yield f"{committee} <{SKOS}prefLabel> {lit(f'Commissie {c}', 'nl')} {data} ."
        yield f"{committee} <{ORG}unitOf> {iri('organisatie', 'o0')} {data} ."
    for p in range(n_people):
        person = iri("persoon", f"p{p}")
        yield f"{person} {a} <{FOAF}Person> {data} ."
        yield f"{person} <{FOAF}name> {lit(f'Persoon {p}')} {data} ."
        yield f"{person} <{SCHEMA}birthDate> {typed(1930 + p % 70, 'gYear')} {data} ."
        yield f"{person} <{DCT}source> <https://example.org/bron/p{p}> {data} ."
    for m in range(units * 6 // 10):
        membership = iri("lidmaatschap", f"m{m}")
        start = date(1950, 1, 1) + timedelta(days=rnd.randrange(27000))
        yield f"{membership} {a} <{ORG}Membership> {data} ."
        yield f"{membership} <{ORG}member> {iri('persoon', f'p{rnd.randrange(n_people)}')} {data} ."
        yield f"{membership} <{ORG}organization> {iri('orgaan', f'c{rnd.randrange(n_committees)}')} {data} ."
        yield f"{membership} <{ORG}role> {iri('rol', rnd.choice(('lid', 'voorzitter', 'plaatsvervanger')))} {data} ."
        yield f"{membership} <{SCHEMA}startDate> {typed(start.isoformat(), 'date')} {data} ."
        yield f"{membership} <{SCHEMA}endDate> {typed((start + timedelta(days=1460)).isoformat(), 'date')} {data} ."
    for r in range(n_requests):
        request = iri("adviesaanvraag", f"r{r}")
        yield f"{request} {a} <{SER}Adviesaanvraag> {data} ."
        yield f"{request} <http://www.w3.org/2000/01/rdf-schema#label> {lit(f'Adviesaanvraag {r}', 'nl')} {data} ."
        yield f"{request} <{SER}aanvrager> {iri('organisatie', f'o{rnd.randrange(min(n_orgs, 12))}')} {data} ."
        yield f"{request} <{DCT}source> <https://example.org/bron/r{r}> {data} ."
    for n in range(units):
        report = iri("advies", f"a{n}")
        issued = date(1950, 1, 1) + timedelta(days=rnd.randrange(27000))
        words = " ".join(rnd.sample(WORDS, 3))
        yield f"{report} {a} <{SER}Advies> {data} ."
        yield f"{report} <{DCT}title> {lit(f'Advies over {words} ({n})', 'nl')} {data} ."
        yield f"{report} <{DCT}title> {lit(f'Advisory report {n}', 'en')} {data} ."
        yield f"{report} <{SER}documentsoort> {iri('documentsoort', 'advies')} {data} ."
        yield f"{report} <{DCT}issued> {typed(issued.isoformat(), 'date')} {data} ."
        yield f"{report} <{DCT}identifier> {lit(f'{issued.year}/{n % 100:02d}')} {data} ."
        for topic in rnd.sample(topics[20:], rnd.randint(1, 3)):
            yield f"{report} <{DCT}subject> {topic} {data} ."
        yield f"{report} <{SER}naAanvraag> {iri('adviesaanvraag', f'r{rnd.randrange(n_requests)}')} {data} ."
        yield f"{report} <{SER}voorbereidDoor> {iri('orgaan', f'c{rnd.randrange(n_committees)}')} {data} ."
        yield f"{report} <{DCT}description> {lit(f'Samenvatting van advies {n} over {words}.', 'nl')} {data} ."
        yield f"{report} <{DCT}source> <https://example.org/bron/a{n}> {data} ."
    for v in range(max(units // 40, 5)):
        covenant = iri("convenant", f"v{v}")
        yield f"{covenant} {a} <{SER}IMVOConvenant> {data} ."
        yield f"{covenant} <{DCT}title> {lit(f'IMVO-convenant {v}', 'nl')} {data} ."
        signed = date(2014, 1, 1) + timedelta(days=rnd.randrange(3000))
        yield f"{covenant} <{SER}ondertekendOp> {typed(signed.isoformat(), 'date')} {data} ."
        for party in rnd.sample(range(n_orgs), min(10, n_orgs)):
            yield f"{covenant} <{SER}partij> {iri('organisatie', f'o{party}')} {data} ."
    dataset = iri("dataset", "ser")
    yield f"{dataset} {a} <{VOID}Dataset> {metadata} ."
    yield f"{dataset} <{VOID}sparqlEndpoint> <{BASE}sparql> {metadata} ."


def write(out: Path, triples: int) -> Path:
    """Write ``out``/ser.nq and a manifest.json, so that ``out`` can be served as a release."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    with (out / "ser.nq").open("w", encoding="utf-8") as f:
        for line in quads(max(int(triples / TRIPLES_PER_UNIT), 10)):
            f.write(line + "\n")
            count += 1
    manifest = {"version": f"synthetic-{count}", "created": "2026-01-01T00:00:00+00:00",
                "base_iri": BASE, "triples": count, "files": []}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    path = write(args.out, args.triples)
    print(json.loads((path / "manifest.json").read_text())["triples"], "quads in", path / "ser.nq")


if __name__ == "__main__":
    main()
