"""Network isolation of a query worker: it answers queries over a local database and needs no network.

Two layers, because the query policy (``server.rdf.sparql_policy``) is the first and must not be the only
one. SPARQL ``SERVICE`` and ``LOAD`` are carried out inside the engine (Rust), where Python's audit hooks
never see the socket, so:

1. the worker moves into a network namespace of its own, which has no interface but a loopback that is
   down (``unshare(CLONE_NEWNET)``; as root, or through a user namespace where the kernel allows it).
   This must happen before the engine starts threads, since a namespace change applies to the calling
   thread and to the threads it starts afterwards;
2. an audit hook refuses ``socket.connect``, name lookups and ``urllib`` requests from Python code.

:func:`isolate` reports which layers hold, and the pool logs it, so an operator sees when only the
second one could be set up.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Any

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
REFUSED_EVENTS = frozenset({"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"})


def _refuse_network(event: str, args: tuple[Any, ...]) -> None:
    if event in REFUSED_EVENTS:
        raise PermissionError(f"network access is disabled in SPARQL query workers ({event})")


def _unshare(flags: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.unshare(flags)) == 0
    except (OSError, AttributeError):
        return False


def _user_namespace_network() -> bool:
    """A user namespace with its own network namespace, for a worker that does not run as root."""
    uid, gid = os.getuid(), os.getgid()
    if not _unshare(CLONE_NEWUSER | CLONE_NEWNET):
        return False
    try:  # map ourselves, so that files keep their owner inside the namespace
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid} {gid} 1")
    except OSError:
        pass
    return True


def isolate() -> str:
    """Cut this process off the network; returns a description of the layers in place."""
    layers = []
    if sys.platform.startswith("linux") and (_unshare(CLONE_NEWNET) or _user_namespace_network()):
        layers.append("network namespace")
    sys.addaudithook(_refuse_network)
    layers.append("audit hook")
    return " + ".join(layers)
