"""The public endpoint's queries to a remote engine, on the event loop: no thread waits for the engine.

Each waiting query would otherwise hold a thread, and threads that take turns at the GIL cost more
than the work they do (measured in bench/remote: lookups at 8 connections went from 1,800 to 2,600
requests a second without them). The HTTP/1.1 exchange is h11's (the protocol library under uvicorn
and httpcore) over plain non-blocking sockets and the event loop's socket calls, on kept-alive
connections: a socket belongs to no event loop, so the pool outlives any one loop (a test client
runs a loop per request). The limits are those of ``server.store.remote.engine``: the deadline over the
whole exchange, the size cap, one retry of a kept-alive connection the engine closed. Two cases take
the thread-based path of ``server.store.remote.engine`` instead: an engine that asks for credentials (it
knows HTTP digest) and an https URL (it knows TLS).
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

import h11

from server.store.remote.engine import (
    FORM,
    IDLE_CONNECTIONS,
    Connections,
    Parsed,
    Reply,
    TooLarge,
    answer_of,
    request_body,
)

_LOST = (ConnectionError, h11.RemoteProtocolError)


@dataclass
class _Connection:
    sock: socket.socket
    protocol: h11.Connection = field(default_factory=lambda: h11.Connection(our_role=h11.CLIENT))

    def close(self) -> None:
        self.sock.close()


@dataclass
class AsyncConnections:
    """Kept-alive connections to one engine's query URL, as plain sockets: any event loop may use them."""

    sync: Connections  # the engine, its URL parsed, and the thread-based path for credentials
    _idle: list[_Connection] = field(default_factory=list)

    async def post(self, body: bytes, accept: str) -> Reply:
        engine = self.sync.engine
        if self.sync.authenticated or self.sync.https:
            return await asyncio.to_thread(self.sync.post, body, accept)
        try:
            async with asyncio.timeout(engine.timeout):
                reply = await self._post(body, accept, retry=True)
        except TimeoutError:
            raise engine.timed_out() from None
        except TooLarge:
            raise self.sync.too_large() from None
        except (OSError, h11.ProtocolError) as exc:
            raise engine.unreachable(exc) from None
        if reply.status == 401 and engine.user:
            return await asyncio.to_thread(self.sync.post, body, accept)
        return reply

    async def _post(self, body: bytes, accept: str, retry: bool) -> Reply:
        connection = self._idle.pop() if self._idle else None
        reused = connection is not None
        if connection is None:
            connection = await self._connect()
        try:
            reply = await self._exchange(connection, body, accept)
        except _LOST:
            connection.close()
            # A kept-alive connection the engine closed meanwhile: a query changes nothing, so it is sent
            # once more on a new connection.
            if reused and retry:
                return await self._post(body, accept, retry=False)
            raise
        except BaseException:
            connection.close()
            raise
        protocol = connection.protocol
        if protocol.our_state is h11.DONE and protocol.their_state is h11.DONE and len(self._idle) < IDLE_CONNECTIONS:
            protocol.start_next_cycle()
            self._idle.append(connection)
        else:
            connection.close()
        return reply

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        port = self.sync.port or 80
        family, kind, proto, _, address = (await loop.getaddrinfo(self.sync.host, port, type=socket.SOCK_STREAM))[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await loop.sock_connect(sock, address)
        except BaseException:
            sock.close()
            raise
        return _Connection(sock)

    async def _exchange(self, connection: _Connection, body: bytes, accept: str) -> Reply:
        loop = asyncio.get_running_loop()
        protocol, sync = connection.protocol, self.sync
        headers = [("Host", sync.host_header), ("Accept", accept), ("Accept-Encoding", "identity"),
                   ("Content-Type", FORM), ("Content-Length", str(len(body)))]
        events = (h11.Request(method="POST", target=sync.target, headers=headers), h11.Data(data=body),
                  h11.EndOfMessage())
        await loop.sock_sendall(connection.sock, b"".join(protocol.send(e) or b"" for e in events))
        status, found, chunks, size = 0, {}, [], 0
        while True:
            event = protocol.next_event()
            if event is h11.NEED_DATA:
                protocol.receive_data(await loop.sock_recv(connection.sock, sync.engine.chunk_bytes))
            elif isinstance(event, h11.Response):
                status = event.status_code
                found = {name.decode().lower(): value.decode("latin-1") for name, value in event.headers}
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
                size += len(event.data)
                if size > sync.engine.max_answer_bytes:
                    raise TooLarge
            elif isinstance(event, h11.EndOfMessage):
                return Reply.of(status, found.get, b"".join(chunks))
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionResetError("the engine closed the connection")
            # h11.InformationalResponse (100 Continue and the like): read on

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()


async def fetch_async(connections: AsyncConnections, query: str, dataset: str, triples: bool) -> Parsed:
    """:func:`server.store.remote.engine.fetch`, without a thread."""
    engine = connections.sync.engine
    reply = await connections.post(request_body(engine, query, dataset), answer_of(triples))
    return connections.sync.parsed(reply)
