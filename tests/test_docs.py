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
