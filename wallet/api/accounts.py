"""Accounts, sessions and API tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict

from servicekit.ratelimit import account_and_ip, limiter_of
from wallet.deps import SESSION, AnonCsrfDep, PrincipalDep, ResourcesDep, SessionDep
from wallet.schemas import AccountOut, ApiTokenOut, NewApiTokenOut, SessionOut
from wallet.service import accounts, identities, local_wallet

router = APIRouter(tags=["accounts"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str
    password: str


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "token"


def set_session_cookie(response: Response, res: ResourcesDep, token: str) -> None:
    SESSION.open(response, token, res.settings)


@router.post(
    "/accounts", status_code=201, response_model=AccountOut, response_model_exclude_unset=True
)
def sign_up(
    body: Credentials, _csrf: AnonCsrfDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Create an account with its first holder identity (did:jwk, Ed25519)."""
    local_wallet.refuse_second_account(session, res.settings)
    account = accounts.create_account(session, res.master, res.hasher, body.email, body.password)
    who = accounts.principal_for(res.master, account)
    identity = identities.create_identity(session, who)
    return {
        "id": account.id,
        "email": account.email,
        "identity": identities.identity_json(identity),
    }


@router.post("/session", response_model=SessionOut, response_model_exclude_unset=True)
def sign_in(
    body: Credentials,
    _csrf: AnonCsrfDep,
    request: Request,
    response: Response,
    res: ResourcesDep,
    session: SessionDep,
) -> dict[str, Any]:
    """Open a cookie session; unsafe requests must then send ``X-CSRF-Token``."""
    limiter_of(request).hit(
        "signin", account_and_ip(body.email, request), res.settings.rate_limit_signin
    )
    account = accounts.authenticate(session, res.hasher, body.email, body.password)
    token, csrf = accounts.open_session(session, account, res.settings.session_hours)
    set_session_cookie(response, res, token)
    return {"id": account.id, "email": account.email, "csrf_token": csrf}


@router.delete("/session", status_code=204)
def sign_out(who: PrincipalDep, response: Response, session: SessionDep) -> None:
    SESSION.clear(response)


@router.get("/me", response_model=SessionOut, response_model_exclude_unset=True)
def me(who: PrincipalDep) -> dict[str, Any]:
    return {"id": who.account_id, "email": who.email, "csrf_token": who.csrf_token}


@router.delete("/me", status_code=204)
def delete_me(who: PrincipalDep, response: Response, session: SessionDep) -> None:
    """Delete the account and erase everything it holds."""
    accounts.delete_account(session, who.account_id)
    SESSION.clear(response)


@router.post(
    "/tokens", status_code=201, response_model=NewApiTokenOut, response_model_exclude_unset=True
)
def create_token(body: TokenRequest, who: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """A new API token, shown once."""
    row, secret = accounts.create_api_token(session, who.account_id, body.name)
    return {"id": row.id, "name": row.name, "token": secret}


@router.get("/tokens", response_model=list[ApiTokenOut], response_model_exclude_unset=True)
def list_tokens(who: PrincipalDep, session: SessionDep) -> list[dict[str, Any]]:
    return [
        {"id": t.id, "name": t.name, "created_at": t.created_at.isoformat()}
        for t in accounts.list_api_tokens(session, who.account_id)
    ]


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: str, who: PrincipalDep, session: SessionDep) -> None:
    accounts.revoke_api_token(session, who.account_id, token_id)
