"""The package's boundaries (design/STYLE.md §2), checked on the import statements of every module.

- ``server.rdf`` is pure: no I/O libraries, no web, no stores, nothing else of ours but settings/errors;
- ``server.pipeline`` and ``server.web`` never import each other;
- only ``server.store`` imports pyoxigraph; only ``server.pipeline`` imports pyshacl;
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
    "rdf": ("server.pipeline", "server.store", "server.web", "server.cli", "fastapi", "starlette", "pyoxigraph",
            "pyshacl", "jinja2", "uvicorn"),
    "pipeline": ("server.web", "server.cli", "fastapi", "starlette", "jinja2", "uvicorn", "pyoxigraph"),
    "store": ("server.pipeline", "server.web", "server.cli", "fastapi", "starlette", "pyshacl"),
    "web": ("server.pipeline", "server.cli", "pyshacl", "pyoxigraph"),
    "settings": ("server.pipeline", "server.store", "server.web", "server.rdf", "server.cli"),
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


def test_every_library_the_package_imports_is_a_declared_dependency() -> None:
    """A library that only the test tools bring in would be missing after `./dev serve` installs the project.
    A library a declared one requires for its own API counts too (FastAPI's requests are Starlette's)."""
    import re
    import sys
    import tomllib
    from importlib.metadata import packages_distributions, requires

    def name_of(requirement: str) -> str:
        return re.split(r"[\[<>=~!; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    declared = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    declared_names = {name_of(d) for d in declared}
    declared_names |= {name_of(r) for d in list(declared_names) for r in requires(d) or () if "extra ==" not in r}
    distributions = packages_distributions()
    missing = {}
    for path in modules():
        for name in imports_of(path):
            top = name.split(".")[0]
            if top == "server" or top in sys.stdlib_module_names:
                continue
            owners = {d.lower().replace("_", "-") for d in distributions.get(top, [top])}
            if not owners & declared_names:
                missing[f"{path.relative_to(PROJECT_ROOT)}: {top}"] = sorted(owners)
    assert not missing, f"imported but not in [project] dependencies of pyproject.toml: {missing}"


def test_the_import_contracts_of_pyproject_hold() -> None:
    """The layers and independences of ``[tool.importlinter]`` (ARCHITECTURE.md): no import runs back up,
    no URL folder of ``server/web`` imports another, and no cycle crosses a layer. Run in a process of its
    own: import-linter configures logging with ``disable_existing_loggers``, which would silence the
    package's loggers for every test after this one."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                          "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))"],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False)
    report = run.stdout + run.stderr
    assert "0 broken" in report, report
    assert run.returncode == 0, report


def test_the_contracts_place_every_module_of_the_web_core() -> None:
    """The web contract is exhaustive: a module added at the top of ``server/web`` must be given its layer."""
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (web,) = [c for c in config["contracts"] if c.get("containers") == ["server.web"]]
    placed = {name.strip() for layer in web["layers"] for name in layer.replace(":", "|").split("|")}
    present = {p.stem for p in (PACKAGE / "web").glob("*.py") if p.stem != "__init__"}
    present |= {p.name for p in (PACKAGE / "web").iterdir() if (p / "__init__.py").exists()}
    assert web["exhaustive"] is True
    assert placed == present


def test_no_import_cycle_within_the_pipeline() -> None:
    """No two modules of ``server.pipeline`` reach each other through imports, even under TYPE_CHECKING or
    inside a function: each stage's folder builds only on the folders below it (ARCHITECTURE.md)."""
    import grimp

    graph = grimp.build_graph("server", cache_dir=None)
    pipeline = sorted(m for m in graph.modules if m.startswith("server.pipeline."))
    cycles = [(a, b) for i, a in enumerate(pipeline) for b in pipeline[i + 1:]
              if graph.chain_exists(a, b) and graph.chain_exists(b, a)]
    assert cycles == [], f"import cycles in server.pipeline: {cycles}"
