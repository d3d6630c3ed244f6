"""Presenting to a verifier (OpenID4VP): open a request, see what would be disclosed, consent."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from shared.did import DidResolver
from wallet.deps import PrincipalDep, ResourcesDep, SessionDep
from wallet.schemas import PresentationAnswerOut, PresentationPreviewOut, PresentationRequestOut
from wallet.service import presenting

router = APIRouter(tags=["presentations"])


class RequestLink(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: ``openid4vp://?client_id=…&request_uri=…`` (or the same query on an https link)
    request: str


class Selection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credential_id: str
    #: SD-JWT: the claim paths to disclose (default: what the verifier asked for)
    disclose: list[list[str | int | None]] | None = None


class Consent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: per credential query id; default: the verifier's preferred option of each required
    #: credential set (OpenID4VP 1.0 §6.2), with its first matching credential
    selections: dict[str, Selection] = {}
    #: sign with a key used for this verifier only
    pairwise: bool = False


def resolver_of(res: ResourcesDep) -> DidResolver:
    return DidResolver(res.fetcher, allow_http=res.settings.dev)


@router.post(
    "", status_code=201, response_model=PresentationRequestOut, response_model_exclude_unset=True
)
def open_request(
    body: RequestLink, who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Resolve and check the request; list matching credentials and the claims each discloses."""
    return presenting.open_request(
        session,
        who,
        res.fetcher,
        resolver_of(res),
        body.request,
        res.settings.known_verifiers,
        res.trust_anchors,
    )


@router.get(
    "/{request_id}", response_model=PresentationRequestOut, response_model_exclude_unset=True
)
def get_request(request_id: str, who: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    return presenting.get_request(session, who, request_id)


@router.post(
    "/{request_id}/preview",
    response_model=PresentationPreviewOut,
    response_model_exclude_unset=True,
)
def preview(
    request_id: str, body: Consent, who: PrincipalDep, session: SessionDep
) -> dict[str, Any]:
    """Exactly what consenting with these selections would send (nothing is sent)."""
    selections = {k: v.model_dump(exclude_none=True) for k, v in body.selections.items()}
    return presenting.preview_answer(session, who, request_id, selections)


@router.post(
    "/{request_id}/consent", response_model=PresentationAnswerOut, response_model_exclude_unset=True
)
def consent(
    request_id: str, body: Consent, who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Build the presentation(s), post them to the verifier, log the disclosure."""
    selections = {k: v.model_dump(exclude_none=True) for k, v in body.selections.items()}
    return presenting.consent(
        session,
        who,
        res.fetcher,
        res.master,
        request_id,
        selections=selections,
        pairwise=body.pairwise,
    )


@router.post("/{request_id}/decline", status_code=204)
def decline(request_id: str, who: PrincipalDep, session: SessionDep, res: ResourcesDep) -> None:
    presenting.decline_request(session, who, request_id, res.fetcher)
