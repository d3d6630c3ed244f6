"""What an operator needs from every service: health, readiness, metrics and request logs.

``install_operations(app, …)`` adds, on each service:

- ``GET /healthz``: 200 while the process answers; touches no database (liveness);
- ``GET /readyz``: 200 when the database answers and its schema is at the newest revision,
  else 503 ``application/problem+json`` (type ``#not-ready``) saying which;
- ``GET /metrics``: Prometheus text (:mod:`servicekit.metrics`);
- the request-log middleware (:mod:`servicekit.logs`), outermost so it times everything.

None of them is in the OpenAPI document, rate limited, or in need of a session.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.telemetry import TelemetryConfig
from sqlalchemy import Engine

from servicekit import metrics
from servicekit.logs import RequestLogMiddleware
from servicekit.migrations import schema_state, script_heads
from shared.errors import VcError

#: ``FastAPI(telemetry=…)``: FastAPI's own OpenTelemetry hooks, off. The services export
#: Prometheus metrics and JSON logs; with no OpenTelemetry provider set up the hooks did
#: nothing but look the global providers up on every request (7 % of a vc+jwt verification)
NO_OPENTELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}

#: a probe must answer even when the database hangs (a connect timeout can be minutes)
READY_TIMEOUT_SECONDS = 3.0


class NotReadyError(VcError):
    """The database cannot be reached, or its schema is not at the newest revision (run
    ``musette migrate <service>``); retry after ``Retry-After`` seconds."""

    code = "not-ready"
    status = 503
    title = "Service not ready"


@contextmanager
def settled_heap() -> Iterator[None]:
    """Around a service's life, after its start-up: what it built to serve (the app and its
    routes, settings, templates, keys, the engine) is moved out of the cyclic garbage
    collector's sight (``gc.freeze``), so a full collection walks only what requests made,
    not the ~150,000 start-up objects (a pause of over 100 ms on a busy machine, straight
    into the latency's tail). At shutdown they are handed back (``gc.unfreeze``), so a
    process that starts many apps (the tests) frees them as before."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def readiness(engine: Engine, migrations: Path, heads: tuple[str, ...]) -> str | None:
    """None when ready, else the reason (no secret, no URL: the driver's error class only)."""
    try:
        state = schema_state(engine, migrations, heads)
    except Exception as err:  # (any driver error means "not ready")
        return f"the database cannot be reached ({type(err).__name__})"
    if not state.at_head:
        return f"the database schema is {state.describe()}"
    return None


def install_operations(
    app: FastAPI,
    *,
    service: str,
    migrations: Path,
    engine: Callable[[FastAPI], Engine],
    type_base: str,
) -> None:
    """Wire health, readiness, metrics and request logs into one service's ``app``."""
    heads = script_heads(migrations)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> Response:
        try:
            reason = await asyncio.wait_for(
                asyncio.to_thread(readiness, engine(request.app), migrations, heads),
                timeout=READY_TIMEOUT_SECONDS,
            )
        except TimeoutError:
            reason = f"the database did not answer within {READY_TIMEOUT_SECONDS:g} s"
        if reason is None:
            return JSONResponse({"status": "ready"}, headers={"Cache-Control": "no-store"})
        advice = f"Run `musette migrate {service}`." if "schema" in reason else "Retry shortly."
        error = NotReadyError(f"The {service} is not ready: {reason}. {advice}")
        body: dict[str, Any] = {
            "type": f"{type_base}#{error.code}",
            "title": error.title,
            "status": error.status,
            "detail": error.detail,
            "instance": "/readyz",
        }
        return JSONResponse(
            body,
            status_code=error.status,
            media_type="application/problem+json",
            headers={"Cache-Control": "no-store", "Retry-After": "5"},
        )

    token = metrics.metrics_token()

    @app.get("/metrics", include_in_schema=False)
    def prometheus(request: Request) -> Response:
        if not metrics.authorised(request.headers.get("authorization"), token):
            return Response(
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    # first in the routing table: no catch-all route of a service can shadow them
    ours = app.router.routes[-3:]
    del app.router.routes[-3:]
    app.router.routes[:0] = ours
    app.add_middleware(RequestLogMiddleware, service=service)
