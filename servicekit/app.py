"""A service's FastAPI app, with what every service installs around its own routes.

First (``new_service_app``): the service's early routes (:mod:`servicekit.early`, answered in
front of everything), its problem handlers, the reader's time zone and the rate limits. Last
(``install_service_operations``, after the service's own middleware, so outermost): health,
readiness, metrics and request logs. ``app.state.resources`` holds the
service's resources, whose ``sessions`` are bound to its database engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, cast

from fastapi import FastAPI
from sqlalchemy import Engine

from servicekit.early import EarlyRoute, ServiceApp
from servicekit.operations import NO_OPENTELEMETRY, install_operations
from servicekit.ratelimit import install_rate_limits
from servicekit.settings import BaseServiceSettings
from servicekit.timezone import install_reader_time_zone

__all__ = ["InstallProblems", "install_service_operations", "new_service_app"]

#: a service's ``install_problem_handlers(app, type_base=…)``
InstallProblems = Callable[..., None]


def new_service_app(
    title: str,
    settings: BaseServiceSettings,
    *,
    install_problems: InstallProblems,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    early_routes: Sequence[EarlyRoute] = (),
    **fastapi: Any,
) -> FastAPI:
    """The app, its problem handlers (the service's own bits included), time zone, rate limits;
    ``early_routes`` answer in front of its whole stack (servicekit/early.py)."""
    app = ServiceApp(
        early_routes=early_routes,
        service=settings.service,
        title=title,
        lifespan=lifespan,
        telemetry=NO_OPENTELEMETRY,
        **fastapi,
    )
    install_problems(app, type_base=settings.problem_type_base)
    install_reader_time_zone(app)
    install_rate_limits(app, type_base=settings.problem_type_base)
    return app


def _engine(app: FastAPI) -> Engine:
    return cast(Engine, app.state.resources.sessions.kw["bind"])


def install_service_operations(
    app: FastAPI, settings: BaseServiceSettings, migrations: Path
) -> FastAPI:
    """Health, readiness (schema at ``migrations``' head), metrics and request logs, outermost
    (only the early routes are in front of them)."""
    install_operations(
        app,
        service=settings.service,
        migrations=migrations,
        type_base=settings.problem_type_base,
        engine=_engine,
    )
    return app
