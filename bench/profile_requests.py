"""Where a cheap request's time goes: microseconds per request, per stage, for /sparql and /doc/ pages.

Two measurements of the same requests, on a release (default ``releases/latest``) or a synthetic graph
(``--triples N``, ``bench/synthetic.py``):

1. **In-process, by stage.** The app is driven directly over ASGI, one request at a time, a few thousand
   times. The benchmark wraps the existing seams of the code with ``time.perf_counter_ns`` (nothing is
   added to the server: the wrappers exist only in this process) and books each nanosecond to the
   innermost stage running, so that the stages add up to the whole request:

   * ``/sparql``, distinct lookups (each with its own comment, so no cache answers): routing and
     middleware, protocol parameters, policy (``server.rdf.sparql_policy``), negotiation, the result
     cache, dispatch to a worker (the round trip minus what the worker reports it spent), evaluation and
     serialisation in the worker (or, on a tree with the two lanes, the thread hop to the cheap lane and
     the evaluation there: the lookup has a LIMIT, so it is proven cheap), sending the answer, and the
     handler's remaining steps (thread hop, ETag, headers). The worker's share is then split by running
     the same queries here in one process: evaluation alone, our capped JSON writer, Oxigraph's own
     writer, and pickling an answer against framing it as the workers do (``server.store.workers.wire``).
   * ``/doc/….html`` with the status and description memos emptied before each request (each request is
     a first view; a second look within the request is a cache hit, as served): status lookup, description
     query, term conversion (pyoxigraph to rdflib), grouping (``entity_view``), the role and citation
     queries, rendering (Jinja2), and routing and middleware.

2. **Through HTTP.** The same app under uvicorn (one process, httptools, no access log) and
   ``oxigraph serve-read-only --union-default-graph`` on the same database are driven by ``wrk -t1 -c1``
   with the same requests (pages: the document cache off; the status and description of each IRI are
   remembered after the first round through the sample, as in ``bench/linkeddata``). The server
   process's CPU time per request (``/proc/PID/stat``) less the in-process time of step 1 is what the
   HTTP server and the socket cost (parsing, the event loop).

    .venv/bin/python bench/profile_requests.py [--release releases/latest] [--triples 100000] [-n 3000]

Timing wrappers cost about half a microsecond per call; term conversion is timed per term, so its row
carries that overhead several hundred times per page (the row says how many calls).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pyoxigraph as ox  # noqa: E402

from server import settings as settings_module  # noqa: E402
from server.store import cache as cache_module  # noqa: E402
from server.store import results  # noqa: E402
from server.store.base import Answer  # noqa: E402
from server.store.oxigraph import embedded  # noqa: E402
from server.store.oxigraph.embedded import EmbeddedStore  # noqa: E402
from server.store.workers import wire  # noqa: E402
from server.store.workers.pool import WorkerPool  # noqa: E402
from server.web import descriptions, rendering  # noqa: E402
from server.web import runner as runner_module  # noqa: E402
from server.web.app import create_app  # noqa: E402
from server.web.linkeddata import citations, dereferencing  # noqa: E402
from server.web.sparql import endpoint, sending  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
# With a LIMIT (above any resource's count of values here, so the answers are whole): the shape the cheap
# lane takes in-process (server.rdf.sparql_cheap); the same query on a tree without it goes to a worker.
LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT 1000"
SERVE = ("import sys; from pathlib import Path; import uvicorn; from server import settings as s; "
         "from server.store.oxigraph.embedded import EmbeddedStore; from server.web.app import create_app; "
         "import server.web.runner as r; runner_for = getattr(r, 'runner_for', r.pool_for); "
         "st = s.load().replace(store_dir=Path(sys.argv[2])); "
         "store = EmbeddedStore.open(Path(sys.argv[1]), st.store_dir); "
         "app = create_app(st, store, runner_for(st, store), document_cache_bytes=0); "
         "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[3]), log_level='warning', access_log=False, "
         "http='httptools', loop='uvloop' if sys.argv[4] == 'uvloop' else 'asyncio')")
WRK_SCRIPT = """local lines = {}
local i = 0
function init(args) for line in io.lines(args[1]) do lines[#lines + 1] = line end end
function request()
  i = i + 1
  return wrk.format("GET", lines[(i - 1) % #lines + 1] .. (os.getenv("BENCH_SUFFIX") or ""),
                    { ["Accept"] = os.getenv("BENCH_ACCEPT") })
end
"""


class Stages:
    """Nanoseconds booked to the innermost stage running; sequential requests, so one stack for all threads."""

    def __init__(self) -> None:
        self.spent: dict[str, int] = defaultdict(int)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list[Any]] = []  # [stage, started, time of the stages inside it]

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        frame = [name, time.perf_counter_ns(), 0]
        self._stack.append(frame)
        try:
            yield
        finally:
            self._stack.pop()
            elapsed = time.perf_counter_ns() - frame[1]
            self.spent[name] += elapsed - frame[2]
            self.calls[name] += 1
            if self._stack:
                self._stack[-1][2] += elapsed

    def book(self, name: str, nanoseconds: int) -> None:
        """Move ``nanoseconds`` of the running stage to ``name`` (time reported by another process)."""
        self.spent[name] += nanoseconds
        self.calls[name] += 1
        if self._stack:
            self._stack[-1][2] += nanoseconds

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        original = getattr(owner, attribute)
        stages = self
        if asyncio.iscoroutinefunction(original):
            @functools.wraps(original)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                with stages.stage(name):
                    return await original(*args, **kwargs)
            setattr(owner, attribute, timed_async)
        else:
            @functools.wraps(original)
            def timed(*args: Any, **kwargs: Any) -> Any:
                with stages.stage(name):
                    return original(*args, **kwargs)
            setattr(owner, attribute, timed)

    def reset(self) -> None:
        self.spent.clear()
        self.calls.clear()


async def call(app: Any, path: str, query: dict[str, str], accept: str) -> int:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": urllib.parse.urlencode(query).encode(),
             "headers": [(b"host", b"bench"), (b"accept", accept.encode())],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def instrument(stages: Stages) -> None:
    """Wrap the seams of the public query path and of the page path (this process only)."""
    stages.wrap(endpoint, "_params", "sparql: protocol parameters")
    stages.wrap(endpoint.Endpoint, "_inspect", "sparql: policy (lexer and shape)")
    stages.wrap(endpoint.Endpoint, "_negotiate", "sparql: negotiation")
    stages.wrap(endpoint.Endpoint, "answer", "sparql: handler, other steps")
    stages.wrap(cache_module.ResultCache, "get", "sparql: result cache")
    stages.wrap(cache_module.ResultCache, "put", "sparql: result cache")
    stages.wrap(sending.BoundedAnswer, "__call__", "sending the answer")
    original_run = WorkerPool.run

    async def run(self: WorkerPool, job: Any) -> Any:
        with stages.stage("sparql: dispatch to the worker and back"):
            answer = await original_run(self, job)
            stages.book("sparql: evaluation + serialisation (in the worker)", int(answer.seconds * 1e9))
            return answer

    WorkerPool.run = run  # type: ignore[method-assign]
    try:
        from server.store.workers import lanes
    except ImportError:  # a tree without the cheap lane
        pass
    else:
        stages.wrap(lanes.TwoLanes, "run", "sparql: cheap lane, thread hop and back")
        stages.wrap(lanes.TwoLanes, "_evaluate", "sparql: evaluation + serialisation (in-process)")
    stages.wrap(descriptions.Descriptions, "_status", "doc: status lookup")
    stages.wrap(descriptions.Descriptions, "_describe", "doc: description query and grouping its rows")
    stages.wrap(embedded, "to_rdflib", "doc: term conversion to rdflib")
    stages.wrap(dereferencing, "entity_view", "doc: page model (entity_view)")
    stages.wrap(dereferencing, "roles", "doc: roles")
    stages.wrap(citations, "block", "doc: citation block")
    stages.wrap(rendering, "render", "doc: rendering (Jinja2, headers)")
    # The status and description of every IRI cold at the start of each page request (see ``forget``):
    # each page is a first view. Within the request the memos work as served, so a second look at the
    # same status or description is the cache hit it is in production.
    remembered = cache_module.Memo.__call__

    def tracked(self: cache_module.Memo[Any, Any], argument: Any) -> Any:
        if self.function.__qualname__.startswith("Descriptions."):
            DESCRIPTION_MEMOS[id(self)] = self
        return remembered(self, argument)

    cache_module.Memo.__call__ = tracked  # type: ignore[method-assign]


DESCRIPTION_MEMOS: dict[int, cache_module.Memo[Any, Any]] = {}


def forget() -> None:
    """Empty the status and description memos, so that the next page request is a first view."""
    for memo in DESCRIPTION_MEMOS.values():
        memo.cache.clear()


def subjects(release: Path, limit: int) -> list[str]:
    seen: dict[str, None] = {}
    with (release / "ser.nq").open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("<https://data.ser.nl/id/") and "/graph/data>" in line:
                seen.setdefault(line.split(" ", 1)[0][1:-1], None)
                if len(seen) >= limit:
                    break
    return list(seen)


def doc_paths(iris: list[str], base: str) -> list[str]:
    return ["/doc/" + iri[len(base) + len("id/"):] + ".html" for iri in iris
            if iri.startswith(base + "id/") and "#" not in iri]


def in_process(release: Path, store_dir: Path, n: int) -> dict[str, Any]:
    settings = settings_module.load().replace(store_dir=store_dir)
    store = EmbeddedStore.open(release, store_dir)
    # The public queries' runner of this tree: the two lanes where it has them, else the workers alone.
    pool = getattr(runner_module, "runner_for", runner_module.pool_for)(settings, store)
    pool.start()
    stages = Stages()
    instrument(stages)  # before the app is made: its memos hold the methods they are given
    app = create_app(settings, store, pool, document_cache_bytes=0)
    iris = subjects(release, 5000)
    pages = doc_paths(iris, store.release.base_iri)
    out: dict[str, Any] = {}

    async def drive() -> None:
        found = [p for p in pages[:600] if await call(app, p, {}, "text/html") == 200]
        for case, requests in (
            ("sparql lookup, distinct", [("/sparql", {"query": LOOKUP.format(iri=iris[i % len(iris)]) + f"\n#{i}"},
                                         "application/sparql-results+json") for i in range(n)]),
            ("sparql lookup, repeated", [("/sparql", {"query": LOOKUP.format(iri=iris[0])},
                                          "application/sparql-results+json")] * n),
            ("doc html, caches cold", [(found[i % len(found)], {}, "text/html") for i in range(n)]),
        ):
            for path, query, accept in requests[:50]:  # warm-up: imports, templates, first worker replies
                query = {k: v + "\n# warm-up" for k, v in query.items()}
                assert await call(app, path, query, accept) == 200, path
            stages.reset()
            cpu, wall = time.process_time_ns(), time.perf_counter_ns()
            for path, query, accept in requests:
                if path.startswith("/doc/"):
                    forget()
                with stages.stage("routing and middleware"):
                    status = await call(app, path, query, accept)
                assert status == 200, (path, status)
            out[case] = {"n": len(requests), "cpu_us": (time.process_time_ns() - cpu) / len(requests) / 1e3,
                         "wall_us": (time.perf_counter_ns() - wall) / len(requests) / 1e3,
                         "stages": {k: v / len(requests) / 1e3 for k, v in stages.spent.items()},
                         "calls": {k: v / len(requests) for k, v in stages.calls.items()}}

    asyncio.run(drive())
    pool.close()
    out["worker"] = worker_split(store, iris, n, settings.result_limit)
    store.close()
    return out


def worker_split(store: EmbeddedStore, iris: list[str], n: int, limit: int) -> dict[str, float]:
    """What a worker's share is made of, timed here in one process on the same queries."""
    engine = ox.Store.read_only(str(store.database))
    queries = [f"BASE <{store.release.base_iri}>\n" + LOOKUP.format(iri=iris[i % len(iris)]) for i in range(n)]

    def each(work: Callable[[Any], object]) -> float:
        started = time.perf_counter_ns()
        for q in queries:
            work(engine.query(q, use_default_graph_as_union=True))
        return (time.perf_counter_ns() - started) / n / 1e3

    evaluation = each(list)
    ours = each(lambda r: results.solutions(r, "json", limit, ordered=False))
    theirs = each(lambda r: r.serialize(format=ox.QueryResultsFormat.JSON))
    sample = results.solutions(engine.query(queries[0], use_default_graph_as_union=True), "json", limit)
    answer = Answer("solutions", sample.body, sample.count, sample.truncated, 0.0)
    started = time.perf_counter_ns()
    for _ in range(n):
        pickle.loads(pickle.dumps(("ok", answer), protocol=pickle.HIGHEST_PROTOCOL))
    pickling = (time.perf_counter_ns() - started) / n / 1e3
    started = time.perf_counter_ns()
    for _ in range(n):
        reader = wire.Reader(len(sample.body))
        reader.feed(b"".join(wire.encode(answer)))
        reader.result()
    framing = (time.perf_counter_ns() - started) / n / 1e3
    return {"evaluation, rows read": evaluation, "evaluation + our capped JSON writer": ours,
            "evaluation + Oxigraph's JSON writer": theirs, "pickling an answer there and back": pickling,
            "framing an answer there and back (header + bytes)": framing, "rows": float(sample.count)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(port: int, lines: Path, accept: str, suffix: str, seconds: int, pid: int) -> dict[str, float]:
    script = lines.with_suffix(".lua")
    script.write_text(WRK_SCRIPT)
    env = {**os.environ, "BENCH_ACCEPT": accept, "BENCH_SUFFIX": suffix}
    cpu = cpu_seconds(pid)
    done = subprocess.run(["wrk", "-t1", "-c1", f"-d{seconds}s", "-s", str(script), f"http://127.0.0.1:{port}",
                           "--", str(lines)], capture_output=True, text=True, env=env, check=True).stdout
    cpu = cpu_seconds(pid) - cpu
    total = int(done.split(" requests in ")[0].split()[-1])
    non2xx = int(done.split("Non-2xx or 3xx responses:")[1].split()[0]) if "Non-2xx" in done else 0
    rate = float(done.split("Requests/sec:")[1].split()[0])
    return {"req_s": rate, "cpu_us": cpu / max(total, 1) * 1e6, "requests": total, "non2xx": non2xx}


def over_http(release: Path, store_dir: Path, seconds: int, loop: str) -> dict[str, Any]:
    database = embedded.ensure_database(store_dir, EmbeddedStore.open(release, store_dir).release)
    store = EmbeddedStore.open(release, store_dir)
    iris = subjects(release, 5000)
    work = Path(tempfile.mkdtemp(prefix="profile-requests-"))
    ours_port, ox_port = free_port(), free_port()
    servers = [
        subprocess.Popen([sys.executable, "-c", SERVE, str(release), str(store_dir), str(ours_port), loop],
                         cwd=ROOT, start_new_session=True),
        subprocess.Popen([str(BIN / "oxigraph"), "serve-read-only", "--location", str(database), "--bind",
                          f"127.0.0.1:{ox_port}", "--union-default-graph"], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    out: dict[str, Any] = {}
    try:
        wait_for(f"http://127.0.0.1:{ours_port}/robots.txt")
        wait_for(f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D")
        lookups = work / "lookups.txt"
        stamp = [f"?{urllib.parse.urlencode({'query': LOOKUP.format(iri=iri) + f' #{i}'})}"
                 for i, iri in enumerate(iris * max(1, 20000 // len(iris)))]
        lookups.write_text("\n".join("/sparql" + q for q in stamp) + "\n")
        ox_lookups = work / "ox-lookups.txt"
        ox_lookups.write_text("\n".join("/query" + q for q in stamp) + "\n")
        pages = work / "pages.txt"
        pages.write_text("\n".join(doc_paths(iris, store.release.base_iri)) + "\n")
        json_accept = "application/sparql-results+json"
        for name, port, pid, lines, accept in (
            ("sparql lookup, distinct: ours", ours_port, servers[0].pid, lookups, json_accept),
            ("sparql lookup, distinct: oxigraph", ox_port, servers[1].pid, ox_lookups, json_accept),
            ("doc html, document cache off: ours", ours_port, servers[0].pid, pages, "text/html"),
        ):
            # The warm-up's queries carry one more comment, so that none of them is cached for the run.
            wrk(port, lines, accept, "" if lines is pages else "%0A%23warm-up", 2, pid)
            out[name] = wrk(port, lines, accept, "", seconds, pid)
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(10)
        shutil.rmtree(work, ignore_errors=True)
        store.close()
    return out


def release_of(args: argparse.Namespace) -> Path:
    if not args.triples:
        return Path(args.release).resolve()
    import synthetic

    target = CACHE / f"synthetic-graph-{args.triples}"
    if not (target / "ser.nq").exists():
        return synthetic.graph(target, args.triples)
    return target


def table(measured: dict[str, Any]) -> str:
    lines = []
    for case in ("sparql lookup, distinct", "sparql lookup, repeated", "doc html, caches cold"):
        row = measured["in_process"][case]
        lines.append(f"\n{case}: {row['wall_us']:.0f} us wall, {row['cpu_us']:.0f} us CPU per request (in-process)")
        for stage, us in sorted(row["stages"].items(), key=lambda kv: -kv[1]):
            lines.append(f"  {stage:58} {us:8.1f} us  ({row['calls'][stage]:.1f} calls)")
    lines.append("\nworker, timed in one process:")
    for label, us in measured["in_process"]["worker"].items():
        lines.append(f"  {label:58} {us:8.1f}")
    for name, row in measured.get("http", {}).items():
        lines.append(f"{name:40} {row['req_s']:8.0f} req/s  {row['cpu_us']:6.0f} us server CPU/request"
                     f"  ({row['requests']} requests, {row['non2xx']} non-2xx)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", default=str(ROOT / "releases" / "latest"))
    parser.add_argument("--triples", type=int, default=0, help="profile a synthetic graph of about N triples")
    parser.add_argument("-n", type=int, default=3000, help="requests per in-process case")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per HTTP case (0: no HTTP part)")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    args = parser.parse_args()
    release = release_of(args)
    store_dir = CACHE / "stores"
    measured: dict[str, Any] = {"release": str(release), "date": datetime.now(UTC).isoformat(timespec="seconds")}
    if args.seconds and shutil.which("wrk"):
        measured["http"] = over_http(release, store_dir, args.seconds, args.loop)
    measured["in_process"] = in_process(release, store_dir, args.n)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"profile-requests-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(measured, indent=1))
    print(table(measured))
    print(f"\nraw numbers: {out}")


if __name__ == "__main__":
    main()
