"""Request and response bodies of the verifier's JSON API (``extra="forbid"`` on input).

Response models allow extra members (``extra="allow"``): they document what every answer
carries without dropping what a later version adds; routes that return plain dicts declare
them with ``response_model_exclude_unset=True``, so the wire shape stays what the dict says
(no ``null`` for a member that was absent).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StrictStr, model_validator

from servicekit.schemas import DidDocumentOut, EmptyOut, OAuthErrorOut, Out
from shared.verify.report import CheckName, CheckStatus
from verifier.service.states import RequestState

__all__ = [
    "CheckName",
    "CheckOut",
    "CheckStatus",
    "DidDocumentOut",
    "EmptyOut",
    "ImportOut",
    "OAuthErrorOut",
    "PresentationRequestLinksOut",
    "PresentationRequestOut",
    "PresentationResultOut",
    "ReportOut",
    "RequestState",
    "TemplateOut",
    "TemplatesOut",
    "TrustEntryOut",
    "TrustListOut",
    "TrustOut",
    "VcApiErrorOut",
    "VcApiVerifyOut",
    "VerificationOptionsIn",
    "VerificationOut",
    "VerificationRequestIn",
    "inline_schema",
]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ POST /verifications, in


class VerificationOptionsIn(In):
    """What a presentation must be bound to (``POST /challenges`` hands out a challenge)."""

    challenge: StrictStr | None = None
    domain: StrictStr | None = None
    nonce: StrictStr | None = None
    audience: StrictStr | None = None


class VerificationRequestIn(In):
    """``POST /verifications`` as JSON: exactly one of ``credential``, ``presentation``,
    ``verifiableCredential`` (a JSON object or a token) or ``url`` (a share URL).

    A bare credential or presentation (a JSON object with ``@context`` or ``type``) is
    accepted too, without policy or options."""

    credential: dict[str, Any] | StrictStr | None = None
    presentation: dict[str, Any] | StrictStr | None = None
    verifiableCredential: dict[str, Any] | StrictStr | None = None
    url: StrictStr | None = None
    policy: dict[str, Any] | None = Field(
        default=None,
        description="require_trusted_issuer, accepted_formats, issuer_kinds, rating, "
        "volunteering (docs/verifier-policy)",
    )
    options: VerificationOptionsIn | None = None

    ITEMS: ClassVar[tuple[str, ...]] = ("credential", "presentation", "verifiableCredential", "url")

    @model_validator(mode="after")
    def _exactly_one(self) -> VerificationRequestIn:
        given = [name for name in self.ITEMS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of credential, presentation or url")
        return self

    @property
    def item_name(self) -> str:
        """The one member given."""
        return next(name for name in self.ITEMS if getattr(self, name) is not None)


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema with its ``$defs`` written in place: for a request body
    declared by hand in ``openapi_extra`` (no components entry to point at; no recursion)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(value: Any) -> Any:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {key: inline(item) for key, item in value.items()}
        if isinstance(value, list):
            return [inline(item) for item in value]
        return value

    result: dict[str, Any] = inline(schema)
    return result


# ------------------------------------------------------------------ the verification report


class CheckOut(Out):
    """One named check with a reason a person can read."""

    name: CheckName
    status: CheckStatus
    reason: str
    details: dict[str, Any] | None = None


class TrustEntryOut(Out):
    """One trusted issuer of the registry."""

    id: str
    kind: str
    value: str
    name: str
    url: str | None
    source: str | None
    issuer_kind: str | None


class TrustOut(Out):
    """What the trust registry says about a credential's issuer."""

    issuer: str | None = None
    trusted: bool
    registry_name: str | None = None
    registry_entry: TrustEntryOut | None = None
    self_asserted_name: str | None = None


class ReportOut(Out):
    """The report on one credential or presentation: ``verified`` when no check failed and
    the proof check passed; ``credentials`` for a presentation's credentials."""

    verified: bool
    format: str
    checks: list[CheckOut]
    usable: bool | None = Field(
        default=None, description="false when the input could not even be read"
    )
    issuer: str | None = None
    subject: str | None = None
    self_declared: bool | None = None
    credential: dict[str, Any] | None = None
    credentials: list[ReportOut] | None = None
    trust: TrustOut | list[TrustOut] | None = None
    attestation: dict[str, Any] | None = None


class RecipientOut(Out):
    name: bool | None = Field(
        description="the name given matches the badge's recipient; null: nothing to check"
    )


class VerificationOut(ReportOut):
    """``POST /verifications`` and ``GET /verifications/{id}``: the report, the policy
    applied, and where a stored result can be read again."""

    policy: dict[str, Any] | None = None
    recipient: RecipientOut | None = None
    id: str | None = None
    result_url: str | None = None
    created_at: str | None = None
    expires_at: str | None = None


# ------------------------------------------------------------------ VC-API verify


class VcApiErrorOut(Out):
    name: CheckName
    message: str


class VcApiVerifyOut(Out):
    """VC-API ``VerificationResult`` (VCALM §"Verifying"): 200 when verified, 400 when not,
    same shape; ``report`` is this verifier's full report."""

    verified: bool
    checks: list[CheckName]
    warnings: list[Any]
    errors: list[VcApiErrorOut]
    report: ReportOut


# ------------------------------------------------------------------ trust registry


class TrustListOut(Out):
    issuers: list[TrustEntryOut]


class ImportOut(Out):
    added: int
    skipped: int


# ------------------------------------------------------------------ OpenID4VP


class TemplateOut(Out):
    name: str
    title: dict[str, str]
    dcql_query: dict[str, Any]
    policy: dict[str, Any]
    parameters: list[str]


class TemplatesOut(Out):
    templates: list[TemplateOut]


class PresentationRequestLinksOut(Out):
    """A new request: what to hand the wallet (link, QR code) and where to read the result."""

    id: str
    request_uri: str
    request_object_uri: str | None
    response_uri: str
    client_id: str
    result_url: str
    qr_url: str | None
    page_url: str
    expires_at: str
    wallet_link: str | None


class PresentationResultOut(Out):
    verified: bool
    problems: list[str] = Field(default_factory=list)
    presentations: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None
    error_description: str | None = None


class PresentationRequestOut(Out):
    id: str
    template: str
    response_mode: str
    status: RequestState
    verified: bool | None
    created_at: str
    expires_at: str
    result: PresentationResultOut | None = None
