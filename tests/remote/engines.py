"""SPARQL engines on loopback for the remote-store tests and bench/remote: ``oxigraph serve`` (the
``oxigraph`` package from PyPI) and Virtuoso Open Source (Debian's ``virtuoso-opensource``, which
``./dev test`` installs), each over a database folder of its own; each can be stopped and started.

Virtuoso gets ``ResultSetMaxRows`` raised above any result limit (the packaged 10,000 would cut answers
silently) and a random ``dba`` password, set at its first start, before anything else is done with it:
a fresh database comes with ``dba``/``dba``, which must never reach a production configuration.
"""

from __future__ import annotations

import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import free_port

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
VIRTUOSO = shutil.which("virtuoso-t")
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


class Oxigraph:
    """``oxigraph serve`` on a free loopback port over a database folder; it can be stopped and started."""

    name = "oxigraph"
    user = password = ""  # its Graph Store Protocol asks for none

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.query_url = f"{self.root}/query"
        self.store_url = f"{self.root}/store"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", str(self.folder), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until_up(self.query_url + "?query=ASK%7B%7D", self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


class Virtuoso:
    """Virtuoso on free loopback ports over a database folder of its own."""

    name = "virtuoso"

    def __init__(self, folder: Path, max_rows: int = 1_000_000) -> None:
        self.folder = folder
        self.sql_port, self.port = free_port(), free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.query_url = f"{self.root}/sparql"
        self.store_url = f"{self.root}/sparql-graph-crud-auth"  # digest authentication
        self.user, self.password = "dba", secrets.token_urlsafe(16)
        self.process: subprocess.Popen[bytes] | None = None
        db = folder / "db"
        db.mkdir(parents=True, exist_ok=True)
        ini = VIRTUOSO_INI.read_text(encoding="utf-8").replace("/var/lib/virtuoso-opensource-7/db", str(db))
        ini = re.sub(r"(?m)^ServerPort\s*=\s*1111", f"ServerPort = 127.0.0.1:{self.sql_port}", ini)
        ini = re.sub(r"(?m)^ServerPort\s*=\s*8890", f"ServerPort = 127.0.0.1:{self.port}", ini)
        ini = re.sub(r"(?m)^ResultSetMaxRows\s*=.*", f"ResultSetMaxRows = {max_rows}", ini)
        self.ini = folder / "virtuoso.ini"
        self.ini.write_text(ini, encoding="utf-8")
        self.fresh = True

    def start(self) -> None:
        self.process = subprocess.Popen([str(VIRTUOSO), "+configfile", str(self.ini), "+foreground"],
                                        cwd=self.folder / "db", stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until_up(self.query_url + "?query=ASK%7B%7D", self.process, seconds=60)
        if self.fresh:  # replace the well-known default password before anything else happens
            subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba",
                            f"exec=USER_SET_PASSWORD('dba', '{self.password}');"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
            self.fresh = False

    def stop(self) -> None:
        Oxigraph.stop(self)  # type: ignore[arg-type]


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = process.stderr.read().decode("utf-8", "replace")[-2000:] if process.stderr else ""
            raise RuntimeError(f"{url}: the process exited with {process.returncode}. {said}")
        try:
            if httpx.get(url, timeout=1, trust_env=False).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextmanager
def holding(engine: Oxigraph | Virtuoso, release: Path) -> Iterator[Oxigraph | Virtuoso]:
    """``engine`` started, with the release in folder ``release`` published into it; stopped afterwards."""
    from server.store.manifest import read_release
    from server.store.remote.engine import Engine
    from server.store.remote.publish import GraphStore, publish

    engine.start()
    try:
        graph_store = GraphStore(Engine(engine.store_url, 60, engine.user, engine.password))
        try:
            publish(read_release(release), graph_store)
        finally:
            graph_store.close()
        yield engine
    finally:
        engine.stop()
