"""The memberships around a thing, as roles with their periods: "Voorzitter, SER, 2014-2022" (with an en dash).

A membership (W3C Organization Ontology §5.4, ``org:Membership``) links a member, an organisation and a
role, and holds for ``org:memberDuring``, an OWL-Time interval whose ``time:hasBeginning`` and
``time:hasEnd`` are instants with a date, a year-month or a year (``time:inXSDDate``, ``inXSDgYearMonth``,
``inXSDgYear``). A person's page shows the roles they held, an organisation's or a post's the people who
held them, oldest first (undated ones last). At most :data:`MAX_ROLES`, so the work of a page stays bounded.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal

from server.store.base import Store
from server.web import addresses
from server.web.addresses import Link
from server.web.descriptions import iri_ref
from server.web.labels import LABEL_PREDICATES, pick

MAX_ROLES = 500
EN_DASH = "\u2013"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
LABELS = ", ".join(f"<{p}>" for p in LABEL_PREDICATES)
INSTANTS = ", ".join(f"<{TIME}{p}>" for p in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear", "inXSDDateTimeStamp"))


@dataclass(frozen=True)
class Role:
    membership: Link
    member: Link | None  # None where the member is the page's own thing
    role: Link | None
    organisation: Link | None  # None where the organisation is the page's own thing
    period: str
    begin: str  # the beginning's lexical form, for ordering


def roles_query(iri: str) -> str:
    """The memberships that link to ``iri``, with their member, role, organisation and period.

    Written for Oxigraph's plans (bench/README.md, "First page views"): the links to ``iri`` are found first
    and their type checked per link (``?m a org:Membership ; ?via <iri>`` scanned every membership), and an
    instant's predicate is filtered, not joined with VALUES (which was evaluated before ``?bi`` was bound).
    """
    s = iri_ref(iri)
    return f"""SELECT ?m ?member ?role ?org ?b ?e WHERE {{
  {{ SELECT DISTINCT ?m WHERE {{ ?m ?via {s} FILTER EXISTS {{ ?m a <{ORG}Membership> }} }}
     ORDER BY ?m LIMIT {MAX_ROLES} }}
  OPTIONAL {{ ?m <{ORG}member> ?member }}
  OPTIONAL {{ ?m <{ORG}role> ?role }}
  OPTIONAL {{ ?m <{ORG}organization> ?org }}
  OPTIONAL {{ ?m <{ORG}memberDuring> ?p
    OPTIONAL {{ ?p <{TIME}hasBeginning> ?bi . ?bi ?bp ?b FILTER(?bp IN ({INSTANTS})) }}
    OPTIONAL {{ ?p <{TIME}hasEnd> ?ei . ?ei ?ep ?e FILTER(?ep IN ({INSTANTS})) }} }}
}}"""


def labels_query(iris: list[str]) -> str:
    """The labels of ``iris``. The label predicates are filtered: joined as a second VALUES, Oxigraph
    evaluated them before the subjects (13 ms against 3 ms for the SER's 115 linked things)."""
    values = " ".join(iri_ref(i) for i in iris)
    return f"SELECT ?s ?lp ?l WHERE {{ VALUES ?s {{ {values} }} ?s ?lp ?l FILTER(?lp IN ({LABELS})) }}"


def period_text(begin: str | None, end: str | None, lang: str) -> str:
    """Years of a period: "2014-2022", "sinds 2022" while it runs, "-1995" (en dashes) when only its end is known."""
    first, last = (begin or "")[:4], (end or "")[:4]
    if not first and not last:
        return "onbekend" if lang == "nl" else "unknown"
    if first and first == last:
        return first
    if first and not last:
        return f"{'sinds' if lang == 'nl' else 'since'} {first}"
    return f"{first}{EN_DASH}{last}"


def roles(store: Store, iri: str, lang: str, base: str) -> list[Role]:
    rows = store.select(roles_query(iri))
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        entry = found.setdefault(str(row["m"]), {})
        for key in ("member", "role", "org", "b", "e"):
            if key in row and key not in entry:
                entry[key] = str(row[key])
    if not found:
        return []
    # The page's own thing is never a link (see link()), so its labels are not asked for.
    named = sorted(({i for e in found.values() for k, i in e.items() if k in {"member", "role", "org"}}
                    | set(found)) - {iri})
    labels: dict[str, list[tuple[str, Literal]]] = {}
    for start in range(0, len(named), 200):
        for row in store.select(labels_query(named[start:start + 200])):
            literal = row.get("l")
            if isinstance(literal, Literal):
                labels.setdefault(str(row["s"]), []).append((str(row["lp"]), literal))

    def link(target: str | None) -> Link | None:
        if target is None or target == iri:
            return None
        label = pick(labels.get(target, []), lang)
        return Link(str(label) if label is not None else addresses.readable(target), addresses.href(target, base))

    result = []
    for membership, entry in found.items():
        own = link(membership)
        assert own is not None
        result.append(Role(own, link(entry.get("member")), link(entry.get("role")), link(entry.get("org")),
                           period_text(entry.get("b"), entry.get("e"), lang), entry.get("b", "")))
    # Oldest first; roles whose beginning is unknown after the dated ones.
    return sorted(result, key=lambda r: (r.begin == "", r.begin, r.membership.text.lower()))
