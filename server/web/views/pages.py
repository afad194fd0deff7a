"""``/views/``: the saved views as pages in Dutch and English, and as CSV and JSON.

``/views/{name}`` answers HTML by default, CSV with ``?format=csv`` or ``Accept: text/csv``, JSON with
``?format=json`` or ``Accept: application/json``. The rows of CSV and JSON are the query's own; the page
groups them, names every thing by its label, writes periods as years and draws its chart on the server
(:mod:`server.web.views.charts`) beside a table of the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from server.errors import ProtocolError, QueryRejected, QueryTimeout, StoreError
from server.settings import PROJECT_ROOT
from server.web import addresses, caching, language, rendering
from server.web.context import Context
from server.web.language import human_date
from server.web.notfound import METHODS, not_found
from server.web.views import charts
from server.web.views.catalogue import Result, View, as_csv, as_json, first, load, run

CSV = "text/csv; charset=utf-8"
DASH = "\u2013"  # between the years of a period
JSON = "application/json"
PAGE_WORDS = language.table("views")  # key -> (nl, en), from server/web/words.toml


def word(key: str, lang: str) -> str:
    nl, en = PAGE_WORDS[key]
    return en if lang == "en" else nl


def year(lexical: str | None) -> int | None:
    return int(lexical[:4]) if lexical and lexical[:4].isdecimal() else None


def period(row: Mapping[str, str]) -> str:
    """A period as years joined by an en dash: 1985 to 1996, 2014 to now, ? to 1996; one year when it
    begins and ends in it."""
    start, end = year(row.get("from")), year(row.get("to"))
    ended = row.get("ended") == "true" or "to" in row
    if start is None and end is None:
        return ""  # nothing known of the period: no question marks on both sides
    left = str(start) if start else "?"
    right = str(end) if end else ("?" if ended else "")
    return left if left == right else f"{left}{DASH}{right}"


def link(row: Mapping[str, str], iri: str, label: str, base: str) -> dict[str, str]:
    """A thing named by its label; a thing without one is named by the last part of its IRI's path."""
    value = row.get(iri, "")
    return {"text": row.get(label) or value.rsplit("/", 1)[-1].replace("-", " "),
            "href": addresses.href(value, base) if value else ""}


OPEN_END_YEARS = 2  # how long the stub of a period that ended on an unknown day is drawn


def spans(rows: list[dict[str, Any]], today: int) -> tuple[list[tuple[str, float, float, str]], int, int]:
    """Timeline rows of the items with a known start: (label, start, end, state of :data:`charts.STATES`),
    with the axis' first and last year. A period that ended on a day the sources do not give is a stub at
    its start, never a bar to today."""
    found = []
    for r in rows:
        start, end = year(r["row"].get("from")), year(r["row"].get("to"))
        if start is None:
            continue
        if end is not None:
            found.append((r["label"], float(start), float(end), "ended"))
        elif r["row"].get("ended") == "true":
            found.append((r["label"], float(start), float(min(start + OPEN_END_YEARS, today)), "open"))
        else:
            found.append((r["label"], float(start), today + 0.5, "running"))
    first_year = int(min((s for _, s, _, _ in found), default=today))
    return found, first_year, today


def chairs(result: Result, lang: str, base: str) -> dict[str, Any]:
    rows = sorted(result.rows, key=lambda r: in_time(r)[0])  # a term without dates after the dated ones
    terms = [{"person": link(r, "person", "name", base), "role": r.get("roleLabel", ""),
              "period": period(r) or word("no_dates", lang), "label": f"{r['name']} ({period(r)})", "row": r}
             for r in rows]
    today = date.today().year
    found, first_year, last = spans(terms, today)
    return {"terms": terms, "chart": charts.timeline(found, first_year, last, word("period", lang))}


def council(result: Result, lang: str, base: str) -> dict[str, Any]:
    chair, deputies, crown = [], [], []
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in result.rows:
        member = {"person": link(r, "person", "name", base), "role": r.get("roleLabel", ""),
                  "for": link(r, "for", "forLabel", base) if "for" in r else None,
                  "period": period(r) or word("no_dates", lang)}
        role = r.get("role", "").rsplit("/", 1)[-1]
        if role in ("voorzitter", "waarnemend-voorzitter"):
            chair.append(member)
        elif role == "vicevoorzitter":
            deputies.append(member)
        elif r.get("group", "").endswith("/kroonleden"):
            crown.append(member)
        else:
            groups[r.get("groupLabel") or r.get("roleLabel", "")].append(member)
    return {"chair": chair, "deputies": deputies, "crown": crown, "groups": sorted(groups.items())}


def in_time(row: Mapping[str, str]) -> tuple[float, str]:
    """Where a period sits in time: by its first year, one without by just before its last year, and one
    with neither after every dated one (then by name)."""
    start, end = year(row.get("from")), year(row.get("to"))
    at = float(start) if start is not None else (end - 0.5 if end is not None else float("inf"))
    return at, row.get("allocationLabel", "")


def seats(result: Result, lang: str, base: str) -> dict[str, Any]:
    allocations = sorted(first(result.rows, "allocation").values(), key=in_time)
    columns = [{"iri": a["allocation"], "label": a.get("allocationLabel", ""),
                "period": period(a) or word("undated", lang),
                "href": addresses.href(a["allocation"], base)} for a in allocations]
    organisations: dict[str, dict[str, Any]] = {}
    per_group: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    series: list[str] = []
    for r in result.rows:
        group = r.get("groupLabel", "")
        if group not in series:
            series.append(group)
        crown = r.get("group", "").endswith("/kroonleden")  # crown members belong to no organisation
        note = "" if crown else r.get("shareNote", "").rstrip(".")
        key = r.get("organisation") or f'{r.get("group", "")} {note}'
        name = (link(r, "organisation", "organisationLabel", base) if "organisation" in r
                else {"text": note or group, "href": ""})
        entry = organisations.setdefault(key, {"name": name, "group": group, "seats": {}})
        entry["seats"][r["allocation"]] = entry["seats"].get(r["allocation"], 0) + int(r["seats"])
        per_group[r["allocation"]][group] += int(r["seats"])
    chart = charts.stacked([(c["period"], [(g, per_group[c["iri"]].get(g, 0)) for g in series]) for c in columns],
                           series, word("group", lang))
    totals = {c["iri"]: sum(per_group[c["iri"]].values()) for c in columns}
    rows = sorted(organisations.values(), key=lambda o: (series.index(o["group"]), o["name"]["text"]))
    return {"columns": columns, "organisations": rows, "chart": chart, "totals": totals, "series": series,
            "per_group": per_group, "stacked": True}


def adviezen(result: Result, lang: str, base: str) -> dict[str, Any]:
    """One line per report: a report asked for by two ministries has two rows in the query's answer."""
    reports: dict[str, dict[str, Any]] = {}
    for r in result.rows:
        entry = reports.setdefault(r["report"], {"link": link(r, "report", "title", base), "year": r.get("year", ""),
                                                 "requesters": [], "committees": [], "themes": r.get("themes", "")})
        for key, label, field in (("requester", "requesterLabel", "requesters"),
                                  ("committee", "committeeLabel", "committees")):
            found = link(r, key, label, base) if key in r else None
            if found and found not in entry[field]:
                entry[field].append(found)
    counts: dict[int, int] = defaultdict(int)
    for report in reports.values():
        if report["year"].isdecimal():
            counts[int(report["year"])] += 1
    years = list(range(min(counts), max(counts) + 1)) if counts else []
    points = [(str(y), counts.get(y, 0)) for y in years]
    return {"reports": list(reports.values()), "points": [p for p in points if p[1]],
            "chart": charts.bars(points, word("per_year", lang))}


def covenants(result: Result, lang: str, base: str) -> dict[str, Any]:
    items = [{"link": link(r, "covenant", "title", base), "period": period(r) or word("no_dates", lang), "row": r,
              "label": r.get("title", ""), "from": human_date(r["from"], _type(r["from"]), lang) if "from" in r else "",
              "to": human_date(r["to"], _type(r["to"]), lang) if "to" in r else ""} for r in result.rows]
    found, first_year, last = spans(items, date.today().year)
    return {"items": items, "chart": charts.timeline(found, first_year, last, word("period", lang))}


def _type(lexical: str) -> str:
    return {4: "gYear", 7: "gYearMonth"}.get(len(lexical), "date")


SHAPES = {"chairs": chairs, "council": council, "seats": seats, "adviezen": adviezen, "covenants": covenants}


def wanted(request: Request) -> str:
    fmt = request.query_params.get("format")
    if fmt is not None:
        if fmt not in ("html", "csv", "json"):
            raise ProtocolError(400, f"parameter 'format': {fmt[:40]!r} is not one of html, csv, json")
        return fmt
    accept = request.headers.get("accept", "")
    if "text/html" in accept or not accept:
        return "html"
    if "text/csv" in accept:
        return "csv"
    if "application/json" in accept:
        return "json"
    return "html"


VIEWS_FOLDER = PROJECT_ROOT / "queries" / "views"


def router(context: Context) -> APIRouter:
    site, release = context.site, context.store.release
    # The views are part of the application (their names, titles and parameters are VIEWS in the
    # catalogue), so their queries are read from the code's own queries/views/, whatever the `root`
    # setting points at for data and releases.
    views = load(VIEWS_FOLDER)
    api = APIRouter()

    @api.api_route("/views/", methods=METHODS, include_in_schema=False)
    def index(request: Request) -> Response:
        return rendering.render(request, "views/index.html",
                                lambda lang: {"views": views.values(), "w": lambda k: word(k, lang)},
                                release, variant="views")

    async def answer(request: Request, view: View) -> Response:
        fmt = wanted(request)
        lang = rendering.language_of(request).lang
        given = {k: v for k, v in request.query_params.items()}
        values = view.values(given, lang)
        variant = f"view-{view.name}-{fmt}-" + "-".join(f"{k}={v}" for k, v in sorted(values.items()))
        if caching.not_modified(request, release, variant):
            return caching.response_304(release, variant)
        pool = context.pool
        if pool is None:
            raise StoreError("the SPARQL query workers are not running")
        try:
            result = await run(pool, view, values, site.base)
        except (QueryTimeout, QueryRejected) as exc:
            raise StoreError(f"the view {view.name!r} could not be answered: {exc}") from exc
        headers = caching.headers(release, variant)
        if fmt == "csv":
            headers["Content-Disposition"] = f'inline; filename="{view.name}.csv"'
            return Response(as_csv(result), media_type=CSV, headers=headers)
        if fmt == "json":
            return Response(as_json(view, values, result), media_type=JSON, headers=headers)
        query = "&".join(f"{k}={v}" for k, v in values.items())
        alternates = [(f"/views/{view.name}?{query}&format=csv", CSV, "CSV"),
                      (f"/views/{view.name}?{query}&format=json", JSON, "JSON")]
        shape = SHAPES[view.name]

        def page(lang: str) -> dict[str, Any]:
            return {"view": view, "values": values, "result": result, "w": lambda k: word(k, lang),
                    "day": human_date(values["op"], "date", lang) if "op" in values else "",
                    **shape(result, lang, site.base)}

        return rendering.render(request, f"views/{view.name}.html", page, release, variant=variant,
                                alternates=alternates)

    @api.api_route("/views/{name}", methods=METHODS, include_in_schema=False)
    async def show(request: Request, name: str) -> Response:
        view = views.get(name)
        if view is None:
            return not_found(request, site)
        return await answer(request, view)

    return api
