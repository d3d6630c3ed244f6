"""``create_app(settings)``: the issuer's FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy.orm import sessionmaker

from issuer.api import (
    achievement_pages,
    admin,
    batch_pages,
    batches,
    credential_pages,
    issue_pages,
    oid4vci,
    organisation_pages,
    pages,
    vc_api,
)
from issuer.db.base import make_engine
from issuer.db.migrate import MIGRATIONS, run_migrations
from issuer.deps import Resources, utc_now
from issuer.pages import install_page_handlers
from issuer.problems import install_problem_handlers
from issuer.service.keys import check_master_secret, load_master_secret
from issuer.settings import IssuerSettings
from servicekit.app import install_service_operations, new_service_app
from servicekit.cors import PublicCors
from servicekit.operations import settled_heap
from servicekit.problems import BodyLimitMiddleware
from servicekit.ratelimit import RateLimiter
from shared.did.resolver import DidResolver


def open_resources(
    settings: IssuerSettings, *, clock: Callable[[], datetime] = utc_now
) -> Resources:
    """Engine (migrated), sessions and master secret: what the app, the CLI and the demo share."""
    engine = make_engine(settings.database_url, settings.database_pool_connections)
    if settings.migrate:
        run_migrations(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    master_secret = load_master_secret(settings.master_secret, settings.data_dir)
    try:
        with sessions() as session:
            check_master_secret(session, master_secret)
    except Exception:
        engine.dispose()  # not starting: leave no connection open
        raise
    return Resources(
        settings=settings,
        sessions=sessions,
        master_secret=master_secret,
        clock=clock,
        resolver=DidResolver(),
    )


def create_app(
    settings: IssuerSettings | None = None, *, clock: Callable[[], datetime] = utc_now
) -> FastAPI:
    settings = settings or IssuerSettings()
    resources = open_resources(settings, clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with settled_heap():
            yield
        resources.dispose()

    app = new_service_app(
        "Musette issuer",
        settings,
        install_problems=install_problem_handlers,
        lifespan=lifespan,
        early_routes=oid4vci.EARLY_ROUTES,  # answered in front of the whole stack
    )
    app.state.resources = resources
    app.state.rate_limiter = RateLimiter(resources.sessions, clock)
    app.include_router(oid4vci.router)
    app.include_router(admin.router)
    app.include_router(batches.router)
    app.include_router(vc_api.router)
    install_page_handlers(app)
    app.include_router(pages.router)
    app.include_router(organisation_pages.router)
    app.include_router(achievement_pages.router)
    app.include_router(issue_pages.router)
    app.include_router(credential_pages.router)
    app.include_router(batch_pages.router)
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_body_bytes, type_base=settings.problem_type_base
    )
    # a preflight is answered before any body limit or route (operations stay outermost)
    app.add_middleware(PublicCors, patterns=oid4vci.PUBLIC_PATHS)
    return install_service_operations(app, settings, MIGRATIONS)
