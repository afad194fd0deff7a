"""The saved views: each a SPARQL query in ``queries/views/{name}.rq`` with its parameters, run through the
public query runner (the worker pool or the remote engine, with the timeout and result limit of
``/sparql``), and answered as an HTML page, CSV or JSON (in the manner of grlc's and TriplyDB's saved
queries).

A parameter appears in the query as ``?_{name}`` (grlc's convention) and is documented in a comment
line ``# param: {name}  {what it is}``. Its value is checked here before it is written into the query as
a literal of its own type, so no text of a request ever reaches the query unparsed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from server.errors import ProtocolError, StoreError
from server.rdf.namespaces import sparql_prologue
from server.store.base import Job, QueryRunner
from server.web import language

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    default: Callable[[], str]
    check: Callable[[str], str]  # the value as a SPARQL literal; ProtocolError naming the parameter


def _lang(value: str) -> str:
    if value not in language.LANGUAGES:
        raise ProtocolError(400, f"parameter 'lang': {value[:40]!r} is not one of {', '.join(language.LANGUAGES)}")
    return f'"{value}"'


def _day(value: str) -> str:
    if not DATE.fullmatch(value):
        raise ProtocolError(400, f"parameter 'op': {value[:40]!r} is not a day written as YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ProtocolError(400, f"parameter 'op': {value!r} is not a day of the calendar") from None
    return f'"{day.isoformat()}"^^<http://www.w3.org/2001/XMLSchema#date>'


LANG = Param("lang", "language of the names: nl or en", lambda: language.DEFAULT, _lang)
OP = Param("op", "the day, YYYY-MM-DD (default: today)", lambda: date.today().isoformat(), _day)


@dataclass(frozen=True)
class View:
    name: str  # its URL, /views/{name}, and its query, queries/views/{name}.rq
    title: tuple[str, str]  # nl, en
    params: tuple[Param, ...]
    query: str  # the query text, parameters as ?_{name}
    summary: str  # the query's first comment line

    def title_in(self, lang: str) -> str:
        return self.title[1] if lang == "en" else self.title[0]

    def values(self, given: Mapping[str, str], lang: str) -> dict[str, str]:
        """The parameters' values as given (or their defaults), checked; ``lang`` is the page's language."""
        unknown = sorted(set(given) - {p.name for p in self.params} - {"format"})
        if unknown:
            raise ProtocolError(400, f"parameter {unknown[0][:40]!r} is not a parameter of the view "
                                     f"{self.name!r}; it takes {', '.join(p.name for p in self.params)}")
        values = {p.name: given.get(p.name) or (lang if p is LANG else p.default()) for p in self.params}
        for p in self.params:
            p.check(values[p.name])
        return values

    def text(self, values: Mapping[str, str], base: str) -> str:
        query = self.query
        for p in self.params:
            literal = p.check(values[p.name])
            query = re.sub(rf"\?_{p.name}\b", literal.replace("\\", "\\\\"), query)
        return sparql_prologue(base) + query


VIEWS = (
    ("chairs", ("Voorzitters van de SER", "Chairs of the SER"), (LANG,)),
    ("council", ("De raad op een dag", "The council on a chosen day"), (OP, LANG)),
    ("seats", ("Zetelverdeling door de jaren heen", "Seat allocation over time"), (LANG,)),
    ("adviezen", ("Adviezen per jaar", "Advice reports per year"), (LANG,)),
    ("covenants", ("IMVO-convenanten in de tijd", "IRBC agreements over time"), (LANG,)),
)


def load(folder: Path) -> dict[str, View]:
    """The views whose query is in ``folder`` (``queries/views/``); a missing query is an error that
    names the file."""
    views = {}
    for name, title, params in VIEWS:
        path = folder / f"{name}.rq"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise StoreError(f"{path}: the saved query of the view {name!r} cannot be read ({exc})") from exc
        for p in params:
            if f"?_{p.name}" not in text:
                raise StoreError(f"{path}: the query does not use its parameter ?_{p.name}")
        summary = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")), "")
        views[name] = View(name, title, params, text, summary)
    return views


Table = list[dict[str, str]]


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: Table
    truncated: bool


async def run(pool: QueryRunner, view: View, values: Mapping[str, str], base: str) -> Result:
    answer = await pool.run(Job(query=view.text(values, base), format="json"))
    data = json.loads(answer.body)
    columns = list(data["head"]["vars"])
    rows = [{k: str(v["value"]) for k, v in b.items()} for b in data["results"]["bindings"]]
    return Result(columns, rows, answer.truncated)


def as_csv(result: Result) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=result.columns, lineterminator="\r\n")
    writer.writeheader()
    for row in result.rows:
        writer.writerow({c: row.get(c, "") for c in result.columns})
    return out.getvalue()


def as_json(view: View, values: Mapping[str, str], result: Result) -> str:
    return json.dumps({"view": view.name, "parameters": dict(values), "columns": result.columns,
                       "rows": result.rows, "truncated": result.truncated}, ensure_ascii=False, indent=1)


def first(rows: Sequence[Mapping[str, str]], key: str) -> dict[str, Mapping[str, str]]:
    """One row per value of ``key``, the first."""
    seen: dict[str, Mapping[str, str]] = {}
    for row in rows:
        if key in row:
            seen.setdefault(row[key], row)
    return seen
