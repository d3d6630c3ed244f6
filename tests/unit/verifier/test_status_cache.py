"""The status list cache: ttl / Cache-Control / ETag, and failing closed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.errors import UpstreamError
from shared.net.fetch import HttpResponse
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from tests.unit.verifier.builders import STATUS_URL, badge, status_list, vc_jwt
from verifier.service.status_cache import CachingFetcher, list_ttl_seconds

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@dataclass
class Upstream:
    """Serves documents, counts requests, answers 304 to a matching If-None-Match."""

    docs: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    down: bool = False
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        accept_status: tuple[int, ...] = (200,),
    ) -> HttpResponse:
        sent = dict(headers or {})
        self.requests.append((url, sent))
        if self.down:
            raise UpstreamError(f"{url} could not be fetched: connection refused")
        if url not in self.docs:
            raise UpstreamError(f"{url} answered HTTP 404")
        extra = {"etag": self.etag} if self.etag else {}
        if self.etag and sent.get("If-None-Match") == self.etag and 304 in accept_status:
            return HttpResponse(304, {**self.headers, **extra}, b"")
        body = json.dumps(self.docs[url]).encode()
        return HttpResponse(
            200, {"content-type": "application/json", **self.headers, **extra}, body
        )

    def fetch_json(self, url: str) -> Any:
        return json.loads(self.request("GET", url).body)

    def count(self, url: str = STATUS_URL) -> int:
        return sum(1 for u, _ in self.requests if u == url)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _verify(fetcher: CachingFetcher, token: str, clock: Clock) -> Any:
    return verify_credential(token, VerifyContext(fetcher=fetcher, clock=clock))


def test_ten_thousand_verifications_fetch_the_list_once() -> None:
    upstream = Upstream({STATUS_URL: status_list((7,), ttl_ms=3_600_000)})
    clock = Clock()
    cache = CachingFetcher(upstream, clock=clock)
    tokens = [vc_jwt(badge(status_index=i)) for i in (1, 2, 3, 7)]
    verdicts = {True: 0, False: 0}
    for n in range(10_000):
        report = _verify(cache, tokens[n % 4], clock)
        verdicts[report.verified] += 1
    assert upstream.count() == 1
    assert verdicts == {True: 7_500, False: 2_500}  # index 7 is revoked


def test_expired_entry_is_revalidated_with_etag() -> None:
    upstream = Upstream({STATUS_URL: status_list(ttl_ms=60_000)}, etag='"v1"')
    clock = Clock()
    cache = CachingFetcher(upstream, clock=clock)
    token = vc_jwt(badge(status_index=3))
    assert _verify(cache, token, clock).verified
    clock.advance(59)
    assert _verify(cache, token, clock).verified
    assert upstream.count() == 1
    clock.advance(2)
    assert _verify(cache, token, clock).verified
    assert upstream.count() == 2
    assert upstream.requests[-1][1]["If-None-Match"] == '"v1"'
    assert cache.revalidations == 1


def test_cache_control_max_age_shorter_than_ttl_wins() -> None:
    upstream = Upstream(
        {STATUS_URL: status_list(ttl_ms=3_600_000)}, headers={"Cache-Control": "max-age=10"}
    )
    clock = Clock()
    cache = CachingFetcher(upstream, clock=clock)
    token = vc_jwt(badge(status_index=3))
    _verify(cache, token, clock)
    clock.advance(11)
    _verify(cache, token, clock)
    assert upstream.count() == 2


def test_no_store_is_never_cached() -> None:
    upstream = Upstream({STATUS_URL: status_list()}, headers={"Cache-Control": "no-store"})
    clock = Clock()
    cache = CachingFetcher(upstream, clock=clock)
    token = vc_jwt(badge(status_index=3))
    for _ in range(3):
        _verify(cache, token, clock)
    assert upstream.count() == 3


def test_default_freshness_without_ttl_or_headers() -> None:
    upstream = Upstream({STATUS_URL: status_list()})
    clock = Clock()
    cache = CachingFetcher(upstream, clock=clock, default_seconds=30)
    token = vc_jwt(badge(status_index=3))
    _verify(cache, token, clock)
    clock.advance(29)
    _verify(cache, token, clock)
    clock.advance(2)
    _verify(cache, token, clock)
    assert upstream.count() == 2


def test_fails_closed_when_the_list_cannot_be_refetched() -> None:
    """A stale list is never used in place of one that cannot be fetched."""
    upstream = Upstream({STATUS_URL: status_list(ttl_ms=1_000)})
    clock = Clock()
    cache = CachingFetcher(upstream, clock=clock)
    token = vc_jwt(badge(status_index=3))
    assert _verify(cache, token, clock).verified
    upstream.down = True
    clock.advance(2)
    report = _verify(cache, token, clock)
    assert not report.verified
    status = report.check("status")
    assert status is not None
    assert status.status.value == "failed"
    assert "could not be checked" in status.reason


def test_a_list_that_does_not_verify_fails_the_status_check() -> None:
    forged = status_list()
    forged["credentialSubject"]["encodedList"] = status_list((3,))["credentialSubject"][
        "encodedList"
    ]
    upstream = Upstream({STATUS_URL: forged})
    clock = Clock()
    report = _verify(CachingFetcher(upstream, clock=clock), vc_jwt(badge(status_index=3)), clock)
    assert not report.verified
    assert "does not verify" in report.check("status").reason
    # not a revocation: the pages must not read "revoked" (only a set bit carries a purpose)
    assert "purpose" not in report.check("status").details


def test_other_documents_pass_through_uncached() -> None:
    upstream = Upstream({"https://example.org/did.json": {"id": "did:web:example.org"}})
    cache = CachingFetcher(upstream, clock=Clock())
    cache.fetch_json("https://example.org/did.json")
    cache.fetch_json("https://example.org/did.json")
    assert upstream.count("https://example.org/did.json") == 2


def test_lru_bound() -> None:
    urls = [f"https://issuer.example/status/{i}" for i in range(3)]
    upstream = Upstream({u: status_list(url=u) for u in urls})
    cache = CachingFetcher(upstream, clock=Clock(), max_entries=2)
    for u in [*urls, urls[0]]:
        cache.fetch_json(u)
    assert upstream.count(urls[0]) == 2


@pytest.mark.parametrize(("ttl", "expected"), [(1500, 1.5), (-1, None), ("10", None), (True, None)])
def test_list_ttl_is_milliseconds(ttl: Any, expected: float | None) -> None:
    assert list_ttl_seconds({"credentialSubject": {"ttl": ttl}}) == expected


# ------------------------------------------------------------ views: who reads the verdict


def _status_check(fetcher: Any, token: str, clock: Clock) -> Any:
    check = _verify(fetcher, token, clock).check("status")
    assert check is not None
    return check


def test_a_verdict_for_a_person_revalidates_first_and_sees_a_revocation_at_once() -> None:
    """The list's ttl says an hour, yet a new verdict sees the revocation."""
    upstream = Upstream({STATUS_URL: status_list(ttl_ms=3_600_000)}, etag='"v1"')
    clock = Clock()
    cache = CachingFetcher(upstream, clock=clock)
    token = vc_jwt(badge(status_index=3))
    assert _status_check(cache.revalidating(), token, clock).status.value == "passed"
    clock.advance(1)
    check = _status_check(cache.revalidating(), token, clock)
    assert check.status.value == "passed"
    assert upstream.requests[-1][1]["If-None-Match"] == '"v1"'  # unchanged: a 304
    assert cache.revalidations == 1
    assert check.details["checked_at"] == clock.now.isoformat()
    upstream.docs[STATUS_URL], upstream.etag = status_list((3,), ttl_ms=3_600_000), '"v2"'
    check = _status_check(cache.revalidating(), token, clock)
    assert check.status.value == "failed"
    assert "revoked" in check.reason
    assert upstream.count() == 3


def test_one_verdict_revalidates_each_list_once() -> None:
    upstream = Upstream({STATUS_URL: status_list()}, etag='"v1"')
    cache = CachingFetcher(upstream, clock=Clock())
    view = cache.revalidating()
    for _ in range(3):
        view.fetch_json(STATUS_URL)
    assert upstream.count() == 1
    cache.revalidating().fetch_json(STATUS_URL)
    assert upstream.count() == 2


def test_api_verifications_reuse_a_list_only_within_the_window() -> None:
    upstream = Upstream({STATUS_URL: status_list(ttl_ms=3_600_000)}, etag='"v1"')
    clock = Clock()
    cache = CachingFetcher(upstream, clock=clock)
    api = cache.within(5)
    token = vc_jwt(badge(status_index=3))
    assert _status_check(api, token, clock).status.value == "passed"
    upstream.docs[STATUS_URL], upstream.etag = status_list((3,)), '"v2"'
    clock.advance(4)
    stale = _status_check(api, token, clock)
    assert stale.status.value == "passed"  # within the window: the list is reused
    assert stale.details["checked_at"] == (clock.now - timedelta(seconds=4)).isoformat()
    clock.advance(1)
    assert _status_check(api, token, clock).status.value == "failed"
    assert upstream.count() == 2


def test_no_store_lists_are_fetched_whole_by_every_view() -> None:
    upstream = Upstream({STATUS_URL: status_list()}, headers={"Cache-Control": "no-store"})
    cache = CachingFetcher(upstream, clock=Clock())
    for view in (cache.within(60), cache.within(60), cache.revalidating()):
        view.fetch_json(STATUS_URL)
    assert upstream.count() == 3
    assert all("If-None-Match" not in sent for _, sent in upstream.requests)
    assert cache.checked_at(STATUS_URL) is None


def test_without_a_caching_fetcher_the_check_time_is_now() -> None:
    upstream = Upstream({STATUS_URL: status_list()})
    clock = Clock()
    check = _status_check(upstream, vc_jwt(badge(status_index=3)), clock)
    assert check.details["checked_at"] == T0.isoformat()


def test_one_verdict_asks_a_list_that_is_down_once() -> None:
    """Twenty badges of an issuer that is down: one failed fetch per page, not twenty."""
    upstream = Upstream({STATUS_URL: status_list()}, down=True)
    cache = CachingFetcher(upstream, clock=Clock())
    view = cache.revalidating()
    for _ in range(3):
        with pytest.raises(UpstreamError, match="connection refused"):
            view.fetch_json(STATUS_URL)
    assert upstream.count() == 1
    upstream.down = False
    cache.revalidating().fetch_json(STATUS_URL)  # the next page asks again
    assert upstream.count() == 2
