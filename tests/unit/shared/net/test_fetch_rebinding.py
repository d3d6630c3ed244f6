"""SSRF by DNS rebinding: the fetcher connects to the address it checked, on every hop.

Regression: ``HttpFetcher`` checked the resolved addresses, then the HTTP client
resolved the name again when it connected; a name with a zero TTL could pass the check with a
public address and then point at 127.0.0.1 or 169.254.169.254.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import FetchRefusedError, VcError
from shared.net.fetch import HttpFetcher, PinnedBackend, _Deadline

PUBLIC = "93.184.215.14"
OTHER_PUBLIC = "93.184.215.15"


class RebindingResolver:
    """Answers a public address first, then loopback (or metadata) for every later lookup."""

    def __init__(self, first: str = PUBLIC, then: str = "127.0.0.1") -> None:
        self.answers = [first]
        self.then = then
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return [self.answers.pop(0)] if self.answers else [self.then]


class Stream(httpcore2.NetworkStream):
    """One canned HTTP/1.1 answer; records what the client wrote and the TLS server name."""

    def __init__(self, answer: bytes, log: dict[str, list[Any]]) -> None:
        self.answer = [answer]
        self.log = log

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.answer.pop(0) if self.answer else b""

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.log["written"].append(bytes(buffer))

    def close(self) -> None:
        pass

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore2.NetworkStream:
        self.log["sni"].append(server_hostname)
        return self

    def get_extra_info(self, info: str) -> Any:
        return None


class RecordingNetwork(httpcore2.NetworkBackend):
    """Stands for the network: records every address a socket is opened to."""

    def __init__(self, answers: dict[str, bytes]) -> None:
        self.answers = answers  # address -> raw HTTP response
        self.log: dict[str, list[Any]] = {"connected": [], "written": [], "sni": []}

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        self.log["connected"].append(host)
        if host not in self.answers:
            raise httpcore2.ConnectError(f"nothing listens on {host}")
        return Stream(self.answers[host], self.log)


def ok(body: bytes = b'{"ok": true}') -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def redirect(location: str) -> bytes:
    return f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode()


def test_ssrf_dns_rebinding_never_connects_to_loopback() -> None:
    resolver = RebindingResolver()
    network = RecordingNetwork({PUBLIC: ok(), "127.0.0.1": ok(b'{"secret": 1}')})
    fetcher = HttpFetcher(resolve=resolver, network_backend=network)
    assert fetcher.fetch_json("https://rebind.example/did.json") == {"ok": True}
    # one lookup, and the socket went to the address that lookup gave
    assert resolver.lookups == ["rebind.example"]
    assert network.log["connected"] == [PUBLIC]
    # while TLS (SNI, certificate) and Host stay on the name
    assert network.log["sni"] == ["rebind.example"]
    assert b"Host: rebind.example\r\n" in network.log["written"][0]


def test_ssrf_dns_rebinding_in_development_mode_too() -> None:
    """Development mode allows loopback, but a name still cannot rebind to metadata."""
    resolver = RebindingResolver(first="127.0.0.1", then="169.254.169.254")
    network = RecordingNetwork({"127.0.0.1": ok(), "169.254.169.254": ok(b'{"iam": 1}')})
    fetcher = HttpFetcher(allow_loopback=True, resolve=resolver, network_backend=network)
    assert fetcher.fetch_json("http://localhost:8001/x") == {"ok": True}
    assert network.log["connected"] == ["127.0.0.1"]


def test_ssrf_dns_rebinding_on_every_redirect_hop() -> None:
    """Each hop is checked, then connected to at its checked address; a rebind is refused."""
    lookups: list[str] = []
    answers = {"a.example": [PUBLIC], "b.example": [OTHER_PUBLIC]}

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return answers[host]

    network = RecordingNetwork(
        {PUBLIC: redirect("https://b.example/next"), OTHER_PUBLIC: ok(), "127.0.0.1": ok()}
    )
    fetcher = HttpFetcher(resolve=resolve, network_backend=network)
    assert fetcher.fetch_json("https://a.example/start") == {"ok": True}
    assert lookups == ["a.example", "b.example"]
    assert network.log["connected"] == [PUBLIC, OTHER_PUBLIC]
    assert network.log["sni"] == ["a.example", "b.example"]

    # the second hop's name now rebinds to loopback: refused before any socket is opened
    answers["b.example"] = ["127.0.0.1"]
    network.log["connected"].clear()
    with pytest.raises(FetchRefusedError, match=r"non-public address 127\.0\.0\.1"):
        fetcher.fetch_json("https://a.example/start")
    assert network.log["connected"] == [PUBLIC]


def test_pinned_backend_refuses_a_host_that_was_not_checked() -> None:
    network = RecordingNetwork({"127.0.0.1": ok()})
    backend = PinnedBackend(_Deadline(5), network)
    backend.pins["checked.example"] = [PUBLIC]
    with pytest.raises(httpcore2.ConnectError, match="not checked"):
        backend.connect_tcp("other.example", 443)
    with pytest.raises(httpcore2.ConnectError, match="unix"):
        backend.connect_unix_socket("/run/docker.sock")
    assert network.log["connected"] == []


def test_next_vetted_address_is_tried_when_one_does_not_answer() -> None:
    network = RecordingNetwork({OTHER_PUBLIC: ok()})
    fetcher = HttpFetcher(resolve=lambda h, p: [PUBLIC, OTHER_PUBLIC], network_backend=network)
    assert fetcher.fetch_json("https://two.example/x") == {"ok": True}
    assert network.log["connected"] == [PUBLIC, OTHER_PUBLIC]


HOSTILE_URLS = [
    "https://[::1/x",
    "https://a..b/x",
    "https://" + "a" * 300 + ".com/",
    "https://example.org:99999/x",
    "https://example.org:abc/",
    "https://\x00/",
    "https://ex\u200bample.org/",
    "https:///x",
    "https://user:pw@example.org/",
    "file:///etc/passwd",
    "gopher://example.org/",
]


def _offline_fetcher(network: RecordingNetwork) -> HttpFetcher:
    return HttpFetcher(resolve=lambda h, p: [PUBLIC], network_backend=network)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_urls_are_refused_before_any_connection(url: str) -> None:
    network = RecordingNetwork({})
    with pytest.raises(FetchRefusedError, match="refusing to fetch"):
        _offline_fetcher(network).fetch_json(url)
    assert network.log["connected"] == []


@settings(max_examples=300, deadline=None)
@given(rest=st.text(max_size=60), scheme=st.sampled_from(["https://", "http://", ""]))
def test_any_url_is_fetched_or_refused_never_crashes(rest: str, scheme: str) -> None:
    """Whatever the URL, the fetcher answers or raises its own errors, and connects only to
    the address it checked."""
    network = RecordingNetwork({})  # nothing listens: every connection fails cleanly
    with pytest.raises(VcError):
        _offline_fetcher(network).fetch_json(scheme + rest)
    assert set(network.log["connected"]) <= {PUBLIC}
