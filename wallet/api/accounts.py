"""Accounts, sessions and API keys (their routes keep the name ``/api/tokens``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict

from servicekit.ratelimit import account_and_ip, limiter_of
from wallet.deps import SESSION, AnonCsrfDep, PrincipalDep, ResourcesDep, SessionDep
from wallet.schemas import AccountOut, ApiTokenOut, NewApiTokenOut, RecoveryKitOut, SessionOut
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
    """Create an account with its first holder identity (did:jwk, Ed25519), and its recovery
    code: shown this once, the only way back in without the password."""
    local_wallet.refuse_second_account(session, res.settings)
    made = accounts.create_account(session, res.hasher, body.email, body.password)
    identity = identities.create_identity(session, made.who)
    return {
        "id": made.account.id,
        "email": made.account.email,
        "identity": identities.identity_json(identity),
        "recovery_code": made.recovery_code,
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
    who = accounts.authenticate(session, res.master, res.hasher, body.email, body.password)
    token, csrf = accounts.open_session(session, who, res.settings.session_hours)
    set_session_cookie(response, res, token)
    return {"id": who.account_id, "email": who.email, "csrf_token": csrf}


@router.delete("/session", status_code=204)
def sign_out(who: PrincipalDep, request: Request, response: Response, session: SessionDep) -> None:
    """Close the session: its row, and the copy of the data key it held, are deleted."""
    cookie = SESSION.read(request)
    if cookie:
        accounts.close_session(session, cookie)
    SESSION.clear(response)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    old_password: str
    new_password: str


class Recovery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str
    recovery_code: str
    new_password: str


@router.post("/me/password", status_code=204)
def change_password(
    body: PasswordChange,
    who: PrincipalDep,
    request: Request,
    res: ResourcesDep,
    session: SessionDep,
) -> None:
    """Wrap the data key under a new password; the other cookie sessions are closed."""
    limiter_of(request).hit(
        "signin", account_and_ip(who.email, request), res.settings.rate_limit_signin
    )
    accounts.change_password(
        session,
        res.hasher,
        who,
        body.old_password,
        body.new_password,
        keep_session=SESSION.read(request),
    )


@router.post("/me/recovery-kit", status_code=201, response_model=RecoveryKitOut)
def new_recovery_kit(who: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """A new recovery code, shown once; the one before no longer opens the account."""
    return {"recovery_code": accounts.new_recovery_kit(session, who)}


@router.post("/recover", response_model=AccountOut, response_model_exclude_unset=True)
def recover(
    body: Recovery, _csrf: AnonCsrfDep, request: Request, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Forgot password: the recovery code and a new password; returns a new recovery code.
    Every session and API key of the account is closed."""
    limiter_of(request).hit(
        "signin", account_and_ip(body.email, request), res.settings.rate_limit_signin
    )
    made = accounts.recover(session, res.hasher, body.email, body.recovery_code, body.new_password)
    return {"id": made.account.id, "email": made.account.email, "recovery_code": made.recovery_code}


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
    """A new API key, shown once."""
    row, secret = accounts.create_api_token(session, who, body.name)
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
