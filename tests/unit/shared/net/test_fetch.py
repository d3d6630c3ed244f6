"""The outbound fetcher: https only, timeout, 1 MB cap, no private addresses, checked redirects."""

from __future__ import annotations

import httpx2
import pytest

from shared.errors import FetchRefusedError, MalformedCredentialError, UpstreamError
from shared.net.fetch import HttpFetcher, NoFetcher, StaticFetcher, is_public_address

PUBLIC = "93.184.215.14"


def _resolve(table: dict[str, str]):  # type: ignore[no-untyped-def]
    return lambda host, port: [table[host]]


def _fetcher(handler, table: dict[str, str], **kw):  # type: ignore[no-untyped-def]
    return HttpFetcher(resolve=_resolve(table), transport=httpx2.MockTransport(handler), **kw)


def test_fetches_json_from_public_https() -> None:
    f = _fetcher(lambda req: httpx2.Response(200, json={"ok": True}), {"a.example": PUBLIC})
    assert f.fetch_json("https://a.example/x") == {"ok": True}


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "169.254.169.254",
        "10.1.2.3",
        "192.168.1.1",
        "172.16.0.1",
        "::1",
        "fe80::1",
        "0.0.0.0",
        "::ffff:127.0.0.1",
        "100.64.0.1",
    ],
)
def test_non_public_addresses_refused(address: str) -> None:
    assert not is_public_address(address)
    f = _fetcher(lambda req: httpx2.Response(200, json={}), {"a.example": address})
    with pytest.raises(FetchRefusedError, match="non-public"):
        f.fetch_json("https://a.example/x")


def test_http_refused_unless_dev() -> None:
    f = _fetcher(lambda req: httpx2.Response(200, json={}), {"a.example": PUBLIC})
    with pytest.raises(FetchRefusedError, match="https"):
        f.fetch_json("http://a.example/x")


def test_dev_mode_allows_loopback_only() -> None:
    table = {"localhost": "127.0.0.1", "intranet": "10.0.0.1"}
    f = _fetcher(lambda req: httpx2.Response(200, json=[1]), table, allow_loopback=True)
    assert f.fetch_json("http://localhost:8787/status/1") == [1]
    with pytest.raises(FetchRefusedError):
        f.fetch_json("http://intranet/x")


def test_redirect_to_private_address_refused() -> None:
    def handler(req: httpx2.Request) -> httpx2.Response:
        if req.url.host == "a.example":
            return httpx2.Response(302, headers={"location": "https://metadata.internal/latest"})
        return httpx2.Response(200, json={"secret": True})

    f = _fetcher(handler, {"a.example": PUBLIC, "metadata.internal": "169.254.169.254"})
    with pytest.raises(FetchRefusedError, match=r"169\.254\.169\.254"):
        f.fetch_json("https://a.example/did.json")


def test_too_many_redirects() -> None:
    f = _fetcher(
        lambda req: httpx2.Response(302, headers={"location": "/again"}), {"a.example": PUBLIC}
    )
    with pytest.raises(FetchRefusedError, match="redirects"):
        f.fetch_json("https://a.example/x")


def test_size_cap() -> None:
    big = b"[" + b"1," * 600_000 + b"1]"
    f = _fetcher(lambda req: httpx2.Response(200, content=big), {"a.example": PUBLIC})
    with pytest.raises(FetchRefusedError, match="limit"):
        f.fetch_json("https://a.example/x")


def test_timeout_is_an_upstream_error() -> None:
    def handler(req: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("slow", request=req)

    f = _fetcher(handler, {"a.example": PUBLIC})
    with pytest.raises(UpstreamError, match="did not answer"):
        f.fetch_json("https://a.example/x")


def test_http_error_status_and_bad_json() -> None:
    f = _fetcher(lambda req: httpx2.Response(404), {"a.example": PUBLIC})
    with pytest.raises(UpstreamError, match="404"):
        f.fetch_json("https://a.example/x")
    g = _fetcher(lambda req: httpx2.Response(200, content=b"{nope"), {"a.example": PUBLIC})
    with pytest.raises(MalformedCredentialError):
        g.fetch_json("https://a.example/x")


def test_credentials_in_url_refused() -> None:
    f = _fetcher(lambda req: httpx2.Response(200, json={}), {"a.example": PUBLIC})
    with pytest.raises(FetchRefusedError):
        f.fetch_json("https://user:pw@a.example/x")


def test_offline_fetchers() -> None:
    with pytest.raises(FetchRefusedError):
        NoFetcher().fetch_json("https://a.example/")
    static = StaticFetcher({"https://a.example/": {"x": 1}})
    assert static.fetch_json("https://a.example/") == {"x": 1}
    assert static.calls == ["https://a.example/"]
    with pytest.raises(UpstreamError):
        static.fetch_json("https://b.example/")


def test_post_with_the_same_protections() -> None:
    seen: list[tuple[str, bytes]] = []

    def handler(req: httpx2.Request) -> httpx2.Response:
        seen.append((req.method, req.content))
        if req.url.path == "/token":
            return httpx2.Response(400, json={"error": "invalid_grant"})
        return httpx2.Response(302, headers={"location": "https://a.example/elsewhere"})

    f = _fetcher(handler, {"a.example": PUBLIC, "private.example": "10.0.0.1"})
    answer = f.request(
        "POST", "https://a.example/token", data={"grant_type": "x"}, accept_status=(200, 400)
    )
    assert answer.status == 400
    assert answer.json() == {"error": "invalid_grant"}
    assert seen[0] == ("POST", b"grant_type=x")
    with pytest.raises(UpstreamError, match="302"):
        f.request(
            "POST", "https://a.example/other", json_body={"a": 1}
        )  # POST never follows redirects
    with pytest.raises(FetchRefusedError):
        f.request("POST", "https://private.example/token")


def test_regression_304_not_modified_is_an_answer_not_a_redirect() -> None:
    """ETag revalidation of a status list (verifier status cache against the issuer, found by
    the e2e journeys): 304 has no Location and must reach the caller, not fail as a redirect."""

    def handler(req: httpx2.Request) -> httpx2.Response:
        if req.headers.get("if-none-match") == '"v1"':
            return httpx2.Response(304, headers={"etag": '"v1"', "cache-control": "max-age=0"})
        return httpx2.Response(200, json={"ok": True}, headers={"etag": '"v1"'})

    f = _fetcher(handler, {"a.example": PUBLIC})
    first = f.request("GET", "https://a.example/status/1", accept_status=(200, 304))
    assert first.status == 200
    again = f.request(
        "GET",
        "https://a.example/status/1",
        headers={"If-None-Match": '"v1"'},
        accept_status=(200, 304),
    )
    assert again.status == 304
    assert again.body == b""
    with pytest.raises(UpstreamError, match="304"):  # not asked for: an error, still no hop
        f.request("GET", "https://a.example/status/1", headers={"If-None-Match": '"v1"'})
