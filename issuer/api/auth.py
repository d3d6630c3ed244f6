"""Admin authentication: an API key (``Authorization: Bearer mik_…``) or a session cookie.

Cookie-authenticated requests that change something must echo the session's CSRF token
in ``X-CSRF-Token``. API keys are not sent automatically by browsers, so they need none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from issuer.db.models import Organisation
from issuer.deps import ResourcesDep, SessionDep
from issuer.problems import ForbiddenError, UnauthorizedError
from issuer.service.orgs import Principal, api_key_principal, get_org, session_principal
from servicekit.csrf import CSRF_HEADER, changes_state, same_token

SESSION_COOKIE = "musette_issuer_session"


def get_principal(request: Request, session: SessionDep, res: ResourcesDep) -> Principal:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return api_key_principal(session, value.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        principal = session_principal(session, cookie, res.clock())
        if changes_state(request) and not same_token(
            request.headers.get(CSRF_HEADER), principal.csrf_token
        ):
            raise ForbiddenError("missing or wrong X-CSRF-Token for this session")
        return principal
    raise UnauthorizedError("sign in, or send an API key as 'Authorization: Bearer mik_…'")


PrincipalDep = Annotated[Principal, Depends(get_principal)]


@dataclass(frozen=True)
class AdminContext:
    org: Organisation
    principal: Principal
    org_base: str

    @property
    def actor(self) -> str:
        return self.principal.actor


def get_admin_org(
    slug: str, principal: PrincipalDep, session: SessionDep, res: ResourcesDep
) -> AdminContext:
    org = get_org(session, slug)
    principal.require_org(org)
    return AdminContext(org, principal, f"{res.settings.base_url}/orgs/{org.slug}")


AdminDep = Annotated[AdminContext, Depends(get_admin_org)]
