"""Resources of one app and the Annotated dependencies routes use."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, cast

from argon2 import PasswordHasher
from cryptography import x509
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from servicekit.ratelimit import limit_per_ip
from shared.did import DidResolver
from shared.net.fetch import HttpFetcher
from shared.net.status_cache import CachingFetcher
from shared.verify.context import VerifyContext
from shared.verify.status_memo import StatusListMemo
from wallet.errors import CsrfError, UnauthorizedError
from wallet.service import accounts, inbox
from wallet.service.accounts import Principal
from wallet.service.vault import MasterKey
from wallet.settings import WalletSettings

SESSION_COOKIE = "musette_wallet_session"
ANON_CSRF_COOKIE = "musette_wallet_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Resources:
    settings: WalletSettings
    sessions: sessionmaker[Session]
    master: MasterKey
    hasher: PasswordHasher
    fetcher: HttpFetcher
    #: status lists kept with their ETag: each page revalidates them (a 304 when unchanged)
    status_cache: CachingFetcher | None = None
    status_lists: StatusListMemo = field(default_factory=StatusListMemo)
    #: X.509 roots for ``x5c`` issuer keys and ``x509_*`` verifier requests (settings)
    trust_anchors: tuple[x509.Certificate, ...] = ()

    def verify_context(self, **expect: str | None) -> VerifyContext:
        """A verification context whose every fetch goes through the wallet's fetcher; status
        lists are revalidated once per context (docs/decisions/status-freshness.md)."""
        fetcher = self.status_cache.revalidating() if self.status_cache else self.fetcher
        return VerifyContext(
            fetcher=fetcher,
            resolver=DidResolver(fetcher, allow_http=self.settings.dev),
            status_lists=self.status_lists,
            x509_trust_anchors=self.trust_anchors,
            **expect,  # type: ignore[arg-type]
        )


def get_resources(request: Request) -> Resources:
    return cast(Resources, request.app.state.resources)  # the one untyped hop


ResourcesDep = Annotated[Resources, Depends(get_resources)]


def get_settings(res: ResourcesDep) -> WalletSettings:
    return res.settings


def get_session(res: ResourcesDep) -> Iterator[Session]:
    with res.sessions.begin() as session:  # commit on success, roll back on error
        yield session


SettingsDep = Annotated[WalletSettings, Depends(get_settings)]
#: scope="function": commit before the response is sent, so a client that reads back what it
#: just created sees it, and a failed commit is an error rather than a success already sent
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def _supplied_csrf(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    kind = request.headers.get("content-type", "")
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette caches it for the route's own Form() params
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


async def find_principal(request: Request, res: Resources, session: Session) -> Principal | None:
    """The caller's account from a Bearer API token or a session cookie (CSRF-checked), opened
    with the data key its own sealed copy holds; what waits in its inbox moves in now."""
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        who = accounts.principal_for_api_token(session, res.master, auth[7:].strip())
        if who is None:
            raise UnauthorizedError("the API token is not valid")
        inbox.drain(session, who)
        return who
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    who = accounts.principal_for_session(session, res.master, cookie)
    if who is None:
        return None
    if request.method not in SAFE_METHODS and not _same(
        await _supplied_csrf(request), who.csrf_token or ""
    ):
        raise CsrfError("this form or request lacks the session's CSRF token")
    inbox.drain(session, who)
    return who


async def get_principal(request: Request, res: ResourcesDep, session: SessionDep) -> Principal:
    who = await find_principal(request, res, session)
    if who is None:
        raise UnauthorizedError("sign in, or send an API token (Authorization: Bearer …)")
    return who


async def get_optional_principal(
    request: Request, res: ResourcesDep, session: SessionDep
) -> Principal | None:
    return await find_principal(request, res, session)


async def check_anonymous_csrf(request: Request) -> None:
    """Sign-up and sign-in forms: double-submit cookie (no session exists yet)."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("content-type", "").startswith("application/json"):
        return  # JSON API: a cross-site form cannot send this content type without CORS
    if not _same(await _supplied_csrf(request), request.cookies.get(ANON_CSRF_COOKIE, "")):
        raise CsrfError("this form lacks its CSRF token; reload the page and try again")


PrincipalDep = Annotated[Principal, Depends(get_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(get_optional_principal)]
AnonCsrfDep = Annotated[None, Depends(check_anonymous_csrf)]


#: public links (endorsement requests, shares): their token is the only key, so opening
#: them is counted per address to slow a search for valid tokens
LINKS_LIMIT = limit_per_ip(
    "links", lambda request: get_resources(request).settings.rate_limit_links
)
