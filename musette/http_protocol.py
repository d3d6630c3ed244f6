"""uvicorn's httptools protocol, its writes of one event-loop turn sent as one.

uvicorn writes a response's status line and headers when the app sends
``http.response.start``, then its body when it sends ``http.response.body``: two ``send``
system calls, two TCP segments, for every small JSON answer (the OpenID4VCI exchange's four
requests, a verification). Here the connection's transport keeps the writes made during one
turn of the event loop and hands them to the socket together at the end of the turn (one
``call_soon``), in order; closing the connection sends what is kept first. Nothing waits
longer than the turn that wrote it, so no answer is delayed for another.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["CoalescingHttpToolsProtocol", "TurnWrites"]


class TurnWrites:
    """A transport whose writes of one event-loop turn go to ``transport`` as one write; any
    other attribute is the transport's own."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._kept: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._kept:
            self._loop.call_soon(self.flush)
        self._kept.append(bytes(data))

    def flush(self) -> None:
        """Send what this turn wrote (nothing once the connection is closing)."""
        if not self._kept:
            return
        data = self._kept[0] if len(self._kept) == 1 else b"".join(self._kept)
        self._kept.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """``uvicorn --http musette.http_protocol:CoalescingHttpToolsProtocol``."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(TurnWrites(transport, self.loop))  # type: ignore[arg-type]
