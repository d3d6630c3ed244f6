"""Request templates: what a recruiter can ask for, as DCQL queries with expanded type IRIs.

Every template asks for one Open Badges 3.0 credential in any of the three formats (one
credential query per format, alternatives in one credential set). W3C formats use the
expanded type IRI (OpenID4VP 1.0 B.1.1); SD-JWT VC uses the OB 3.0 ``vct``. In SD-JWT VC the
achievement is a top-level claim (shared.proofs.sd_jwt_vc), so its paths differ.

DCQL matches values exactly; "a rating of at least 4.5" is a verifier-side ``minimum``
checked on the verified claims after the DCQL check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.protocols.dcql import ClaimPath, select_claims
from verifier.service.verifying import Policy

OB_TYPE_IRI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
ENDORSEMENT_TYPE_IRI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#EndorsementCredential"
OB3_VCT = "https://purl.imsglobal.org/spec/ob/v3p0#OpenBadgeCredential"
QUERY_IDS = {"ldp_vc": "badge_ldp", "jwt_vc_json": "badge_jwt", "dc+sd-jwt": "badge_sd_jwt"}
#: Musette's achievementType for a work experience (OB 3.0 has none; extensions use ext:)
WORK_EXPERIENCE_TYPES = ["ext:WorkExperience", "ApprenticeshipCertificate", "Fieldwork"]


@dataclass(frozen=True)
class Minimum:
    """A verified claim (any value selected by the path) must be a number >= ``value``."""

    w3c_path: ClaimPath
    sd_jwt_path: ClaimPath
    value: Decimal

    def check(self, fmt: str, claims: Any) -> str | None:
        path = self.sd_jwt_path if fmt == "dc+sd-jwt" else self.w3c_path
        found = select_claims(claims, path)
        numbers = []
        for item in found:
            try:
                numbers.append(Decimal(str(item)))
            except InvalidOperation:
                continue
        if any(n >= self.value for n in numbers):
            return None
        shown = ", ".join(str(n) for n in numbers) or "none"
        return f"{list(path)} must be at least {self.value} (found: {shown})"


@dataclass(frozen=True)
class Template:
    name: str
    title_fr: str
    title_en: str
    dcql: dict[str, Any]
    policy: Policy = field(default_factory=Policy)
    minimums: tuple[Minimum, ...] = ()


def _query(w3c_claims: list[dict[str, Any]], sd_claims: list[dict[str, Any]]) -> dict[str, Any]:
    credentials: list[dict[str, Any]] = []
    for fmt in ("ldp_vc", "jwt_vc_json"):
        credentials.append(
            {
                "id": QUERY_IDS[fmt],
                "format": fmt,
                "meta": {"type_values": [[OB_TYPE_IRI]]},
                "claims": w3c_claims,
            }
        )
    credentials.append(
        {
            "id": QUERY_IDS["dc+sd-jwt"],
            "format": "dc+sd-jwt",
            "meta": {"vct_values": [OB3_VCT]},
            "claims": sd_claims,
        }
    )
    return {
        "credentials": credentials,
        "credential_sets": [{"options": [[q["id"]] for q in credentials], "required": True}],
    }


def _achievement(
    *rest: Any, values: list[Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    w3c: dict[str, Any] = {"path": ["credentialSubject", "achievement", *rest]}
    sd: dict[str, Any] = {"path": ["achievement", *rest]}
    if values is not None:
        w3c["values"] = values
        sd["values"] = values
    return w3c, sd


def _subject(*rest: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"path": ["credentialSubject", *rest]}, {"path": ["credentialSubject", *rest]}


def _build(*pairs: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    return _query([p[0] for p in pairs], [p[1] for p in pairs])


def _endorsement_query() -> dict[str, Any]:
    """Journey 3: an OB 3.0 EndorsementCredential signed by a colleague (W3C formats only)."""
    credentials = [
        {
            "id": f"endorsement_{fmt.split('_')[0]}",
            "format": fmt,
            "meta": {"type_values": [[ENDORSEMENT_TYPE_IRI]]},
            "claims": [{"path": ["credentialSubject", "endorsementComment"]}],
        }
        for fmt in ("ldp_vc", "jwt_vc_json")
    ]
    return {
        "credentials": credentials,
        "credential_sets": [{"options": [[q["id"]] for q in credentials], "required": True}],
    }


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "volunteering",
            "Bénévolat dans une association de confiance",
            "Volunteering from a trusted association",
            _build(
                _achievement("achievementType", values=["CommunityService"]),
                _achievement("name"),
            ),
            Policy(require_trusted_issuer=True),
        ),
        Template(
            "work-experience",
            "Expérience professionnelle",
            "Work experience",
            _build(
                _achievement("achievementType", values=list(WORK_EXPERIENCE_TYPES)),
                _achievement("name"),
            ),
        ),
        Template(
            "rating",
            "Note de plateforme d'au moins 4,5",
            "Platform rating of at least 4.5",
            _build(_achievement("name"), _subject("result", None, "value")),
            minimums=(
                Minimum(
                    ("credentialSubject", "result", None, "value"),
                    ("credentialSubject", "result", None, "value"),
                    Decimal("4.5"),
                ),
            ),
        ),
        Template(
            "any-badge",
            "N'importe quel badge Open Badges 3.0",
            "Any Open Badges 3.0 badge",
            _build(_achievement("name")),
        ),
        Template(
            "endorsement",
            "Recommandation d'un collègue",
            "A colleague's endorsement",
            _endorsement_query(),
        ),
    )
}


def get_template(name: str) -> Template:
    from shared.errors import InvalidInputError

    template = TEMPLATES.get(name)
    if template is None:
        raise InvalidInputError(f"unknown template {name!r}; choose one of {sorted(TEMPLATES)}")
    return template
