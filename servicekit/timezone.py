"""The reader's time zone for every page of a service: the ``musette_tz`` cookie that the
pages' base template sets from the browser (``Intl.DateTimeFormat``), read into
``shared.i18n.READER_ZONE`` for the request; unknown or hostile names fall back to
Europe/Paris in ``shared.i18n.time_zone``."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.i18n import READER_ZONE, TZ_COOKIE

__all__ = ["ReaderTimeZoneMiddleware", "install_reader_time_zone"]


class ReaderTimeZoneMiddleware:
    """Plain ASGI (no BaseHTTPMiddleware, which would wrap the other middlewares' errors):
    ``READER_ZONE`` holds the request's ``musette_tz`` cookie while the app runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = READER_ZONE.set(HTTPConnection(scope).cookies.get(TZ_COOKIE))
        try:
            await self.app(scope, receive, send)
        finally:
            READER_ZONE.reset(token)


def install_reader_time_zone(app: FastAPI) -> None:
    """Dates and times on this service's pages in the reader's zone (not UTC, not ours)."""
    app.add_middleware(ReaderTimeZoneMiddleware)
