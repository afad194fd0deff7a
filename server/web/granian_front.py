"""``ser-kg serve`` under granian (setting http_server): a Rust HTTP server in front of the same app.

Granian parses HTTP in Rust, which costs a lookup less than uvicorn's parsing in Python (bench/README.md).
It keeps the guarantees the runner gives under uvicorn, as far as granian allows:

* it always runs the app in processes of its own (``server.cli:serve_process``, as uvicorn does for several),
  beside a supervisor that starts a dead one again (``respawn_failed_workers``), so for server_processes 1
  too; the supervisor gives up, ending the server, when a process dies again within 5.5 s of being
  started again (a crash loop), where uvicorn's would go on restarting it;
* no access log; forwarded headers believed only from forwarded_allow_ips, through uvicorn's own
  middleware in each process (granian has no such option);
* granian always sends ``Server: granian`` unless the app sends a Server header itself (granian issue
  #594): the app's answers carry an empty one instead, but granian's own answers to requests it cannot
  parse (400) still name it;
* request line and headers must fit in the connection's read buffer (``HEADER_BYTES``, else the
  connection is closed), and must arrive within body_timeout seconds;
* at shutdown a process has ``KILL_TIMEOUT`` seconds to finish its requests, as under uvicorn;
* a process dies with the supervisor, however that dies (:func:`die_with_supervisor`): a supervisor
  killed with SIGKILL cannot stop its processes, which would go on holding the port and the store.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Mapping
from typing import Any, cast

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from server.settings import Settings

KILL_TIMEOUT = 5  # seconds
HEADER_BYTES = 64 * 1024
EMPTY_SERVER = (b"server", b"")
SUPERVISOR_ENV = "SER_KG__SUPERVISOR"  # internal: the process id of granian's supervisor
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def server(settings: Settings, target: str) -> Any:
    """The granian supervisor of ``settings.server_processes`` processes, each importing ``target``
    (``module:function``) and calling it for its app."""
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server import Server

    http1 = HTTP1Settings(header_read_timeout=int(settings.body_timeout * 1000), keep_alive=True,
                          max_buffer_size=HEADER_BYTES, pipeline_flush=False)
    return Server(target, address=settings.host, port=settings.port, interface=Interfaces.ASGI,
                  workers=settings.server_processes, http=HTTPModes.http1, websockets=False,
                  http1_settings=http1, log_level=LogLevels.info, log_access=False, factory=True,
                  respawn_failed_workers=True, workers_kill_timeout=KILL_TIMEOUT)


def die_with_supervisor(environ: Mapping[str, str] | None = None) -> None:
    """Have the kernel kill this process when its parent, granian's supervisor (its process id in
    ``SUPERVISOR_ENV``), dies; and end it at once if that has already happened."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") or SUPERVISOR_ENV not in env:
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != int(env[SUPERVISOR_ENV]):  # gone before the death signal was armed
        os.kill(os.getpid(), signal.SIGKILL)


def wrap(settings: Settings, app: ASGIApp) -> ASGIApp:
    """``app`` as one granian process serves it: an empty Server header on every answer, and the client's
    address and scheme from X-Forwarded-* when the peer is one of forwarded_allow_ips."""
    hidden = HideServer(app)
    if not settings.forwarded_allow_ips:
        return hidden
    # (uvicorn types ASGI apps with narrower scope types of its own: the same protocol)
    return cast(ASGIApp, ProxyHeadersMiddleware(cast(Any, hidden), trusted_hosts=settings.forwarded_allow_ips))


class HideServer:
    """Sends an empty Server header with each answer, which keeps granian from sending its name."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(name, value) for name, value in message.get("headers", ()) if name.lower() != b"server"]
                message = {**message, "headers": [*headers, EMPTY_SERVER]}
            await send(message)

        await self.app(scope, receive, sending)
