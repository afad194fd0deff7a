"""Clients that ask for a large answer and never read it: bounded memory, and closed at the write timeout.

Real loopback sockets (with a small receive buffer) send a query whose answer is 16 MiB and read nothing.
The server's own accounting (``app.answers``) must stay within the budget set here, the others get
503 rather than being held, and at the write timeout set by the test the connection is aborted: the client
then reads end of file before the whole answer, and the server holds nothing.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from urllib.parse import quote

from fastapi import FastAPI

from tests.conftest import LiveServer
from tests.security.test_query_bombs import doubled

ANSWER = 16 * 1024**2  # the doubled string: 2**24 characters
BUDGET_MIB = 20  # one such answer fits, two do not
CLIENTS = 4


def until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the state did not come within a generous bound"
        time.sleep(0.02)


def test_clients_that_never_read_are_bounded_and_closed(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(answer_memory=BUDGET_MIB, write_timeout=1.0, query_timeout=20.0)
    answers = app.answers
    request = (f"GET /sparql?query={quote(doubled(24, False))} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Accept: application/sparql-results+json\r\n\r\n").encode()
    with LiveServer(app) as server:
        sockets = []
        for _ in range(CLIENTS):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", server.port))
            s.sendall(request)
            sockets.append(s)
        try:
            until(lambda: answers.held > 0 and answers.sending + answers.refused == CLIENTS)
            assert answers.held <= BUDGET_MIB * 1024**2
            assert answers.sending == 1 and answers.refused == CLIENTS - 1
            until(lambda: answers.held == 0)  # the slow reader was cut off at the write timeout
            assert answers.slow_readers == 1
            received = []
            for s in sockets:
                s.settimeout(30)
                data = b""
                while chunk := s.recv(1 << 20):
                    data += chunk
                received.append(data)  # recv returned b"": the server closed the connection
            statuses = sorted(d.split(b" ", 2)[1] for d in received)
            assert statuses == [b"200"] + [b"503"] * (CLIENTS - 1)
            cut = next(d for d in received if d.startswith(b"HTTP/1.1 200"))
            assert len(cut) < ANSWER
        finally:
            for s in sockets:
                s.close()
