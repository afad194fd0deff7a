"""Reconciliation queries answered from the directory: candidates, suggestions and data extension.

The protocol (``server.web.search.reconciliation``) reads requests and writes responses; this module decides what
they say. A query (Reconciliation Service API v0.2 §4.1) is checked field by field, so that a client
learns which query and which field were wrong. Types are a hard filter that admits subclasses
(``org:Organization`` admits the formal organisations). Property constraints move the score: the
name counts for NAME_SHARE of it and the share of properties that match for the rest, so a candidate
whose properties disagree cannot be a sure match.

Identifiers follow the manifest's ``identifierSpace`` (§2.5, the namespace of the identifiers): an
entity's id is its IRI without ``{base}id/`` (``organisatie/ser``); its IRI, its document URL or that id
are all accepted where an entity is asked for. Property ids may be IRIs, CURIEs or short ids, such as
the spec's own example ``professionOrOccupation`` and what OpenRefine sends when someone types a
property's name: a short id is resolved against the properties the service offers (a local name such as
``afkorting``, a name such as ``naam``), and one that names none, or several, is a 400 that says so.
"""

from __future__ import annotations

import math
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from server.errors import ReconciliationError
from server.store.base import Store
from server.web.descriptions import iri_ref
from server.web.search import index as nameindex
from server.web.search import names, values
from server.web.search.directory import Directory
from server.web.search.index import Candidate, Work

AUTO_MATCH = 90.0  # the score from which a candidate may be a sure match ...
MARGIN = 5.0  # ... when it leads the next candidate by this much
DEFAULT_LIMIT, MAX_LIMIT = 10, 50
NAME_SHARE = 0.7
TYPE_STRICT = ("any", "should", "all")
# What one query, and one extension request, may ask for: each bounds the work a client can cause,
# and a request past one is a 400 that names the field and the limit. The longest name in the data
# has 108 characters and 13 words; OpenRefine sends one value per column.
MAX_QUERY_CHARS = nameindex.MAX_QUERY_CHARS  # characters of 'query' (the index reads no more)
MAX_TYPES = 10  # types in 'type'
MAX_PROPERTIES = 10  # property constraints in 'properties'
MAX_VALUES = 10  # values in one constraint's 'v'
MAX_CANDIDATES = 3 * MAX_LIMIT  # things ranked for one query, whatever its limit (not a client's error)
MAX_EXTEND_IDS = 500  # identifiers in 'ids' of 'extend'
MAX_EXTEND_PROPERTIES = 50  # properties in 'properties' of 'extend'
LIMITS: tuple[tuple[str, int, str], ...] = (  # the table in README.md, "Reconciliation limits"
    ("query", MAX_QUERY_CHARS, "characters in a query's `query`"),
    ("type", MAX_TYPES, "types in a query's `type`"),
    ("properties", MAX_PROPERTIES, "property constraints in a query's `properties`"),
    ("v", MAX_VALUES, "values in one property constraint's `v`"),
    ("ids", MAX_EXTEND_IDS, "identifiers in `ids` of a data extension request (`extend`)"),
    ("properties", MAX_EXTEND_PROPERTIES, "properties in `properties` of a data extension request"),
)


def type_objects(directory: Directory, types: Iterable[str], lang: str) -> list[dict[str, Any]]:
    out = []
    for iri in types:
        entity = directory.types.entity(iri)
        out.append({"id": iri, "name": entity.name(lang) if entity else directory.curie(iri)})
    return out


def identifier(directory: Directory, iri: str) -> str:
    """An entity's id in the identifier space ``{base}id/``."""
    return iri.removeprefix(f"{directory.base}id/")


def _limit(value: Any, where: str) -> int:
    """The ``limit`` of a query: a positive integer (§4.1); a float that is one (5.0) is taken, NaN,
    infinities and fractions are not; any size is taken and cut to MAX_LIMIT."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
        raise ReconciliationError(f"{where}: 'limit' must be a positive number")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ReconciliationError(f"{where}: 'limit' must be a positive integer, not {value!r}")
    return min(int(value), MAX_LIMIT)


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ReconciliationError(f"{where} must be a string or a list of strings")


def _at_most(items: list[Any] | str, limit: int, where: str, what: str) -> None:
    """A 400 naming the field and the limit when ``items`` holds more than ``limit``."""
    if len(items) > limit:
        raise ReconciliationError(f"{where} holds {len(items)} {what}; at most {limit} are accepted")


class Matcher:
    def __init__(self, directory: Directory, store: Store, max_candidates: int = MAX_CANDIDATES) -> None:
        self.directory = directory
        self.store = store
        self.max_candidates = max_candidates
        # Short property ids: local names, CURIEs and names (folded) -> the properties they name.
        self._short: dict[str, set[str]] = defaultdict(set)
        for entity in directory.properties.entities:
            self._short[re.split(r"[/#]", entity.iri)[-1].lower()].add(entity.iri)
            for _, label in entity.labels:
                self._short[names.key(names.tokens(str(label)))].add(entity.iri)

    def property_iri(self, text: str, where: str) -> str:
        """The IRI of a property id: an IRI, a CURIE or a short id (see the module docstring)."""
        iri = self.directory.term(text)
        if self.directory.properties.entity(iri) is None and not iri.startswith(("http://", "https://")):
            found = sorted(self._short.get(text.strip().lower(), set()) or
                           self._short.get(names.key(names.tokens(text)), set()), key=self.directory.curie)
            if len(found) > 1:
                raise ReconciliationError(f"{where}: the property {text!r} could be any of "
                                          f"{', '.join(self.directory.curie(f) for f in found)}; give one of those")
            if not found:
                raise ReconciliationError(f"{where}: no property {text!r} in this service; its properties are "
                                          "listed by /reconcile/suggest/property and /reconcile/properties")
            iri = found[0]
        try:
            iri_ref(iri)
        except ValueError:
            raise ReconciliationError(f"{where}: the property {text[:200]!r} is not an IRI that can be "
                                      "looked up") from None
        return iri

    def reconcile(self, batch: Any, lang: str, works: dict[str, Work] | None = None) -> dict[str, Any]:
        """The answer to a batch (§4.3); ``works``, when given, gets what each query cost, by its key."""
        if not isinstance(batch, dict):
            raise ReconciliationError("'queries' must be a JSON object that maps query ids to queries (§4.1)")
        held: dict[str, values.Values] = {}  # the holders of a property, read once per batch
        out = {}
        for key, query in batch.items():
            work = Work()
            out[key] = {"result": self.candidates(str(key), query, lang, held, work)}
            time.sleep(0)  # hands the GIL to the event loop: a page waits for one query at most, not a batch
            if works is not None:
                works[str(key)] = work
        return out

    def candidates(self, key: str, query: Any, lang: str, held: dict[str, values.Values],
                   work: Work) -> list[dict[str, Any]]:
        where = f"query {key!r}"
        if not isinstance(query, dict):
            raise ReconciliationError(f"{where} must be a JSON object with 'query' and optional 'type', 'limit', "
                                      "'properties'")
        unknown = sorted(set(query) - {"query", "type", "limit", "properties", "type_strict"})
        if unknown:
            raise ReconciliationError(f"{where}: unknown field(s) {', '.join(unknown)}")
        text = query.get("query", "")
        if not isinstance(text, str):
            raise ReconciliationError(f"{where}: 'query' must be a string")
        _at_most(text, MAX_QUERY_CHARS, f"{where}: 'query'", "characters")
        limit = _limit(query.get("limit", DEFAULT_LIMIT), where)
        if query.get("type_strict", "any") not in TYPE_STRICT:
            raise ReconciliationError(f"{where}: 'type_strict' is one of {', '.join(TYPE_STRICT)}")
        given = _strings(query.get("type", []), f"{where}: 'type'")
        _at_most(given, MAX_TYPES, f"{where}: 'type'", "types")
        types = [self.directory.term(t) for t in given]
        accept = self.directory.of_types(types) if types else None
        constraints = self._constraints(query.get("properties", []), where)
        if not text.strip() and not constraints:
            raise ReconciliationError(f"{where}: give a non-empty 'query', or 'properties' (§4.1)")
        found = self._found(text, accept, constraints, limit, held, work)
        work.ranked += len(found)
        ranked = self._rescored(found, constraints, bool(text.strip()), work)
        result = [self._candidate(c, features, lang) for c, features in ranked[:limit]]
        if result:
            lead = ranked[0][0].score - (ranked[1][0].score if len(ranked) > 1 else 0.0)
            result[0]["match"] = ranked[0][0].score >= AUTO_MATCH and lead >= MARGIN
        return result

    def _constraints(self, given: Any, where: str) -> list[tuple[str, list[Any]]]:
        if not isinstance(given, list):
            raise ReconciliationError(f"{where}: 'properties' must be a list of {{'pid': ..., 'v': ...}}")
        _at_most(given, MAX_PROPERTIES, f"{where}: 'properties'", "property constraints")
        constraints = []
        for item in given:
            if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
                raise ReconciliationError(f"{where}: each property needs a string 'pid' and a value 'v'")
            wanted = values.wanted_values(item["v"])
            _at_most(wanted, MAX_VALUES, f"{where}: 'v' of the property {item['pid'][:200]!r}", "values")
            constraints.append((self.property_iri(item["pid"], where), wanted))
        return constraints

    def _found(self, text: str, accept: set[str] | None, constraints: list[tuple[str, list[Any]]],
               limit: int, held: dict[str, values.Values], work: Work) -> list[Candidate]:
        if text.strip():
            direct = self.directory.thing(text)
            if direct is not None and (accept is None or direct.iri in accept):
                return [Candidate(direct, 100.0, direct.name(), True)]
            wanted = max(limit, DEFAULT_LIMIT) * (3 if constraints else 1)
            return self.directory.things.search(text, accept=accept, limit=min(wanted, self.max_candidates), work=work)
        # By properties alone: the things that hold a wanted value of the first property, the first
        # MAX_CANDIDATES of them by IRI, so that a common property does not rank every thing that has it.
        prop, wanted_values = constraints[0]
        if prop not in held:
            held[prop] = values.holders(self.store, prop)
        found = []
        for iri, props in sorted(held[prop].items()):
            thing = self.directory.things.entity(iri)
            if thing is None or (accept is not None and iri not in accept):
                continue
            work.values += len(props[prop]) * len(wanted_values)
            if any(values.matches(v, w, self.directory) for v in props[prop] for w in wanted_values):
                found.append(Candidate(thing, 0.0, thing.name(), False))
                if len(found) == self.max_candidates:
                    break
        return found

    def _rescored(self, found: list[Candidate], constraints: list[tuple[str, list[Any]]],
                  named: bool, work: Work) -> list[tuple[Candidate, list[dict[str, Any]]]]:
        if not constraints:
            return [(c, self._features(c, [])) for c in found]
        fetched = values.fetch(self.store, [c.entity.iri for c in found], sorted({p for p, _ in constraints}))
        ranked = []
        for c in found:
            work.values += sum(len(fetched[c.entity.iri][pid]) * len(wanted) for pid, wanted in constraints)
            hits = [(pid, any(values.matches(v, w, self.directory) for v in fetched[c.entity.iri][pid] for w in wanted))
                    for pid, wanted in constraints]
            share = sum(hit for _, hit in hits) / len(hits)
            score = NAME_SHARE * c.score + (1 - NAME_SHARE) * 100 * share if named else 100 * share
            if named or share > 0:
                ranked.append((Candidate(c.entity, round(score, 2), c.label, c.exact), self._features(c, hits)))
        return sorted(ranked, key=lambda r: (-r[0].score, r[0].entity.iri))

    @staticmethod
    def _features(c: Candidate, hits: list[tuple[str, bool]]) -> list[dict[str, Any]]:
        return [{"id": "name", "value": round(c.score / 100, 4)}, {"id": "name_exact", "value": c.exact},
                *({"id": f"property:{pid}", "value": hit} for pid, hit in hits)]

    def _candidate(self, c: Candidate, features: list[dict[str, Any]], lang: str) -> dict[str, Any]:
        out: dict[str, Any] = {"id": identifier(self.directory, c.entity.iri), "name": c.entity.name(lang),
                               "score": c.score,
                               "match": False, "type": type_objects(self.directory, c.entity.types, lang),
                               "features": features}
        description = c.entity.description(lang)
        if description:
            out["description"] = description
        return out

    def suggest(self, kind: str, prefix: str, count: int, lang: str, type_: str | None = None) -> list[dict[str, Any]]:
        """Autocomplete (§6.2): the last word of ``prefix`` may be unfinished."""
        if kind == "type":
            if not prefix.strip():
                return type_objects(self.directory, self.directory.kinds(), lang)[:count]
            found = self.directory.types.search(prefix, typing=True, limit=count)
        elif kind == "property":
            if not prefix.strip():
                return [{"id": e.iri, "name": e.name(lang)} for e in self.directory.properties.entities[:count]]
            found = self.directory.properties.search(prefix, typing=True, limit=count)
        else:
            accept = self.directory.of_types([self.directory.term(type_)]) if type_ else None
            found = self.directory.things.search(prefix, typing=True, accept=accept, limit=count)
        out = []
        for c in found:
            iri = c.entity.iri
            item: dict[str, Any] = {"id": identifier(self.directory, iri) if kind == "entity" else iri,
                                    "name": c.entity.name(lang)}
            description = c.entity.description(lang)
            if description:
                item["description"] = description
            if kind == "entity":
                item["notable"] = type_objects(self.directory, c.entity.types, lang)
            if kind == "type":
                item["broader"] = type_objects(self.directory, self.directory.broader.get(c.entity.iri, ()), lang)
            out.append(item)
        return out

    def propose(self, type_: str, limit: int, lang: str) -> list[dict[str, Any]]:
        """Properties to fetch for things of a type (§7.2), those most of its things have first."""
        cls = self.directory.term(type_)
        counts: dict[str, int] = {}
        for sub, used in self.directory.usage.items():
            if sub == cls or cls in self.directory.ancestors(sub):
                for prop, n in used:
                    counts[prop] = counts.get(prop, 0) + n
        ranked = sorted(counts, key=lambda p: (-counts[p], p))[:limit]
        return [{"id": p, "name": self._property_name(p, lang)} for p in ranked]

    def _property_name(self, iri: str, lang: str) -> str:
        entity = self.directory.properties.entity(iri)
        return entity.name(lang) if entity else self.directory.curie(iri)

    def extend(self, query: Any, lang: str) -> dict[str, Any]:
        """Data extension (§7.3): the values of the asked properties for each asked thing."""
        if not isinstance(query, dict) or not isinstance(query.get("ids"), list) or not isinstance(
                query.get("properties"), list):
            raise ReconciliationError("'extend' must be a JSON object with 'ids' (a list) and 'properties' (a list)")
        ids = _strings(query["ids"], "'ids'") if query["ids"] else []
        _at_most(ids, MAX_EXTEND_IDS, "'ids'", "identifiers")
        _at_most(query["properties"], MAX_EXTEND_PROPERTIES, "'properties' of 'extend'", "properties")
        asked: list[str] = []
        for item in query["properties"]:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise ReconciliationError("each of 'properties' needs a string 'id'")
            asked.append(item["id"])
            chosen = (item.get("settings") or {}).get("lang") if isinstance(item.get("settings"), dict) else None
            lang = chosen if chosen in ("nl", "en") else lang
        things = {i: self.directory.thing(i) for i in ids}
        props = {p: self.property_iri(p, "'extend'") for p in asked}
        fetched = values.fetch(self.store, sorted({t.iri for t in things.values() if t}), sorted(set(props.values())))
        rows = {i: {p: values.cells(fetched[t.iri][props[p]], self.directory, lang) if t else [] for p in asked}
                for i, t in things.items()}
        return {"meta": [{"id": p, "name": self._property_name(props[p], lang)} for p in asked], "rows": rows}
