"""How a worker's answer crosses the socket pair: a fixed header, then the body's bytes as they are.

An answer is mostly its body (a serialised result), so it is not pickled: the worker writes a 24-byte
header (status, kind, truncated, row count, seconds in the worker, body length) and the body in one
``writev``, and the server reads it straight into one buffer. Status ``error`` carries the message, in
UTF-8, as the body. Both sides import this module, which imports nothing of the server but the value
types (``server.store.base``), so a worker stays free of the server that starts it.
"""

from __future__ import annotations

import os
import struct

from server.store.base import Answer

# status (B), kind (B), truncated (B), padding, count (I), seconds (d), body length (Q): little-endian
HEADER = struct.Struct("<BBBxIdQ")
OK, ERROR = 0, 1
KINDS = ("solutions", "boolean", "triples")
_KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}
FIRST_READ_BYTES = 64 * 1024  # the header and, for most answers, the whole body in one read
READ_BYTES = 1024**2  # the most one read takes off the socket


def encode(answer: Answer) -> tuple[bytes, bytes]:
    """The header and body of ``answer``."""
    header = HEADER.pack(OK, _KIND_CODES[answer.kind], answer.truncated, answer.count, answer.seconds,
                         len(answer.body))
    return header, answer.body


def encode_error(message: str) -> tuple[bytes, bytes]:
    body = message.encode("utf-8", "replace")
    return HEADER.pack(ERROR, 0, False, 0, 0.0, len(body)), body


def send(fd: int, parts: tuple[bytes, bytes]) -> None:
    """Write header and body to ``fd`` (blocking), however many writes the kernel needs."""
    header, body = parts
    # Most answers are small: one copy and one write. A large body is not copied.
    pending = [memoryview(header + body)] if len(body) <= FIRST_READ_BYTES else [memoryview(header), memoryview(body)]
    while pending:
        written = os.writev(fd, pending)
        while pending and written >= len(pending[0]):
            written -= len(pending[0])
            pending.pop(0)
        if pending and written:
            pending[0] = pending[0][written:]


class Reader:
    """Collects one answer from the chunks read off the socket; ``feed`` returns True once it is whole.

    ``max_bytes`` bounds the body the server accepts (a worker already refuses larger answers; this is
    the server's own bound, should a worker misbehave): a larger length is an error, never an allocation.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._header = b""
        self._fields: tuple[int, int, int, int, float, int] | None = None
        self._parts: list[bytes] = []
        self._missing = HEADER.size

    def wanted(self) -> int:
        """How many bytes to read next: the header and a first part of the body, then the rest of it
        (at most ``READ_BYTES`` at a time). The worker sends nothing after its answer, so a read never
        takes bytes of the next one."""
        if self._fields is None:
            return FIRST_READ_BYTES
        return min(self._missing, READ_BYTES)

    def feed(self, chunk: bytes) -> bool:
        if self._fields is None:
            take = self._missing
            self._header += chunk[:take]
            self._missing -= min(take, len(chunk))
            if self._missing:
                return False
            self._fields = HEADER.unpack(self._header)
            self._missing = self._fields[5]
            if self._missing > self.max_bytes:
                raise OSError(f"a SPARQL worker announced an answer of {self._missing} bytes, over the "
                              f"bound of {self.max_bytes}")
            chunk = chunk[take:]
        if len(chunk) > self._missing:
            raise OSError("a SPARQL worker sent more bytes than its answer's header announced")
        if chunk:
            self._parts.append(chunk)
            self._missing -= len(chunk)
        return not self._missing

    def result(self) -> tuple[str, Answer | str]:
        """("ok", Answer) or ("error", message), once :meth:`feed` returned True."""
        assert self._fields is not None and not self._missing
        status, kind, truncated, count, seconds, _ = self._fields
        body = b"".join(self._parts)
        if status == ERROR:
            return "error", body.decode("utf-8", "replace")
        if status != OK or kind >= len(KINDS):
            raise OSError(f"a SPARQL worker sent an answer of unknown status {status} or kind {kind}")
        return "ok", Answer(KINDS[kind], body, count, bool(truncated), seconds)
