"""schemathesis against the server's own OpenAPI description (/-/openapi.json, ``server.web.openapi``):
every operation, with parameters and bodies generated from the schema (positive), and ones that break
it (negative). The one check is the one that matters on the open internet: no answer is a 5xx.

schemathesis's pytest plugin does not run under this pytest (9), so each operation's strategy is
driven by Hypothesis directly, with the profile of tests/fuzz/conftest.py. Also: the schema and the
app agree, so that the fuzzing reaches every public route.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from server.web.openapi import OPERATIONS
from tests.test_docs import route_paths

NOT_DESCRIBED = {"/-/openapi.json", "/static", "/favicon.ico", "/downloads", "/changes", "/reconcile/{rest}"}
# the schema, assets, the redirects to /downloads/ and /changes/, and the CORS preflight
# Negative cases (values that break the schema) exist only where there are parameters to break.
CASES = [(f"{op.method.upper()} {op.path}", mode) for op in OPERATIONS
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if mode is GenerationMode.POSITIVE or op.params]


@pytest.fixture(scope="module")
def fuzzed_app(make_app: Callable[..., FastAPI]) -> FastAPI:
    return make_app(query_timeout=2.0, result_limit=100)


@pytest.fixture(scope="module")
def api_schema(fuzzed_app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/-/openapi.json", fuzzed_app)


@pytest.mark.parametrize(("label", "mode"), CASES, ids=[f"{label} {mode.value}" for label, mode in CASES])
def test_no_operation_answers_a_5xx(api_schema: schemathesis.BaseSchema, label: str, mode: GenerationMode) -> None:
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label

    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=[not_a_server_error])

    fuzz()


def test_the_schema_describes_every_public_route(fuzzed_app: FastAPI) -> None:
    # Each saved view is described under its own path (/views/chairs, ...); they share one route.
    described = {re.sub(r"^/views/[a-z]+$", "/views/{name}", p) for p in fuzzed_app.openapi()["paths"]}
    routes = {re.sub(r"{(\w+):path}", r"{\1}", p) for p in route_paths(fuzzed_app.routes)}
    assert routes - described - NOT_DESCRIBED == set()
    assert described - routes == set()  # and describes nothing that is not there
