"""The answer's framing between a worker and the pool: what is sent is read back whole, in any chunks."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from server.store.base import Answer
from server.store.workers import wire


def _read_all(parts: tuple[bytes, bytes], chunk: int, max_bytes: int = 1024) -> tuple[str, Answer | str]:
    data = b"".join(parts)
    reader = wire.Reader(max_bytes)
    for start in range(0, len(data), chunk):
        whole = reader.feed(data[start:start + chunk])
        assert whole == (start + chunk >= len(data))
    return reader.result()


@pytest.mark.parametrize("chunk", [1, 5, 24, 25, 4096])
def test_an_answer_is_read_back_whole_in_any_chunks(chunk: int) -> None:
    answer = Answer("triples", b"<a> <b> <c> .\n" * 10, 10, True, 0.25)
    assert _read_all(wire.encode(answer), chunk) == ("ok", answer)


def test_an_empty_body_is_whole_with_its_header() -> None:
    answer = Answer("boolean", b"", 1, False, 0.0)
    assert _read_all(wire.encode(answer), 4096) == ("ok", answer)


def test_an_error_carries_its_message() -> None:
    assert _read_all(wire.encode_error("syntax error: \N{EN DASH} here"), 7) == (
        "error", "syntax error: \N{EN DASH} here")


def test_an_answer_over_the_bound_is_refused_before_its_body() -> None:
    header, _ = wire.encode(Answer("solutions", b"x" * 2000, 1, False, 0.0))
    with pytest.raises(OSError, match="over the bound of 1024"):
        wire.Reader(1024).feed(header)


def test_bytes_past_the_announced_length_are_an_error() -> None:
    header, body = wire.encode(Answer("solutions", b"abc", 1, False, 0.0))
    with pytest.raises(OSError, match="more bytes than"):
        wire.Reader(1024).feed(header + body + b"!")


def test_an_unknown_kind_is_an_error() -> None:
    header = wire.HEADER.pack(wire.OK, 9, False, 0, 0.0, 0)
    reader = wire.Reader(1024)
    assert reader.feed(header)
    with pytest.raises(OSError, match="unknown status 0 or kind 9"):
        reader.result()


@pytest.mark.parametrize("size", [0, 3000, wire.FIRST_READ_BYTES + 1, 3 * 1024**2])
def test_send_writes_small_bodies_and_bodies_larger_than_the_socket_buffer(size: int) -> None:
    ours, theirs = socket.socketpair()
    answer = Answer("solutions", os.urandom(size), 7, False, 1.5)
    with ours, theirs:
        reader = wire.Reader(4 * 1024**2)
        sender = threading.Thread(target=wire.send, args=(theirs.fileno(), wire.encode(answer)))
        sender.start()
        while not reader.feed(ours.recv(reader.wanted())):
            pass
        sender.join()
    assert reader.result() == ("ok", answer)
