"""``create_app(settings)``: the wallet as a FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import sessionmaker

from servicekit.app import install_service_operations, new_service_app
from servicekit.operations import settled_heap
from servicekit.ratelimit import RateLimiter
from shared.keys.x509 import load_pem_anchors
from shared.net.fetch import HttpFetcher
from shared.net.status_cache import CachingFetcher
from shared.verify.context import utc_now
from wallet.api import (
    accounts,
    credential_pages,
    credentials,
    endorsement_delivery,
    endorsement_pages,
    endorsements,
    export_pages,
    history,
    history_pages,
    identities,
    key_pages,
    pages,
    portability,
    present_pages,
    presentations,
    profile_pages,
    profiles,
    receive,
    receive_pages,
    rights,
    shares,
)
from wallet.db.base import MIGRATIONS, make_engine, run_migrations
from wallet.deps import Resources
from wallet.problems import install_problem_handlers
from wallet.service import accounts as account_service
from wallet.service import trust
from wallet.service.vault import MasterKey, load_master_secret
from wallet.settings import WalletSettings

STATIC = Path(__file__).parent / "static"


@contextmanager
def open_resources(
    settings: WalletSettings, fetcher: HttpFetcher | None = None
) -> Iterator[Resources]:
    """Engine, migrations, master key and fetcher of one wallet (app or command line)."""
    engine = make_engine(settings.database_url)
    try:
        if settings.migrate:
            run_migrations(engine)
        http = fetcher or HttpFetcher(
            allow_loopback=settings.dev, deadline=settings.fetch_deadline_seconds
        )
        res = Resources(
            settings=settings,
            sessions=sessionmaker(engine, expire_on_commit=False),
            master=MasterKey(load_master_secret(settings.master_secret, settings.data_dir)),
            hasher=PasswordHasher(
                time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
            ),
            fetcher=http,
            status_cache=CachingFetcher(http, clock=utc_now),
            trust_anchors=load_pem_anchors(settings.x509_trust_anchors),
        )
        with res.sessions.begin() as session:
            account_service.check_master_secret(session, res.master)
            trust.seed_trusted(session, settings.trusted_issuers)
        yield res
    finally:
        engine.dispose()


def create_app(
    settings: WalletSettings | None = None, *, fetcher: HttpFetcher | None = None
) -> FastAPI:
    settings = settings or WalletSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with open_resources(settings, fetcher) as res:
            app.state.resources = res
            app.state.rate_limiter = RateLimiter(res.sessions, utc_now)
            with settled_heap():
                yield

    app = new_service_app(
        "Musette wallet",
        settings,
        install_problems=install_problem_handlers,
        lifespan=lifespan,
        version="0.1.0",
    )
    app.include_router(accounts.router, prefix="/api")
    app.include_router(identities.router, prefix="/api/identities")
    app.include_router(credentials.router, prefix="/api/credentials")
    app.include_router(receive.router, prefix="/api/offers")
    app.include_router(presentations.router, prefix="/api/presentations")
    app.include_router(history.router, prefix="/api/history")
    app.include_router(portability.router, prefix="/api")
    app.include_router(shares.router)
    app.include_router(endorsements.router)
    app.include_router(endorsement_delivery.router)
    app.include_router(pages.router)
    app.include_router(credential_pages.router)
    app.include_router(receive_pages.router)
    app.include_router(history_pages.router)
    app.include_router(key_pages.router)
    app.include_router(present_pages.router)
    app.include_router(endorsement_pages.router)
    app.include_router(export_pages.router)
    app.include_router(rights.router)
    app.include_router(profile_pages.router)
    app.include_router(profiles.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return install_service_operations(app, settings, MIGRATIONS)
