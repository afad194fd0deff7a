"""One release built from the real sources, shared by every test in this folder.

The project's ontology, shapes, data and queries are copied to a temporary folder and built there,
so that tests never touch the checkout's own releases.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.cli import main
from server.pipeline.releases.release import latest
from server.settings import PROJECT_ROOT
from server.store.oxigraph.embedded import EmbeddedStore


def copy_project(target: Path) -> Path:
    for folder in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(PROJECT_ROOT / folder, target / folder)
    return target


def env_for(root: Path) -> dict[str, str]:
    return {"SER_KG_ROOT": str(root), "SER_KG_RELEASES_DIR": str(root / "releases"),
            "SER_KG_STORE_DIR": str(root / "var" / "store"), "SER_KG_PROGRESS": "false"}


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="session")
def released(project: Path) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env_for(project).items():
            mp.setenv(key, value)
        assert main(["build", "--release", "2026-01-01.1"]) == 0
    found = latest(project / "releases")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def real_store(project: Path, released: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore.open(released, project / "var" / "store")
    yield store
    store.close()
