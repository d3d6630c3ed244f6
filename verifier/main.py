"""``create_app(settings)``: the verifier as a FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import sessionmaker

from servicekit.app import install_service_operations, new_service_app
from servicekit.cors import PublicCors
from servicekit.i18n import PageTemplates
from servicekit.operations import settled_heap
from servicekit.ratelimit import RateLimiter
from shared.jsonld import verify_bundled_contexts
from shared.keys.x509 import load_pem_anchors
from shared.net.fetch import HttpFetcher
from shared.verify.context import utc_now
from verifier.api import challenges, pages, requests, trust, vc_api, verifications, well_known
from verifier.db.base import MIGRATIONS, make_engine, run_migrations
from verifier.deps import Resources
from verifier.i18n import CATALOGUES
from verifier.problems import install_problem_handlers
from verifier.service.keys import open_key_store, open_response_keys
from verifier.service.on_loop import LoopGuardedFetcher
from verifier.service.status_cache import CachingFetcher, RequestingFetcher
from verifier.service.verifying import Verifier
from verifier.settings import VerifierSettings

HERE = __import__("pathlib").Path(__file__).parent


def build_templates() -> PageTemplates:
    return CATALOGUES.templates(HERE / "templates", auto_reload=False)


def create_app(
    settings: VerifierSettings | None = None,
    *,
    fetcher: RequestingFetcher | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The verifier app; ``fetcher`` and ``clock`` are for tests (default: HttpFetcher, UTC now)."""
    settings = settings or VerifierSettings()
    now = clock or utc_now

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        verify_bundled_contexts()
        engine = make_engine(settings.database_url)
        if settings.migrate:
            run_migrations(engine)
        sessions = sessionmaker(engine, expire_on_commit=False)
        app.state.rate_limiter = RateLimiter(sessions, now)
        http = fetcher or HttpFetcher(
            allow_loopback=settings.dev,
            deadline=settings.fetch_deadline_seconds,
            extra_ca_file=settings.dev_ca_file or None,
        )
        cache = CachingFetcher(
            LoopGuardedFetcher(http),  # no fetch ever blocks the event loop (service/on_loop.py)
            clock=now,
            default_seconds=settings.status_cache_default_seconds,
            max_seconds=settings.status_cache_max_seconds,
            max_entries=settings.status_cache_entries,
        )
        app.state.resources = Resources(
            settings=settings,
            sessions=sessions,
            http=http,
            cache=cache,
            verifier=Verifier(
                cache.within(settings.status_revalidate_seconds),
                now,
                allow_http_did_web=settings.dev,
                revalidating=cache.revalidating,
                trust_anchors=load_pem_anchors(settings.x509_trust_anchors),
            ),
            key_store=open_key_store(settings, sessions),
            response_keys=open_response_keys(settings),
            hasher=PasswordHasher(
                time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
            ),
            templates=build_templates(),
            clock=now,
        )
        with settled_heap():
            yield
        engine.dispose()

    app = new_service_app(
        "Musette verifier",
        settings,
        install_problems=install_problem_handlers,
        lifespan=lifespan,
        early_routes=[verifications.EARLY],  # answered in front of the whole stack
    )
    app.include_router(verifications.router)
    app.include_router(challenges.router)
    app.include_router(vc_api.router)
    app.include_router(trust.router)
    app.include_router(requests.router)
    app.include_router(well_known.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(PublicCors, patterns=requests.PUBLIC_PATHS + well_known.PUBLIC_PATHS)
    return install_service_operations(app, settings, MIGRATIONS)
