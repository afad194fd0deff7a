"""The server's own state: the health check at ``/-/health`` and the metrics at ``/-/metrics``
(``server.web.metrics`` keeps them).

``/-/health`` answers 200 while the server can take queries (a busy pool, or one replacing a worker, is
working) and 503 when it cannot, with the release served and what the query runner says of itself; it is
never cached.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from server.web.context import Context
from server.web.metrics import CONTENT_TYPE


def router(context: Context) -> APIRouter:
    store, registry, pool = context.store, context.metrics, context.pool
    api = APIRouter()

    @api.get("/-/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        return Response(registry.render(), media_type=CONTENT_TYPE)

    @api.get("/-/health", include_in_schema=False)
    def health(request: Request) -> JSONResponse:
        # Ready to serve: a busy pool, or one replacing a worker, is working, not broken (a load balancer
        # that took it for broken would drop the whole site while a few heavy queries run).
        healthy = pool is None or pool.ready
        body = {"status": "ok" if healthy else "degraded", "release": store.release.version,
                **(pool.health() if pool is not None else {})}
        return JSONResponse(body, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"})

    return api
