"""Talking to a remote SPARQL engine: where it is, and one query sent and its answer read, within limits.

Queries go out by the SPARQL 1.1 Protocol (§2.1, query operation, POST form) over kept-alive HTTP/1.1
connections, by one library, httpcore (the transport under httpx), on both paths a query travels: from a
thread (the trusted queries of pages, listings and the catalogue) through its ``ConnectionPool``, and on the
event loop (the public endpoint's, so that no thread waits for the engine) through its
``AsyncConnectionPool``. Both pools have the same limits. The event loop's pool runs over plain non-blocking
sockets and the running loop's socket calls (``server.store.remote.sockets``): a socket belongs to no event loop, so the
pool outlives any one loop (a test client runs a loop per request). httpcore follows no redirect and reads
no proxy from the environment. httpx (on the same httpcore) stays for what needs more: the Graph Store
Protocol of ``ser-kg publish``, and an engine that asks for credentials (HTTP digest, from the settings
``store_user`` and ``store_password``, sent only when asked); after its first 401 the queries go through
httpx, from a thread. bench/README.md ("Remote engine clients") has what the library costs.

Limits: a client-side deadline of ``query_timeout`` on every request (each socket read, and the
answer as a whole), the engine's own timeout parameter where it has one (setting
``store_timeout_parameter``), and a cap on the size of the answer, streamed and read no further than the cap.
An answer the engine cut at its own limit (Virtuoso's "anytime" answers) is a timeout, never a result. An
engine that does not answer is :class:`EngineUnreachable` (HTTP 503) naming its URL; a kept-alive
connection the engine has closed is retried once on a new one, so the server recovers by itself when the
engine is back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlsplit

import httpcore
import httpx
import pyoxigraph as ox

from server.errors import EngineFailed, EngineUnreachable, QueryRejected, QueryTimeout, StoreError
from server.store.remote.sockets import CoalescingBackend, Sockets

# Asked by the query form: Virtuoso fails a CONSTRUCT when the results format is acceptable at all.
RESULTS, TRIPLES = "application/sparql-results+json", "application/n-triples"
ACCEPT = f"{RESULTS}, {TRIPLES}"
FORM = "application/x-www-form-urlencoded"
# An answer is parsed whole before it is cut at the result limit; past this size the engine is sending far
# more than any capped answer needs, and reading on would only spend this server's memory.
MAX_ANSWER_BYTES = 256 * 1024 * 1024
TIMEOUT_HELP = "(setting query_timeout, environment variable SER_KG_QUERY_TIMEOUT)"
IDLE_CONNECTIONS = 16  # kept open per engine and per path; more are opened when more queries run at once
MAX_CONNECTIONS = 64  # open at once per engine and per path; a query past them waits for one, within its deadline
CHUNK_BYTES = 256 * 1024  # read from the engine at a time
_ESTIMATED_TOO_LONG = "The estimated execution time"  # Virtuoso 42000, at MaxQueryCostEstimationTime


@dataclass(frozen=True)
class Engine:
    """How to reach one engine: its URL, the credentials from the settings, and its timeout parameter."""

    url: str
    timeout: float  # seconds: the client-side deadline of one request
    user: str = ""
    password: str = ""
    timeout_parameter: str = ""  # the engine's own per-query timeout, in milliseconds (Virtuoso: timeout)
    max_answer_bytes: int = MAX_ANSWER_BYTES  # past this size an answer is refused
    chunk_bytes: int = CHUNK_BYTES

    def client(self) -> httpx.Client:
        auth = httpx.DigestAuth(self.user, self.password) if self.user else None
        # No proxy from the environment: the engine is a service next to this one, never the internet.
        limits = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=IDLE_CONNECTIONS)
        return httpx.Client(auth=auth, trust_env=False, follow_redirects=False, limits=limits)

    def unreachable(self, exc: Exception) -> EngineUnreachable:
        return EngineUnreachable(f"the SPARQL engine at {self.url} does not answer ({type(exc).__name__}: {exc}). "
                          "Start it, or check the setting store_url; this server retries on every request.")

    def timed_out(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran longer than the limit of {self.timeout:g} s and was "
                            f"stopped {TIMEOUT_HELP}. Make it more selective, or add a LIMIT.")


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    incomplete: bool = False  # the engine stopped the query at its own limit and sent what it had
    row_cap: int | None = None  # the engine cut the rows at this many (Virtuoso: ResultSetMaxRows)
    encoding: str = ""  # Content-Encoding: this client asks for none and reads none

    @classmethod
    def of(cls, status: int, header: Callable[[str], str | None], body: bytes) -> Reply:
        """A reply from its status, a function that reads one of its headers, and its body.

        Virtuoso says two things only in headers. At its timeout it sends the rows found so far, as a 200
        (or a 206), with ``X-SQL-State: S1TAT`` (its "anytime" answers): a partial count looks like a
        whole one, so that is a timeout. At its row cap it sends that many rows with
        ``X-SPARQL-MaxRows``.
        """
        cap = (header("x-sparql-maxrows") or "").strip()
        return cls(status, header("content-type") or "", body,
                   incomplete=(header("x-sql-state") or "").strip().upper() == "S1TAT",
                   row_cap=int(cap) if cap.isdigit() else None,
                   encoding=(header("content-encoding") or "").strip().lower())


class TooLarge(Exception):
    pass


# A kept-alive connection the engine closed meanwhile (it restarted, or timed the connection out) shows as
# one of these; a query changes nothing, so it is sent once more on a new connection.
_LOST = (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError, ConnectionError)
_UNREACHABLE = (OSError, httpcore.NetworkError, httpcore.ProtocolError, httpx.TransportError)
_TIMEOUTS = (TimeoutError, httpcore.TimeoutException, httpx.TimeoutException)


class Connections:
    """Kept-alive connections to one engine's query URL, for threads and for any event loop."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        parts = urlsplit(engine.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StoreError(f"store_url {engine.url!r} is not an http(s) URL of a SPARQL endpoint")
        self.https = parts.scheme == "https"
        self.host_header = parts.netloc.rpartition("@")[2].encode()
        limits: dict[str, Any] = {"max_connections": MAX_CONNECTIONS, "max_keepalive_connections": IDLE_CONNECTIONS,
                                  "retries": 0}
        self._pool = httpcore.ConnectionPool(**limits, network_backend=CoalescingBackend())
        # https on the event loop would need TLS over the plain sockets: it takes the thread path instead.
        self._sockets = Sockets()
        self._async_pool = httpcore.AsyncConnectionPool(**limits, network_backend=self._sockets)
        self._authenticated: httpx.Client | None = None  # once the engine asked for credentials

    @property
    def authenticated(self) -> bool:
        """The engine asked for credentials: queries go through httpx, which answers its challenge."""
        return self._authenticated is not None

    def too_large(self) -> StoreError:
        return StoreError(f"the engine's answer is larger than {self.engine.max_answer_bytes / 2**20:g} MiB; "
                          "add a LIMIT to the query")

    def parsed(self, reply: Reply) -> Parsed:
        """The answer in ``reply``, or the error it is: an answer the engine cut at its own limit is a timeout."""
        engine = self.engine
        if reply.incomplete or reply.status == 206:
            raise engine.timed_out()
        if reply.status == 400:
            text = reply.body.decode("utf-8", "replace").strip()
            raise QueryRejected(f"the SPARQL engine refused the query: {text}")
        if reply.status != 200:
            text = reply.body[:300].decode("utf-8", "replace").strip()
            if _ESTIMATED_TOO_LONG in text:  # Virtuoso refuses before it starts what would outlast its limit
                raise QueryTimeout(f"the SPARQL engine estimates that the query would run past its time limit "
                                   f"({text.splitlines()[0]}). Make it more selective, or add a LIMIT.")
            raise EngineFailed(f"the SPARQL engine at {engine.url} answered {reply.status}: {text}", reply.status, text)
        if reply.encoding not in ("", "identity"):
            raise StoreError(f"the SPARQL engine at {engine.url} answered in Content-Encoding {reply.encoding}, "
                             "though asked for none")
        parsed = parse(reply.content_type, reply.body, engine.url)
        if isinstance(parsed, Solutions) and reply.row_cap is not None and len(parsed.rows) >= reply.row_cap:
            return Solutions(parsed.variables, parsed.rows, cut=True)
        return parsed

    def _headers(self, body: bytes, accept: str) -> list[tuple[bytes, bytes]]:
        return [(b"Host", self.host_header), (b"Accept", accept.encode()), (b"Accept-Encoding", b"identity"),
                (b"Content-Type", FORM.encode()), (b"Content-Length", str(len(body)).encode())]

    def post(self, body: bytes, accept: str) -> Reply:
        """POST ``body`` (a form) from a thread and read the reply within the deadline and the size cap."""
        deadline = time.monotonic() + self.engine.timeout
        try:
            if self._authenticated is not None:
                return self._post_authenticated(body, accept, deadline)
            try:
                reply = self._post(body, accept, deadline)
            except _LOST:
                reply = self._post(body, accept, deadline)
            if reply.status == 401 and self.engine.user:
                self._authenticated = self.engine.client()
                return self._post_authenticated(body, accept, deadline)
            return reply
        except _TIMEOUTS:
            raise self.engine.timed_out() from None
        except TooLarge:
            raise self.too_large() from None
        except _UNREACHABLE as exc:
            raise self.engine.unreachable(exc) from None

    def _post(self, body: bytes, accept: str, deadline: float) -> Reply:
        timeout = max(deadline - time.monotonic(), 0.001)
        extensions = {"timeout": dict.fromkeys(("connect", "read", "write", "pool"), timeout)}
        with self._pool.stream("POST", self.engine.url, headers=self._headers(body, accept), content=body,
                               extensions=extensions) as response:
            data = _read(response.iter_stream(), deadline, self.engine.max_answer_bytes)
            return Reply.of(response.status, _header_reader(response.headers), data)

    async def post_async(self, body: bytes, accept: str) -> Reply:
        """:meth:`post` on the event loop: the deadline over the whole exchange, the same cap and retry."""
        engine = self.engine
        if self.authenticated or self.https:
            return await asyncio.to_thread(self.post, body, accept)
        try:
            async with asyncio.timeout(engine.timeout):
                try:
                    reply = await self._post_async(body, accept)
                except _LOST:
                    reply = await self._post_async(body, accept)
        except _TIMEOUTS:
            raise engine.timed_out() from None
        except TooLarge:
            raise self.too_large() from None
        except _UNREACHABLE as exc:
            raise engine.unreachable(exc) from None
        if reply.status == 401 and engine.user:
            return await asyncio.to_thread(self.post, body, accept)
        return reply

    async def _post_async(self, body: bytes, accept: str) -> Reply:
        async with self._async_pool.stream("POST", self.engine.url, headers=self._headers(body, accept),
                                           content=body) as response:
            chunks, size = [], 0
            async for chunk in response.aiter_stream():
                chunks.append(chunk)
                size += len(chunk)
                if size > self.engine.max_answer_bytes:
                    raise TooLarge
            return Reply.of(response.status, _header_reader(response.headers), b"".join(chunks))

    def _post_authenticated(self, body: bytes, accept: str, deadline: float) -> Reply:
        assert self._authenticated is not None
        headers = {"Accept": accept, "Content-Type": FORM, "Accept-Encoding": "identity"}
        with self._authenticated.stream("POST", self.engine.url, content=body, headers=headers,
                                        timeout=httpx.Timeout(self.engine.timeout)) as response:
            data = _read(response.iter_bytes(self.engine.chunk_bytes), deadline, self.engine.max_answer_bytes)
            return Reply.of(response.status_code, response.headers.get, data)

    def close(self) -> None:
        self._pool.close()
        self._sockets.close()  # the event loop's connections: plain sockets, closed with no loop needed
        if self._authenticated is not None:
            self._authenticated.close()


def _header_reader(headers: list[tuple[bytes, bytes]]) -> Callable[[str], str | None]:
    found = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in headers}
    return found.get


def _read(chunks_in: Iterator[bytes], deadline: float, max_bytes: int) -> bytes:
    """The whole answer, unless it outlasts ``deadline`` or outgrows ``max_bytes``."""
    chunks, size = [], 0
    for chunk in chunks_in:
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise TimeoutError
        if size > max_bytes:
            raise TooLarge
    return b"".join(chunks)


@dataclass(frozen=True)
class Solutions:
    """Parsed SELECT results, shaped as ``server.store.results`` reads an engine's own."""

    variables: list[ox.Variable]
    rows: list[tuple[Any, ...]]
    cut: bool = False  # the engine sent fewer rows than the query has, at its own row cap

    def __iter__(self) -> Any:
        return iter(self.rows)


Parsed = Solutions | bool | list[ox.Triple]


def form(query: str, dataset: str) -> bytes:
    """The POST body: ``dataset`` (already encoded parameters, or empty) and the query."""
    return (f"{dataset}&query={quote_plus(query)}" if dataset else f"query={quote_plus(query)}").encode()


def request_body(engine: Engine, query: str, dataset: str) -> bytes:
    """The POST form: ``dataset`` (encoded parameters, or empty), the query, and the engine's own time limit."""
    body = form(query, dataset)
    if engine.timeout_parameter:
        body += f"&{quote_plus(engine.timeout_parameter)}={int(engine.timeout * 1000)}".encode()
    return body


def answer_of(triples: bool) -> str:
    """The Accept header: N-Triples for a CONSTRUCT or DESCRIBE, SPARQL JSON results for the others."""
    return TRIPLES if triples else RESULTS


def fetch(connections: Connections, query: str, dataset: str, triples: bool) -> Parsed:
    """Send one query; the parsed answer, with graph names as the engine wrote them. ``triples``: the
    query is a CONSTRUCT or DESCRIBE.
    """
    reply = connections.post(request_body(connections.engine, query, dataset), answer_of(triples))
    return connections.parsed(reply)


async def fetch_async(connections: Connections, query: str, dataset: str, triples: bool) -> Parsed:
    """:func:`fetch` on the event loop, without a thread."""
    reply = await connections.post_async(request_body(connections.engine, query, dataset), answer_of(triples))
    return connections.parsed(reply)


def parse(content_type: str, body: bytes, url: str) -> Parsed:
    media_type = content_type.split(";")[0].strip().lower()
    try:
        if media_type == RESULTS:
            # Virtuoso labels blank nodes "nodeID://b1", which is no blank node label; the label is the engine's own.
            body = body.replace(b'"bnode", "value": "nodeID://', b'"bnode", "value": "')
            result = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            if isinstance(result, ox.QueryBoolean):
                return bool(result)
            return Solutions(list(result.variables), [tuple(s) for s in result])
        if media_type == TRIPLES:
            return [ox.Triple(q.subject, q.predicate, q.object)
                    for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"the SPARQL engine at {url} sent an answer that does not parse: {exc}") from None
    raise StoreError(f"the SPARQL engine at {url} answered in {media_type or 'no media type'}; "
                     f"it must offer {ACCEPT}")
