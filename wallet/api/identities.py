"""Holder identities (DIDs) of the signed-in account."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from wallet.deps import PrincipalDep, SessionDep
from wallet.schemas import IdentityOut
from wallet.service import identities

router = APIRouter(tags=["identities"])


class NewIdentity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["jwk", "key"] = "jwk"
    key_type: Literal["Ed25519", "P-256"] = "Ed25519"
    label: str = ""


@router.get("", response_model=list[IdentityOut], response_model_exclude_unset=True)
def list_identities(who: PrincipalDep, session: SessionDep) -> list[dict[str, Any]]:
    return [identities.identity_json(r) for r in identities.list_identities(session, who)]


@router.post("", status_code=201, response_model=IdentityOut, response_model_exclude_unset=True)
def create_identity(body: NewIdentity, who: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    row = identities.create_identity(
        session, who, method=body.method, key_type=body.key_type, label=body.label
    )
    return identities.identity_json(row)


@router.post(
    "/{identity_id}/default", response_model=IdentityOut, response_model_exclude_unset=True
)
def make_default(identity_id: str, who: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    return identities.identity_json(identities.set_default(session, who, identity_id))


@router.delete("/{identity_id}", status_code=204)
def delete_identity(identity_id: str, who: PrincipalDep, session: SessionDep) -> None:
    identities.delete_identity(session, who, identity_id)
