"""HTML rendering: one Jinja2 environment with autoescape on, and the context every page shares.

Everything that reaches a page goes through autoescaping, so a label such as ``<script>`` stays text.
The one exception is the JSON-LD block, which :func:`server.web.linkeddata.views.schema_org` has made
safe for a ``<script>`` element itself. A page carries its language (``<html lang>``), a switch to the
other language, and the ``alternate`` links of its other representations (HTML's ``<link>`` and the
HTTP ``Link`` header, RFC 8288).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from server.store.base import ReleaseInfo
from server.web import caching, language

TEMPLATES = Path(__file__).parent / "templates"


def _environment(folder: Path = TEMPLATES) -> Environment:
    """The templates ship with the code and never change under a running server: each is compiled once,
    on first use, and kept (``auto_reload`` off: no ``stat`` of the template files at every page)."""
    return Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,  # every template kept: there are a few dozen
    )


ENV = _environment()


def language_of(request: Request) -> language.Choice:
    return language.choose(request.query_params.get("lang"), request.cookies.get(language.COOKIE),
                           request.headers.get("accept-language"))


def switch_url(request: Request, lang: str) -> str:
    """The current URL with ``?lang=`` set: other parameters (such as ``page``) are kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return f"{request.url.path}?{urlencode(params)}"


def link_header(alternates: Sequence[tuple[str, str, str]]) -> str:
    """``Link`` header value for (href, media type, label) alternates."""
    return ", ".join(f'<{href}>; rel="alternate"; type="{media}"' for href, media, _ in alternates)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | Callable[[str], Mapping[str, Any]],
    release: ReleaseInfo,
    *,
    status_code: int = 200,
    variant: str = "html",
    alternates: Sequence[tuple[str, str, str]] = (),
    vary: str = "Accept-Language, Cookie",
    extra_headers: Mapping[str, str] | None = None,
    cache: caching.DocumentCache | None = None,
    cache_key: Hashable = None,
) -> Response:
    """Render ``template`` in the request's language, with the release's validators and a 304 when current.

    ``context`` may be a function of the language, so that a 304 costs no query. With ``cache``, the
    page is kept under (``cache_key``, URL, language) and rendered once.
    """
    choice = language_of(request)
    lang = choice.lang
    other = "en" if lang == "nl" else "nl"
    headers = {"Vary": vary, "Content-Language": lang, **(extra_headers or {})}
    if alternates:
        headers["Link"] = link_header(alternates)
    cacheable = status_code == 200
    if cacheable:
        headers.update(caching.headers(release, f"{variant}-{lang}"))
        if caching.not_modified(request, release, f"{variant}-{lang}"):
            return _remember(Response(status_code=304, headers=headers), choice)
    # The page shows its own URL (the language switch), so the URL is part of the key.
    params = tuple((k, v) for k, v in request.query_params.multi_items() if k != "lang")
    key = (cache_key, request.url.path, params, lang)
    page = cache.get(key) if cache is not None else None
    if page is None:
        values = context(lang) if callable(context) else context
        page = ENV.get_template(template).render(
            lang=lang,
            t=lambda key, **kw: language.word(key, lang).format(**kw) if kw else language.word(key, lang),
            switch_href=switch_url(request, other),
            switch_lang=other,
            alternates=alternates,
            release=release,
            path=request.url.path,
            **values,
        ).encode()
        if cache is not None:
            cache.put(key, page)
    response = HTMLResponse(page, status_code=status_code, headers=headers)
    return _remember(response, choice)


def _remember(response: Response, choice: language.Choice) -> Response:
    if choice.set_cookie:
        response.set_cookie(language.COOKIE, choice.lang, max_age=language.COOKIE_MAX_AGE, samesite="lax",
                            httponly=True)
    return response
