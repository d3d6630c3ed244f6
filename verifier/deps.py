"""Resources of one app and the Annotated dependencies routes use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, cast

from argon2 import PasswordHasher
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from servicekit.auth import SessionCookie, bearer_token, signed_in
from servicekit.csrf import CSRF_HEADER, changes_state, same_token
from servicekit.i18n import PageTemplates
from servicekit.resources import SessionDep as SessionDep
from servicekit.resources import app_resources
from shared.keys.store import KeyStore
from verifier.errors import ForbiddenError, UnauthorizedError
from verifier.service import accounts
from verifier.service.keys import ResponseKeys
from verifier.service.status_cache import CachingFetcher, RequestingFetcher
from verifier.service.verifying import Verifier
from verifier.settings import VerifierSettings

SESSION = SessionCookie("verifier")


@dataclass(frozen=True)
class Resources:
    settings: VerifierSettings
    sessions: sessionmaker[Session]
    http: RequestingFetcher
    cache: CachingFetcher
    verifier: Verifier
    key_store: KeyStore
    #: per-request encryption keys of direct_post.jwt answers (derived from the master secret)
    response_keys: ResponseKeys
    hasher: PasswordHasher
    templates: PageTemplates
    clock: Callable[[], datetime]


def get_resources(request: Request) -> Resources:
    return cast(Resources, app_resources(request))


ResourcesDep = Annotated[Resources, Depends(get_resources)]


@dataclass(frozen=True)
class Principal:
    account_id: str
    #: CSRF token of the web session; None for API keys (no cookie, no CSRF)
    csrf: str | None


def get_optional_principal(request: Request, res: ResourcesDep) -> Principal | None:
    key = bearer_token(request)
    with res.sessions.begin() as session:
        if key is not None:
            account = accounts.account_for_api_key(session, key)
            if account is None:
                raise UnauthorizedError("unknown API key")
            return Principal(account, None)
        token = SESSION.read(request)
        if token:
            found = accounts.account_for_session(session, token, res.clock())
            if found is not None:
                return Principal(found[0], found[1])
    return None


OptionalPrincipalDep = Annotated[Principal | None, Depends(get_optional_principal)]


def get_principal(request: Request, who: OptionalPrincipalDep) -> Principal:
    who = signed_in(who)
    csrf_needed = who.csrf is not None and changes_state(request)
    if csrf_needed and not same_token(request.headers.get(CSRF_HEADER), who.csrf):
        raise ForbiddenError("missing or wrong CSRF token")
    return who


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def check_form_csrf(who: Principal, supplied: str | None) -> None:
    """Forms carry the CSRF token as a field (API keys need none)."""
    if who.csrf is None:
        return
    if not same_token(supplied, who.csrf):
        raise ForbiddenError("missing or wrong CSRF token")
