"""The error tree of the project. Each error knows its exit code and its HTTP status.

    SerKgError                      exit 3, HTTP 500
    ├── ClientError                 exit 2, HTTP 400   the request or the command was wrong: every 4xx
    │   ├── UsageError              exit 2, HTTP 400   a command or parameter was used wrongly
    │   │   └── SettingError        exit 2             a setting has a value that cannot be used
    │   ├── ProtocolError           HTTP 4xx           a request breaks its protocol or a limit (own status)
    │   │   └── ReconciliationError HTTP 400           a reconciliation query that breaks the specification
    │   ├── SlowReader              HTTP 408           a client took no data for the write timeout
    │   └── QueryRejected           exit 1, HTTP 400   a query is malformed or not allowed here
    │       └── UpdateRefused       exit 1, HTTP 403   SPARQL Update sent to the read-only endpoint
    ├── SourceError                 exit 1             source records are wrong (file, record, field)
    ├── NonConformantError          exit 1             SHACL violations or failing SPARQL checks
    ├── ReleaseError                exit 3             no release, or a release that is incomplete
    ├── Busy                        HTTP 503           more work than the server takes at once; try again
    └── StoreError                  exit 3, HTTP 503   the store cannot answer
        ├── EngineUnreachable       exit 3, HTTP 503   the remote SPARQL engine does not answer at all
        ├── EngineFailed            exit 3, HTTP 503   the remote SPARQL engine answered with an error
        └── QueryTimeout            exit 3, HTTP 503   a query ran past the time limit

Exit codes of ``ser-kg``: 0 released (or success), 1 data does not conform / bad query,
2 usage error, 3 any other error. A 4xx is the client's to mend and a 5xx the server's, so the two
never share a branch (``except ClientError`` never catches a failing store).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class SerKgError(Exception):
    exit_code = 3
    http_status = 500


class ClientError(SerKgError):
    exit_code = 2
    http_status = 400


class UsageError(ClientError):
    pass


class SettingError(UsageError):
    pass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a source record, located as precisely as we can."""

    file: str
    record: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        record = f" record {self.record!r}" if self.record else ""
        field = f" field {self.field!r}" if self.field else ""
        return f"{where}:{record}{field}: {self.message}"


class ProtocolError(ClientError):
    """A request that breaks its protocol (SPARQL 1.1 Protocol, Reconciliation API) or a size limit; it
    carries its own 4xx status."""

    def __init__(self, status: int, message: str) -> None:
        if not 400 <= status < 500:
            raise ValueError(f"a ProtocolError is a client error (4xx), not {status}")
        super().__init__(message)
        self.http_status = status


class ReconciliationError(ProtocolError):
    """A reconciliation query or extension request that does not follow the specification; the message
    says where (Reconciliation Service API v0.2 §4.1, §7)."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


class SlowReader(ClientError):
    """A client took no data for the write timeout; its connection is closed."""

    http_status = 408


class SourceError(SerKgError):
    exit_code = 1

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the source records:\n{lines}")


class NonConformantError(SerKgError):
    exit_code = 1


class ReleaseError(SerKgError):
    exit_code = 3


class Busy(SerKgError):
    """More work waits than the server takes at once (a queue is full): the client may try again."""

    http_status = 503


class StoreError(SerKgError):
    exit_code = 3
    http_status = 503


class EngineUnreachable(StoreError):
    pass


class EngineFailed(StoreError):
    """The engine answered a query with an error status: ``text`` is what it said."""

    def __init__(self, message: str, status: int, text: str) -> None:
        super().__init__(message)
        self.status = status
        self.text = text


class QueryTimeout(StoreError):
    http_status = 503


class QueryRejected(ClientError):
    exit_code = 1
    http_status = 400


class UpdateRefused(QueryRejected):
    """SPARQL Update sent to the read-only endpoint."""

    http_status = 403
