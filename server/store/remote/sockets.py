"""How the remote engine client's connections (``server.store.remote.engine``) reach the engine: network backends
for httpcore's pools.

Two changes to httpcore's defaults, both measured (bench/README.md, "Remote engine clients"): a request goes
out in one write, not its head and body apart (on loopback each packet costs a wake-up of the engine); and
the event loop's pool runs over plain non-blocking sockets and the running loop's socket calls, so one pool
serves every event loop (a test client runs a loop per request), where anyio's streams belong to the loop
that opened them. The deadline of a query is the caller's (``asyncio.timeout``, httpcore's timeouts).
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore


class Socket(httpcore.AsyncNetworkStream):
    """One connection of the event loop's pool: a non-blocking socket, read and written by the running loop."""

    def __init__(self, sock: socket.socket, owner: Sockets) -> None:
        self.sock, self.owner = sock, owner
        self.unsent: list[bytes] = []

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        loop = asyncio.get_running_loop()
        if self.unsent:
            await loop.sock_sendall(self.sock, b"".join(self.unsent))
            self.unsent.clear()
        return await loop.sock_recv(self.sock, max_bytes)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.unsent.append(buffer)  # sent with the rest of the request, before its answer is read (see Coalesced)

    async def aclose(self) -> None:
        self.owner.open.discard(self.sock)
        self.sock.close()

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # an idle connection with something to read was closed by the engine
            return self.sock.fileno() < 0 or bool(select.select([self.sock], [], [], 0)[0])
        return self.sock if info == "socket" else None


class Coalesced(httpcore.NetworkStream):
    """A connection of the threads' pool whose writes go out together, before the answer is read.

    httpcore writes a request's head and its body apart; as two packets on loopback each costs a wake-up
    of the engine, which measured three to five times the client time of one (bench/README.md).
    """

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self.stream = stream
        self.unsent: list[bytes] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self.unsent:
            self.stream.write(b"".join(self.unsent), timeout)
            self.unsent.clear()
        return self.stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.unsent.append(buffer)

    def close(self) -> None:
        self.stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return Coalesced(self.stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)


class CoalescingBackend(httpcore.SyncBackend):
    """httpcore's own sockets for the threads' pool, with :class:`Coalesced` writes and no Nagle delay."""

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        stream = super().connect_tcp(host, port, timeout, local_address, socket_options)
        stream.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return Coalesced(stream)


class Sockets(httpcore.AsyncNetworkBackend):
    """Connections as plain sockets (the deadline is the caller's ``asyncio.timeout``): any event loop may use them."""

    def __init__(self) -> None:
        self.open: set[socket.socket] = set()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            family, kind, proto, _, address = (await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM))[0]
            sock = socket.socket(family, kind, proto)
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await loop.sock_connect(sock, address)
        except OSError as exc:
            sock.close()
            raise httpcore.ConnectError(str(exc)) from exc
        except BaseException:
            sock.close()
            raise
        self.open.add(sock)
        return Socket(sock, self)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def close(self) -> None:
        while self.open:
            self.open.pop().close()
