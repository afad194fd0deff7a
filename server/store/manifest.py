"""The one reader of a release's ``manifest.json``: its version, creation time, base IRI, counts and files.

The build writes it last (``server.pipeline.release``), so a folder with a manifest is a complete release;
the server, the CLI and the build's own checks read it here, each with the same message when it is damaged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.errors import ReleaseError

NAME = "manifest.json"


def is_release(folder: Path) -> bool:
    """Whether ``folder`` holds a complete release (the manifest is written last)."""
    return (folder / NAME).is_file()


def read_manifest(release_dir: Path) -> dict[str, Any]:
    """The manifest of ``release_dir``; :class:`ReleaseError` naming the file if it is missing or damaged."""
    path = release_dir / NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"{path}: not a complete release ({exc}); run `ser-kg build`") from None
    if not isinstance(manifest, dict):
        raise ReleaseError(f"{path}: not a complete release (not a JSON object); run `ser-kg build`")
    return manifest
