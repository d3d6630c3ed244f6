"""A local HTTP server that drips its answer one byte at a time (slow-drip / slowloris).

Used by the outbound-fetch deadline tests: each read returns quickly, so only a deadline over
the whole fetch can end it. It serves on 127.0.0.1, so fetchers need development mode.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

BODY_BYTES = 100_000  # far more than the test deadlines let through


@dataclass
class Drip:
    """Where the drip server listens, and what it saw."""

    url: str
    connected: threading.Event = field(default_factory=threading.Event)
    #: set when a client hung up before the answer was complete
    hung_up: threading.Event = field(default_factory=threading.Event)


@contextmanager
def drip_server(*, interval: float = 0.5, headers_first: bool = True) -> Iterator[Drip]:
    """Serve until the block ends; ``headers_first=False`` drips the status line too."""
    stop = threading.Event()
    drip: Drip

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock: socket.socket = self.request
            sock.settimeout(5)
            try:
                sock.recv(65536)  # the request; its content does not matter
                drip.connected.set()
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {BODY_BYTES}\r\n\r\n"
                ).encode()
                if headers_first:
                    sock.sendall(head)
                    payload = b"[" + b" " * (BODY_BYTES - 1)
                else:
                    payload = head
                for i in range(len(payload)):
                    if stop.wait(interval):
                        return
                    sock.sendall(payload[i : i + 1])
            except OSError:
                drip.hung_up.set()

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    drip = Drip(url=f"http://127.0.0.1:{port}/slow.json")
    thread = threading.Thread(target=server.serve_forever, name="drip-server", daemon=True)
    thread.start()
    try:
        yield drip
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
