"""Running a verification on the event loop when nothing in it blocks.

A plain anonymous verification (nothing stored, no challenge, no API key or session, rate
limit off) of a credential that needs no fetch is pure CPU work of a tenth of a millisecond
or so: the worker-thread hop around it cost more than the work itself. It is tried on the
event loop first, under :func:`on_loop`; anything that would block there — a fetch that the
status-list cache cannot answer, a database read through :data:`NO_DATABASE` — raises
:class:`WouldBlock` before any I/O, and the caller starts the whole verification over in a
worker thread. A verification counts in the metrics only once it has finished, so a retried
one is counted once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NoReturn

from shared.net.fetch import HttpResponse
from shared.net.status_cache import RequestingFetcher

_ON_LOOP: ContextVar[bool] = ContextVar("musette_verifier_on_loop", default=False)


class WouldBlock(BaseException):
    """A verification tried on the event loop reached I/O: start it over in a worker thread.

    A ``BaseException`` so that the engine's ``except Exception`` (a verifier reports, it never
    lets an input crash its caller) lets it through instead of turning it into a failed check.
    """


@contextmanager
def on_loop() -> Iterator[None]:
    """While in this block, guarded fetches and :data:`NO_DATABASE` raise WouldBlock."""
    token = _ON_LOOP.set(True)
    try:
        yield
    finally:
        _ON_LOOP.reset(token)


class LoopGuardedFetcher:
    """The network under the status-list cache: refuses to block the event loop."""

    def __init__(self, inner: RequestingFetcher) -> None:
        self.inner = inner

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        accept_status: tuple[int, ...] = (200,),
    ) -> HttpResponse:
        if _ON_LOOP.get():
            raise WouldBlock(url)
        return self.inner.request(method, url, headers=headers, accept_status=accept_status)

    def fetch_json(self, url: str) -> Any:
        if _ON_LOOP.get():
            raise WouldBlock(url)
        return self.inner.fetch_json(url)


class _NoDatabase:
    """Stands for a session on the event loop: any use of it means the work needs the
    database, so it goes to a worker thread."""

    def __getattr__(self, name: str) -> NoReturn:
        if name.startswith("_"):  # introspection (copy, pickle, test collectors), not a query
            raise AttributeError(name)
        raise WouldBlock(f"database: {name}")


#: pass where a Session is expected, on the event loop only
NO_DATABASE: Any = _NoDatabase()
