"""The vendored query editor (YASGUI in server/web/static/vendor/yasgui): its version, licence and files
are recorded, the files are the ones recorded, and the page loads them from this site only."""

from __future__ import annotations

import hashlib
import json
import re

from server.settings import PROJECT_ROOT

VENDOR = PROJECT_ROOT / "server" / "web" / "static" / "vendor" / "yasgui"
RECORD = json.loads((VENDOR / "VENDORED.json").read_text(encoding="utf-8"))
MAX_BYTES = 2_000_000  # the dist bundle and its CSS; source maps and the ESM build stay out


def test_the_vendored_package_version_and_licence_are_recorded() -> None:
    assert RECORD["package"] in ("@zazuko/yasgui", "@triply/yasgui")
    assert re.fullmatch(r"\d+\.\d+\.\d+", RECORD["version"])
    assert RECORD["license"] == "MIT"
    assert RECORD["tarball"] == f"{RECORD['package']}/-/yasgui-{RECORD['version']}.tgz"
    assert RECORD["integrity"].startswith("sha512-")
    licence = (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith(f"{RECORD['package']} {RECORD['version']},")
    assert "The MIT License" in licence and "Permission is hereby granted, free of charge" in licence


def test_the_vendored_files_are_the_recorded_ones_and_nothing_else() -> None:
    present = {p.name for p in VENDOR.iterdir()}
    assert present == {"VENDORED.json", "LICENSE", *RECORD["files"]}
    assert set(RECORD["files"]) == {"yasgui.min.js", "yasgui.min.css"}
    for name, digest in RECORD["files"].items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, \
            f"{name} differs from VENDORED.json: run scripts/refresh-yasgui rather than editing it"
    assert sum((VENDOR / name).stat().st_size for name in RECORD["files"]) < MAX_BYTES


def test_the_vendored_files_ask_for_no_source_map() -> None:
    for name in RECORD["files"]:
        assert "sourceMappingURL" not in (VENDOR / name).read_text(encoding="utf-8")[-300:]


def test_the_refresh_script_writes_where_the_page_reads() -> None:
    script = (PROJECT_ROOT / "scripts" / "refresh-yasgui").read_text(encoding="utf-8")
    assert f"PACKAGE={RECORD['package']}" in script
    assert f"DEST={VENDOR.relative_to(PROJECT_ROOT)}" in script
    template = (PROJECT_ROOT / "server" / "web" / "templates" / "sparql.html").read_text(encoding="utf-8")
    for name in RECORD["files"]:
        assert f"/static/vendor/yasgui/{name}" in template
