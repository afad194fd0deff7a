"""Load: 32 concurrent clients for 10 s mix lookups, entity pages, dump downloads and heavy queries
against ``ser-kg serve`` over the real data, on the embedded store and on a remote engine. Zero 5xx
answers, zero connection errors, and the memory of the server and its workers stays under a bound.

The bounded CI version of bench/load/run.py (60 s, wrk; the numbers of a run are in
bench/load/README.md). No wall time is asserted: latencies are printed, not judged. "Never a hang" is
the client's timeout: a request without an answer in ``PATIENCE`` s counts as an error and fails the
test. The server's query time limit is set as far above the work (the heaviest query of the mix takes
about 30 ms alone): the test is about overload never becoming a 5xx or a dropped connection, and a
loaded machine (two cores, a full suite beside other work) must not turn a slow answer into a 503.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load.harness import MIX, Served, drive, plan
from tests.release.conftest import env_for

pytestmark = pytest.mark.slow

CLIENTS = 32
SECONDS = 10.0
MAX_REQUESTS = 20000  # bounded in count as well as in time
# The server process and its two query workers together; measured at about 200 MiB (README of
# bench/load). The bound leaves room for the allocator, and still catches an answer held whole.
RSS_BOUND_MIB = 1024
PATIENCE = 120.0  # seconds: the client's timeout and the server's query time limit


@pytest.mark.parametrize("store", ["embedded", "remote"])
def test_32_clients_get_no_5xx_and_no_connection_error(built: Path, tmp_path: Path, store: str) -> None:
    release = (built / "releases" / "latest").resolve()
    planned = plan(release, MAX_REQUESTS)
    env = {**env_for(built), "SER_KG_QUERY_TIMEOUT": str(PATIENCE), "SER_KG_WRITE_TIMEOUT": str(PATIENCE)}
    engine = None
    if store == "remote":  # serve --store over `oxigraph serve` (tests/remote/engines.py), loaded by publish
        from tests.remote.engines import Oxigraph

        engine = Oxigraph(tmp_path / "engine")
        engine.start()
        published = subprocess.run([sys.executable, "-m", "server", "publish", "--to", engine.store_url],
                                   env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
        assert published.returncode == 0, published.stderr
        env = {**env, "SER_KG_STORE_URL": engine.query_url}
    try:
        with Served(env, log=tmp_path / "serve.log") as served:
            outcome = drive(served.url, planned, CLIENTS, SECONDS, timeout=PATIENCE)
            peak_mib = served.peak_rss_kib / 1024
            server_peak_mib = served.server_peak_kib() / 1024
    finally:
        if engine is not None:
            engine.stop()
    summary = {**outcome.summary(), "peak_rss_mib": round(peak_mib), "server_peak_mib": round(server_peak_mib)}
    print(json.dumps(summary, indent=1))
    assert outcome.requests > 0
    assert outcome.errors == {}, summary
    assert outcome.server_errors == 0, summary
    assert {kind for kind, _, _, _ in MIX} <= {kind for kind, _ in outcome.by_kind}, "every kind was sent"
    assert peak_mib < RSS_BOUND_MIB, summary
