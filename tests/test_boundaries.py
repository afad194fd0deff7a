"""The package's boundaries (design/STYLE.md §2), checked on the import statements of every module.

- ``server.rdf`` is pure: no I/O libraries, no web, no stores, nothing else of ours but settings/errors;
- ``server.build`` and ``server.web`` never import each other;
- only ``server.store`` imports pyoxigraph; only ``server.build`` imports pyshacl;
- only ``server.cli`` (the composition root) may import everything; nothing but ``__main__`` imports it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from server.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "server"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def area(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


FORBIDDEN: dict[str, tuple[str, ...]] = {
    "rdf": ("server.build", "server.store", "server.web", "server.cli", "fastapi", "starlette", "pyoxigraph",
            "pyshacl", "jinja2", "uvicorn"),
    "build": ("server.web", "server.cli", "fastapi", "starlette", "jinja2", "uvicorn", "pyoxigraph"),
    "store": ("server.build", "server.web", "server.cli", "fastapi", "starlette", "pyshacl"),
    "web": ("server.build", "server.cli", "pyshacl", "pyoxigraph"),
    "settings": ("server.build", "server.store", "server.web", "server.rdf", "server.cli"),
    "errors": ("server.",),
}


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_respects_the_boundaries(path: Path) -> None:
    rules = FORBIDDEN.get(area(path), ())
    crossing = sorted(name for name in imports_of(path) for rule in rules
                      if name == rule or name.startswith(rule + ".") or (rule.endswith(".") and name.startswith(rule)))
    assert crossing == []


def test_nothing_imports_the_composition_root() -> None:
    importers = [str(p) for p in modules() if p.name not in ("cli.py", "__main__.py") and "server.cli" in imports_of(p)]
    assert importers == []
