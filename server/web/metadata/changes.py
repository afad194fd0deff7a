"""The change log on the web: ``/changes/`` (every release with what it changed), ``/changes/{version}``
(one release's changes by kind and thing) and ``/changes/feed.atom`` (an Atom 1.0 feed, RFC 4287).

They read the ``changes.json`` that ``ser-kg build`` writes into each release folder
(``server/pipeline/releases/changes.py``). A release folder is found the way the downloads find it
(:func:`server.web.metadata.downloads.releases`: a real release whose manifest lists the file), and its
change log is read and kept by :mod:`server.web.changelog`. The feed's links start with the
configured public URL, never with anything from the request (docs/security.md).
"""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime
from typing import Any, cast
from xml.sax.saxutils import XMLGenerator

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from server.web import addresses, caching, language, rendering
from server.web.changelog import KINDS, Logs, changes_of, counts, name_of
from server.web.context import Context
from server.web.language import human_date, human_number
from server.web.metadata.downloads import VERSION, Release, listing_variant, releases
from server.web.notfound import METHODS, not_found

FILES = (("changes.rdfp", "RDF Patch"), ("changes.json", "JSON"), ("changes.txt", "Text"))
FEED_ENTRIES = 50
NAMES_IN_SUMMARY = 20  # names per kind in a feed entry
ROWS = 2000  # things per kind on a release's page; the rest are in its downloads
ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml"
JSON = "application/json"

WORDS = language.table("changes")  # key -> (nl, en), from server/web/words.toml


def words(lang: str) -> dict[str, str]:
    return language.words_in(WORDS, lang)


def wants_json(request: Request) -> bool:
    chosen = request.query_params.get("format")
    if chosen:
        return chosen == "json"
    accept = request.headers.get("accept", "")
    return JSON in accept and "text/html" not in accept


def instant(lexical: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(lexical.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def rfc3339(lexical: str) -> str:
    """An RFC 3339 date-time (RFC 4287 §3.3) of a manifest's ``created``; the epoch when it is unreadable."""
    moment = instant(lexical) or datetime(1970, 1, 1, tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def downloads_of(release: Release) -> list[dict[str, str]]:
    present = release.files()
    return [{"name": name, "label": label, "href": f"/downloads/{release.version}/{name}"}
            for name, label in FILES if name in present]


def router(context: Context) -> APIRouter:
    settings, site = context.settings, context.site
    current = context.store.release
    root = settings.public_root
    logs = Logs()
    api = APIRouter()

    def found() -> list[Release]:
        return releases(settings.releases_dir, current.path)

    def summary(release: Release, lang: str) -> dict[str, Any]:
        log = logs.of(release.path, release.version, release.manifest)
        previous = log.get("previous") if log else None
        previous_created = str(log.get("previous_created") or "") if log else ""
        return {
            "version": release.version, "href": f"/changes/{release.version}", "log": log is not None,
            "created": human_date(release.created, "dateTime", lang),
            "created_iso": rfc3339(release.created),
            "previous": previous if isinstance(previous, str) else None,
            "previous_created": human_date(previous_created, "dateTime", lang) if previous_created else "",
            "counts": counts(log), "shown_counts": {k: human_number(v, lang) for k, v in counts(log).items()},
            "downloads": downloads_of(release),
        }

    def listed(shown: list[Release]) -> Any:
        moments = [instant(current.created.isoformat()), *(instant(r.created) for r in shown)]
        return dataclasses.replace(current, created=max(m for m in moments if m is not None))

    feed_link = (f"{root}changes/feed.atom", ATOM_TYPE, "Atom")

    @api.api_route("/changes/", methods=METHODS, include_in_schema=False)
    def listing(request: Request) -> Response:
        shown = found()
        variant = listing_variant(shown)
        if wants_json(request):
            body = {"releases": [{k: v for k, v in summary(r, "en").items()
                                  if k not in ("created", "previous_created", "shown_counts")} for r in shown]}
            headers = {**caching.headers(listed(shown), f"{variant}-json"), "Vary": "Accept"}
            if caching.not_modified(request, listed(shown), f"{variant}-json"):
                return Response(status_code=304, headers=headers)
            return JSONResponse(body, headers=headers)

        def page(lang: str) -> dict[str, Any]:
            return {"w": words(lang), "releases": [summary(r, lang) for r in shown], "kinds": KINDS}

        alternates = [feed_link, ("/changes/?format=json", JSON, "JSON")]
        return rendering.render(request, "changes.html", page, listed(shown), variant=f"changes-{variant}",
                                alternates=alternates, vary="Accept, Accept-Language, Cookie")

    @api.api_route("/changes", methods=METHODS, include_in_schema=False)
    def listing_slash() -> Response:
        return RedirectResponse("/changes/", status_code=308)

    @api.api_route("/changes/feed.atom", methods=METHODS, include_in_schema=False)
    def feed(request: Request) -> Response:
        shown = found()[:FEED_ENTRIES]
        variant = f"atom-{listing_variant(shown)}"
        headers = caching.headers(listed(shown), variant)
        if caching.not_modified(request, listed(shown), variant):
            return Response(status_code=304, headers=headers)
        return Response(atom(shown), media_type=ATOM_TYPE, headers=headers)

    def atom(shown: list[Release]) -> bytes:
        """The feed, written (never parsed) by the standard library's escaping XML writer."""
        out = io.BytesIO()
        xml = XMLGenerator(out, "utf-8", short_empty_elements=True)

        def start(tag: str, attributes: dict[str, str]) -> None:
            xml.startElement(tag, cast(Any, attributes))  # a mapping is what it reads; typeshed asks for more

        def add(tag: str, text: str | None = None, **attributes: str) -> None:
            start(tag, attributes)
            if text is not None:
                xml.characters(text)
            xml.endElement(tag)

        xml.startDocument()
        start("feed", {"xmlns": ATOM, "xml:lang": "en"})
        add("id", f"{root}changes/")
        add("title", "SER Linked Data: changes")
        add("subtitle", WORDS["changes_lead"][1])
        add("updated", max((rfc3339(r.created) for r in shown), default=rfc3339(current.created.isoformat())))
        start("author", {})
        add("name", "Sociaal-Economische Raad")
        add("uri", root)
        xml.endElement("author")
        add("link", rel="self", type=ATOM_TYPE, href=f"{root}changes/feed.atom")
        add("link", rel="alternate", type="text/html", href=f"{root}changes/")
        for release in shown:
            about = summary(release, "en")
            start("entry", {})
            add("id", f"{root}changes/{release.version}")
            add("title", f"Release {release.version}")
            add("updated", about["created_iso"])
            add("link", rel="alternate", type="text/html", href=f"{root}changes/{release.version}")
            log = logs.of(release.path, release.version, release.manifest)
            add("summary", entry_text(about, changes_of(log)))
            xml.endElement("entry")
        xml.endElement("feed")
        xml.endDocument()
        return out.getvalue()

    @api.api_route("/changes/{version}", methods=METHODS, include_in_schema=False)
    def one(request: Request, version: str) -> Response:
        release = next((r for r in found() if r.version == version), None) if VERSION.match(version) else None
        if release is None:
            return not_found(request, site)
        log = logs.of(release.path, release.version, release.manifest)
        if wants_json(request):
            if log is None:
                return not_found(request, site)
            variant = f"changes-{version}-{listing_variant([release])}-json"
            headers = {**caching.headers(current, variant), "Vary": "Accept"}
            if caching.not_modified(request, current, variant):
                return Response(status_code=304, headers=headers)
            return JSONResponse(log, headers=headers)

        def page(lang: str) -> dict[str, Any]:
            tables = []
            for kind in KINDS:
                rows = [c for c in changes_of(log) if c.get("kind") == kind]
                tables.append({"kind": kind, "more": max(len(rows) - ROWS, 0),
                               "rows": [row(c, lang) for c in rows[:ROWS]]})
            return {"w": words(lang), "r": summary(release, lang), "tables": tables, "kinds": KINDS}

        def row(change: dict[str, Any], lang: str) -> dict[str, Any]:
            iri = str(change["iri"])
            successor = change.get("successor")
            added = [str(s) for s in change.get("added") or [] if isinstance(s, str)]
            removed = [str(s) for s in change.get("removed") or [] if isinstance(s, str)]
            return {"name": name_of(change.get("names"), iri, lang), "href": addresses.href(iri, site.base),
                    "added": added, "removed": removed,
                    "successor": addresses.href(successor, site.base) if isinstance(successor, str) else ""}

        alternates = [(f"/changes/{version}?format=json", JSON, "JSON"), feed_link]
        return rendering.render(request, "changes-release.html", page, current,
                                variant=f"changes-{version}-{listing_variant([release])}",
                                alternates=alternates, vary="Accept, Accept-Language, Cookie")

    return api


def entry_text(about: dict[str, Any], listed: list[dict[str, Any]]) -> str:
    """A feed entry's summary: the counts, then some names of each kind (text; the XML writer escapes it)."""
    if not about["log"]:
        return WORDS["no_log"][1]
    if about["previous"] is None:
        return WORDS["first"][1]
    parts = [f"Compared with release {about['previous']}: "
             + ", ".join(f"{WORDS[k][1].lower()} {about['counts'][k]}" for k in KINDS) + "."]
    for kind in KINDS:
        names = [name_of(c.get("names"), str(c["iri"]), "en") for c in listed if c.get("kind") == kind]
        if names:
            more = f" and {len(names) - NAMES_IN_SUMMARY} more" if len(names) > NAMES_IN_SUMMARY else ""
            parts.append(f"{WORDS[kind][1]}: {'; '.join(names[:NAMES_IN_SUMMARY])}{more}.")
    return " ".join(parts)
