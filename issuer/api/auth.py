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
from issuer.problems import ForbiddenError
from issuer.service.orgs import Principal, get_org, principal_for_api_key, principal_for_session
from servicekit.auth import SessionCookie, bearer_token, signed_in
from servicekit.csrf import CSRF_HEADER, changes_state, same_token

#: strict: no console page is reached signed in by a link from another site
SESSION = SessionCookie("issuer", samesite="strict")


def get_principal(request: Request, session: SessionDep, res: ResourcesDep) -> Principal:
    key = bearer_token(request)
    if key is not None:
        return principal_for_api_key(session, key)
    cookie = SESSION.read(request)
    principal = principal_for_session(session, cookie, res.clock()) if cookie else None
    if (
        principal is not None
        and changes_state(request)
        and not same_token(request.headers.get(CSRF_HEADER), principal.csrf_token)
    ):
        raise ForbiddenError("missing or wrong X-CSRF-Token for this session")
    return signed_in(principal, key_name="an API key (mik_…)")


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
