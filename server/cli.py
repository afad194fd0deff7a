"""``ser-kg``: the composition root. Each command parses its arguments and calls one function.

Exit codes: 0 success (released), 1 the data does not conform or a query failed, 2 usage error,
3 any other error (see server/errors.py).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from server import __version__
from server import settings as settings_module
from server.errors import ReleaseError, SerKgError, UsageError
from server.settings import Settings

EPILOG = """exit codes: 0 success (released), 1 data does not conform or query failed,
2 usage error, 3 other error. Settings come from SER_KG_* environment variables (see README)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ser-kg", description="Build and serve SER Linked Data.", epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"ser-kg {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build, validate and publish a new release")
    build.add_argument("--release", metavar="V", help="version name of the release (default: YYYY-MM-DD.N)")
    build.add_argument("--base-iri", metavar="IRI", help="base IRI of the dataset (setting base_iri)")
    build.add_argument("--if-changed", action="store_true", help="build only when data/, ontology/, shapes/, "
                       "queries/checks/ or the build's code changed since the current release")

    validate = commands.add_parser("validate", help="check the sources, shapes and checks without releasing")
    validate.add_argument("--base-iri", metavar="IRI", help="base IRI of the dataset (setting base_iri)")

    query = commands.add_parser("query", help="run a SPARQL query file against the latest release, locally")
    query.add_argument("file", type=Path, metavar="FILE.rq")
    query.add_argument("--format", default="table", choices=("table", "json", "csv", "tsv", "turtle", "ntriples"),
                       help="output format (default: table for SELECT, turtle for CONSTRUCT)")

    commands.add_parser("info", help="show the current release and its statistics")

    serve = commands.add_parser("serve", help="serve the latest release (builds one first if there is none), "
                                "and each new one from its first request on, without a restart")
    serve.add_argument("--host", help="address to listen on (setting host, default 127.0.0.1)")
    serve.add_argument("--port", help="port to listen on (setting port, default 8000)")
    serve.add_argument("--store", metavar="URL", help="serve from the SPARQL engine whose query endpoint is URL "
                       "(setting store_url) instead of the embedded store")

    publish = commands.add_parser("publish", help="load the latest release into a remote SPARQL engine")
    publish.add_argument("--to", required=True, metavar="URL",
                         help="the engine's Graph Store Protocol endpoint, such as http://127.0.0.1:7878/store")
    return parser


class Progress:
    """Shows the stages of a long command on a terminal; silent in CI and when output is piped."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.started = time.monotonic()

    @contextmanager
    def running(self, title: str) -> Iterator[Callable[[str], None]]:
        if not self.enabled:
            yield lambda _message: None
            return
        from rich.console import Console

        console = Console(stderr=True)
        with console.status(title) as status:
            def step(message: str) -> None:
                console.log(message)
                status.update(f"{title}: {message}")
            yield step


def _cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from server.pipeline.stages import build

    if getattr(args, "if_changed", False):
        from server.pipeline.releases.inputs import stale

        reasons = stale(settings.releases_dir, settings.root, settings.base_iri)
        if not reasons:
            print(f"release {_latest_or_fail(settings).name} is up to date with its inputs; nothing to build")
            return 0
        for reason in reasons:
            print(f"building: {reason}", file=sys.stderr)
    with Progress(settings.progress).running("building") as step:
        written, checked = build(settings, version=args.release, step=step)
    warnings = len(checked.report.warnings)
    if warnings:  # one line: a first run's log is not the place to read 60 of them (`ser-kg validate` is)
        print(f"warning: {warnings} SHACL warning(s), which do not block a release, are in "
              f"{written.path / 'validation-report.ttl'}; `ser-kg validate` lists each with its file, line, "
              "record and field", file=sys.stderr)
    print(f"released {written.version}: {written.triples} triples in {written.path}")
    return 0


def _cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from server.pipeline.stages import check

    with Progress(settings.progress).running("validating") as step:
        checked = check(settings, step)
    for result in checked.report.results:
        print(result, file=sys.stderr)
    for failure in checked.failures:
        print(f"[check] {failure}", file=sys.stderr)
    verdict = "conforms" if checked.conforms else "does not conform"
    print(f"{verdict}: {len(checked.report.violations)} violation(s), {len(checked.report.warnings)} warning(s), "
          f"{len(checked.failures)} failing check(s)")
    return 0 if checked.conforms else 1


def _latest_or_fail(settings: Settings) -> Path:
    from server.pipeline.releases.release import latest

    found = latest(settings.releases_dir)
    if found is None:
        raise ReleaseError(f"no release in {settings.releases_dir}; run `ser-kg build` first")
    return found


def _cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from server.store.oxigraph.local import run_query

    try:
        text = args.file.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{args.file}: cannot read the query ({exc.strerror})") from None
    sys.stdout.write(run_query(_latest_or_fail(settings), settings.store_dir, text, args.format))
    return 0


def _cmd_info(args: argparse.Namespace, settings: Settings) -> int:
    from server.pipeline.releases.release import all_releases
    from server.store.manifest import read_manifest

    current = _latest_or_fail(settings)
    manifest = read_manifest(current)
    print(f"current release: {manifest['version']} ({current})")
    print(f"created:         {manifest['created']}")
    print(f"base IRI:        {manifest['base_iri']}")
    print(f"triples:         {manifest['triples']}")
    print("triples per named graph:")
    for graph, count in manifest.get("graphs", {}).items():
        print(f"  {graph}: {count}")
    print("things per class (data graph):")
    for name, count in manifest.get("classes", {}).items():
        print(f"  {name}: {count}")
    print("files:")
    for f in manifest["files"]:
        print(f"  {f['name']:<24} {f['bytes']:>12,} bytes  sha256 {f['sha256'][:16]}…")
    others = [p.name for p in all_releases(settings.releases_dir) if p != current]
    print(f"earlier releases: {', '.join(others) if others else 'none'}")
    return 0


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from server.pipeline.releases.release import latest

    remote = args.store or settings.store_url
    if remote:
        from server.web.runner import run_remote

        run_remote(settings, remote)
        return 0

    current = latest(settings.releases_dir)
    if current is None:
        print(f"no release in {settings.releases_dir} yet; building one first", file=sys.stderr)
        _cmd_build(argparse.Namespace(release=None), settings)
        current = _latest_or_fail(settings)
    from server.web.runner import run

    run(settings, current, pointer=lambda: latest(settings.releases_dir))  # a new release is served without a restart
    return 0


def serve_process() -> Any:
    """The app of one of several ``ser-kg serve`` processes (setting server_processes): uvicorn imports and
    calls this in each process it starts (``server.web.runner.PROCESS_APP``)."""
    from server.pipeline.releases.release import latest
    from server.web.runner import process_app

    settings = settings_module.load()
    return process_app(settings, lambda: latest(settings.releases_dir))


def _cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    from server.store.manifest import read_release, verify_release
    from server.store.remote.publish import GraphStore, publish
    from server.store.remote.store import engine_from

    current = _latest_or_fail(settings)
    verify_release(current)
    store = GraphStore(engine_from(args.to, settings))
    try:
        done = publish(read_release(current), store)
    finally:
        store.close()
    removed = f"; removed {', '.join(done.removed)}" if done.removed else ""
    print(f"published {done.version}: {done.triples} triples to {args.to}{removed}")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "build": _cmd_build,
    "validate": _cmd_validate,
    "query": _cmd_query,
    "info": _cmd_info,
    "serve": _cmd_serve,
    "publish": _cmd_publish,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = settings_module.load()
        overrides = {k: v for k in ("host", "port", "base_iri") if (v := getattr(args, k, None)) is not None}
        if overrides:
            settings = settings.replace(**overrides)
        return COMMANDS[args.command](args, settings)
    except SerKgError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # the machine, not the data (a disk, a permission): exit 3, never 1
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("interrupted; nothing was published", file=sys.stderr)
        return 130
