"""An in-memory index of names, and the scoring that ranks the things a query may mean.

Built once per release (a store serves one immutable release), from every label of every thing:
``skos:prefLabel``, ``dct:title``, ``foaf:name``, ``eli:title``, ``rdfs:label``, ``skos:altLabel`` and
``skos:hiddenLabel`` with its sub-property ``ser:historischeNaam``. Tokens come from
:mod:`server.web.search.names`. A query is scored from 0 to 100 against each name it shares a word with:

* 100 for the same tokens in the same order, 99 when only the spaces differ (``Sociaaleconomische``),
  98 in another order;
* otherwise a weighted Dice coefficient of the matched tokens, at most 96: rare words weigh more
  than common ones (``ministerie``, ``commissie``, ``convenant``), by inverse document frequency;
* at least 85 when the query is the first words of the name (``Energieakkoord``), and 80 when it
  is the name's initials (``SCP``): likely, never sure.

Then the kind of name counts: a former name is worth HIDDEN of a current one, a title without its
subtitle MAIN_TITLE. An abbreviation that is some thing's alternative name (``SZW``, ``FNV``,
``IenM``) is also read as that thing's full name, so ``Ministerie van SZW`` meets the ministry's own
name. A thing's score is that of its best name.

The work of one search is bounded, whatever the query: at most MAX_QUERY_CHARS characters and
MAX_QUERY_WORDS words are read, in at most MAX_VARIANTS readings; each word is matched once per search.
The scan for typing errors (every word of the index within one or two edits of a query word) runs in
C++: ``rapidfuzz.process.extract`` with the Levenshtein distance over the index's words of about the
query word's length, so only the few words it finds are compared in Python. At most MAX_SCORED names
are scored in full. The weighted Dice scoring itself stays hand-written: no library scores tokens by
their rarity in one dataset, with abbreviations, initials and former names, and the ranking that
``tests/release/test_reconcile_quality.py`` guards rests on it. :class:`Work` counts what a search did.
"""

from __future__ import annotations

import bisect
import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from rdflib import Literal
from rdflib.namespace import SKOS

from server.web.labels import in_language, pick
from server.web.search import names
from server.web.search.names import Token

_SUBTITLE = re.compile(r"(?<=[a-z0-9)]{2})[.:?!]\s+")

SAME_ORDER, SAME_SPACING, SAME_WORDS, CEILING = 100.0, 99.0, 98.0, 96.0
INITIALS = 80.0  # a query that is the initials of a name, such as "SCP": a guess, never a sure match
LEADING = 85.0  # a query that is the first words of a name ("Energieakkoord"): likely, never sure
EXPANDED = 0.98  # a query read with an abbreviation written out
MAIN_TITLE = 0.97  # a title without its subtitle ("Diversiteit in de top" of "... top. Tijd voor versnelling")
HIDDEN = 0.95  # a hidden (former) name: found, but a thing that bears the name today comes first
MAX_VARIANTS, MAX_EXPANSIONS = 8, 4
MAX_QUERY_CHARS, MAX_QUERY_WORDS = 300, 24  # longer than any name; bounds the work one query can cause
MAX_SCORED = 400  # names scored in full by one search (the postings' bounds usually stop it far sooner)
# How much a name of each kind counts; predicates not listed here are not names.
LABEL_WEIGHTS: Mapping[str, float] = {str(SKOS.altLabel): 1.0, str(SKOS.hiddenLabel): HIDDEN}
PRIMARY = 1.0


@dataclass
class Entity:
    """A named thing (or class, or property) as the index knows it."""

    iri: str
    types: tuple[str, ...] = ()
    labels: tuple[tuple[str, Literal], ...] = ()  # (predicate, label)
    descriptions: Mapping[str, str] = field(default_factory=dict)  # language -> text
    prior: float = 1.0  # how much any of its names counts, before the query is read

    def name(self, lang: str = "nl") -> str:
        label = pick(self.labels, lang)
        if label is not None:
            return str(label)
        return next((str(text) for _, text in self.labels), self.iri)

    def description(self, lang: str = "nl") -> str | None:
        return in_language(self.descriptions, lang) if self.descriptions else None


@dataclass(frozen=True)
class Name:
    entity: int
    text: str
    parts: tuple[Token, ...]
    weight: float


@dataclass
class Work:
    """What searches did, counted, so that tests can hold the bounds above without timing anything.

    A search adds to the first five; the reconciliation matcher (``server.web.search.matching``) to the last two.
    """

    variants: int = 0  # readings of a query (as written, and with abbreviations written out)
    scanned: int = 0  # index words a query word was compared with in C++, for typing errors
    compared: int = 0  # word pairs compared in Python (names.similarity)
    bounded: int = 0  # names given an upper bound from the postings
    scored: int = 0  # names scored in full
    ranked: int = 0  # candidates ranked by the matcher for one query
    values: int = 0  # property values compared with wanted ones


@dataclass(frozen=True)
class Candidate:
    entity: Entity
    score: float  # 0-100
    label: str  # the name that matched best
    exact: bool  # that name, normalised, is the query


class NameIndex:
    def __init__(self, entities: Iterable[Entity], weights: Mapping[str, float] | None = None,
                 max_scored: int = MAX_SCORED) -> None:
        kinds = {**LABEL_WEIGHTS, **(weights or {})}
        self.max_scored = max_scored
        self.entities: list[Entity] = list(entities)
        self.by_iri = {e.iri: i for i, e in enumerate(self.entities)}
        self.names: list[Name] = []
        self.keys: list[set[str]] = []  # per entity: its names, normalised
        for index, entity in enumerate(self.entities):
            seen: set[str] = set()
            self.keys.append(seen)
            for predicate, literal in sorted(entity.labels, key=lambda label: -kinds.get(label[0], PRIMARY)):
                weight = kinds.get(predicate, PRIMARY) * entity.prior
                full = str(literal)
                main = _SUBTITLE.split(full, maxsplit=1)[0]
                for text, factor in ((full, 1.0), (main, MAIN_TITLE)) if main != full else ((full, 1.0),):
                    parts = names.tokens(text)
                    if parts and names.key(parts) not in seen:
                        seen.add(names.key(parts))
                        self.names.append(Name(index, text, parts, weight * factor))
        self.postings: dict[str, set[int]] = defaultdict(set)
        self.compacts: dict[str, set[int]] = defaultdict(set)
        self.initials: dict[str, set[int]] = defaultdict(set)
        self.abbreviated: set[str] = set()  # label tokens written as abbreviations ("C." Teulings)
        frequency: dict[str, set[int]] = defaultdict(set)
        for n, name in enumerate(self.names):
            for part in name.parts:
                self.postings[part.text].add(n)
                frequency[part.text].add(name.entity)
                if part.abbreviation:
                    self.abbreviated.add(part.text)
            self.compacts[names.compact(name.parts)].add(n)
            letters = names.initials(name.parts)
            if letters and name.weight == PRIMARY:
                self.initials[letters].add(n)
        total = max(len(self.entities), 1)
        self.rarest = math.log(1 + total)
        self.idf = {word: math.log(1 + total / len(things)) for word, things in frequency.items()}
        self.totals = [sum(self.weight(p.text) for p in name.parts) for name in self.names]
        self.vocabulary = sorted(self.postings)
        # The words a typing error may hide, by length, so that one slice holds those of about a length.
        self.fuzzy = sorted((w for w in self.vocabulary if names.allowed_edits(w)), key=lambda w: (len(w), w))
        self.fuzzy_lengths = [len(w) for w in self.fuzzy]
        self.expansions = self._expansions(kinds)

    def _expansions(self, kinds: Mapping[str, float]) -> dict[str, list[tuple[Token, ...]]]:
        """Abbreviations among the alternative names (``SZW``, ``IenW``), each with its thing's full names."""
        found: dict[str, list[tuple[Token, ...]]] = defaultdict(list)
        for entity in self.entities:
            short = [str(lit) for p, lit in entity.labels
                     if p in kinds and " " not in lit and sum(c.isupper() for c in lit) >= 2]
            if not short:
                continue
            # Dutch names first: the dataset is Dutch first, and so are the abbreviations.
            labels = sorted(entity.labels, key=lambda label: label[1].language != "nl")
            full = [names.tokens(str(lit)) for p, lit in labels if kinds.get(p, PRIMARY) == PRIMARY]
            for text in short:
                parts = names.tokens(text)
                if len(parts) == 1:
                    found[parts[0].text] += [f for f in full if len(f) > 1 and f not in found[parts[0].text]]
        return dict(found)

    def weight(self, word: str) -> float:
        return self.idf.get(word, self.rarest if len(word) > 1 else 1.0)

    def entity(self, iri: str) -> Entity | None:
        index = self.by_iri.get(iri)
        return self.entities[index] if index is not None else None

    def is_named(self, iri: str, text: str) -> bool:
        """Whether ``text`` is one of the names of ``iri``, up to case, diacritics and punctuation."""
        index = self.by_iri.get(iri)
        return index is not None and names.key(names.tokens(text[:MAX_QUERY_CHARS])) in self.keys[index]

    def search(self, text: str, *, typing: bool = False, accept: Iterable[str] | None = None,
               limit: int = 10, work: Work | None = None) -> list[Candidate]:
        """The things ``text`` may name, best first; ``accept`` keeps only those IRIs (a type filter).

        Names are scored in the order of an upper bound of their score, computed from the postings
        alone, and scoring stops when no name left can enter the best ``limit``: a common word
        ("advies", "ministerie") does not make every name that holds it cost a full comparison.
        ``work``, when given, is told what the search did.
        """
        work = work if work is not None else Work()
        allowed = set(accept) if accept is not None else None
        query = names.tokens(text[:MAX_QUERY_CHARS], typing=typing)[:MAX_QUERY_WORDS]
        best: dict[int, Candidate] = {}
        top: list[float] = []  # the best `limit` scores so far, lowest first: a name must beat top[0]
        matched: dict[Token, dict[str, float]] = {}  # each word once, whichever readings hold it
        scored = 0
        for variant, factor in self._variants(query):
            work.variants += 1
            for part in variant:
                if part not in matched:
                    matched[part] = self._matches(part, work)
            rows = [matched[part] for part in variant]
            bounds = self._bounds(variant, rows, factor, allowed)
            work.bounded += len(bounds)
            for bound, n in bounds:
                if len(top) >= limit and bound <= top[0]:
                    break  # ties with the last place may be left out; with limit >= 2 never one with the first
                if scored == self.max_scored:
                    break
                scored += 1
                work.scored += 1
                name = self.names[n]
                score, exact = self._score(variant, rows, name)
                score = round(score * name.weight * factor, 2)
                current = best.get(name.entity)
                if current is None or score > current.score:
                    best[name.entity] = Candidate(self.entities[name.entity], score, name.text, exact and factor == 1)
                    heapq.heappush(top, score)
                    if len(top) > limit:
                        heapq.heappop(top)
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.entity.name(), c.entity.iri))
        return ranked[:limit]

    def _variants(self, query: tuple[Token, ...]) -> list[tuple[tuple[Token, ...], float]]:
        variants = [(query, 1.0)] if query else []
        for i, part in enumerate(query):
            for expansion in self.expansions.get(part.text, [])[:MAX_EXPANSIONS]:
                words = [*query[:i], *expansion, *query[i + 1:]]
                unique = tuple({w.text: w for w in words}.values())
                variants.append((unique, EXPANDED))
        return variants[:MAX_VARIANTS]

    def _matches(self, part: Token, work: Work) -> dict[str, float]:
        """The index's words that ``part`` matches, with how well."""
        found = {part.text} if part.text in self.postings else set()
        if part.typed or part.abbreviation:
            start = bisect.bisect_left(self.vocabulary, part.text)
            end = bisect.bisect_left(self.vocabulary, part.text + "\uffff")
            found.update(self.vocabulary[start:end])
        found.update(part.text[:k] for k in range(1, names.ABBREVIATION_MAX + 1)
                     if part.text[:k] in self.abbreviated)
        edits = names.allowed_edits(part.text)
        if edits:
            # In C++: the index's words of a length within `edits`, and of those the ones within `edits`
            # edits; names.similarity then applies the bound of the shorter word to these few.
            start = bisect.bisect_left(self.fuzzy_lengths, len(part.text) - edits)
            end = bisect.bisect_right(self.fuzzy_lengths, len(part.text) + edits)
            work.scanned += end - start
            near = process.extract(part.text, self.fuzzy[start:end], scorer=Levenshtein.distance,
                                   score_cutoff=edits, limit=None)
            found.update(word for word, _, _ in near)
        work.compared += len(found)
        row: dict[str, float] = {}
        for word in found:
            similarity = names.similarity(part, Token(word, abbreviation=word in self.abbreviated))
            if similarity:
                row[word] = similarity
        return row

    def _bounds(self, variant: tuple[Token, ...], rows: Sequence[dict[str, float]], factor: float,
                allowed: set[str] | None) -> list[tuple[float, int]]:
        """The names that share a word with ``variant``, each with a score it cannot exceed, highest first.

        Each query word adds at most its best match among the name's words, and costs at least the
        lightest word it could be paired with; so the Dice of :meth:`_score` stays below this one.
        """
        matched: dict[int, float] = defaultdict(float)
        complete: dict[int, int] = defaultdict(int)  # query words the name holds exactly
        query_floor = 0.0
        for part, row in zip(variant, rows, strict=True):
            query_floor += min([self.weight(part.text), *(self.weight(word) for word in row)])
            strongest: dict[int, float] = {}
            exact: set[int] = set()
            for word, similarity in row.items():
                value = similarity * self.weight(word)
                for n in self.postings[word]:
                    if value > strongest.get(n, 0.0):
                        strongest[n] = value
                if similarity == names.EXACT:
                    exact |= self.postings[word]
            for n, value in strongest.items():
                matched[n] += value
            for n in exact:
                complete[n] += 1
        sure = self.compacts.get(names.compact(variant), set())
        if len(variant) == 1:
            sure = sure | self.initials.get(variant[0].text, set())
        bounds = []
        for n in set(matched) | sure:
            name = self.names[n]
            if allowed is not None and self.entities[name.entity].iri not in allowed:
                continue
            if n in sure:
                bound = SAME_ORDER
            else:
                dice = 2 * matched[n] / (query_floor + self.totals[n]) if query_floor + self.totals[n] else 0.0
                bound = max(min(SAME_ORDER, 100 * dice), LEADING if complete[n] == len(variant) else 0.0)
            bounds.append((bound * name.weight * factor, n))
        bounds.sort(key=lambda b: -b[0])
        return bounds

    def _score(self, variant: tuple[Token, ...], rows: Sequence[dict[str, float]], name: Name) -> tuple[float, bool]:
        if names.key(variant) == names.key(name.parts):
            return SAME_ORDER, True
        if names.compact(variant) == names.compact(name.parts):
            return SAME_SPACING, True
        pairs = sorted(((similarity * self.weight(part.text), i, j)
                        for i, row in enumerate(rows) for j, part in enumerate(name.parts)
                        if (similarity := row.get(part.text, 0.0)) > 0), reverse=True)
        used_query: dict[int, float] = {}
        used_label: set[int] = set()
        matched = 0.0
        for value, i, j in pairs:
            if value <= 0 or i in used_query or j in used_label:
                continue
            used_query[i] = self.weight(name.parts[j].text)
            used_label.add(j)
            matched += value
        query_total = sum(used_query.get(i, self.weight(p.text)) for i, p in enumerate(variant))
        label_total = sum(self.weight(p.text) for p in name.parts)
        dice = 2 * matched / (query_total + label_total) if query_total + label_total else 0.0
        if dice > 0.9999 and {p.text for p in variant} == {p.text for p in name.parts}:
            return SAME_WORDS, True
        score = min(CEILING, 100 * dice)
        if len(variant) == 1 and names.initials(name.parts) == variant[0].text:
            score = max(score, INITIALS)
        if len(variant) < len(name.parts) and names.key(name.parts[:len(variant)]) == names.key(variant):
            score = max(score, LEADING)
        return score, False
