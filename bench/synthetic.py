"""The one synthetic, SER-shaped data set of the benchmarks, of a chosen size.

It is written as source records, and the benchmarks that serve a graph get what the build makes of
those records, so that every benchmark measures data of one shape and that shape follows the model:

* ``records(out, triples)``: a project folder (the real ontology/, shapes/ and queries/ beside a
  generated data/) for ``ser-kg build`` (bench/build_release.py). The records have the shape of the
  real ones: organisations, committees, people, memberships with terms, requests for advice,
  advisory reports with topics and sources, covenants and laws.
* ``graph(out, triples)``: a release folder (``ser.nq`` and ``manifest.json``) for the serving
  benchmarks (bench/sparql, bench/remote, bench/linkeddata): the records of ``records`` turned into
  RDF by the build's own first stage (``server.pipeline.assemble``: ontology, vocabularies and data
  with their intervals, labels and inferred types), without the SHACL and the release files, which
  serving does not read. Callers cache the folders by size under bench/.cache.

The numbers and names are made up; a fixed seed makes every run write the same records. Report
titles draw on ``WORDS``, which the text queries of bench/sparql look for.

    python bench/synthetic.py records --triples 100000 --out /tmp/ser-100k
    python bench/synthetic.py graph --triples 1000000 --out /tmp/synthetic-1m
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import tempfile
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF, SKOS

from server.pipeline.assemble import assemble
from server.rdf.namespaces import DEFAULT_BASE
from server.settings import PROJECT_ROOT

TRIPLES_PER_UNIT = 100  # measured: one "unit" below yields about this many triples (its sources described too)
WORDS = ("arbeidsmarkt", "pensioen", "energie", "zorg", "onderwijs", "werk", "armoede", "klimaat", "wonen",
         "scholing", "digitalisering", "economie", "jongeren", "zelfstandigen", "gelijke", "kansen",
         "duurzaam", "herstel", "circulaire", "diversiteit", "toekomst", "loopbaan", "migratie", "regio")


def concept_keys(root: Path) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for path in sorted((root / "ontology" / "vocab").glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        for concept in graph.subjects(RDF.type, SKOS.Concept):
            scheme, _, key = str(concept).split("/id/", 1)[1].partition("/")
            keys.setdefault(scheme, []).append(key)
    return {k: sorted(v) for k, v in keys.items()}


def _date(rng: random.Random, lo: int = 1950, hi: int = 2025) -> str:
    return f"{rng.randint(lo, hi)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _pick(rng: random.Random, keys: dict[str, list[str]], scheme: str) -> str:
    return rng.choice(keys[scheme])


def records(out: Path, triples: int, seed: int = 7) -> Path:
    """(Re)create ``out`` as a project folder whose data/ gives about ``triples`` triples."""
    rng = random.Random(seed)
    keys = concept_keys(PROJECT_ROOT)
    units = max(1, triples // TRIPLES_PER_UNIT)
    if out.exists():
        shutil.rmtree(out)
    for folder in ("ontology", "shapes", "queries"):
        shutil.copytree(PROJECT_ROOT / folder, out / folder)
    data = out / "data"
    data.mkdir()
    files: dict[str, list[str]] = {}

    def add(file: str, text: str) -> None:
        files.setdefault(file, []).append(text)

    n_orgs, n_bodies = max(5, units // 20), max(3, units // 40)
    for i in range(n_orgs):
        add("organisaties.yaml", (
            f"- key: {'ser' if i == 0 else f'org-{i}'}\n  naam:\n    nl: Organisatie {i}\n    en: Organisation {i}\n"
            f"  andereNamen: {{nl: [O{i}]}}\n  soort: [{_pick(rng, keys, 'organisatiesoort')}]\n"
            f"  opgericht: {rng.randint(1900, 2000)}\n  website: https://org-{i}.example.org/\n"
            f"  bronnen: [https://example.org/bron/org-{i}]\n"))
    for i in range(n_bodies):
        add("organen.yaml", (
            f"- key: commissie-{i}\n  naam:\n    nl: Commissie {i}\n    en: Committee {i}\n"
            f"  soort: {_pick(rng, keys, 'orgaansoort')}\n  onderdeelVan: organisatie/ser\n"
            f"  bronnen: [https://example.org/bron/commissie-{i}]\n"))
    for i in range(units):
        start = rng.randint(1950, 2020)
        add("personen.yaml", (
            f"- key: persoon-{i}\n  naam: Persoon {i}\n  geboortejaar: {start - rng.randint(30, 60)}\n"
            f"  omschrijving:\n    nl: Lid nummer {i}\n    en: Member number {i}\n"
            f"  bronnen: [https://example.org/bron/persoon-{i}]\n"))
        add("lidmaatschappen.yaml", (
            f"- key: lid-{i}\n  persoon: persoon-{i}\n  organisatie: organisatie/org-{rng.randrange(1, n_orgs)}\n"
            f"  rol: {_pick(rng, keys, 'rol')}\n  geleding: {_pick(rng, keys, 'geleding')}\n"
            f"  van: {start}-04-01\n  tot: {start + 2}-03-31\n  bronnen: [https://example.org/bron/lid-{i}]\n"))
        add("adviesaanvragen.yaml", (
            f"- key: aanvraag-{i}\n  label:\n    nl: Adviesaanvraag {i}\n    en: Request for advice {i}\n"
            f"  datum: {start}-01-15\n  aanvrager: [org-{rng.randrange(1, n_orgs)}]\n"
            f"  bronnen: [https://example.org/bron/aanvraag-{i}]\n"))
        for j in range(2):
            topics = ", ".join(sorted({_pick(rng, keys, "thema") for _ in range(3)}))
            words = " en ".join(rng.sample(WORDS, 3))
            add("adviezen.yaml", (
                f"- key: {start}-advies-{i}-{j}\n  titel:\n    nl: Advies {i}-{j} over {words}\n"
                f"    en: Advice {i}-{j} on work and income\n  soort: {_pick(rng, keys, 'documentsoort')}\n"
                f"  datum: {start}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n"
                f"  nummer: [Advies {start}/{i % 100:02d}]\n  thema: [{topics}]\n  aanvraag: aanvraag-{i}\n"
                f"  voorbereidDoor: [commissie-{rng.randrange(n_bodies)}]\n"
                f"  omschrijving:\n    nl: Een advies over onderwerp {i}.\n    en: An advice on subject {i}.\n"
                f"  paginas: [https://example.org/advies/{i}-{j}]\n"
                f"  bronnen: [https://example.org/bron/advies-{i}-{j}, https://example.org/pdf/{i}-{j}.pdf]\n"))
        if i % 10 == 0:
            signed = rng.randint(2010, 2020)
            add("convenanten.yaml", (
                f"- key: convenant-{i}\n  titel:\n    nl: Convenant {i}\n    en: Covenant {i}\n"
                f"  ondertekend: {signed}-06-01\n  tot: {signed + 5}-06-01\n  looptijd: P5Y\n"
                f"  gefaciliteerdDoor: [organisatie/ser]\n"
                f"  partijen: [org-{rng.randrange(1, n_orgs)}, org-{rng.randrange(1, n_orgs)}]\n"
                f"  bronnen: [https://example.org/bron/convenant-{i}]\n"))
            add("wetten.yaml", (
                f"- key: wet-{i}\n  titel:\n    nl: Wet nummer {i}\n  soort: {_pick(rng, keys, 'regelingsoort')}\n"
                f"  bwb: BWBR{i:07d}\n  datum: {_date(rng)}\n  regelt: [organisatie/org-{rng.randrange(1, n_orgs)}]\n"
                f"  bronnen: [https://example.org/bron/wet-{i}]\n"))
    add("bronnen.yaml", "".join(source_entries(files)))
    for file, entries in files.items():
        (data / file).write_text(f"# synthetic benchmark records ({file})\n" + "".join(entries), encoding="utf-8")
    return out


def graph(out: Path, triples: int, seed: int = 7) -> Path:
    """Write ``out``/ser.nq (the RDF of ``records``) and a manifest.json, so ``out`` serves as a release."""
    with tempfile.TemporaryDirectory(prefix="ser-synthetic-") as tmp:
        project = records(Path(tmp) / "project", triples, seed)
        nquads = assemble(project, DEFAULT_BASE).nquads()
    out.mkdir(parents=True, exist_ok=True)
    (out / "ser.nq").write_bytes(nquads)
    count = nquads.count(b"\n")
    manifest = {"version": f"synthetic-{count}", "created": "2026-01-01T00:00:00+00:00",
                "base_iri": DEFAULT_BASE, "triples": count, "files": []}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out


def source_entries(files: dict[str, list[str]]) -> list[str]:
    """One bronnen.yaml entry per URL cited by the records and by the concept schemes, as the build requires."""
    cited = {url.strip() for text in (t for entries in files.values() for t in entries)
             for listed in re.findall(r"bronnen: \[(.*?)\]", text) for url in listed.split(",")}
    for path in sorted((PROJECT_ROOT / "ontology" / "vocab").glob("*.ttl")):
        cited |= {str(o) for o in Graph().parse(path, format="turtle").objects(None, DCTERMS.source)}
    return [f"- url: {url}\n  uitgever: Voorbeeld\n  omschrijving:\n    nl: Bron {n}\n    en: Source {n}\n"
            for n, url in enumerate(sorted(cited))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=("records", "graph"), help="a project folder or a release folder")
    parser.add_argument("--triples", type=int, required=True, help="about how many triples the data should give")
    parser.add_argument("--out", type=Path, required=True, help="folder to (re)create")
    args = parser.parse_args()
    print({"records": records, "graph": graph}[args.kind](args.out, args.triples))


if __name__ == "__main__":
    main()
