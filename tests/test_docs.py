"""The README documents every setting and every command; docs cannot drift from the code."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from fastapi import FastAPI

from server.cli import COMMANDS, _parser
from server.settings import PROJECT_ROOT, TABLE

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme() -> None:
    missing = [s.env for s in TABLE if f"`{s.env}`" not in README]
    assert missing == []


def test_every_command_is_documented_with_its_options() -> None:
    for name in COMMANDS:
        assert f"`ser-kg {name}" in README, f"ser-kg {name} is not in the README"
    subparsers = next(a for a in _parser()._actions if a.dest == "command")
    for name, sub in subparsers.choices.items():  # type: ignore[union-attr]
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert re.search(rf"`ser-kg {name}[^`]*{flag}", README), f"{name} {flag} is not in the README"


def test_readme_gives_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    assert "./dev serve" in README and "./dev test" in README
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./dev test" in ci


def route_paths(routes: Iterable[object]) -> Iterator[str]:
    """Paths of the app's routes, also inside included routers (FastAPI keeps those nested)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from route_paths(nested.routes)
        elif getattr(route, "path", ""):
            yield route.path  # type: ignore[attr-defined]


def test_every_route_is_documented_in_the_readme(app: FastAPI) -> None:
    documented = README[README.index("<!-- BEGIN url table -->"):README.index("<!-- END url table -->")]
    paths = set(route_paths(app.routes))
    assert "/sparql" in paths and "/id/{rest:path}" in paths
    missing = sorted(p for p in paths if f"`{re.sub(r'{[^}]+}.*$', '', p).rstrip('/') or '/'}" not in documented)
    assert missing == []


def test_every_test_that_security_md_names_exists() -> None:
    """docs/security.md proves each defence by naming tests: ``tests/a/test_b.py::test_c``, ``test_b.py::test_c``
    (a file named before, or the one file of that name) and ``::test_c`` (in the file named last on the line)."""
    text = (PROJECT_ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    files = {path.name: path for path in (PROJECT_ROOT / "tests").rglob("test_*.py")}
    missing = []
    for line in text.splitlines():
        current = None
        for file, name in re.findall(r"`((?:tests/)?[\w/]*test_\w+\.py)?(?:::(\w+))?(?:\[[^`]*\])?`", line):
            if file:
                current = PROJECT_ROOT / file if "/" in file else files.get(file)
                if current is None or not current.is_file():
                    missing.append(file)
                    current = None
                    continue
            if name and (current is None or not re.search(rf"^(async )?def {name}\(", current.read_text(
                    encoding="utf-8"), re.MULTILINE)):
                missing.append(f"{file or (current.name if current else '?')}::{name}")
    assert missing == []


def test_every_path_architecture_md_names_exists() -> None:
    """ARCHITECTURE.md names the folder and module each request and each release passes through: they are
    real, so that the page moves with the code."""
    text = (PROJECT_ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:web|pipeline|store|rdf)/[a-z_/]*(?:\.py)?)`", text))
    rows = re.findall(r"`((?:web|pipeline)/(?:[a-z]+/)?)` \| ([^|\n]+)", text)  # | folder | modules |
    named |= {f"{folder}{module}" for folder, modules in rows for module in re.findall(r"`([a-z_]+\.py)`", modules)}
    missing = sorted(n for n in named if not (PROJECT_ROOT / "server" / n).exists())
    assert {"web/sparql/endpoint.py", "web/search/index.py", "pipeline/releases/release.py",
            "pipeline/shacl/validate.py"} <= named
    assert missing == []
