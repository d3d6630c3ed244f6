"""The one outbound fetcher (did:web documents, status lists, request and offer URIs).

Every fetch has one deadline for the whole of it (every hop, every read), a per-read timeout
and a size cap, is https only, and refuses private, link-local, loopback and otherwise
non-public addresses, also on every redirect hop. The connection goes to the very address
that was checked (no second DNS lookup a rebinding name could answer differently), while the
Host header, TLS SNI and certificate verification stay on the host name.
Development mode is the only way to allow http and loopback.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import httpcore2
import httpx2

from shared.encoding.json_limits import parse_json
from shared.errors import FetchRefusedError, UpstreamError

MAX_BYTES = 1_000_000  # did:web documents and status lists: 1 MB is generous
TIMEOUT_SECONDS = 5.0  # any one connect, read or write
DEADLINE_SECONDS = 15.0  # the whole fetch: every redirect hop, every read
MAX_REDIRECTS = 3
#: RFC 9110 §15.4: the redirections to follow. 304 Not Modified is a 3xx without a Location;
#: it answers a conditional GET (status list ETag revalidation) and goes back to the caller.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

Resolve = Callable[[str, int], list[str]]
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class Fetcher(Protocol):
    """Fetches a JSON document; the only way ``shared`` reaches the network."""

    def fetch_json(self, url: str) -> Any:
        """GET ``url`` and parse it as JSON, or raise an ``UpstreamError``."""
        ...


def _system_resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as err:  # UnicodeError: not a valid IDNA name
        raise UpstreamError(f"host {host!r} cannot be resolved") from err
    return [str(info[4][0]) for info in infos]


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class _Deadline:
    """The monotonic instant a whole fetch must be over by."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        #: the last wait was cut short by the deadline (a timeout then means the deadline)
        self.binding = False

    def left(self) -> float:
        return self.at - time.monotonic()

    def passed(self) -> bool:
        return self.left() <= 0

    def explains_timeout(self) -> bool:
        """Whether a timeout that just happened is the deadline's (not a slow single read)."""
        return self.binding or self.passed()

    def bound(self, timeout: float | None, error: type[Exception]) -> float:
        """``timeout`` shortened to what is left of the deadline; ``error`` once it has passed."""
        left = self.left()
        if left <= 0:
            self.binding = True
            raise error(f"the {self.seconds:g} s deadline of the fetch has passed")
        if timeout is None or left < timeout:
            self.binding = True  # what is left only shrinks: every later wait is cut too
            return left
        return timeout


class _DeadlineStream(httpcore2.NetworkStream):
    """A connection whose every read and write ends by the fetch's deadline."""

    def __init__(self, inner: httpcore2.NetworkStream, deadline: _Deadline) -> None:
        self.inner = inner
        self.deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        chunk: bytes = self.inner.read(
            max_bytes, self.deadline.bound(timeout, httpcore2.ReadTimeout)
        )
        return chunk

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.deadline.bound(timeout, httpcore2.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore2.NetworkStream:
        # server_hostname is the URL's host name: SNI and certificate checks use the name
        bound = self.deadline.bound(timeout, httpcore2.ConnectTimeout)
        return _DeadlineStream(
            self.inner.start_tls(ssl_context, server_hostname, bound), self.deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class PinnedBackend(httpcore2.NetworkBackend):
    """Opens connections only to addresses the fetcher checked, never by resolving again.

    ``pins`` maps a host (as the HTTP client names it) to its vetted addresses; a host with
    no pin cannot be reached. ``inner`` does the real connecting (tests record it).
    """

    def __init__(self, deadline: _Deadline, inner: httpcore2.NetworkBackend | None = None) -> None:
        self.deadline = deadline
        self.inner = inner or httpcore2.SyncBackend()
        self.pins: dict[str, list[str]] = {}

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore2.NetworkStream:
        addresses = self.pins.get(host.lower())
        if not addresses:
            raise httpcore2.ConnectError(f"{host} was not checked before connecting")
        failure: Exception = httpcore2.ConnectError(f"{host}: no address to connect to")
        for address in addresses:
            try:
                stream = self.inner.connect_tcp(
                    address,
                    port,
                    timeout=self.deadline.bound(timeout, httpcore2.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore2.ConnectError as err:  # try the next vetted address
                failure = err
                continue
            return _DeadlineStream(stream, self.deadline)
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore2.NetworkStream:
        raise httpcore2.ConnectError("unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, max(self.deadline.left(), 0.0)))


class _PinnedTransport(httpx2.HTTPTransport):
    """httpx's transport over a ``PinnedBackend`` (no proxy from the environment either)."""

    def __init__(self, backend: PinnedBackend, extra_ca_file: str | None = None) -> None:
        context = _ssl_context(extra_ca_file)
        super().__init__(verify=context, trust_env=False)
        # HTTPTransport takes no network backend: give it a pool that connects through ours
        self._pool = httpcore2.ConnectionPool(ssl_context=context, network_backend=backend)


@functools.cache
def _ssl_context(extra_ca_file: str | None = None) -> ssl.SSLContext:
    """One verifying TLS context for every fetch (building one costs ~70 ms; it is thread-safe).

    ``extra_ca_file`` (development mode) adds the PEM certificates of that file to the usual
    trust anchors: a local TLS proxy's self-signed certificate, as the W3C suites need.
    """
    context: ssl.SSLContext = httpx2.create_ssl_context(trust_env=False)
    if extra_ca_file:
        try:
            context.load_verify_locations(cafile=extra_ca_file)
        except (OSError, ssl.SSLError) as err:
            raise ValueError(
                f"the development CA file {extra_ca_file!r} holds no PEM certificate: {err}"
            ) from err
    return context


def pin_key(url: str) -> str:
    """The host name of ``url`` as the connection layer sees it (IDNA-encoded, no brackets)."""
    return str(httpx2.URL(url).raw_host.decode("ascii")).lower()


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
    #: seconds for the whole fetch, redirects and every read included
    deadline: float = DEADLINE_SECONDS
    max_bytes: int = MAX_BYTES
    resolve: Resolve = field(default=_system_resolve)
    #: replaces the network entirely (tests): no address pinning then
    transport: httpx2.BaseTransport | None = None
    #: what opens the sockets to the vetted addresses (tests record it); default: plain TCP
    network_backend: httpcore2.NetworkBackend | None = None
    #: development mode only: a PEM file of further trust anchors (a local TLS proxy's
    #: self-signed certificate, conformance/run.sh); loaded, or refused, at construction
    extra_ca_file: str | None = None

    def __post_init__(self) -> None:
        if self.extra_ca_file:
            if not self.allow_loopback:
                raise ValueError("a development CA file needs development mode")
            _ssl_context(self.extra_ca_file)

    def check_url(self, url: str) -> list[str]:
        """The addresses ``url`` may be fetched from; FetchRefusedError if none may."""
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            pin_key(url)  # the host as the connection will name it: it must parse too
            (parts.hostname or "").encode("idna")  # and be a DNS name (labels of 1-63 chars)
        except (ValueError, httpx2.InvalidURL) as err:
            raise FetchRefusedError(f"refusing to fetch {url!r}: not a valid URL ({err})") from err
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
        addresses = self.resolve(parts.hostname, port)
        if not addresses:
            raise UpstreamError(f"host {parts.hostname!r} has no address")
        for address in addresses:
            if is_public_address(address):
                continue
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if self.allow_loopback and ip.is_loopback:
                continue
            raise FetchRefusedError(
                f"refusing to fetch {url!r}: {parts.hostname} resolves to non-public "
                f"address {address}"
            )
        return addresses

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
        deadline = _Deadline(self.deadline)
        backend = PinnedBackend(deadline, self.network_backend)
        transport = self.transport or _PinnedTransport(backend, self.extra_ca_file)
        with httpx2.Client(follow_redirects=False, transport=transport, trust_env=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                # connect to what was checked, on every hop: a rebinding name gets no 2nd lookup
                backend.pins[pin_key(url)] = self.check_url(url)
                try:
                    timeout = deadline.bound(self.timeout, httpx2.TimeoutException)
                    with client.stream(
                        method,
                        url,
                        headers=dict(headers or {}),
                        data=data,
                        json=json_body,
                        timeout=timeout,
                    ) as resp:
                        if resp.status_code in REDIRECT_STATUSES and method == "GET":
                            location = resp.headers.get("location")
                            if not location:
                                raise UpstreamError(f"{url} redirected without a Location")
                            url = urljoin(url, location)
                            continue
                        return self._read(url, resp, accept_status, deadline)
                except httpx2.TimeoutException as err:
                    raise self._timeout_error(url, deadline) from err
                except httpx2.HTTPError as err:
                    raise UpstreamError(f"{url} could not be fetched: {err}") from err
        raise FetchRefusedError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _read(
        self,
        url: str,
        resp: httpx2.Response,
        accept_status: tuple[int, ...],
        deadline: _Deadline,
    ) -> HttpResponse:
        ok = resp.status_code in accept_status or (
            400 in accept_status and 400 <= resp.status_code < 500
        )
        if not ok:
            raise UpstreamError(f"{url} answered HTTP {resp.status_code}")
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchRefusedError(f"{url} is larger than the {self.max_bytes}-byte limit")
        body = bytearray()
        for chunk in resp.iter_bytes():
            body += chunk
            if len(body) > self.max_bytes:
                raise FetchRefusedError(f"{url} is larger than the {self.max_bytes}-byte limit")
            if deadline.passed():  # also when a transport without deadlines is plugged in
                raise self._timeout_error(url, deadline)
        return HttpResponse(resp.status_code, dict(resp.headers), bytes(body))

    def _timeout_error(self, url: str, deadline: _Deadline) -> UpstreamError:
        if deadline.explains_timeout():
            return UpstreamError(
                f"{url} took longer than the {self.deadline:g} s deadline of a fetch",
                reason="deadline",
            )
        return UpstreamError(f"{url} did not answer within {self.timeout:g} s")

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
