"""The SER's story on the home page, read from the graph: what the SER is, its objective and sub-aims,
what it says about itself (motto, independence, legal status, funding: ``ser:Verklaring`` records about
the SER), and the consultation economy at company, sector and national level (``ser:Overlegvorm``
with ``ser:overlegniveau``, the bodies it takes place in, the laws it rests on, the SER's bodies that
support it).

Every text comes from the release in the reader's language (the other language when the reader's is
missing); every thing is named by its label and linked to its ``/doc/`` page. Nothing here is written
for the SER: a release without these records gives an empty story, and the page leaves it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from server.rdf.namespaces import graph_iri
from server.store.base import Store
from server.web import addresses
from server.web.addresses import Link
from server.web.descriptions import iri_ref

# The order in which the levels of consultation are told, from the workplace up: the notations of the
# concepts of the scheme overlegniveau (ontology/vocab/overlegniveau.ttl). A level not named here
# comes after these.
LEVEL_ORDER = ("onderneming", "sector", "nationaal")
OBJECTIVE = "doelstelling"  # ser:doelsoort of the objective; its sub-aims are dct:isPartOf it


@dataclass(frozen=True)
class Aim:
    link: Link
    description: str | None
    parts: tuple[Link, ...]


@dataclass(frozen=True)
class Statement:
    kind: str  # the notation of its ser:verklaringsoort: motto, onafhankelijkheid, financiering, …
    kind_label: str
    text: str
    href: str


@dataclass
class Form:
    link: Link
    bodies: list[Link] = field(default_factory=list)
    laws: list[Link] = field(default_factory=list)
    supporters: list[Link] = field(default_factory=list)


@dataclass
class Level:
    notation: str
    link: Link
    definition: str | None
    forms: list[Form] = field(default_factory=list)


@dataclass(frozen=True)
class Story:
    ser: Link | None
    description: str | None
    objective: Aim | None
    statements: tuple[Statement, ...]
    levels: tuple[Level, ...]

    @property
    def motto(self) -> Statement | None:
        return next((s for s in self.statements if s.kind == "motto"), None)

    @property
    def others(self) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if s.kind != "motto")


def ser_iri(base: str) -> str:
    return f"{base}id/organisatie/ser"


def _text(lang: str, var: str, subject: str, predicate: str) -> str:
    """An OPTIONAL that binds ``?{var}`` to the value in ``lang``, or in any language when there is none."""
    return (f"OPTIONAL {{ {subject} {predicate} ?{var}_r FILTER(LANGMATCHES(LANG(?{var}_r), \"{lang}\")) }}\n"
            f"OPTIONAL {{ {subject} {predicate} ?{var}_o }}\n"
            f"BIND(COALESCE(?{var}_r, ?{var}_o) AS ?{var})")


def _label(lang: str, var: str, subject: str) -> str:
    return _text(lang, var, subject, "<http://www.w3.org/2000/01/rdf-schema#label>")


def _rows(store: Store, query: str) -> list[Mapping[str, str]]:
    return [{k: str(v) for k, v in row.items()} for row in store.select(query)]


def _link(row: Mapping[str, str], iri: str, label: str, base: str) -> Link:
    return Link(row.get(label) or row[iri], addresses.href(row[iri], base))


def _first_per(rows: list[Mapping[str, str]], key: str) -> dict[str, Mapping[str, str]]:
    """One row per value of ``key``: the optional values repeat per language, the first is kept."""
    seen: dict[str, Mapping[str, str]] = {}
    for row in rows:
        seen.setdefault(row[key], row)
    return seen


def read_story(store: Store, base: str, lang: str) -> Story:
    if lang not in ("nl", "en"):
        raise ValueError(f"no story in language {lang!r}")
    data = iri_ref(graph_iri("data", base))
    ser = iri_ref(ser_iri(base))
    desc = "<http://purl.org/dc/terms/description>"
    found = _rows(store, f"""SELECT ?name ?description WHERE {{ GRAPH {data} {{
  {ser} a ?type .
  {_label(lang, "name", ser)}
  {_text(lang, "description", ser, desc)} }} }} LIMIT 1""")
    if not found:
        return Story(None, None, None, (), ())
    head = found[0]
    link = Link(head.get("name") or ser_iri(base), addresses.href(ser_iri(base), base))
    return Story(link, head.get("description"), _objective(store, data, ser, base, lang),
                 _statements(store, data, ser, base, lang), _levels(store, data, base, lang))


def _objective(store: Store, data: str, ser: str, base: str, lang: str) -> Aim | None:
    kind = iri_ref(f"{base}id/doelsoort/{OBJECTIVE}")
    rows = _rows(store, f"""SELECT ?aim ?name ?description WHERE {{ GRAPH {data} {{
  {ser} <http://www.w3.org/ns/org#purpose> ?aim . ?aim <{base}def/doelsoort> {kind} .
  {_label(lang, "name", "?aim")}
  {_text(lang, "description", "?aim", "<http://purl.org/dc/terms/description>")} }} }} ORDER BY ?aim LIMIT 1""")
    if not rows:
        return None
    aim = rows[0]
    parts = _rows(store, f"""SELECT ?part ?name WHERE {{ GRAPH {data} {{
  ?part <http://purl.org/dc/terms/isPartOf> {iri_ref(aim["aim"])} ; <{base}def/doelsoort> ?kind .
  {_label(lang, "name", "?part")} }} }} ORDER BY ?part""")
    return Aim(_link(aim, "aim", "name", base), aim.get("description"),
               tuple(_link(r, "part", "name", base) for r in _first_per(parts, "part").values()))


def _statements(store: Store, data: str, ser: str, base: str, lang: str) -> tuple[Statement, ...]:
    rows = _rows(store, f"""SELECT ?s ?kind ?notation ?kindname ?text WHERE {{ GRAPH {data} {{
  ?s a <{base}def/Verklaring> ; <https://schema.org/about> {ser} ; <{base}def/verklaringsoort> ?kind .
  {_text(lang, "text", "?s", "<https://schema.org/text>")} }}
  OPTIONAL {{ ?kind <http://www.w3.org/2004/02/skos/core#notation> ?notation }}
  {_text(lang, "kindname", "?kind", "<http://www.w3.org/2004/02/skos/core#prefLabel>")} }} ORDER BY ?kind ?s""")
    return tuple(Statement(r.get("notation") or r["kind"].rsplit("/", 1)[-1], r.get("kindname") or "",
                           r.get("text") or "", addresses.href(r["s"], base))
                 for r in _first_per(rows, "s").values() if r.get("text"))


def _levels(store: Store, data: str, base: str, lang: str) -> tuple[Level, ...]:
    rows = _rows(store, f"""SELECT ?level ?notation ?levelname ?definition ?form ?formname WHERE {{
  GRAPH {data} {{ ?form a <{base}def/Overlegvorm> ; <{base}def/overlegniveau> ?level .
    {_label(lang, "formname", "?form")} }}
  OPTIONAL {{ ?level <http://www.w3.org/2004/02/skos/core#notation> ?notation }}
  {_text(lang, "levelname", "?level", "<http://www.w3.org/2004/02/skos/core#prefLabel>")}
  {_text(lang, "definition", "?level", "<http://www.w3.org/2004/02/skos/core#definition>")}
}} ORDER BY ?formname""")
    levels: dict[str, Level] = {}
    forms: dict[str, Form] = {}
    for r in _first_per(rows, "form").values():
        level = levels.get(r["level"])
        if level is None:
            level = levels[r["level"]] = Level(r.get("notation") or "", _link(r, "level", "levelname", base),
                                               r.get("definition"))
        form = forms[r["form"]] = Form(_link(r, "form", "formname", base))
        level.forms.append(form)
    for predicate, attribute in (("overlegorgaan", "bodies"), ("wettelijkeGrondslag", "laws"),
                                 ("ondersteunendOrgaan", "supporters")):
        related = _rows(store, f"""SELECT ?form ?thing ?name WHERE {{ GRAPH {data} {{
  ?form a <{base}def/Overlegvorm> ; <{base}def/{predicate}> ?thing . }}
  {_label(lang, "name", "?thing")} }} ORDER BY ?name""")
        done: set[tuple[str, str]] = set()
        for r in related:
            if r["form"] in forms and (r["form"], r["thing"]) not in done:
                done.add((r["form"], r["thing"]))
                getattr(forms[r["form"]], attribute).append(_link(r, "thing", "name", base))

    def order(level: Level) -> tuple[int, str]:
        rank = LEVEL_ORDER.index(level.notation) if level.notation in LEVEL_ORDER else len(LEVEL_ORDER)
        return rank, level.link.text

    return tuple(sorted(levels.values(), key=order))
