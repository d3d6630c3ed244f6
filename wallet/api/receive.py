"""Receiving credentials from an OpenID4VCI offer: open, preview, accept or decline."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from wallet.deps import PrincipalDep, ResourcesDep, SessionDep
from wallet.i18n import choose_language
from wallet.schemas import AcceptedOut, OfferOut
from wallet.service import receiving

router = APIRouter(tags=["offers"])


class OfferLink(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: ``openid-credential-offer://…``, an https ``/receive?credential_offer_uri=…`` link,
    #: or the offer URI itself
    offer: str


class Acceptance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tx_code: str | None = None
    sphere: str | None = None
    tags: list[str] = []
    identity_id: str | None = None


@router.post("", status_code=201, response_model=OfferOut, response_model_exclude_unset=True)
def open_offer(
    body: OfferLink, request: Request, who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Fetch the offer and the issuer metadata; nothing is requested from the issuer yet."""
    return receiving.open_offer(session, who, res.fetcher, body.offer, choose_language(request))


@router.get("/{offer_id}", response_model=OfferOut, response_model_exclude_unset=True)
def get_offer(offer_id: str, who: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    return receiving.get_offer(session, who, offer_id)


@router.post(
    "/{offer_id}/accept",
    status_code=201,
    response_model=AcceptedOut,
    response_model_exclude_unset=True,
)
def accept_offer(
    offer_id: str, body: Acceptance, who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Run the OpenID4VCI exchange, verify what arrives, and store it (``failed`` lists the
    offered credentials that did not arrive, with the problem code and detail)."""
    accepted = receiving.accept_offer(
        session,
        who,
        res.fetcher,
        res.verify_context(),
        offer_id,
        tx_code=body.tx_code,
        sphere=body.sphere,
        tags=body.tags,
        identity_id=body.identity_id,
        max_bytes=res.settings.max_credential_bytes,
    )
    # the credentials that arrived are kept; those that failed are said, with why
    return {
        "credentials": [v.to_json() for v in accepted.stored],
        "failed": [f.to_json() for f in accepted.failed],
    }


@router.post("/{offer_id}/decline", status_code=204)
def decline_offer(offer_id: str, who: PrincipalDep, session: SessionDep) -> None:
    receiving.decline_offer(session, who, offer_id)
