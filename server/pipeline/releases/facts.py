"""What the metadata of a release is made from: its identity and its files.

A dump cannot hold its own size and checksum, so the metadata graph inside the dumps lists the files
without them (``bytes`` and ``sha256`` are None there); ``void.ttl`` and ``catalog.ttl``, written after
the dumps, carry both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"


@dataclass(frozen=True)
class FileInfo:
    name: str  # file name inside the release folder
    media_type: str  # IANA media type of the file as served (gzip files: application/gzip)
    bytes: int | None = None
    sha256: str | None = None
    format: str = ""  # media type of the RDF inside (for .gz files), else same as media_type


@dataclass(frozen=True)
class ReleaseFacts:
    version: str
    created: datetime  # UTC
    base_iri: str
    files: list[FileInfo] = field(default_factory=list)  # the dumps
    licence: str = CC0
    others: list[FileInfo] = field(default_factory=list)  # more distributions of the dataset: the change log

    @property
    def dataset_iri(self) -> str:
        return f"{self.base_iri}id/dataset/ser"

    @property
    def download_base(self) -> str:
        return f"{self.base_iri}downloads/{self.version}/"

    def download_url(self, name: str) -> str:
        return self.download_base + name
