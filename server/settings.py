"""Every setting in one table, read from the environment once.

Each setting has a name, a default and a help text. The environment variable is the name in upper
case with the prefix ``SER_KG_`` (``base_iri`` -> ``SER_KG_BASE_IRI``). Command-line options override
the environment. A value that cannot be read is a :class:`server.errors.SettingError` that names the
variable.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.errors import SettingError

PREFIX = "SER_KG_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return PREFIX + self.name.upper()


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0 or value == float("inf"):
        raise ValueError("must be 0 or more (seconds)")
    return value


def _base_iri(text: str) -> str:
    if not text.startswith(("https://", "http://")) or not text.endswith("/"):
        raise ValueError("must be an http(s) IRI that ends in '/', such as https://data.ser.nl/")
    return text


def _public_url(text: str) -> str:
    return _base_iri(text) if text else text


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


SHACL_ENGINES = ("auto", "pyshacl", "sparql")


HTTP_SERVERS = ("uvicorn", "granian")


def _http_server(text: str) -> str:
    if text not in HTTP_SERVERS:
        raise ValueError(f"must be one of {', '.join(HTTP_SERVERS)}")
    return text


def _shacl_engine(text: str) -> str:
    if text not in SHACL_ENGINES:
        raise ValueError(f"must be one of {', '.join(SHACL_ENGINES)}")
    return text


def _doi(text: str) -> str:
    if text and not re.fullmatch(r"10\.[0-9]{4,9}/[^\s]{1,200}", text):
        raise ValueError("must be a DOI such as 10.5281/ser-kg.{version} (10., a registrant code of 4 to 9 "
                         "digits, /, a suffix without spaces), or empty")
    return text


KNOWN_DEFAULT_PASSWORDS = ("dba",)  # Virtuoso's, as a fresh database comes with it


def _password(text: str) -> str:
    if text.strip().lower() in KNOWN_DEFAULT_PASSWORDS:
        raise ValueError("that is the password a fresh Virtuoso database comes with, known to everyone: set a new "
                         "one in the engine (isql: USER_SET_PASSWORD('dba', '...')) and give that one here")
    return text


TABLE: tuple[Setting, ...] = (
    Setting("base_iri", "https://data.ser.nl/", "Base IRI of the dataset; things are minted under {base}id/, "
            "ontology terms under {base}def/.", _base_iri),
    Setting("root", str(PROJECT_ROOT), "Project folder that holds ontology/, shapes/, data/ and queries/.", str),
    Setting("releases_dir", "", "Folder that holds the versioned releases (default: {root}/releases).", str),
    Setting("store_dir", "", "Folder of the on-disk Oxigraph stores, one per release (default: {root}/var/store).",
            str),
    Setting("host", "127.0.0.1", "Address the web server listens on.", str),
    Setting("port", 8000, "Port the web server listens on.", _positive_int),
    Setting("public_url", "", "URL the public reaches the server at, for the absolute links it gives out (the "
            "reconciliation manifest, the Service Description); never taken from a request's Host or "
            "X-Forwarded-* headers. Empty: the base IRI.", _public_url),
    Setting("forwarded_allow_ips", "", "Addresses of the reverse proxies whose X-Forwarded-For and "
            "X-Forwarded-Proto headers are believed (uvicorn's forwarded_allow_ips: comma-separated, * for any), "
            "for the client address and scheme only; empty: none.", str),
    Setting("query_timeout", 10.0, "Hard time limit of one public SPARQL query, in seconds.", _positive_float),
    Setting("result_limit", 10000, "Most result rows (or triples) one public SPARQL query may return; more "
            "are cut and flagged in the SER-KG-Truncated header.", _positive_int),
    Setting("max_query_length", 20000, "Longest accepted SPARQL query text, in characters (414 beyond).",
            _positive_int),
    Setting("max_body_bytes", 65536, "Largest accepted request body, in bytes (413 beyond).", _positive_int),
    Setting("body_timeout", 15.0, "Seconds a request body may pause between two of its chunks before the "
            "request gets 408 (a slow sender holds a connection no longer).", _positive_float),
    Setting("query_workers", 2, "Number of worker processes that run public SPARQL queries.", _positive_int),
    Setting("query_memory", 0, "Memory of all SPARQL query workers together, those of every server process, in "
            "MiB; each worker may use its share (query_memory / (query_workers x server_processes)). 0: half the "
            "memory available to the server when it "
            "starts (MemAvailable, or the cgroup's limit when lower).", _non_negative_int),
    Setting("cheap_lane", True, "Run the public SPARQL queries proven cheap (constant lookups with a LIMIT, "
            "server.rdf.sparql_cheap) in the server process, skipping the round trip to a query worker; a query "
            "stuck past query_timeout there ends the process, for its supervisor to restart (on or off).", _bool),
    Setting("cheap_lane_threads", 2, "Threads that run the cheap queries in each server process; a cheap query "
            "that finds them all busy goes to a query worker.", _positive_int),
    Setting("server_processes", 1, "Server processes sharing the port (workers of http_server, each with its own query "
            "workers); one that dies, or ends itself to stop a stuck cheap query, is started again.",
            _positive_int),
    Setting("http_server", "uvicorn", "HTTP server that runs the app: uvicorn, or granian (its HTTP parsing in "
            "Rust; it runs the app in server_processes processes beside a supervisor, even for one).",
            _http_server),
    Setting("write_timeout", 30.0, "Seconds a client may take no data of an answer before its connection is "
            "closed.", _positive_float),
    Setting("answer_memory", 256, "Memory for SPARQL answers still being sent to clients, in MiB, all "
            "connections together; an answer that would pass it gets 503 (try again).", _positive_int),
    Setting("validation_workers", min(2, os.cpu_count() or 1), "Processes that share the SHACL validation of a "
            "build (1 validates in the build process itself).", _positive_int),
    Setting("shacl_engine", "auto", "SHACL validation engine of a build: pyshacl (the reference), sparql (the "
            "shapes compiled to SPARQL on Oxigraph, several times faster), or auto (pyshacl up to 200,000 data "
            "triples, sparql above).", _shacl_engine),
    Setting("reload_interval", 2.0, "Seconds between two looks of a running server at the current release "
            "({releases_dir}/latest): when a build has switched it, the server opens the new release and serves it "
            "from the next request on, without a restart; requests under way finish on the old one. 0: never "
            "(serve the release it started with).", _non_negative_float),
    Setting("store_url", "", "SPARQL 1.1 query endpoint of a remote engine to serve from instead of the "
            "embedded store (`ser-kg serve --store URL`), such as http://127.0.0.1:7878/query.", str),
    Setting("store_user", "", "User name for the remote engine, sent only when the engine asks for credentials "
            "(HTTP digest authentication); empty: none.", str),
    Setting("store_password", "", "Password for the remote engine. Set it from a secret store; Virtuoso's "
            "default, dba, is refused.", _password),
    Setting("store_timeout_parameter", "", "Name of the remote engine's own per-query timeout parameter, sent "
            "with query_timeout in milliseconds (Virtuoso: timeout); empty: the client-side deadline only.", str),
    Setting("queryable_releases", 3, "How many releases stay answerable (the newest, the current one always "
            "among them): /sparql?release=V, the mementos of /doc/ and the citations of /cite/; each earlier one "
            "answerable holds an open store and, once queried, one query worker. Older ones remain downloadable.",
            _positive_int),
    Setting("release_doi", "", "DOI-style identifier of a release, given in its citations; {version} is "
            "replaced by the release version (such as 10.5281/ser-kg.{version}); empty: none.", _doi),
    Setting("progress", True, "Show progress bars on a terminal (never in CI or when output is piped).", _bool),
)

BY_NAME: Mapping[str, Setting] = {s.name: s for s in TABLE}


@dataclass(frozen=True)
class Settings:
    base_iri: str
    root: Path
    releases_dir: Path
    store_dir: Path
    host: str
    port: int
    public_url: str
    forwarded_allow_ips: str
    query_timeout: float
    result_limit: int
    max_query_length: int
    max_body_bytes: int
    body_timeout: float
    query_workers: int
    query_memory: int
    cheap_lane: bool
    cheap_lane_threads: int
    server_processes: int
    http_server: str
    write_timeout: float
    answer_memory: int
    validation_workers: int
    shacl_engine: str
    reload_interval: float
    store_url: str
    store_user: str
    store_password: str = dataclasses.field(repr=False)  # kept out of logs and tracebacks
    store_timeout_parameter: str
    queryable_releases: int
    release_doi: str
    progress: bool

    def replace(self, **changes: Any) -> Settings:
        for name, value in changes.items():
            if name not in BY_NAME:
                raise SettingError(f"unknown setting {name!r}")
            if isinstance(value, str) and BY_NAME[name].parse is not str:
                changes[name] = _parse(BY_NAME[name], value, f"--{name.replace('_', '-')}")
        updated = dataclasses.replace(self, **changes)
        return _coerce_paths(updated)

    @property
    def public_root(self) -> str:
        """The public URL the server's absolute links start with (ends in '/')."""
        return self.public_url or self.base_iri

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"


def _parse(setting: Setting, raw: str, where: str) -> Any:
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise SettingError(f"{where}={raw!r}: {exc}") from None


def _coerce_paths(settings: Settings) -> Settings:
    return dataclasses.replace(settings, root=Path(settings.root), releases_dir=Path(settings.releases_dir),
                               store_dir=Path(settings.store_dir))


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in TABLE:
        raw = env.get(setting.env)
        values[setting.name] = setting.default if raw is None else _parse(setting, raw, setting.env)
    if env.get("CI") and setting_missing(env, "progress"):
        values["progress"] = False
    root = Path(values["root"])
    values["releases_dir"] = values["releases_dir"] or str(root / "releases")
    values["store_dir"] = values["store_dir"] or str(root / "var" / "store")
    return _coerce_paths(Settings(**values))


def setting_missing(env: Mapping[str, str], name: str) -> bool:
    return BY_NAME[name].env not in env
