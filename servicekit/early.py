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

A service's app (:class:`ServiceApp`) goes further: :func:`front_early_routes` takes its early
routes out of the middleware stack and answers them in front of it (FastAPI's and Starlette's
own layers, the error and body-limit middlewares, the request-log middleware's closures cost a
request as much as its socket writes), doing what the request-log middleware does — the same
request id in and out, log line and metrics (:func:`servicekit.logs.log_request`) — and
answering with two raw ASGI messages. A request they decline goes through the whole stack as
before, request id kept.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import cast

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.logs import (
    REQUEST_ID,
    RequestLogMiddleware,
    log_request,
    request_id_from,
    with_request_id,
)

__all__ = ["EarlyRoute", "EarlyRoutes", "ServiceApp", "app_answer", "front_early_routes"]

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


def _matching(routes: tuple[EarlyRoute, ...], scope: Scope) -> EarlyRoute | None:
    for route in routes:
        if scope["method"] == route.method and route.pattern.fullmatch(scope["path"]):
            return route
    return None


async def _try(route: EarlyRoute, scope: Scope, recorded: _Recorded) -> Response | None:
    """The early handler's answer, or None: it declined, or failed (the full application
    then answers, with its problem details)."""
    try:
        return await route.handler(Request(scope, recorded))
    except Exception:
        LOG.debug("early route %s handed over", route.path, exc_info=True)
        return None


class EarlyRoutes:
    """ASGI middleware: the early ``routes`` first, then ``app``."""

    def __init__(self, app: ASGIApp, *, routes: Sequence[EarlyRoute]) -> None:
        self.app = app
        self.routes = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _matching(self.routes, scope) if scope["type"] == "http" else None
        if route is None:
            await self.app(scope, receive, send)
            return
        recorded = _Recorded(receive)
        response = await _try(route, scope, recorded)
        if response is None:
            await self.app(scope, recorded.replay(), send)
            return
        scope["route"] = route  # the template in the request log and the metrics
        await response(scope, receive, send)


class ServiceApp(FastAPI):
    """A service's FastAPI app, whose early routes, once :func:`front_early_routes` moved
    them, answer in front of its middleware stack."""

    early_routes: tuple[EarlyRoute, ...] = ()
    early_service = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.early_routes and scope["type"] == "http":
            route = _matching(self.early_routes, scope)
            if route is not None:
                await self._early(route, scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _early(self, route: EarlyRoute, scope: Scope, receive: Receive, send: Send) -> None:
        """What ``RequestLogMiddleware`` around ``EarlyRoutes`` did, in one frame."""
        started = time.perf_counter()
        request_id = request_id_from(scope["headers"])
        scope["musette.request_id"] = request_id  # kept by the full stack if handed over
        scope["app"] = self  # as Starlette's __call__ (``request.app``)
        if self.root_path:  # as FastAPI's
            scope["root_path"] = self.root_path
        recorded = _Recorded(receive)
        token = REQUEST_ID.set(request_id)
        try:
            response = await _try(route, scope, recorded)
        finally:
            REQUEST_ID.reset(token)
        if response is None:
            await super().__call__(scope, recorded.replay(), send)
            return
        token = REQUEST_ID.set(request_id)
        status = 500
        try:
            headers = with_request_id(response.raw_headers, request_id)
            body = getattr(response, "body", None)
            if not isinstance(body, bytes):  # a streamed answer: Starlette sends it

                async def sending(message: Message) -> None:
                    nonlocal status
                    if message["type"] == "http.response.start":
                        status = message["status"]
                        message = {**message, "headers": headers}
                    await send(message)

                await response(scope, receive, sending)
                return
            await send(
                {"type": "http.response.start", "status": response.status_code, "headers": headers}
            )
            status = response.status_code
            await send({"type": "http.response.body", "body": body})
            if response.background is not None:
                await response.background()
        finally:
            log_request(
                self.early_service, scope, route.path, status, time.perf_counter() - started
            )
            REQUEST_ID.reset(token)


def front_early_routes(app: FastAPI, service: str) -> None:
    """Once the request-log middleware is added (outermost): when ``EarlyRoutes`` is right
    inside it, answer those routes in front of the stack instead (:class:`ServiceApp`)."""
    stack = app.user_middleware
    outermost: list[object] = [m.cls for m in stack[:2]]
    if (
        isinstance(app, ServiceApp)
        and outermost == [RequestLogMiddleware, EarlyRoutes]
        and stack[0].kwargs.get("service") == service
        and app.middleware_stack is None  # not built yet
    ):
        routes = cast(Sequence[EarlyRoute], stack[1].kwargs["routes"])
        app.early_routes = tuple(routes)
        app.early_service = service
        del stack[1]


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
