"""The site's icon at ``/favicon.ico``, where browsers and feed readers look for it without being told
(HTML Living Standard §4.6.7.8, the default icon). Pages also name ``/static/favicon.svg`` in their
``<link rel="icon">``; ``favicon.ico`` holds the same drawing at 16, 32 and 48 pixels, as PNG images in
an ICO container.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse

from server.web.context import Context

ICON = Path(__file__).parent.parent / "static" / "favicon.ico"
MEDIA_TYPE = "image/vnd.microsoft.icon"  # the IANA registration of the ICO format
CACHE_CONTROL = "public, max-age=86400"  # the icon changes with the code, not with a release


def router(context: Context) -> APIRouter:
    routes = APIRouter()

    @routes.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(ICON, media_type=MEDIA_TYPE, headers={"Cache-Control": CACHE_CONTROL})

    return routes
