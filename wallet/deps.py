"""Resources of one app and the Annotated dependencies routes use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, cast

from argon2 import PasswordHasher
from cryptography import x509
from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from servicekit.auth import SessionCookie, bearer_token, signed_in
from servicekit.csrf import AnonymousCsrf, changes_state, same_token, supplied_token
from servicekit.pages import SignInRequiredError
from servicekit.ratelimit import limit_per_ip
from servicekit.resources import SessionDep as SessionDep
from servicekit.resources import app_resources
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

SESSION = SessionCookie("wallet")
ANON_CSRF = AnonymousCsrf("musette_wallet_csrf")


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
    return cast(Resources, app_resources(request))


ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def find_principal(request: Request, res: Resources, session: Session) -> Principal | None:
    """The caller's account from a Bearer API key or a session cookie (CSRF-checked), opened
    with the data key its own sealed copy holds; what waits in its inbox moves in now."""
    token = bearer_token(request)
    if token is not None:
        who = accounts.principal_for_api_token(session, res.master, token)
        if who is None:
            raise UnauthorizedError("the API key is not valid")
        inbox.drain(session, who)
        return who
    cookie = SESSION.read(request)
    if not cookie:
        return None
    who = accounts.principal_for_session(session, res.master, cookie)
    if who is None:
        return None
    if changes_state(request) and not same_token(await supplied_token(request), who.csrf_token):
        raise CsrfError("this form or request lacks the session's CSRF token")
    inbox.drain(session, who)
    return who


async def get_principal(request: Request, res: ResourcesDep, session: SessionDep) -> Principal:
    return signed_in(await find_principal(request, res, session), key_name="an API key (mwt_…)")


async def get_optional_principal(
    request: Request, res: ResourcesDep, session: SessionDep
) -> Principal | None:
    return await find_principal(request, res, session)


def page_principal(after: str | None = None) -> Callable[..., Awaitable[Principal]]:
    """A page's signed-in person; nobody signed in: to ``/signin``, then back to this page
    (or to ``after``), as ``servicekit.pages.sign_in_redirect`` says."""

    async def get_page_principal(
        request: Request, res: ResourcesDep, session: SessionDep
    ) -> Principal:
        who = await find_principal(request, res, session)
        if who is None:
            raise SignInRequiredError(after)
        return who

    return get_page_principal


async def check_anonymous_csrf(request: Request) -> None:
    """Sign-up and sign-in forms: double-submit cookie (no session exists yet)."""
    if not changes_state(request):
        return
    if request.headers.get("content-type", "").startswith("application/json"):
        return  # JSON API: a cross-site form cannot send this content type without CORS
    if not ANON_CSRF.matches(request, await supplied_token(request)):
        raise CsrfError("this form lacks its CSRF token; reload the page and try again")


PrincipalDep = Annotated[Principal, Depends(get_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(get_optional_principal)]
AnonCsrfDep = Annotated[None, Depends(check_anonymous_csrf)]
#: a page for a signed-in person only: the others are sent to sign in and back
SignedInPage = Annotated[Principal, Depends(page_principal())]


#: public links (endorsement requests, shares): their token is the only key, so opening
#: them is counted per address to slow a search for valid tokens
LINKS_LIMIT = limit_per_ip(
    "links", lambda request: get_resources(request).settings.rate_limit_links
)
