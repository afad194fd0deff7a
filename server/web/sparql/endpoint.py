"""The public SPARQL endpoint, ``/sparql``: SPARQL 1.1 Protocol §2.1 (query operation) over the release.

One request goes through these steps, each of which can end it:

1. read the protocol parameters (§2.1.1 GET, §2.1.2 POST form, §2.1.3 POST ``application/sparql-query``),
   with the size limits: 414 for a long query in a URL, 413 for a large body or a long query in one;
2. refuse what the policy forbids (``server.rdf.sparql_policy``): Update 403, SERVICE and foreign
   graphs 400;
3. choose the representation from ``format`` or ``Accept`` (RFC 9110 §12.5.1); 406 if none fits.
   A browser asking for HTML gets the query page (``server.web.sparql.page``);
4. answer from the result cache of the release, or from a worker (``server.store.workers``), which
   stops the query at the time limit (503 naming the setting) and cuts the answer at the result
   limit, flagged in the ``SER-KG-Truncated`` header (never silently); a query proven cheap
   (``server.rdf.sparql_cheap``) may be answered in-process instead, with the same bytes and limits.

A GET without a query returns the Service Description. Every answer allows cross-origin use (CORS); the
preflight is answered by ``server.web.cors``.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from server.errors import ProtocolError, QueryRejected, QueryTimeout, SerKgError, StoreError, UpdateRefused
from server.rdf import negotiation, sparql_policy
from server.rdf.formats import HTML, RDF_FORMATS, RESULT_FORMATS, Format
from server.rdf.namespaces import GRAPHS, graph_iri
from server.rdf.sparql_policy import QueryShape, check_dataset
from server.store.base import Answer, Job, QueryRunner
from server.store.cache import ResultCache, SizedCache, footprint
from server.web import caching
from server.web.archive import PARAMETER
from server.web.bodies import read_body
from server.web.context import Context
from server.web.metrics import Metrics
from server.web.sparql import page as sparql_page
from server.web.sparql.sending import AnswerBudget, BoundedAnswer
from server.web.sparql.service_description import LIMIT_HEADER, TRUNCATED_HEADER, ServiceDescription

PATH = "/sparql"
FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
MAX_PARAMETERS = 64  # form fields accepted in one request
INLINE_POLICY_CHARS = 512  # inspected on the event loop up to this length (about 0.2 ms), longer in a thread
# Remembered policy and negotiation decisions, bounded in bytes with their keys (a query, an Accept header).
SHAPES_BYTES = 4 * 1024 * 1024
CHOICES_BYTES = 256 * 1024
# What each kind of answer can be (the page last: a browser asks for it by name, */* never gets it).
RESULT_OFFERS: tuple[Format, ...] = (*RESULT_FORMATS, HTML)
GRAPH_OFFERS: tuple[Format, ...] = (*RDF_FORMATS, HTML)
EXPOSED = f"{TRUNCATED_HEADER}, {LIMIT_HEADER}, SER-KG-Release, ETag"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": EXPOSED,
}
_TEXTUAL = ("text/", "application/sparql-results+xml", "application/rdf+xml")
_SYNTAX = re.compile(r"^syntax error: error at (\d+):(\d+): (.*)$", re.DOTALL)


CacheKey = tuple[str, str, tuple[str, ...], tuple[str, ...]]  # query, format, default and named graphs


@dataclass(frozen=True)
class Params:
    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    formats: tuple[str, ...]  # every format parameter: SPARQLWrapper sends a name and a media type


def _params(items: Sequence[tuple[str, str]], body_query: str | None = None) -> Params:
    if len(items) > MAX_PARAMETERS:
        raise ProtocolError(400, f"the request has more than {MAX_PARAMETERS} parameters")
    values: dict[str, list[str]] = {}
    for name, value in items:
        values.setdefault(name, []).append(value)
    if "update" in values:
        raise UpdateRefused("the 'update' parameter is SPARQL Update: this endpoint is read-only and "
                            "accepts SPARQL queries only.")
    queries = values.get("query", [])
    if body_query is not None:
        queries = [*queries, body_query]
    if len(queries) > 1:
        raise ProtocolError(400, "give exactly one 'query' parameter (SPARQL 1.1 Protocol §2.1)")
    formats = values.get("format", [])
    return Params(
        query=queries[0] if queries else None,
        default_graphs=tuple(values.get("default-graph-uri", [])),
        named_graphs=tuple(values.get("named-graph-uri", [])),
        formats=tuple(formats),
    )


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"{what} is not valid UTF-8 (byte {exc.start})") from None


def based(query: str, base: str, shape: QueryShape) -> str:
    """The query with the documented base IRI declared first (SPARQL 1.1 Query §4.1.1.1: a relative IRI is
    resolved against the base), so ``<id/organisatie/ser>`` names the SER. A query whose prologue declares
    a BASE of its own (the policy saw it) is left alone (Virtuoso refuses a second BASE). On a line of its
    own, so that only the line numbers shift."""
    if shape.declares_base:
        return query
    return f"BASE <{base}>\n{query}"


def _rejection(message: str, shifted: bool) -> str:
    match = _SYNTAX.match(message)
    if match:
        line, column, detail = match.groups()
        if shifted:  # the engine counted the BASE line that based() put first
            line = str(max(int(line) - 1, 1))
        return f"The query is malformed at line {line}, column {column} ({line}:{column}): {detail}"
    return message


class Endpoint:
    def __init__(self, context: Context, answers: AnswerBudget) -> None:
        settings, store = context.settings, context.store
        self.settings = settings
        self.store = store
        self.pool, self.cache, self.metrics, self.answers = context.pool, context.cache, context.metrics, answers
        self.base = store.release.base_iri
        self.graphs = tuple(graph_iri(name, self.base) for name in GRAPHS)
        self.description = ServiceDescription(settings, store)
        self.page = sparql_page.QueryPage(settings, store.release)
        # Repeated queries and Accept headers are the common case: remember what the policy and the
        # negotiation decided (both pure functions of their input), within a bound.
        self._shapes = SizedCache[str, QueryShape](SHAPES_BYTES)
        self._choices = SizedCache[tuple[int, tuple[str, ...], str | None], Format](
            CHOICES_BYTES, size=lambda key, _: footprint(key))  # the formats are shared, not held
        self._running: dict[CacheKey, asyncio.Future[Answer]] = {}

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**CORS, "Vary": "Accept", "SER-KG-Release": self.store.release.version, **(extra or {})}

    def error(self, request: Request, exc: SerKgError, outcome: str, shifted: bool = False) -> Response:
        metrics = self.metrics
        metrics.inc("ser_kg_sparql_queries_total", (("outcome", outcome),))
        message = _rejection(str(exc), shifted) if isinstance(exc, QueryRejected) else str(exc)
        return Response(f"{message}\n", status_code=exc.http_status, headers=self.headers(),
                        media_type="text/plain; charset=utf-8")

    async def get(self, request: Request) -> Response:
        try:
            params = _params(request.query_params.multi_items())
            if params.query is not None and len(params.query) > self.settings.max_query_length:
                raise ProtocolError(414, self._too_long())
        except UpdateRefused as exc:
            return self.error(request, exc, "refused")
        except ProtocolError as exc:
            return self.error(request, exc, "rejected")
        if params.query is None:
            return self.describe(request, params)
        return await self.answer(request, params)

    async def post(self, request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if content_type == UPDATE_BODY:
                raise UpdateRefused("application/sparql-update is SPARQL Update: this endpoint is read-only "
                                    "and accepts SPARQL queries only.")
            if content_type not in (FORM, QUERY_BODY):
                raise ProtocolError(415, f"send a query as {FORM} (query=...) or as {QUERY_BODY} "
                                         "(SPARQL 1.1 Protocol §2.1.2, §2.1.3)")
            body = await read_body(request, self.settings.max_body_bytes)
            url_items = request.query_params.multi_items()
            if content_type == FORM:
                form = parse_qsl(_text(body, "the form"), keep_blank_values=True,
                                 max_num_fields=MAX_PARAMETERS)
                params = _params([*url_items, *form])
            else:
                params = _params(url_items, body_query=_text(body, "the query"))
            if params.query is None:
                raise ProtocolError(400, "the request has no 'query' (SPARQL 1.1 Protocol §2.1.2)")
            if len(params.query) > self.settings.max_query_length:
                raise ProtocolError(413, self._too_long())
        except UpdateRefused as exc:
            return self.error(request, exc, "refused")
        except (ProtocolError, ValueError) as exc:  # ValueError: more form fields than MAX_PARAMETERS
            wrapped = exc if isinstance(exc, ProtocolError) else ProtocolError(400, str(exc))
            return self.error(request, wrapped, "rejected")
        return await self.answer(request, params)

    def _too_long(self) -> str:
        return (f"the query is longer than {self.settings.max_query_length} characters "
                "(setting max_query_length)")

    def describe(self, request: Request, params: Params) -> Response:
        offers = GRAPH_OFFERS
        fmt = self._negotiate(request, params, offers)
        if fmt is None:
            return self._not_acceptable(request, offers)
        if fmt is HTML:
            return self.page.render(request, None, self.headers())
        body = self.description.render(f"{self.settings.public_root}{PATH.lstrip('/')}", fmt)
        # The description is the release's and the settings': the bytes name both, so the tag is of the bytes.
        etag = f'"{self.store.release.version}-sd-{hashlib.blake2b(body, digest_size=8).hexdigest()}"'
        if caching.fresh(request, etag):
            return Response(status_code=304, headers=self.headers({"ETag": etag}))
        return Response(body, headers=self.headers({"ETag": etag}), media_type=_content_type(fmt))

    async def answer(self, request: Request, params: Params) -> Response:
        assert params.query is not None
        try:
            # The policy's work grows with the query (linearly, within max_query_length): a short query is
            # inspected here (tens of microseconds, less than the hop to a thread), a longer one in a
            # thread, so that the event loop goes on serving every other route meanwhile.
            shape = self._shapes.get(params.query)
            if shape is None and len(params.query) <= INLINE_POLICY_CHARS:
                shape = self._inspect(params.query)
            elif shape is None:
                shape = await run_in_threadpool(self._inspect, params.query)
            check_dataset("default-graph-uri", params.default_graphs, self.graphs)
            check_dataset("named-graph-uri", params.named_graphs, self.graphs)
        except QueryRejected as exc:  # UpdateRefused (403) included
            return self.error(request, exc, "refused")
        offers = GRAPH_OFFERS if shape.form in ("CONSTRUCT", "DESCRIBE") else RESULT_OFFERS
        fmt = self._negotiate(request, params, offers)
        if fmt is None:
            return self._not_acceptable(request, offers)
        if fmt is HTML:
            return self.page.render(request, params.query, self.headers())
        protocol_dataset = bool(params.default_graphs or params.named_graphs)
        key = (params.query, fmt.name, params.default_graphs, params.named_graphs)
        etag = self._etag(key) if request.method == "GET" else None
        if etag and caching.fresh(request, etag):
            return Response(status_code=304, headers=self.headers({"ETag": etag}))
        cache, metrics, settings = self.cache, self.metrics, self.settings
        answer = cache.get(key)
        if answer is not None:
            metrics.inc("ser_kg_sparql_queries_total", (("outcome", "cached"),))
            return self._respond(request, answer, fmt, etag)
        pool = self.pool
        if pool is None:
            return self.error(request, StoreError("the SPARQL query workers are not running"), "error")
        job = Job(
            query=based(params.query, self.base, shape),
            format=fmt.name,
            default_graphs=params.default_graphs if protocol_dataset else None,
            named_graphs=params.named_graphs if protocol_dataset else None,
            uses_query_dataset=shape.has_dataset,
            ordered=shape.ordered,
            cheap=settings.cheap_lane and not protocol_dataset and shape.cheap_within(settings.result_limit),
        )
        try:
            answer = await self._once(pool, key, job, metrics)
        except QueryTimeout as exc:
            return self.error(request, exc, "timeout")
        except QueryRejected as exc:
            return self.error(request, exc, "rejected", shifted=job.query != params.query)
        except StoreError as exc:
            return self.error(request, exc, "error")
        metrics.inc("ser_kg_sparql_queries_total", (("outcome", "ok"),))
        if answer.truncated:
            metrics.inc("ser_kg_sparql_results_truncated_total")
        cache.put(key, answer)
        return self._respond(request, answer, fmt, etag)

    async def _once(self, pool: QueryRunner, key: CacheKey, job: Job, metrics: Metrics) -> Answer:
        """Run ``job``, or wait for the same query already running: when many clients send one query
        at once (a link shared widely), the workers run it once and all get the answer.
        """
        running = self._running.get(key)
        if running is not None:
            metrics.inc("ser_kg_sparql_coalesced_total")
            return await asyncio.shield(running)
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            answer = await pool.run(job)
            future.set_result(answer)
            return answer
        except SerKgError as exc:
            future.set_exception(exc)
            raise
        finally:
            del self._running[key]
            if not future.done():  # this request was cancelled: those waiting must not wait forever
                future.set_exception(StoreError("the same query from another client was abandoned; try again"))
            future.exception()  # marks an error as retrieved: nobody else may have waited for it

    def _inspect(self, query: str) -> QueryShape:
        shape = sparql_policy.inspect(query, self.graphs)
        self._shapes.put(query, shape)
        return shape

    def _negotiate(self, request: Request, params: Params, offers: Sequence[Format]) -> Format | None:
        key = (id(offers), params.formats, request.headers.get("accept"))
        known = self._choices.get(key)
        if known is not None:
            return known
        if params.formats:
            chosen = negotiation.choose_with_parameter(offers, params.formats, key[2])
        else:
            chosen = negotiation.choose(offers, key[2])
        if chosen is not None:
            self._choices.put(key, chosen)
        return chosen

    def _not_acceptable(self, request: Request, offers: Sequence[Format]) -> Response:
        names = ", ".join(f"{f.media_type} (format={f.name})" for f in offers if f is not HTML)
        metrics = self.metrics
        metrics.inc("ser_kg_sparql_queries_total", (("outcome", "rejected"),))
        return Response(f"none of the requested formats can be served here; available: {names}\n",
                        status_code=406, headers=self.headers(), media_type="text/plain; charset=utf-8")

    def _etag(self, key: CacheKey) -> str:
        digest = hashlib.blake2b(repr(key).encode(), digest_size=8).hexdigest()
        return f'"{self.store.release.version}-{digest}"'

    def _respond(self, request: Request, answer: Answer, fmt: Format, etag: str | None) -> Response:
        """The answer, sent within the memory budget for answers and the write timeout
        (``server.web.sparql.sending``)."""
        extra = {
            TRUNCATED_HEADER: "true" if answer.truncated else "false",
            LIMIT_HEADER: str(self.settings.result_limit),
            "Cache-Control": "public, max-age=300",
        }
        if etag:
            extra["ETag"] = etag
        budget = self.answers

        def busy() -> Response:
            return self.error(request, StoreError(
                f"the server holds {budget.total_bytes // 1024**2} MiB of answers for clients that are still "
                "reading them (setting answer_memory); try again shortly"), "busy")

        return BoundedAnswer(answer.body, budget, headers=self.headers(extra), media_type=_content_type(fmt),
                             busy=busy)


def _content_type(fmt: Format) -> str:
    if fmt.media_type.startswith(_TEXTUAL):
        return f"{fmt.media_type}; charset=utf-8"
    return fmt.media_type


def router(context: Context, answers: AnswerBudget) -> APIRouter:
    endpoint = Endpoint(context, answers)
    archive = context.archive
    current = context.store.release.version

    async def scoped(request: Request, post: bool) -> Response:
        """The request answered from the release its ``release`` parameter names (in the URL, also for a
        POST), by an endpoint of that release with the same limits and policy as this one's."""
        versions = request.query_params.getlist(PARAMETER)
        if not versions or versions == [current]:
            return await (endpoint.post if post else endpoint.get)(request)
        try:
            if len(versions) > 1:
                raise ProtocolError(400, f"give at most one '{PARAMETER}' parameter")
            async with archive.lease(versions[0]) as (release, store, site, entry):
                assert entry is not None  # the current release was answered above
                scoped_endpoint = entry.made.get("sparql")
                if scoped_endpoint is None:
                    runner = await archive.runner(entry)
                    scoped_endpoint = Endpoint(Context(context.settings, store, site, runner,
                                                       ResultCache(release.version), context.metrics, archive),
                                               answers)
                    entry.made["sparql"] = scoped_endpoint
                return await (scoped_endpoint.post if post else scoped_endpoint.get)(request)
        except ProtocolError as exc:
            return endpoint.error(request, exc, "rejected")
        except StoreError as exc:
            return endpoint.error(request, exc, "error")

    async def get(request: Request) -> Response:
        return await scoped(request, post=False)

    async def post(request: Request) -> Response:
        return await scoped(request, post=True)

    api = APIRouter()
    # Plain Starlette routes: the handlers read the request themselves, so FastAPI's dependency
    # resolution would only add time to every query.
    api.routes.append(Route(PATH, get, methods=["GET"], include_in_schema=False))
    api.routes.append(Route(PATH, post, methods=["POST"], include_in_schema=False))
    return api
