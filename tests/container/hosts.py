"""pytest plugin (``-p tests.container.hosts``) for tests run against the container topology:
the names ``*.<MUSETTE_CONTAINER_DOMAIN>`` resolve to 127.0.0.1 (where the proxy listens),
and the proxy's certificate authority (``MUSETTE_CONTAINER_CA``, a PEM file) is trusted by
every TLS context the HTTP clients and the fetcher build. Nothing on the machine changes."""

from __future__ import annotations

import os
import socket
import ssl
from typing import Any

import httpcore2

DOMAIN = os.environ.get("MUSETTE_CONTAINER_DOMAIN", "musette.localhost")
CA = os.environ.get("MUSETTE_CONTAINER_CA", "")

_getaddrinfo = socket.getaddrinfo
_default_ssl_context = httpcore2.default_ssl_context


def _resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if isinstance(name, str) and name.lower().rstrip(".").endswith("." + DOMAIN):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


def _trusting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
    context = _default_ssl_context(*args, **kwargs)
    if CA:
        context.load_verify_locations(cafile=CA)
    return context


socket.getaddrinfo = _resolve
httpcore2.default_ssl_context = _trusting
