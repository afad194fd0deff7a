"""The build, stage by stage: sources -> RDF -> SHACL -> SPARQL checks -> release.

``validate`` runs the first three stages and stops; ``build`` runs them all. Both raise instead of
printing: SourceError for bad records (exit 1), NonConformantError for Violations or failing checks
(exit 1). Warnings are returned for the caller to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, XSD

from server.errors import NonConformantError, SourceError
from server.pipeline import release as releases
from server.pipeline.assemble import Assembled, assemble
from server.pipeline.checks import Failure, run_checks
from server.pipeline.facts import ReleaseFacts
from server.pipeline.identifiers import disappeared
from server.pipeline.shacl_engine import validate_sparql
from server.pipeline.validate import Report, load_shapes, validate
from server.rdf.namespaces import prefixes
from server.settings import Settings
from server.store.memory import MemoryDataset

Step = Callable[[str], None]


@dataclass
class Checked:
    assembled: Assembled
    report: Report
    failures: list[Failure]
    memory: MemoryDataset

    @property
    def conforms(self) -> bool:
        return self.report.conforms and not self.failures

    def summary(self) -> str:
        lines = [str(v) for v in self.report.violations[:50]]
        if len(self.report.violations) > 50:
            lines.append(f"... and {len(self.report.violations) - 50} more Violations")
        lines += [f"[check] {f}" for f in self.failures]
        return "\n".join(lines)


# Up to here pyshacl, the reference, is fast enough; above it the compiled engine (shapes/README.md).
PYSHACL_UP_TO = 200_000


def shacl_engine(setting: str, data_triples: int) -> str:
    if setting != "auto":
        return setting
    return "pyshacl" if data_triples <= PYSHACL_UP_TO else "sparql"


def check(settings: Settings, step: Step = lambda _: None) -> Checked:
    step("reading ontology, vocabularies and data")
    assembled = assemble(settings.root, settings.base_iri)
    previous = releases.latest(settings.releases_dir)
    if previous is not None:
        step(f"checking that every IRI of release {previous.name} is still there")
        gone = disappeared(previous, assembled.lines.subjects(), settings.base_iri)
        if gone:
            raise SourceError(gone)
    memory = MemoryDataset(assembled.nquads())
    engine = shacl_engine(settings.shacl_engine, len(assembled.lines))
    step(f"validating {len(assembled.lines)} data triples against the SHACL shapes ({engine})")
    shapes = load_shapes(settings.shapes_dir, settings.base_iri)
    if engine == "sparql":
        # No rdflib graph of the data at this size: the compiled engine reads everything from Oxigraph.
        report = validate_sparql(memory, shapes, None)
    else:
        with assembled.with_ontology() as graph:
            report = validate(graph, shapes, settings.validation_workers)
    step("running the SPARQL checks")
    failures = run_checks(settings.queries_dir / "checks", memory, prefixes(settings.base_iri))
    return Checked(assembled, report, failures, memory)


def describer(memory: MemoryDataset, base: str) -> releases.Describe:
    """Counts the release once; the result makes VoID (with the build's provenance) and the DCAT-AP-NL
    catalogue for given release facts (first without the dumps' sizes, then with them)."""
    from server.pipeline.catalog import catalogue  # only a release needs these, not `ser-kg validate`
    from server.pipeline.void import statistics, void_description

    stats = statistics(memory, base)

    def describe(facts: ReleaseFacts) -> tuple[Graph, Graph]:
        void = void_description(stats, facts)
        dataset_iri = URIRef(facts.dataset_iri)
        void.add((dataset_iri, OWL.versionInfo, Literal(facts.version)))
        void.add((dataset_iri, PROV.generatedAtTime, Literal(facts.created.isoformat(), datatype=XSD.dateTime)))
        return void, catalogue(facts, void)

    return describe


def build(settings: Settings, version: str | None = None,
          step: Step = lambda _: None) -> tuple[releases.Written, Checked]:
    checked = check(settings, step)
    if not checked.conforms:
        count = len(checked.report.violations) + len(checked.failures)
        raise NonConformantError(f"{count} problem(s); nothing was released:\n{checked.summary()}")
    # From here on the release is written from the Oxigraph copy; let the rdflib graphs go (about a
    # gigabyte at a million triples) before the dumps need memory of their own.
    checked.assembled.forget_graph()
    step("counting the release for its VoID description")
    describe = describer(checked.memory, settings.base_iri)
    written = releases.write_release(
        settings.releases_dir, checked.memory, checked.report.graph, settings.base_iri, describe,
        version=version, step=step,
    )
    return written, checked
