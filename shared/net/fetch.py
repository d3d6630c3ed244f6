"""The one outbound fetcher (did:web documents, status lists, request and offer URIs).

Every fetch has a timeout and a size cap, is https only, and refuses private,
link-local, loopback and otherwise non-public addresses, also on every redirect hop.
Development mode is the only way to allow http and loopback.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import httpx2

from shared.encoding.json_limits import parse_json
from shared.errors import FetchRefusedError, UpstreamError

MAX_BYTES = 1_000_000  # did:web documents and status lists: 1 MB is generous
TIMEOUT_SECONDS = 5.0
MAX_REDIRECTS = 3
#: RFC 9110 §15.4: the redirections to follow. 304 Not Modified is a 3xx without a Location;
#: it answers a conditional GET (status list ETag revalidation) and goes back to the caller.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

Resolve = Callable[[str, int], list[str]]


class Fetcher(Protocol):
    """Fetches a JSON document; the only way ``shared`` reaches the network."""

    def fetch_json(self, url: str) -> Any:
        """GET ``url`` and parse it as JSON, or raise an ``UpstreamError``."""
        ...


def _system_resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as err:
        raise UpstreamError(f"host {host!r} cannot be resolved") from err
    return [str(info[4][0]) for info in infos]


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class HttpResponse:
    """What an outbound request brought back (body already size-capped)."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self, *, max_bytes: int = MAX_BYTES) -> Any:
        """The body parsed as JSON with the size and depth limits."""
        return parse_json(self.body, max_bytes=max_bytes)


@dataclass
class HttpFetcher:
    """Fetcher over HTTPS with the protections above.

    ``allow_loopback`` (development mode) also allows plain http and 127.0.0.0/8 / ::1,
    never other private or link-local ranges.
    """

    allow_loopback: bool = False
    timeout: float = TIMEOUT_SECONDS
    max_bytes: int = MAX_BYTES
    resolve: Resolve = field(default=_system_resolve)
    transport: httpx2.BaseTransport | None = None

    def check_url(self, url: str) -> None:
        """Raise FetchRefusedError unless ``url`` may be fetched."""
        parts = urlsplit(url)
        allowed = {"https", "http"} if self.allow_loopback else {"https"}
        if parts.scheme not in allowed:
            raise FetchRefusedError(
                f"refusing to fetch {url!r}: only https URLs are allowed"
                + ("" if self.allow_loopback else " (http needs development mode)")
            )
        if not parts.hostname:
            raise FetchRefusedError(f"refusing to fetch {url!r}: no host")
        if parts.username or parts.password:
            raise FetchRefusedError(f"refusing to fetch {url!r}: credentials in URL")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        for address in self.resolve(parts.hostname, port):
            if is_public_address(address):
                continue
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if self.allow_loopback and ip.is_loopback:
                continue
            raise FetchRefusedError(
                f"refusing to fetch {url!r}: {parts.hostname} resolves to non-public "
                f"address {address}"
            )

    def fetch_bytes(self, url: str) -> bytes:
        """GET ``url`` following at most MAX_REDIRECTS checked redirects."""
        return self.request("GET", url, headers={"Accept": "application/json"}).body

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json_body: Any = None,
        accept_status: tuple[int, ...] = (200,),
    ) -> HttpResponse:
        """Send a request with the same protections; redirects are followed for GET only.

        Answers with a status outside ``accept_status`` raise UpstreamError, except that
        OAuth-style JSON error bodies (4xx) are returned when 400 is in ``accept_status``.
        """
        with httpx2.Client(
            timeout=self.timeout, follow_redirects=False, transport=self.transport
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                self.check_url(url)
                try:
                    with client.stream(
                        method, url, headers=dict(headers or {}), data=data, json=json_body
                    ) as resp:
                        if resp.status_code in REDIRECT_STATUSES and method == "GET":
                            location = resp.headers.get("location")
                            if not location:
                                raise UpstreamError(f"{url} redirected without a Location")
                            url = urljoin(url, location)
                            continue
                        ok = resp.status_code in accept_status or (
                            400 in accept_status and 400 <= resp.status_code < 500
                        )
                        if not ok:
                            raise UpstreamError(f"{url} answered HTTP {resp.status_code}")
                        declared = resp.headers.get("content-length")
                        if declared and declared.isdigit() and int(declared) > self.max_bytes:
                            raise FetchRefusedError(
                                f"{url} is larger than the {self.max_bytes}-byte limit"
                            )
                        body = bytearray()
                        for chunk in resp.iter_bytes():
                            body += chunk
                            if len(body) > self.max_bytes:
                                raise FetchRefusedError(
                                    f"{url} is larger than the {self.max_bytes}-byte limit"
                                )
                        return HttpResponse(resp.status_code, dict(resp.headers), bytes(body))
                except httpx2.TimeoutException as err:
                    raise UpstreamError(f"{url} did not answer within {self.timeout}s") from err
                except httpx2.HTTPError as err:
                    raise UpstreamError(f"{url} could not be fetched: {err}") from err
        raise FetchRefusedError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def fetch_json(self, url: str) -> Any:
        """GET ``url`` and parse JSON with the size and depth limits."""
        return parse_json(self.fetch_bytes(url), max_bytes=self.max_bytes)


@dataclass
class StaticFetcher:
    """A fetcher over fixed documents, for tests and offline verification."""

    documents: Mapping[str, Any]
    calls: list[str] = field(default_factory=list)

    def fetch_json(self, url: str) -> Any:
        """Return the document registered for ``url``."""
        self.calls.append(url)
        if url not in self.documents:
            raise UpstreamError(f"{url} is not available")
        doc = self.documents[url]
        if isinstance(doc, bytes | str):
            return parse_json(doc)
        return json.loads(json.dumps(doc))


class NoFetcher:
    """A fetcher that refuses everything: verification fully offline."""

    def fetch_json(self, url: str) -> Any:
        """Always refuse."""
        raise FetchRefusedError(f"no network access configured; cannot fetch {url}")
