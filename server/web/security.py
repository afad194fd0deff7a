"""The guard around every request: bounded headers and bodies, security headers, and the one top-level
error handler. See docs/security.md for the threats, and the tests that prove each defence.

On the way in (before any route sees the request):

* the request target is bounded: a path longer than :data:`MAX_PATH_BYTES` (longer than any IRI this
  dataset mints, or any file it serves) or a query string longer than ``max_query_string`` (room for a
  query of ``max_query_length`` characters, percent-encoded) is refused with 414 (RFC 9110 §15.5.15),
  before any route looks it up or caches anything under it;
* headers are bounded: one value over :data:`MAX_HEADER_BYTES`, more than :data:`MAX_HEADERS` fields or
  more than :data:`MAX_HEADERS_TOTAL` bytes in all is refused with 431 (RFC 6585 §5), naming the limit;
* a request body must keep arriving: a client that stops sending for ``body_timeout`` seconds (the setting)
  (slowloris) gets 408 (RFC 9110 §15.5.9) and its connection back.

On the way out, every response gets a Content-Security-Policy (W3C CSP Level 3) that lets only this
site's own scripts, styles and fetches run: the pages and the query UI load nothing from elsewhere and
keep no inline script, so the policy costs them nothing. Also ``X-Content-Type-Options: nosniff``,
``Referrer-Policy`` and ``X-Frame-Options``. The reconciliation preview is the one page meant to be
framed (OpenRefine shows it in an iframe), so :data:`FRAMEABLE` lifts only the framing rule for it.
No URL the server gives out is built from request headers: before any route sees the request, its
``Host`` is replaced by the host of the configured public URL (setting ``public_url``, by default the
base IRI) and its scheme by that URL's, so ``request.url`` and ``request.base_url`` (and every redirect
Starlette builds from them) name the public site, whatever ``Host`` or ``X-Forwarded-*`` a client sends,
or none at all (which would otherwise put the bind address in). A ``Location`` that names the public
host is then made relative.

Errors: a :class:`server.errors.SerKgError` that escapes a route becomes its own HTTP status with its
message (a store that cannot answer is 503, never 500). Anything else is a bug: it is logged with its
traceback under an incident number, and the client gets a 500 with that number only: no traceback, no
paths, no versions. A client that goes away mid-request is nobody to answer to, and no error.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import SerKgError

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 8192  # one header value, as nginx's default buffer for a header line
MAX_HEADERS = 100  # header fields in one request
MAX_HEADERS_TOTAL = 32768  # all header names and values together
# The longest path a request may have, in bytes as sent: the IRIs of a release are a type and a key of a
# few dozen characters (the longest, a distribution's, under 100), the downloads' names at most 200.
MAX_PATH_BYTES = 1024

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",  # /static/*.js only; the JSON in <script type=application/*json> is data, not script
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",  # the query UI and the search box fetch from this site only
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
))
FRAMEABLE = ("/reconcile/preview",)  # W3C Reconciliation API previews are shown in the client's iframe
ALWAYS: tuple[tuple[str, str], ...] = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
)


class SlowBody(Exception):
    """The client stopped sending its request body."""


def oversized(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """Why the request's headers are refused, or None when they are within the limits."""
    count = total = 0
    for name, value in headers:
        count += 1
        total += len(name) + len(value)
        if len(value) > MAX_HEADER_BYTES:
            return (f"the {name.decode('latin-1')[:64]} header is larger than {MAX_HEADER_BYTES} bytes; "
                    "send a shorter one")
    if count > MAX_HEADERS:
        return f"the request has more than {MAX_HEADERS} header fields"
    if total > MAX_HEADERS_TOTAL:
        return f"the request headers are larger than {MAX_HEADERS_TOTAL} bytes in all"
    return None


def policy_for(path: str) -> str:
    if path.startswith(FRAMEABLE):
        return CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")
    return CONTENT_SECURITY_POLICY


def _relative(location: str, host: str) -> str:
    parts = urlsplit(location)
    if not parts.netloc or parts.netloc.lower() != host.lower():
        return location
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


async def _plain(send: Send, status: int, text: str) -> None:
    body = f"{text}\n".encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
               (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()), (b"x-frame-options", b"DENY"),
               *((k.encode(), v.encode()) for k, v in ALWAYS)]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """Pure ASGI middleware (no per-request objects beyond two closures: it runs on every lookup)."""

    def __init__(self, app: ASGIApp, public_url: str, max_query_string: int, body_timeout: float) -> None:
        self.app = app
        self.body_timeout = body_timeout
        self.max_query_string = max_query_string
        public = urlsplit(public_url)
        self.scheme = public.scheme
        self.host = public.netloc.encode("latin-1")

    def too_long(self, scope: Scope) -> str | None:
        """Why the request's target is refused, or None when it is within the limits."""
        path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        if len(path) > MAX_PATH_BYTES:
            return (f"the path is longer than {MAX_PATH_BYTES} bytes; no address of this dataset is that long")
        if len(scope.get("query_string", b"")) > self.max_query_string:
            return (f"the query string is longer than {self.max_query_string} bytes (three times the setting "
                    "max_query_length, and room for other parameters); send a long SPARQL query by POST")
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_long = self.too_long(scope)
        if too_long is not None:
            await _plain(send, 414, too_long)
            return
        refusal = oversized(scope["headers"])
        if refusal is not None:
            await _plain(send, 431, refusal)
            return
        # In place, not a copy: the middleware outside (metrics) reads the route the router records here.
        scope["scheme"] = self.scheme
        scope["headers"] = [*((k, v) for k, v in scope["headers"] if k != b"host"), (b"host", self.host)]
        path: str = scope["path"]
        public_host = self.host.decode("latin-1")
        started = False
        body_done = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers["content-security-policy"] = policy_for(path)
                for name, value in ALWAYS:
                    headers[name] = value
                if not path.startswith(FRAMEABLE):
                    headers["x-frame-options"] = "DENY"
                if "location" in headers:
                    headers["location"] = _relative(headers["location"], public_host)
            await send(message)

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:  # after the body, receive() waits for a disconnect: no limit on that
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout)
            except TimeoutError:
                raise SlowBody from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        try:
            await self.app(scope, timed_receive, guarded_send)
        except ClientDisconnect:
            return
        except SlowBody:
            if not started:
                await _plain(send, 408, f"the request body stalled for more than {self.body_timeout:g} s "
                                        "(the setting body_timeout); send it without pauses")
        except SerKgError as exc:
            if not started:
                await _plain(send, exc.http_status, str(exc))
            else:
                raise
        except Exception:  # the one top-level handler (STYLE.md §4): log it, tell the client little
            incident = uuid.uuid4().hex[:12]
            log.exception("incident %s: unexpected error answering %s %s", incident, scope["method"], path)
            if not started:
                await _plain(send, 500, f"internal error (incident {incident}); the error is logged, "
                                        "please report the incident number")
            else:
                raise

