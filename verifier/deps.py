"""Resources of one app and the Annotated dependencies routes use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, cast

from argon2 import PasswordHasher
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from servicekit.csrf import CSRF_HEADER, changes_state, same_token
from servicekit.i18n import PageTemplates
from shared.keys.store import KeyStore
from verifier.errors import ForbiddenError, UnauthorizedError
from verifier.service import accounts
from verifier.service.keys import ResponseKeys
from verifier.service.status_cache import CachingFetcher, RequestingFetcher
from verifier.service.verifying import Verifier
from verifier.settings import VerifierSettings

SESSION_COOKIE = "musette_verifier_session"


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
    return cast(Resources, request.app.state.resources)  # the one untyped hop


ResourcesDep = Annotated[Resources, Depends(get_resources)]


def get_settings(res: ResourcesDep) -> VerifierSettings:
    return res.settings


def get_session(res: ResourcesDep) -> Iterator[Session]:
    with res.sessions.begin() as session:  # commit on success, roll back on error
        yield session


SettingsDep = Annotated[VerifierSettings, Depends(get_settings)]
#: scope="function": commit before the response is sent, so a client that reads back what it
#: just created sees it, and a failed commit is an error rather than a success already sent
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class Principal:
    account_id: str
    #: CSRF token of the web session; None for API keys (no cookie, no CSRF)
    csrf: str | None


def optional_principal(request: Request, res: ResourcesDep) -> Principal | None:
    auth = request.headers.get("authorization", "")
    with res.sessions.begin() as session:
        if auth.lower().startswith("bearer "):
            account = accounts.account_for_api_key(session, auth[7:].strip())
            if account is None:
                raise UnauthorizedError("unknown API key")
            return Principal(account, None)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            found = accounts.session_account(session, token, res.clock())
            if found is not None:
                return Principal(found[0], found[1])
    return None


OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]


def require_principal(request: Request, who: OptionalPrincipalDep) -> Principal:
    if who is None:
        raise UnauthorizedError("sign in, or send an API key as 'Authorization: Bearer …'")
    csrf_needed = who.csrf is not None and changes_state(request)
    if csrf_needed and not same_token(request.headers.get(CSRF_HEADER), who.csrf):
        raise ForbiddenError("missing or wrong CSRF token")
    return who


PrincipalDep = Annotated[Principal, Depends(require_principal)]


def check_form_csrf(who: Principal, supplied: str | None) -> None:
    """Forms carry the CSRF token as a field (API keys need none)."""
    if who.csrf is None:
        return
    if not same_token(supplied, who.csrf):
        raise ForbiddenError("missing or wrong CSRF token")
