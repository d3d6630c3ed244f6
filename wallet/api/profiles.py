"""Application profiles over the API: make one from chosen badges (and SD-JWT parts), list,
withdraw. The pages are in wallet/api/profile_pages.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from wallet.deps import PrincipalDep, ResourcesDep, SessionDep
from wallet.schemas import ProfileOut
from wallet.service import profiles

router = APIRouter(tags=["profiles"])


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credential_id: str = Field(max_length=64)
    #: SD-JWT VC only: the claim paths to reveal, e.g. ``[["credentialSubject", "id"]]``
    disclose: list[list[str | int]] = Field(default_factory=list, max_length=200)


class NewProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=profiles.MAX_TITLE)
    credentials: list[Item] = Field(max_length=profiles.MAX_ITEMS)
    days: int = profiles.DEFAULT_DAYS


def _json(view: profiles.ProfileView, base: str) -> dict[str, Any]:
    return {
        "id": view.id,
        "title": view.title,
        "state": view.state,
        "url": f"{base}/p/{view.url_token}",
        "created_at": view.created_at.isoformat(),
        "expires_at": view.expires_at.isoformat(),
        "revoked_at": view.revoked_at.isoformat() if view.revoked_at else None,
        "credentials": view.items,
    }


@router.post(
    "/api/profiles", status_code=201, response_model=ProfileOut, response_model_exclude_unset=True
)
def create(
    body: NewProfile, who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    choices = [
        profiles.Choice(i.credential_id, tuple(tuple(p) for p in i.disclose))
        for i in body.credentials
    ]
    row, _ = profiles.create(session, who, body.title, choices, body.days)
    return _json(profiles.get_profile(session, who, row.id), res.settings.base_url.rstrip("/"))


@router.get("/api/profiles", response_model=list[ProfileOut], response_model_exclude_unset=True)
def list_profiles(
    who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> list[dict[str, Any]]:
    base = res.settings.base_url.rstrip("/")
    return [_json(v, base) for v in profiles.list_profiles(session, who)]


@router.delete("/api/profiles/{profile_id}", status_code=204)
def revoke(profile_id: str, who: PrincipalDep, session: SessionDep) -> None:
    """Withdraw: the public page answers 410 from now on."""
    profiles.revoke(session, who, profile_id)
