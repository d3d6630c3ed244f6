"""Response bodies of the wallet's JSON API.

Response models allow extra members (``extra="allow"``): they document what every answer
carries without dropping what a later version adds. The routes return plain dicts and
declare these models with ``response_model_exclude_unset=True``: the answer is checked
against the model and its wire shape stays what the dict says (no ``null`` for a member
that was absent). Request bodies stay next to their routes (``extra="forbid"``).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from servicekit.schemas import Out
from wallet.service.states import EndorsementRequestState, ProfileState

__all__ = [
    "AcceptedOut",
    "AccountOut",
    "ApiTokenOut",
    "ArchiveImportOut",
    "CredentialListOut",
    "CredentialOut",
    "DeliveredOut",
    "EndorsedOut",
    "EndorsementRequestDocumentOut",
    "EndorsementRequestOut",
    "EndorsementRequestState",
    "ExperienceOut",
    "FailedOfferOut",
    "HistoryOut",
    "IdentityOut",
    "NewApiTokenOut",
    "OfferOut",
    "OpenedEndorsementRequestOut",
    "PresentationAnswerOut",
    "PresentationPreviewOut",
    "PresentationRequestOut",
    "ProfileOut",
    "ProfileState",
    "RightsOut",
    "SessionOut",
    "ShareOut",
    "SpheresOut",
]


# --------------------------------------------------------------------------- accounts


class IdentityOut(Out):
    """A holder identity: a DID and its key, kept in the wallet."""

    id: str
    did: str
    method: str
    key_type: str
    label: str | None
    default: bool
    pairwise: bool = Field(description="used with one verifier only")
    created_at: str


class AccountOut(Out):
    id: str
    email: str
    identity: IdentityOut | None = None
    csrf_token: str | None = None
    #: shown once, at sign-up and recovery: the only way back in without the password
    recovery_code: str | None = None


class RecoveryKitOut(Out):
    recovery_code: str = Field(
        description="shown once; the previous code no longer opens the account"
    )


class SessionOut(Out):
    id: str
    email: str
    csrf_token: str | None = Field(description="send it as X-CSRF-Token on unsafe requests")


class NewApiTokenOut(Out):
    id: str
    name: str
    token: str = Field(description="the secret, shown this once")


class ApiTokenOut(Out):
    id: str
    name: str
    created_at: str


# --------------------------------------------------------------------------- credentials


class CredentialOut(Out):
    """A stored credential: what the wallet read from it when it was verified, and the
    credential itself (``credential``) when one is asked for."""

    id: str
    format: str
    dcql_format: str
    created_at: str
    title: str | None = None
    description: str | None = None
    issuer: str | None = None
    issuer_name: str | None = None
    subject: str | None = None
    types: list[str] | None = None
    sphere: str | None = None
    tags: list[str] | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    verified_at: str | None = None
    credential: dict[str, Any] | str | None = None


class CredentialListOut(Out):
    credentials: list[CredentialOut]


class SpheresOut(Out):
    spheres: list[str]
    counts: dict[str, int]


class HistoryOut(Out):
    entries: list[dict[str, Any]] = Field(description="newest first: id, kind, at, details")


class ArchiveImportOut(Out):
    imported: list[str] = Field(description="the ids of the credentials imported")
    refused: list[dict[str, Any]]
    history: int
    identities: int
    encrypted: bool


class ShareOut(Out):
    id: str
    credential_id: str
    created_at: str
    url: str | None = Field(default=None, description="the public link, shown once")
    raw_url: str | None = None


# --------------------------------------------------------------------------- OpenID4VCI


class OfferedCredentialOut(Out):
    configuration_id: str
    format: str | None
    name: str
    description: str | None
    claims: list[dict[str, Any]]


class OfferOut(Out):
    """A credential offer, read and not yet accepted (the preview kept with the pending
    offer; members absent from a stored one are left out)."""

    id: str
    credential_issuer: str | None = None
    issuer_name: str | None = None
    trusted: bool | None = None
    credentials: list[OfferedCredentialOut] = Field(default_factory=list)
    tx_code: dict[str, Any] | None = None
    grant: str | None = None


class FailedOfferOut(Out):
    configuration_id: str
    name: str
    code: str
    detail: str


class AcceptedOut(Out):
    credentials: list[CredentialOut]
    failed: list[FailedOfferOut]


# --------------------------------------------------------------------------- OpenID4VP


class PresentationRequestOut(Out):
    """A verifier's request, resolved: who asks, and the matching credentials."""

    id: str
    verifier: dict[str, Any]
    satisfied: bool
    queries: list[dict[str, Any]]
    sets: list[dict[str, Any]] | None = None
    selected_query_ids: list[str] | None = None


class PresentationPreviewOut(Out):
    id: str
    verifier: dict[str, Any]
    answers: list[dict[str, Any]]


class PresentationAnswerOut(Out):
    status: int = Field(description="the verifier's HTTP status")
    response: dict[str, Any] | list[Any] | str | int | float | bool | None
    history_id: str


# --------------------------------------------------------------------------- endorsements


class EndorsementRequestOut(Out):
    id: str
    experience_id: str
    state: EndorsementRequestState
    created_at: str
    expires_at: str
    used_at: str | None
    credential_id: str | None
    url: str | None = Field(default=None, description="the single-use link, shown once")


class ExperienceOut(Out):
    id: str
    created_at: str
    title: str
    organisation: str | None
    start_date: str | None
    end_date: str | None
    description: str | None
    holder_did: str | None
    kind: str | None
    skills: list[str] | None
    credential_id: str | None
    requests: list[EndorsementRequestOut]
    endorsements: list[dict[str, Any]]


class OpenedEndorsementRequestOut(Out):
    experience: dict[str, Any]
    expires_at: str


class EndorsedOut(Out):
    endorsement: dict[str, Any] | str
    evidence_url: str | None
    endorser: str
    delivered_to: str | None = None


class EndorsementRequestDocumentOut(Out):
    """The public request behind a link (no session): what to endorse, where to deliver."""

    type: str
    endorsementSubject: dict[str, Any]
    about: str
    summary: dict[str, Any]
    deliver_to: str
    accept: list[str]
    expires_at: str


class DeliveredOut(Out):
    status: str
    endorser: str | None
    about: str


# --------------------------------------------------------------------------- profiles, rights


class ProfileOut(Out):
    id: str
    title: str
    state: ProfileState
    url: str
    created_at: str
    expires_at: str
    revoked_at: str | None
    credentials: list[dict[str, Any]]


class RightsOut(Out):
    """The CEC rights estimate, as ``musette wallet rights --json`` prints it."""

    years: list[dict[str, Any]]
    total_eur: int | float
    cap_eur: int | float
    unplaced: list[dict[str, Any]]
    estimate: bool
