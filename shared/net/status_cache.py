"""A caching fetcher for status list credentials, and the views verdicts read it through.

Status lists are fetched whole (so the issuer cannot tell which credential is checked) and
kept with their ``ETag``, so that asking again costs a conditional GET (RFC 9110 §13.1.2
``If-None-Match``) and, while the list is unchanged, a body-less 304.

How long a kept list may be used without asking again depends on who reads the verdict:

* ``fetch_json(url)`` alone follows HTTP freshness: the list's ``ttl`` (Bitstring Status
  List v1.0 §2.1, milliseconds) and ``Cache-Control: max-age``, the shorter of the two,
  bounded by settings; ``no-cache`` means "revalidate every time".
* ``within(seconds)`` is the view of API verifications: a list revalidated less than
  ``seconds`` ago is used as is (a verifier setting, a few seconds), whatever its max-age.
* ``revalidating()`` is the view of a verdict shown to a person: each list is revalidated
  once per view, so a revocation is seen at once (a new view per verdict).

``no-store`` is honoured by all three (nothing kept, every use is a full GET). The time a
list was last fetched or confirmed is kept (``checked_at``) so a report can say when the
status was checked.

Fail closed: a failed fetch raises (the status check then fails); a stale list is never
served in place of one that cannot be fetched. Every other document (did:web, share URLs)
passes through uncached.
"""

from __future__ import annotations

import copy
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from shared.errors import UpstreamError
from shared.net.fetch import HttpResponse

STATUS_LIST_TYPES = frozenset({"BitstringStatusListCredential"})


class RequestingFetcher(Protocol):
    """What the cache needs underneath: shared.net.fetch.HttpFetcher's ``request``."""

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        accept_status: tuple[int, ...] = (200,),
    ) -> HttpResponse: ...

    def fetch_json(self, url: str) -> Any: ...


@dataclass
class _Entry:
    value: Any
    etag: str | None
    fresh_until: datetime
    #: when the issuer last sent this list (200) or confirmed it unchanged (304)
    checked_at: datetime


def _cache_control(headers: Mapping[str, str]) -> dict[str, str | None]:
    raw = next((v for k, v in headers.items() if k.lower() == "cache-control"), "")
    out: dict[str, str | None] = {}
    for part in raw.split(","):
        name, _, value = part.strip().partition("=")
        if name:
            out[name.lower()] = value.strip('"') or None
    return out


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def _reusable(entry: _Entry, now: datetime, max_age: float | None) -> bool:
    if max_age is None:
        return now < entry.fresh_until
    if math.isinf(max_age):
        return True
    return now - entry.checked_at < timedelta(seconds=max_age)


def is_status_list(value: Any) -> bool:
    """True for a (JSON) status list credential."""
    if not isinstance(value, dict):
        return False
    types = value.get("type")
    types = types if isinstance(types, list) else [types]
    return bool(STATUS_LIST_TYPES & {t for t in types if isinstance(t, str)})


def list_ttl_seconds(value: Any) -> float | None:
    """The status list's own ``ttl`` (milliseconds in the spec) in seconds, if any."""
    subject = value.get("credentialSubject") if isinstance(value, dict) else None
    ttl = subject.get("ttl") if isinstance(subject, dict) else None
    if isinstance(ttl, int | float) and not isinstance(ttl, bool) and ttl >= 0:
        return float(ttl) / 1000.0
    return None


class CachingFetcher:
    """Wrap a fetcher; status list credentials are cached as described above."""

    def __init__(
        self,
        upstream: RequestingFetcher,
        *,
        clock: Callable[[], datetime],
        default_seconds: float = 300,
        max_seconds: float = 86_400,
        max_entries: int = 1024,
    ) -> None:
        self.upstream = upstream
        self.clock = clock
        self.default_seconds = default_seconds
        self.max_seconds = max_seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        #: upstream requests made (tests and metrics read these)
        self.fetches = 0
        self.revalidations = 0

    def within(self, seconds: float) -> StatusListView:
        """A view that reuses a list revalidated less than ``seconds`` ago (API verifications)."""
        return StatusListView(self, seconds)

    def revalidating(self) -> StatusListView:
        """A view that revalidates each list once (a verdict a person reads: one per verdict)."""
        return StatusListView(self, None)

    def checked_at(self, url: str) -> datetime | None:
        """When the list at ``url`` was last fetched or confirmed unchanged (None: not kept)."""
        with self._lock:
            entry = self._entries.get(url)
            return entry.checked_at if entry is not None else None

    def _freshness(self, headers: Mapping[str, str], value: Any) -> float | None:
        """Seconds to keep; None when the response must not be stored."""
        cc = _cache_control(headers)
        if "no-store" in cc:
            return None
        candidates = [self.max_seconds]
        if "no-cache" in cc:
            candidates.append(0.0)
        max_age = cc.get("max-age")
        if max_age is not None and max_age.isdigit():
            candidates.append(float(max_age))
        ttl = list_ttl_seconds(value)
        if ttl is not None:
            candidates.append(ttl)
        if len(candidates) == 1:
            candidates.append(self.default_seconds)
        return min(candidates)

    def fetch_json(self, url: str, *, max_age: float | None = None) -> Any:
        """GET ``url``; a kept status list is reused while fresh (HTTP freshness), or, when
        ``max_age`` is given, while it was checked less than ``max_age`` seconds ago (0:
        always revalidate)."""
        now = self.clock()
        with self._lock:
            entry = self._entries.get(url)
            if entry is not None and _reusable(entry, now, max_age):
                self._entries.move_to_end(url)
                return copy.deepcopy(entry.value)
        headers = {"Accept": "application/json"}
        if entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        response = self.upstream.request(
            "GET", url, headers=headers, accept_status=(200, 304) if entry else (200,)
        )
        with self._lock:
            self.fetches += 1
        if response.status == 304:
            if entry is None:
                raise UpstreamError(f"{url} answered 304 to a request that had no ETag")
            value = entry.value
            fresh_headers = dict(response.headers)
            with self._lock:
                self.revalidations += 1
        else:
            value = response.json()
            fresh_headers = response.headers
        if not is_status_list(value):
            return value
        keep = self._freshness(fresh_headers, value)
        with self._lock:
            if keep is None:
                self._entries.pop(url, None)
            else:
                etag = _header(fresh_headers, "etag") or (entry.etag if entry else None)
                self._entries[url] = _Entry(value, etag, now + timedelta(seconds=keep), now)
                self._entries.move_to_end(url)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return copy.deepcopy(value)

    def fetch_bytes(self, url: str) -> bytes:
        """GET ``url`` uncached, as bytes (an endorsement's evidence: JSON or a JWT)."""
        return self.upstream.request("GET", url, headers={"Accept": "application/json"}).body

    def clear(self) -> None:
        """Forget every cached list."""
        with self._lock:
            self._entries.clear()


class StatusListView:
    """The cache as one kind of reader sees it (``CachingFetcher.within`` / ``revalidating``).

    ``max_age`` None: each URL is revalidated the first time this view reads it, then reused
    for the rest of the view's life (one verdict); a number: reused while checked less than
    that many seconds ago.
    """

    def __init__(self, cache: CachingFetcher, max_age: float | None) -> None:
        self.cache = cache
        self.max_age = max_age
        self._seen: set[str] = set()
        #: lists that could not be fetched in this view: not asked again (a page listing
        #: twenty badges of an issuer that is down waits for one timeout, not twenty)
        self._failed: dict[str, UpstreamError] = {}
        self._lock = threading.Lock()

    def fetch_json(self, url: str) -> Any:
        """GET ``url`` through the cache with this view's rule."""
        if self.max_age is not None:
            return self.cache.fetch_json(url, max_age=self.max_age)
        with self._lock:
            seen, failed = url in self._seen, self._failed.get(url)
        if failed is not None:
            raise type(failed)(failed.detail, **failed.extensions)
        try:
            value = self.cache.fetch_json(url, max_age=float("inf") if seen else 0.0)
        except UpstreamError as err:
            with self._lock:
                self._failed[url] = err
            raise
        with self._lock:
            self._seen.add(url)
        return value

    def fetch_bytes(self, url: str) -> bytes:
        """GET ``url`` uncached, as bytes."""
        return self.cache.fetch_bytes(url)

    def checked_at(self, url: str) -> datetime | None:
        """When the list at ``url`` was last fetched or confirmed unchanged."""
        return self.cache.checked_at(url)
