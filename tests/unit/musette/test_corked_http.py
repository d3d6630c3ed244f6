"""musette.corked_http: an answer's head and body leave in one write, in order, and
closing or a large body never holds bytes back."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from musette.corked_http import FLUSH_BYTES, CorkedHttpToolsProtocol, CorkedTransport
from tests.run_async import run_async


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5000), "sockname": ("127.0.0.1", 80)}.get(name, default)


def test_writes_of_one_turn_leave_together_in_order() -> None:
    async def run() -> list[bytes]:
        fake = FakeTransport()
        corked = CorkedTransport(fake, asyncio.get_running_loop())
        corked.write(b"HTTP/1.1 200 OK\r\n\r\n")
        corked.write(b"body")
        assert fake.writes == []  # held until the turn ends
        await asyncio.sleep(0)
        corked.write(b"next")
        await asyncio.sleep(0)
        return fake.writes

    assert run_async(run()) == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"next"]


def test_close_sends_what_is_held_and_abort_drops_it() -> None:
    async def run() -> tuple[FakeTransport, FakeTransport]:
        loop = asyncio.get_running_loop()
        closing, aborting = FakeTransport(), FakeTransport()
        corked = CorkedTransport(closing, loop)
        corked.write(b"answer")
        corked.close()  # sent before the close
        dropped = CorkedTransport(aborting, loop)
        dropped.write(b"dropped")
        dropped.abort()
        await asyncio.sleep(0)
        return closing, aborting

    closing, aborting = run_async(run())
    assert closing.writes == [b"answer"]
    assert closing.closed
    assert aborting.writes == []
    assert aborting.aborted


def test_a_large_body_is_not_held_back() -> None:
    async def run() -> list[bytes]:
        fake = FakeTransport()
        corked = CorkedTransport(fake, asyncio.get_running_loop())
        corked.write(b"head")
        corked.write(b"x" * FLUSH_BYTES)
        return list(fake.writes)  # before the turn ends

    assert run_async(run()) == [b"head" + b"x" * FLUSH_BYTES]


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await receive()
    body = b'{"verified":true}'
    start = {"type": "http.response.start", "status": 200}
    await send({**start, "headers": [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture
def server() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    config = uvicorn.Config(
        _app, port=port, http=CorkedHttpToolsProtocol, log_config=None, lifespan="off"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(500):
        if srv.started:
            break
        threading.Event().wait(0.01)
    yield port
    srv.should_exit = True
    thread.join(10)


def _read_answer(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b'{"verified":true}'):
        chunk = conn.recv(4096)
        assert chunk, data
        data += chunk
    return data


def test_uvicorn_answers_keep_alive_requests_through_it(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server), timeout=10) as conn:
        for _ in range(3):  # one connection, three answers
            conn.sendall(b"POST /v HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
            answer = _read_answer(conn)
            assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
            assert b"content-length: 17\r\n" in answer


def test_a_connection_close_request_gets_its_whole_answer(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server), timeout=10) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = _read_answer(conn)
        assert conn.recv(10) == b""  # then closed
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
