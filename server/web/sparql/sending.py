"""Sending SPARQL answers to clients that read slowly, or never: bounded in time and in memory.

An answer is held in memory whole until it has been sent. A client that asks for a large answer and
then reads nothing would keep it there for as long as its connection stays open, and the server's
transport would buffer whatever it was handed; 32 such sockets once held 575 MiB. So:

* an answer is handed to the connection in chunks of ``CHUNK_BYTES``, and the next chunk only when the
  transport has taken the last one (the server's flow control: ``send`` waits while the client does not
  read). What waits in the transport for one connection is at most a chunk and the transport's own
  high-water mark: the per-connection budget;
* the answers held for clients still being sent them are counted against a total budget for all
  connections (setting ``answer_memory``): an answer that would pass it gets 503 "try again" instead of
  being held;
* a client that takes no data for ``write_timeout`` seconds loses its connection: it is aborted, which
  drops what the transport still holds for it (a plain close would wait for the client to read it).

Hand-written because no ASGI server or library bounds this: uvicorn has no write timeout, and its
``close`` waits for a reader that never comes. The connection is aborted through the server's transport,
which :class:`server.web.app.App` finds on uvicorn's ``send`` and keeps in the scope under
:data:`ABORT`; under another server, a timed-out answer ends with :class:`SlowReader`, and the server
closes the connection as it does for any failed response.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from server.errors import SlowReader

CHUNK_BYTES = 256 * 1024  # handed to the transport at a time (with its 64 KiB high-water mark, the
# most a connection holds ahead of its client)
ABORT = "ser_kg.abort"  # scope key: a callable that aborts this request's connection


class AnswerBudget:
    """The bytes of the answers held for clients still being sent them, within ``total_bytes``."""

    def __init__(self, total_bytes: int, write_timeout: float, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.total_bytes = total_bytes
        self.write_timeout = write_timeout
        self.chunk_bytes = chunk_bytes
        self.held = 0  # bytes of answers being sent now
        self.sending = 0  # answers being sent now
        self.refused = 0  # answers refused because the budget was spent
        self.slow_readers = 0  # connections closed at the write timeout

    def reserve(self, size: int) -> bool:
        if self.held + size > self.total_bytes and self.sending:  # one answer alone always fits
            self.refused += 1
            return False
        self.held += size
        self.sending += 1
        return True

    def release(self, size: int) -> None:
        self.held -= size
        self.sending -= 1


class BoundedAnswer(Response):
    """A response whose body is sent in chunks, within the budget and the write timeout."""

    def __init__(self, body: bytes, budget: AnswerBudget, *, headers: Mapping[str, str], media_type: str,
                 busy: Callable[[], Response]) -> None:
        super().__init__(body, headers=headers, media_type=media_type)
        self.budget = budget
        self.busy = busy  # the answer when the budget is spent (503)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        size = len(self.body)
        if not self.budget.reserve(size):
            await self.busy()(scope, receive, send)
            return
        try:
            start_message = {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
            if not await self._timed(send, start_message, scope):
                return
            if scope.get("method") == "HEAD" or not size:
                await self._timed(send, {"type": "http.response.body", "body": b""}, scope)
                return
            step = self.budget.chunk_bytes
            for start in range(0, size, step):
                chunk = self.body[start:start + step]
                if not await self._timed(send, {"type": "http.response.body", "body": chunk,
                                                "more_body": start + step < size}, scope):
                    return
        finally:
            self.budget.release(size)

    async def _timed(self, send: Send, message: dict[str, Any], scope: Scope) -> bool:
        """Send ``message`` within the write timeout; False when the connection was aborted for it."""
        try:
            async with asyncio.timeout(self.budget.write_timeout):
                await send(message)
            return True
        except TimeoutError:
            self.budget.slow_readers += 1
            abort = scope.get(ABORT)
            if abort is None:
                raise SlowReader(f"the client took no data for {self.budget.write_timeout:g} s "
                                 "(setting write_timeout); the connection is closed") from None
            abort()
            await asyncio.sleep(0)  # the server learns of the lost connection: nothing more to send
            return False
