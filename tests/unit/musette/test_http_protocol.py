"""musette.http_protocol: a response's writes of one event-loop turn reach the socket as one
write, in order, and nothing written is lost when the connection closes."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn

from musette.http_protocol import CoalescingHttpToolsProtocol, TurnWrites


class Recorded:
    """A transport that records what reaches it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False
        self.peer = ("127.0.0.1", 4242)

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.peer if name == "peername" else default


def test_the_writes_of_one_turn_go_out_as_one() -> None:
    async def scenario() -> list[list[bytes]]:
        recorded = Recorded()
        writes = TurnWrites(recorded, asyncio.get_running_loop())  # type: ignore[arg-type]
        writes.write(b"HTTP/1.1 200 OK\r\n\r\n")
        writes.write(b"")
        writes.write(bytearray(b'{"a":1}'))
        seen = [list(recorded.writes)]  # nothing yet: the turn is not over
        await asyncio.sleep(0)
        seen.append(list(recorded.writes))
        writes.write(b"next")
        await asyncio.sleep(0)
        seen.append(list(recorded.writes))
        return seen

    assert asyncio.run(scenario()) == [
        [],
        [b'HTTP/1.1 200 OK\r\n\r\n{"a":1}'],
        [b'HTTP/1.1 200 OK\r\n\r\n{"a":1}', b"next"],
    ]


def test_closing_sends_what_was_kept_first_and_nothing_after() -> None:
    async def scenario() -> tuple[list[bytes], bool]:
        recorded = Recorded()
        writes = TurnWrites(recorded, asyncio.get_running_loop())  # type: ignore[arg-type]
        writes.write(b"last words")
        writes.close()
        writes.write(b"too late")
        await asyncio.sleep(0)
        return recorded.writes, recorded.closed

    assert asyncio.run(scenario()) == ([b"last words"], True)


def test_other_attributes_are_the_transports() -> None:
    recorded = Recorded()
    loop = asyncio.new_event_loop()
    try:
        writes = TurnWrites(recorded, loop)  # type: ignore[arg-type]
        assert writes.get_extra_info("peername") == ("127.0.0.1", 4242)
        assert writes.is_closing() is False
    finally:
        loop.close()


async def _app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b'{"path":"' + scope["path"].encode() + b'"}'
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def test_uvicorn_answers_keep_alive_requests_through_it() -> None:
    """Two requests on one connection, each answer whole (status line, headers, body)."""

    async def scenario() -> bytes:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        config = uvicorn.Config(
            _app, port=port, http=CoalescingHttpToolsProtocol, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        answers = b""
        for path in ("/one", "/two"):
            writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            answers += head + await reader.readexactly(len(f'{{"path":"{path}"}}'))
        writer.close()
        server.should_exit = True
        await task
        return answers

    answers = asyncio.run(scenario())
    assert answers.count(b"HTTP/1.1 200 OK\r\n") == 2
    assert answers.endswith(b'{"path":"/two"}')
    assert b'{"path":"/one"}HTTP/1.1 200 OK' in answers
