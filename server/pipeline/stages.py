"""The build, stage by stage: sources -> RDF -> SHACL -> SPARQL checks -> release.

``validate`` runs the first three stages and stops; ``build`` runs them all. Both raise instead of
printing: SourceError for bad records (exit 1), NonConformantError for Violations or failing checks
(exit 1), ReleaseError when another build holds the releases folder (exit 3). Warnings are returned
for the caller to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, XSD

from server.errors import NonConformantError, SourceError
from server.pipeline.assemble import Assembled, assemble
from server.pipeline.checks import Failure, run_checks
from server.pipeline.releases import changes, inputs, searchindex
from server.pipeline.releases import release as releases
from server.pipeline.releases.facts import ReleaseFacts
from server.pipeline.releases.identifiers import disappeared
from server.pipeline.shacl.engine import validate_sparql
from server.pipeline.shacl.locations import located
from server.pipeline.shacl.results import Report
from server.pipeline.shacl.validate import load_shapes, validate
from server.rdf.namespaces import prefixes
from server.settings import Settings
from server.store.oxigraph.memory import MemoryDataset

if TYPE_CHECKING:
    from server.pipeline.releases.void import Statistics

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
    report = Report(located(report.results, assembled.locator), report.graph)
    step("running the SPARQL checks")
    failures = run_checks(settings.queries_dir / "checks", memory, prefixes(settings.base_iri))
    return Checked(assembled, report, failures, memory)


class Describer:
    """Describes a release: VoID (with the build's provenance) and the DCAT-AP-NL catalogue.

    The ontology and data graphs are counted once; :meth:`into_dataset` then puts the metadata graph
    (the files without sizes) into ``memory``, counted with the rest (server/pipeline/releases/void.py), and
    :meth:`files` makes ``void.ttl`` and ``catalog.ttl`` (the files with sizes) with the same numbers.
    """

    def __init__(self, memory: MemoryDataset, base: str) -> None:
        from server.pipeline.releases.void import statistics  # only a release needs these, not `ser-kg validate`

        self.memory = memory
        self.base = base
        self.content = statistics(memory, base)
        self.stats = self.content

    def into_dataset(self, facts: ReleaseFacts) -> int:
        from server.pipeline.releases.void import settle

        self.stats = settle(self.memory, self.base, self.content, lambda stats: self._graph(stats, facts))
        return self.stats.triples

    def files(self, facts: ReleaseFacts) -> tuple[Graph, Graph]:
        return self._describe(self.stats, facts)

    def _graph(self, stats: Statistics, facts: ReleaseFacts) -> Graph:
        void, catalogue = self._describe(stats, facts)
        return void + catalogue

    def _describe(self, stats: Statistics, facts: ReleaseFacts) -> tuple[Graph, Graph]:
        from server.pipeline.releases.catalog import catalogue
        from server.pipeline.releases.void import void_description

        void = void_description(stats, facts)
        dataset_iri = URIRef(facts.dataset_iri)
        void.add((dataset_iri, OWL.versionInfo, Literal(facts.version)))
        void.add((dataset_iri, PROV.generatedAtTime, Literal(facts.created.isoformat(), datatype=XSD.dateTime)))
        return void, catalogue(facts, void)


def build(settings: Settings, version: str | None = None, step: Step = lambda _: None,
          point: Callable[[Path, str], None] = releases.point_latest) -> tuple[releases.Written, Checked]:
    """Check and release, holding the releases folder's lock from start to end (one build at a time).

    ``point`` publishes the written release (``releases.write_release``)."""
    with releases.build_lock(settings.releases_dir):
        return _build(settings, version, step, point)


def _build(settings: Settings, version: str | None, step: Step,
           point: Callable[[Path, str], None]) -> tuple[releases.Written, Checked]:
    read = inputs.record(settings.root, settings.base_iri)  # before reading: a file changed meanwhile builds again
    checked = check(settings, step)
    if not checked.conforms:
        count = len(checked.report.violations) + len(checked.failures)
        raise NonConformantError(f"{count} problem(s); nothing was released:\n{checked.summary()}")
    # From here on the release is written from the Oxigraph copy; let the rdflib graphs go (about a
    # gigabyte at a million triples) before the dumps need memory of their own.
    checked.assembled.forget_graph()
    # Before anything is written: a change log that cannot be made leaves no release behind.
    previous = releases.latest(settings.releases_dir)
    step(f"comparing with release {previous.name}" if previous else "first release: nothing to compare with")
    log = changes.change_log(previous, checked.memory, settings.base_iri)
    step("counting the release for its VoID description")
    describe = Describer(checked.memory, settings.base_iri)
    written = releases.write_release(
        settings.releases_dir, checked.memory, checked.report.graph, settings.base_iri, describe,
        version=version, step=step, extras=[searchindex.stage(checked.memory, settings.base_iri)],
        inputs=read, published=changes.files(log, settings.base_iri), point=point,
    )
    return written, checked
