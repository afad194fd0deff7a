"""Reading a request body within a limit (the setting ``max_body_bytes``), for every route that takes one.

The body is refused with 413 (RFC 9110 §15.5.14) as soon as its declared ``Content-Length`` or the bytes
received so far pass the limit, so that no client can make the server hold more than that.
"""

from __future__ import annotations

from starlette.requests import Request

from server.errors import ProtocolError


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body of ``request``, at most ``limit`` bytes."""
    too_large = f"the request body is larger than {limit} bytes (setting max_body_bytes)"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, too_large)
    chunks: list[bytes] = []  # joined once: adding each chunk to one bytes object would copy it all again
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, too_large)
        chunks.append(chunk)
    return b"".join(chunks)
