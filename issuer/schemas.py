"""Request and response bodies of the admin API (``extra="forbid"`` on input)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from servicekit.schemas import Out, media_response

Format = Literal["ldp_vc", "jwt_vc_json", "dc+sd-jwt"]
FORMATS: tuple[Format, ...] = ("ldp_vc", "jwt_vc_json", "dc+sd-jwt")
Lang = Literal["fr", "en"]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Localized(In):
    """A text in French and/or English (at least one)."""

    fr: str | None = Field(default=None, max_length=5000)
    en: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def _one(self) -> Localized:
        if not (self.fr or self.en):
            raise ValueError("give the text in French (fr), English (en) or both")
        return self

    def get(self, lang: str) -> str:
        value = self.fr if lang == "fr" else self.en
        return value or self.en or self.fr or ""


class AlignmentIn(In):
    target_url: str = Field(max_length=2000)
    target_name: str = Field(max_length=500)
    framework: str = "ESCO"
    target_code: str | None = None
    target_description: str | None = None


class ResultDescriptionIn(In):
    id: str = Field(pattern=r"^[a-z0-9-]{1,32}$")
    name: Localized
    result_type: str = "ext:VolunteerHours"
    value_min: str | None = "0"
    value_max: str | None = None


class AchievementIn(In):
    id: str = Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
    name: Localized
    description: Localized
    criteria: Localized
    achievement_type: str = "Badge"
    image_url: str | None = Field(default=None, max_length=2000)
    alignments: list[AlignmentIn] = Field(default_factory=list, max_length=50)
    result_descriptions: list[ResultDescriptionIn] = Field(default_factory=list, max_length=20)
    tags: list[str] = Field(default_factory=list, max_length=20)


class AchievementPatch(In):
    name: Localized | None = None
    description: Localized | None = None
    criteria: Localized | None = None
    achievement_type: str | None = None
    image_url: str | None = None
    alignments: list[AlignmentIn] | None = None
    result_descriptions: list[ResultDescriptionIn] | None = None
    tags: list[str] | None = None


class EvidenceIn(In):
    id: str | None = None
    name: str | None = None
    narrative: str | None = None
    description: str | None = None


CecRole = Literal["board", "supervision", "other"]


class SubjectIn(In):
    """What the credential says about this person's activity."""

    role: str | None = Field(default=None, max_length=500)
    #: the volunteer's role as the CEC sees it (shared.model.cec.ROLES); written as its label
    #: in ``role``, and then needs the hours and a period within one civil year
    cec_role: CecRole | None = None
    activity_start_date: datetime | None = None
    activity_end_date: datetime | None = None
    #: results by result description id, e.g. {"hours": "42"}
    results: dict[str, Decimal] = Field(default_factory=dict)
    narrative: str | None = Field(default=None, max_length=10000)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=20)


class AssociationProfileIn(In):
    """An association's facts for the CEC (docs/decisions/cec-rules.md); absent fields are left as
    they are, an empty string clears one."""

    rna: str | None = Field(default=None, max_length=20)
    siren: str | None = Field(default=None, max_length=30)
    declared_on: date | Literal[""] | None = None
    field: str | None = Field(default=None, max_length=40)
    valideur_name: str | None = Field(default=None, max_length=200)
    valideur_email: str | None = Field(default=None, max_length=200)


class RecipientIn(In):
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    #: put the name in clear in ldp_vc and jwt_vc_json (default: salted hash,
    #: docs/decisions/reveal-less.md)
    name_in_clear: bool = False


class OfferIn(In):
    achievement: str
    recipient: RecipientIn
    subject: SubjectIn = Field(default_factory=SubjectIn)
    formats: list[Format] = Field(default_factory=lambda: list(FORMATS), min_length=1)
    tx_code: bool = False
    language: Lang = "fr"
    #: carry a suspension entry (can be suspended and reinstated) instead of a revocation one
    suspendable: bool = False


class BatchOptionsIn(In):
    """What applies to every row of a CSV batch (the rows say who and what)."""

    formats: list[Format] = Field(default_factory=lambda: list(FORMATS[:1]), min_length=1)
    tx_code: bool = False
    suspendable: bool = False
    #: every row's name in clear in ldp_vc / jwt_vc_json (default: salted hash)
    name_in_clear: bool = False
    #: language of the badges and emails; the request's language when absent
    language: Lang | None = None
    #: how long each offer can be collected: emailed offers need days, not minutes
    lifetime_hours: int = Field(default=7 * 24, ge=1, le=14 * 24)
    #: write an outbox email for every row that has an address
    send_emails: bool = True


class BatchIn(BatchOptionsIn):
    """A CSV batch as JSON: the file's text in ``csv``."""

    csv: str = Field(min_length=1, max_length=600_000)


class DirectIssueIn(In):
    achievement: str
    recipient: RecipientIn
    subject: SubjectIn = Field(default_factory=SubjectIn)
    format: Format = "ldp_vc"
    #: the holder's DID (credentialSubject.id), when known
    subject_id: str | None = None
    language: Lang = "fr"
    suspendable: bool = False


class StatusChangeIn(In):
    action: Literal["revoke", "suspend", "unsuspend"]
    reason: str = Field(min_length=1, max_length=2000)


class LoginIn(In):
    email: str
    password: str


class ApiKeyIn(In):
    name: str = Field(min_length=1, max_length=200)


class VcApiIssueIn(BaseModel):
    """VC-API ``IssueCredentialRequest`` (extra members of options are ignored)."""

    model_config = ConfigDict(extra="forbid")
    credential: dict[str, Any]
    options: dict[str, Any] = Field(default_factory=dict)


class VcApiStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credentialId: str
    credentialStatus: list[dict[str, Any]]


# --------------------------------------------------------------------------- responses
#
# Response models allow extra members: they document what every answer carries without
# dropping what a later version adds. Routes that return dicts validate through them;
# protocol routes return a JSONResponse, so their model documents the wire shape only
# (field names as the specs spell them, no validation pass on the way out).


CSV_RESPONSE = media_response("A CSV file", "text/csv")


class LoginOut(Out):
    csrf_token: str
    org: str | None
    email: str


class AssociationProfileOut(Out):
    rna: str | None
    siren: str | None
    declared_on: str | None
    field: str | None
    valideur_name: str | None
    valideur_email: str | None


class OrgKeyOut(Out):
    id: str
    type: str
    active: bool
    created_at: str
    retired_at: str | None


class OrgOut(Out):
    slug: str
    kind: str
    name: str
    did: str
    credential_issuer: str
    association: AssociationProfileOut
    keys: list[OrgKeyOut]


class NewApiKeyOut(Out):
    key_id: str
    name: str
    api_key: str = Field(description="the secret, shown this once")


class ApiKeyOut(Out):
    key_id: str
    name: str
    created_by: str | None
    created_at: str
    revoked_at: str | None


class AchievementOut(Out):
    """An achievement as the admin API shows it: its id and URL, and what was given."""

    id: str
    url: str
    achievement_type: str
    image_url: str | None
    archived: bool
    name: dict[str, str | None]
    description: dict[str, str | None]
    criteria: dict[str, str | None]
    alignments: list[dict[str, Any]] = Field(default_factory=list)
    result_descriptions: list[dict[str, Any]] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class NewOfferOut(Out):
    offer_id: str
    offer_uri: str
    credential_offer_uri: str
    wallet_link: str | None
    qr_png: str
    qr_svg: str
    credential_configuration_ids: list[str]
    expires_at: str
    tx_code: str | None = Field(default=None, description="the PIN to give the person apart")


class StatusEventOut(Out):
    action: str
    reason: str | None
    actor: str | None
    at: str


class IssuedCredentialOut(Out):
    id: str
    format: str = Field(description="ldp_vc, jwt_vc_json, dc+sd-jwt, or vc+jwt (VC-API)")
    configuration_id: str | None
    subject_id: str | None
    recipient_name: str | None
    status_list_index: int | None
    status_list: int | None
    revoked: bool
    suspended: bool
    issued_at: str
    issued_by: str | None
    credential: dict[str, Any] | str | None = Field(
        default=None, description="the signed credential (direct issuance)"
    )
    history: list[StatusEventOut] | None = None


class BatchProblemOut(Out):
    line: int | None
    column: str | None
    code: str
    message: str


class BatchPreviewOut(Out):
    valid: bool
    rows: list[dict[str, Any]] = Field(description="each row's line and offer")
    errors: list[BatchProblemOut]
    error_count: int
    columns: list[str]
    delimiter: str
    encoding: str


class BatchOfferOut(Out):
    line: int | None
    name: str
    email: str | None
    offer_id: str
    offer_uri: str
    credential_offer_uri: str
    wallet_link: str | None
    qr_png: str
    expires_at: str
    tx_code: str | None = None
    email_written: bool | None = None


class NewBatchOut(Out):
    batch_id: str
    count: int
    results: str
    results_csv: str
    offers: list[BatchOfferOut]


class BatchOut(Out):
    batch_id: str
    count: int
    created_at: str
    created_by: str | None
    offers: list[BatchOfferOut]


# ---- OpenID4VCI 1.0 and RFC 8414 (documented, sent as built: JSONResponse)


class DisplayOut(Out):
    name: str
    locale: str


class CredentialIssuerMetadataOut(Out):
    """OpenID4VCI 1.0 §12.2.4."""

    credential_issuer: str
    credential_endpoint: str
    nonce_endpoint: str
    display: list[DisplayOut]
    credential_configurations_supported: dict[str, dict[str, Any]]


class AuthorizationServerMetadataOut(Out):
    """RFC 8414 §2 (pre-authorized code only)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, serialize_by_alias=True)

    issuer: str
    token_endpoint: str
    response_types_supported: list[str]
    grant_types_supported: list[str]
    pre_authorized_grant_anonymous_access_supported: bool = Field(
        alias="pre-authorized_grant_anonymous_access_supported"
    )
    token_endpoint_auth_methods_supported: list[str]


class CredentialOfferOut(Out):
    """OpenID4VCI 1.0 §4.1.1."""

    credential_issuer: str
    credential_configuration_ids: list[str]
    grants: dict[str, dict[str, Any]]


class TokenOut(Out):
    """OpenID4VCI 1.0 §6.2 (RFC 6749 §5.1)."""

    access_token: str
    token_type: str
    expires_in: int


class NonceOut(Out):
    """OpenID4VCI 1.0 §7.2."""

    c_nonce: str


class IssuedOut(Out):
    credential: dict[str, Any] | str


class CredentialResponseOut(Out):
    """OpenID4VCI 1.0 §8.3."""

    credentials: list[IssuedOut]


class AchievementDocumentOut(Out):
    """An OB 3.0 Achievement (§B.1.1), as credentials point at it."""

    id: str
    type: list[str] | str


class StatusListCredentialOut(Out):
    """A Bitstring Status List credential (Bitstring Status List v1.0 §2.2), signed."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, serialize_by_alias=True)

    context: list[Any] = Field(alias="@context")
    type: list[str]
    credentialSubject: dict[str, Any]


# ---- VC-API


class VcApiIssueOut(Out):
    """VC-API ``IssueCredentialResponse``: the signed credential, or its token."""

    verifiableCredential: dict[str, Any] | str
