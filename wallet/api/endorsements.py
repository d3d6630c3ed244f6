"""Journey 3: experiences, endorsement links, and endorsing a colleague's experience."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from wallet.deps import LINKS_LIMIT, PrincipalDep, ResourcesDep, SessionDep
from wallet.schemas import (
    EndorsedOut,
    EndorsementRequestOut,
    ExperienceOut,
    OpenedEndorsementRequestOut,
)
from wallet.service import endorsements

router = APIRouter(tags=["endorsements"])


class NewExperience(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    organisation: str
    start_date: str
    end_date: str | None = None
    description: str = ""
    #: job, mission, gig, volunteering or training
    kind: str | None = None
    skills: list[str] = []


class Endorsement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: str
    #: the endorser's name as it appears in the credential (issuer.name)
    name: str
    identity_id: str | None = None
    #: one of the endorser's own credentials, published as proof of the relationship
    proof_credential_id: str | None = None


def link_of(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/endorse/{token}"


@router.get(
    "/api/experiences", response_model=list[ExperienceOut], response_model_exclude_unset=True
)
def list_experiences(
    who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> list[dict[str, Any]]:
    endorsements.sign_unsigned(
        session, who, res.verify_context(), max_bytes=res.settings.max_credential_bytes
    )
    return [v.to_json() for v in endorsements.list_experiences(session, who)]


@router.post(
    "/api/experiences",
    status_code=201,
    response_model=ExperienceOut,
    response_model_exclude_unset=True,
)
def create_experience(
    body: NewExperience, who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """The experience, signed by the person as a self-declared OB 3.0 credential."""
    return endorsements.create_experience(
        session,
        who,
        **body.model_dump(),
        ctx=res.verify_context(),
        max_bytes=res.settings.max_credential_bytes,
    ).to_json()


@router.get(
    "/api/experiences/{experience_id}",
    response_model=ExperienceOut,
    response_model_exclude_unset=True,
)
def get_experience(experience_id: str, who: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    return endorsements.get_experience(session, who, experience_id).to_json()


@router.delete("/api/experiences/{experience_id}", status_code=204)
def delete_experience(experience_id: str, who: PrincipalDep, session: SessionDep) -> None:
    endorsements.delete_experience(session, who, experience_id)


@router.post(
    "/api/experiences/{experience_id}/requests",
    status_code=201,
    response_model=EndorsementRequestOut,
    response_model_exclude_unset=True,
)
def create_request(
    experience_id: str, who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """A single-use link for a colleague; the URL is returned once (only its hash is kept)."""
    row, token = endorsements.create_request(session, who, experience_id)
    return {**endorsements.request_json(row), "url": link_of(res.settings.base_url, token)}


@router.delete("/api/endorsement-requests/{endorsement_request_id}", status_code=204)
def revoke_request(endorsement_request_id: str, who: PrincipalDep, session: SessionDep) -> None:
    """Withdraw a link: it then answers ``endorsement-link-revoked``."""
    endorsements.revoke_request(session, who, endorsement_request_id)


@router.get(
    "/api/endorse/{token}",
    dependencies=[LINKS_LIMIT],
    response_model=OpenedEndorsementRequestOut,
    response_model_exclude_unset=True,
)
def open_request(token: str, who: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """What a colleague is asked to endorse."""
    return endorsements.open_request(session, who, token)


@router.post(
    "/api/endorse/{token}",
    status_code=201,
    dependencies=[LINKS_LIMIT],
    response_model=EndorsedOut,
    response_model_exclude_unset=True,
)
async def endorse(
    token: str, body: Endorsement, who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Sign an OB 3.0 EndorsementCredential and deliver it to the person who asked."""
    return await run_in_threadpool(  # canonicalization and verification: off the event loop
        endorsements.endorse,
        session,
        who,
        res.master,
        res.verify_context(),
        token,
        comment=body.comment,
        name=body.name,
        base_url=res.settings.base_url,
        identity_id=body.identity_id,
        proof_credential_id=body.proof_credential_id,
        max_bytes=res.settings.max_credential_bytes,
    )
