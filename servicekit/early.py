"""Early routes: a few hot endpoints answered in front of a service's whole stack.

FastAPI's path to an endpoint — the request-log, CORS, body-limit and time-zone middlewares,
the exception middleware, the exit stack, the router's scan, the endpoint wrapper — cost a
request more than verifying a ``vc+jwt`` or answering a status list's ``304``. A service
declares its early routes to :func:`servicekit.app.new_service_app`; its app
(:class:`ServiceApp`) tries them first, in front of the middleware stack, and does there what
the request-log middleware does for every request — the same request id in and out, the log
line and the metrics (:func:`servicekit.logs.log_request`) — answering with two raw ASGI
messages.

An early route answers only the requests it is sure of: its handler returns a ``Response``,
or ``None`` to let the full application answer — the body it may have read is handed on
untouched, with the request id the front made. An exception in a handler also hands over:
the full application then answers with its problem details, exactly as without the early
route. The handlers decline whatever the full route would treat differently (a query
string, credentials, a cross-origin request…); tests compare both answers.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

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

__all__ = ["EarlyRoute", "ServiceApp", "app_answer"]

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


class ServiceApp(FastAPI):
    """A service's FastAPI app: its ``early_routes`` answer in front of its middleware
    stack, for its ``service`` (the name on the request line and the metrics)."""

    def __init__(
        self, *, early_routes: Sequence[EarlyRoute] = (), service: str = "", **fastapi: Any
    ) -> None:
        super().__init__(**fastapi)
        self.early_routes = tuple(early_routes)
        self.early_service = service

    def build_middleware_stack(self) -> ASGIApp:
        # a request an early route hands over is logged and counted by the request log,
        # with the id the front made: it must be the outermost middleware, for this service
        outermost: list[tuple[object, object]] = [
            (m.cls, m.kwargs.get("service")) for m in self.user_middleware[:1]
        ]
        if self.early_routes and outermost != [(RequestLogMiddleware, self.early_service)]:
            raise RuntimeError(
                "early routes need the request-log middleware of their service outermost "
                "(servicekit.app.install_service_operations)"
            )
        return super().build_middleware_stack()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.early_routes and scope["type"] == "http":
            route = _matching(self.early_routes, scope)
            if route is not None:
                await self._early(route, scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _early(self, route: EarlyRoute, scope: Scope, receive: Receive, send: Send) -> None:
        """What ``RequestLogMiddleware`` does for a request, in one frame, around the early
        handler; a request it declines goes through the whole stack, its request id kept."""
        started = time.perf_counter()
        request_id = request_id_from(scope["headers"])
        scope["musette.request_id"] = request_id  # kept by the request log if handed over
        scope["app"] = self  # as Starlette's __call__ (``request.app``)
        if self.root_path:  # as FastAPI's
            scope["root_path"] = self.root_path
        scope["route"] = route  # the template on an error's log line (app_answer)
        recorded = _Recorded(receive)
        token = REQUEST_ID.set(request_id)  # one scope: the handler, the answer, the log line
        try:
            response = await _try(route, scope, recorded)
            if response is not None:
                await self._answer(route, response, request_id, started, scope, receive, send)
                return
        finally:
            REQUEST_ID.reset(token)
        del scope["route"]  # the full stack's router finds its own
        await super().__call__(scope, recorded.replay(), send)

    async def _answer(
        self,
        route: EarlyRoute,
        response: Response,
        request_id: str,
        started: float,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        """``response``, with the request id, as two raw ASGI messages; then its log line."""
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
