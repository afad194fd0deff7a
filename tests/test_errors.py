"""The error tree of ``server.errors``: a client's error (4xx) and the server's (5xx) never share a branch."""

from __future__ import annotations

import inspect

import pytest

from server import errors
from server.errors import Busy, ClientError, ProtocolError, QueryRejected, SerKgError, StoreError, UpdateRefused

TREE = [cls for _, cls in inspect.getmembers(errors, inspect.isclass) if issubclass(cls, SerKgError)]


@pytest.mark.parametrize("cls", TREE, ids=lambda c: c.__name__)
def test_every_4xx_is_a_client_error_and_no_client_error_is_a_5xx(cls: type[SerKgError]) -> None:
    assert (400 <= cls.http_status < 500) == issubclass(cls, ClientError)


def test_a_rejected_query_is_not_caught_as_a_failing_store() -> None:
    assert not issubclass(QueryRejected, StoreError) and issubclass(UpdateRefused, ClientError)
    assert UpdateRefused("update").http_status == 403


@pytest.mark.parametrize("status", [413, 414, 415])
def test_a_protocol_error_carries_its_own_4xx(status: int) -> None:
    assert ProtocolError(status, "too large").http_status == status


@pytest.mark.parametrize("status", [200, 303, 500, 503])
def test_a_protocol_error_refuses_a_status_that_is_no_client_error(status: int) -> None:
    with pytest.raises(ValueError, match=str(status)):
        ProtocolError(status, "busy")


def test_a_busy_server_is_a_5xx_the_client_may_retry() -> None:
    assert Busy("try again").http_status == 503 and not issubclass(Busy, ClientError)


def test_the_docstring_draws_every_error_of_the_module() -> None:
    drawn = errors.__doc__ or ""
    assert [cls.__name__ for cls in TREE if cls.__name__ not in drawn] == []
