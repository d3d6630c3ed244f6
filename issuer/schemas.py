"""Request and response bodies of the admin API (``extra="forbid"`` on input)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
