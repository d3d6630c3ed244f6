"""Rate limits every instance of a service shares: fixed-window counters in its database.

One row per (key, window) in the service's ``rate_limits`` table, counted with one atomic
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (SQLite ≥ 3.35 and PostgreSQL), so N instances
on one PostgreSQL see the same counts and parallel requests never lose a hit. Keys are
hashed: the table holds no e-mail address and no IP address. Over the limit, a request gets
``429`` with ``Retry-After``: RFC 9457 problem+json for API clients, a short French/English
page for browsers (RFC 6585 §4, RFC 9110 §10.2.3).

Limits are written ``"10/minute"``, ``"60/hour"``, ``"5/30s"``, or ``"off"``.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import AfterValidator
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    delete,
)
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from servicekit import i18n as kit_i18n
from servicekit.db import insert_for
from shared import i18n
from shared.errors import VcError

__all__ = [
    "RATE_LIMITED_RESPONSE",
    "RATE_LIMIT_TABLE",
    "Limit",
    "LimitSetting",
    "RateLimitedError",
    "RateLimiter",
    "account_and_ip",
    "client_ip",
    "create_rate_limit_table",
    "drop_rate_limit_table",
    "install_rate_limits",
    "limit_per_ip",
    "limiter_of",
    "rate_limit_columns",
]

RATE_LIMIT_TABLE = "rate_limits"
PROBLEM_JSON = "application/problem+json"
_UNITS = {"s": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "day": 86_400}
_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


def rate_limit_columns() -> list[Column[Any]]:
    """The table's columns, fresh for each use (a service's migration and the Core table)."""
    return [
        Column("key", String(96), primary_key=True),
        #: start of the window, in seconds since the epoch
        Column("window_start", BigInteger(), primary_key=True),
        Column("hits", Integer(), nullable=False),
        #: when the row may be deleted (window end), in seconds since the epoch
        Column("expires_at", BigInteger(), nullable=False, index=True),
    ]


_table = Table(RATE_LIMIT_TABLE, MetaData(), *rate_limit_columns())


def create_rate_limit_table() -> None:
    """A service migration's ``upgrade``: the ``rate_limits`` table."""
    from alembic import op

    op.create_table(RATE_LIMIT_TABLE, *rate_limit_columns())


def drop_rate_limit_table() -> None:
    """A service migration's ``downgrade``."""
    from alembic import op

    op.drop_table(RATE_LIMIT_TABLE)


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` requests per ``seconds``-long window."""

    hits: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit | None:
        """``"10/minute"``, ``"60/hour"``, ``"5/30s"``; ``"off"`` is None (no limit)."""
        if text.strip().lower() == "off":
            return None
        found = _LIMIT.match(text.lower())
        unit = _UNITS.get(found.group(3)) if found else None
        if found is None or unit is None:
            raise ValueError(f"a rate limit reads like '10/minute', '5/30s' or 'off', not {text!r}")
        hits, times = int(found.group(1)), int(found.group(2) or 1)
        if hits < 1 or times < 1:
            raise ValueError(f"a rate limit needs at least one request per period: {text!r}")
        return cls(hits, times * unit)


def _valid_limit(text: str) -> str:
    Limit.parse(text)
    return text


#: a settings field holding a limit (checked when the settings are read)
LimitSetting = Annotated[str, AfterValidator(_valid_limit)]


class RateLimitedError(VcError):
    """Too many requests of this kind from this client in a short time; retry after
    ``retry_after`` seconds (also in the ``Retry-After`` header)."""

    code = "rate-limited"
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after


class RateLimiter:
    """Counts requests per key in the service's database (its own short transactions, so a
    request that fails and rolls back still counts)."""

    #: ended windows are deleted at most this often per limiter (seconds): with many
    #: clients, nearly every request opens a window, and a purge is a transaction
    PURGE_EVERY = 10

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock
        self._next_purge = 0

    def hit(self, scope: str, identity: str, limit: str | Limit | None) -> None:
        """Count one request of ``scope`` by ``identity``; RateLimitedError when over."""
        rule = Limit.parse(limit) if isinstance(limit, str) else limit
        if rule is None:
            return
        now = int(self.clock().timestamp())
        start = now - now % rule.seconds
        key = _key(scope, identity)
        hits = self._count(key, start, start + rule.seconds)
        if hits == 1 and now >= self._next_purge:
            self._next_purge = now + self.PURGE_EVERY
            self.purge(now)  # a new window: a good moment to drop the ended ones
        if hits > rule.hits:
            retry = max(1, start + rule.seconds - now)
            raise RateLimitedError(
                f"too many {scope} requests; retry in {retry} seconds", retry_after=retry
            )

    async def ahit(self, scope: str, identity: str, limit: str | Limit | None) -> None:
        """``hit`` from an ``async`` route (the database call runs off the event loop)."""
        await run_in_threadpool(self.hit, scope, identity, limit)

    def _count(self, key: str, start: int, expires: int) -> int:
        values = {"key": key, "window_start": start, "hits": 1, "expires_at": expires}
        engine: Engine = self.sessions.kw["bind"]
        # one statement, atomic on its own: in autocommit, no BEGIN and COMMIT round trips
        # around it (still committed, durably, before the request goes on)
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            # the two databases Musette runs on; both have ON CONFLICT … RETURNING
            if conn.dialect.name not in {"sqlite", "postgresql"}:
                raise VcError(f"rate limits need SQLite or PostgreSQL, not {conn.dialect.name}")
            stmt = (
                insert_for(conn, _table)
                .values(**values)
                .on_conflict_do_update(
                    index_elements=["key", "window_start"], set_={"hits": _table.c.hits + 1}
                )
                .returning(_table.c.hits)
            )
            return int(conn.execute(stmt).scalar_one())

    def purge(self, now: int | None = None) -> int:
        """Delete the counters of ended windows; returns how many."""
        moment = int(self.clock().timestamp()) if now is None else now
        with self.sessions.begin() as conn:
            done = conn.execute(delete(_table).where(_table.c.expires_at <= moment))
            return int(getattr(done, "rowcount", 0))


def _key(scope: str, identity: str) -> str:
    digest = hashlib.sha256(f"{scope}\0{identity}".encode()).hexdigest()
    return f"{scope[:31]}:{digest}"


def client_ip(request: Request) -> str:
    """The peer address (behind a reverse proxy, run uvicorn with ``--proxy-headers``)."""
    return request.client.host if request.client else "unknown"


def account_and_ip(email: str, request: Request) -> str:
    """The identity sign-in attempts are counted under: the account named, from this address."""
    return f"{email.strip().casefold()}|{client_ip(request)}"


def limiter_of(request: Request) -> RateLimiter:
    """The app's limiter (set by ``install_rate_limits`` in the lifespan)."""
    limiter = getattr(request.app.state, "rate_limiter", None)
    if not isinstance(limiter, RateLimiter):
        raise VcError("the rate limiter is not installed")
    return limiter


#: OpenAPI ``responses`` entry of a throttled route
RATE_LIMITED_RESPONSE: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many requests from this client: problem+json "
        "(type #rate-limited), with the seconds to wait in Retry-After",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    }
}


def limit_per_ip(scope: str, limit: Callable[[Request], str]) -> Any:
    """A route dependency counting each request of ``scope`` per client address, against
    the limit ``limit(request)`` reads from the service's settings."""

    def _count(request: Request) -> None:
        limiter_of(request).hit(scope, client_ip(request), limit(request))

    return Depends(_count)


def install_rate_limits(app: FastAPI, *, type_base: str) -> None:
    """Answer RateLimitedError with 429 and Retry-After (a page for a browser, else JSON).

    The app's lifespan sets ``app.state.rate_limiter = RateLimiter(sessions, clock)``.
    """

    @app.exception_handler(RateLimitedError)
    async def _limited(request: Request, exc: RateLimitedError) -> Response:
        return rate_limited_response(request, exc, type_base=type_base)


def _wants_page(request: Request) -> bool:
    """A browser (navigation or form post) asks for HTML first; API clients do not."""
    accept = request.headers.get("accept", "").lower()
    return "text/html" in accept and not accept.startswith(("application/json", PROBLEM_JSON))


def rate_limited_response(request: Request, exc: RateLimitedError, *, type_base: str) -> Response:
    """429 for ``exc``: a French/English page for browsers, problem+json otherwise."""
    headers = {"Retry-After": str(exc.retry_after)}
    if _wants_page(request):
        lang = kit_i18n.choose_language(request)
        return HTMLResponse(_page(lang, exc.retry_after), status_code=429, headers=headers)
    body = {
        "type": f"{type_base}#{exc.code}",
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        "instance": request.url.path,
        "retry_after": exc.retry_after,
    }
    return JSONResponse(body, status_code=429, headers=headers, media_type=PROBLEM_JSON)


def _page(lang: str, seconds: int) -> str:
    _ = kit_i18n.translator(kit_i18n.KIT_LOCALES, lang)
    title = html.escape(_("Too many attempts"))
    message = html.escape(
        _.ngettext(
            "Too many attempts in a short time. Wait {seconds} second, then try again.",
            "Too many attempts in a short time. Wait {seconds} seconds, then try again.",
            seconds,
            seconds=i18n.local_number(seconds, lang),
        )
    )
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{title}</title><link rel="stylesheet" href="/static/musette.css"></head>\n'
        f'<body><main><h1>{title}</h1><p role="alert">{message}</p>'
        f'<p><a href="/">{html.escape(_("Home page"))}</a></p>'
        "</main></body>\n</html>\n"
    )
