"""Early routes: a few hot endpoints answered before FastAPI's routing.

FastAPI's path to an endpoint — the CORS and time-zone middlewares, the exception
middleware, the exit stack, the router's scan, the endpoint wrapper — cost a request more
than verifying a ``vc+jwt`` or answering a status list's ``304``. An early route is tried
first, inside the request-log middleware (so the request id, the log line and the metrics
are the same), and answers only the requests it is sure of: its handler returns a
``Response``, or ``None`` to let the full application answer — the body it may have read is
handed on untouched. An exception in a handler also hands over: the full application then
answers with its problem details, exactly as without the early route.

The handlers themselves decline whatever the full route would treat differently (a query
string, credentials, a cross-origin request…); tests compare both answers.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["EarlyRoute", "EarlyRoutes", "app_answer"]

LOG = logging.getLogger("musette.early")

Handler = Callable[[Request], Awaitable[Response | None]]


@dataclass(frozen=True)
class EarlyRoute:
    """``method`` and ``pattern`` (matched against the whole path) select the requests;
    ``path`` is the route template the logs and metrics show (the full route's own)."""

    method: str
    pattern: re.Pattern[str]
    path: str
    handler: Handler


class _Recorded:
    """A ``receive`` that keeps what the early handler read, to replay it to the full app."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.messages: list[Message] = []

    async def __call__(self) -> Message:
        message = await self.receive()
        self.messages.append(message)
        return message

    def replay(self) -> Receive:
        pending = list(self.messages)

        async def receive() -> Message:
            if pending:
                return pending.pop(0)
            return await self.receive()

        return receive


class EarlyRoutes:
    """ASGI middleware: the early ``routes`` first, then ``app``."""

    def __init__(self, app: ASGIApp, *, routes: Sequence[EarlyRoute]) -> None:
        self.app = app
        self.routes = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self.routes:
                if scope["method"] == route.method and route.pattern.fullmatch(scope["path"]):
                    await self._early(route, scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _early(self, route: EarlyRoute, scope: Scope, receive: Receive, send: Send) -> None:
        recorded = _Recorded(receive)
        try:
            response = await route.handler(Request(scope, recorded))
        except Exception:  # the full application answers it, with its problem details
            LOG.debug("early route %s handed over", route.path, exc_info=True)
            response = None
        if response is None:
            await self.app(scope, recorded.replay(), send)
            return
        scope["route"] = route  # the template in the request log and the metrics
        await response(scope, receive, send)


async def app_answer(request: Request, exc: Exception) -> Response:
    """The answer the application's own exception handlers give ``exc`` (Starlette's lookup:
    the nearest class of its MRO), for an early handler that may not hand over once it has
    changed something (a counted request, a redeemed code)."""
    handlers = request.app.exception_handlers
    for kind in type(exc).__mro__:
        handler = handlers.get(kind)
        if handler is not None:
            answer = handler(request, exc)
            return cast(Response, await answer if inspect.isawaitable(answer) else answer)
    raise exc
