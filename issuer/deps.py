"""Resources of one issuer app and the dependencies routes use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from issuer.service.keys import IssuerKeyStore, open_key_store
from issuer.settings import IssuerSettings
from servicekit.resources import SessionDep as SessionDep
from servicekit.resources import app_resources
from shared.did.resolver import DidResolver
from shared.keys import PrivateKey


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Resources:
    settings: IssuerSettings
    sessions: sessionmaker[Session]
    master_secret: bytes
    clock: Callable[[], datetime] = utc_now
    #: resolves holder DIDs in key proofs (did:key, did:jwk: offline)
    resolver: DidResolver = field(default_factory=DidResolver)
    #: signing keys decrypted by this process, by stored key id (immutable under their id:
    #: docs/decisions/signing-key-memo.md)
    signing_keys: dict[str, PrivateKey] = field(default_factory=dict)

    def key_store(self, session: Session) -> IssuerKeyStore:
        return open_key_store(self.master_secret, session, self.signing_keys)

    @property
    def engine(self) -> Engine:
        """The database engine the sessions are bound to."""
        return cast(Engine, self.sessions.kw["bind"])

    def dispose(self) -> None:
        """Close the database connections (end of the app, the CLI command, a test)."""
        bind = self.sessions.kw.get("bind")
        if bind is not None:
            bind.dispose()


def get_resources(request: Request) -> Resources:
    return cast(Resources, app_resources(request))


async def _resources(request: Request) -> Resources:
    """The dependency: ``async`` so FastAPI calls it on the event loop (a plain ``def``
    dependency costs each request a worker-thread hop for an attribute read)."""
    return get_resources(request)


ResourcesDep = Annotated[Resources, Depends(_resources)]
