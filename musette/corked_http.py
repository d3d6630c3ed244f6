"""uvicorn's httptools protocol, with a response's status line, headers and body in one send.

uvicorn writes an answer's head and each body part to the socket as the application sends
them: two ``send`` calls and two TCP segments for the smallest JSON answer, and the client
woken twice. :class:`CorkedTransport` holds what is written during one turn of the event
loop and sends it at the end of the turn (or as soon as it reaches :data:`FLUSH_BYTES`):
the same bytes in the same order, one system call. ``musette serve`` runs uvicorn with
:class:`CorkedHttpToolsProtocol` (``http=``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["FLUSH_BYTES", "CorkedHttpToolsProtocol", "CorkedTransport"]

#: held bytes past this size leave at once (a large or streamed body is not held back)
FLUSH_BYTES = 64 * 1024


class CorkedTransport:
    """A transport's writes of one event-loop turn, sent together; everything else is the
    wrapped transport's (closing sends what is held first, aborting drops it)."""

    __slots__ = ("_held", "_loop", "_size", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] | None = None
        self._size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._held is None:
            self._held = [bytes(data)]
            self._size = len(data)
            self._loop.call_soon(self.flush)
        else:
            self._held.append(bytes(data))
            self._size += len(data)
        if self._size >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Send what is held (nothing once the transport is closing: the peer is gone)."""
        held, self._held = self._held, None
        if held and not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, pause_reading…
        return getattr(self._transport, name)


class CorkedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a :class:`CorkedTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CorkedTransport(transport, self.loop))  # type: ignore[arg-type]
