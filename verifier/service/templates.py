"""Request templates: what a recruiter can ask for, as DCQL queries with expanded type IRIs.

Every template asks for one Open Badges 3.0 credential in any of the three formats (one
credential query per format, alternatives in one credential set). W3C formats use the
expanded type IRI (OpenID4VP 1.0 B.1.1); SD-JWT VC uses the OB 3.0 ``vct``. In SD-JWT VC the
achievement is a top-level claim (shared.proofs.sd_jwt_vc), so its paths differ.

DCQL matches values exactly; "a rating of at least 4.5 out of 5" is the request's policy
(``Policy.rating``, verifier.service.rating), checked on the verified claims: only a result
described as ``ext:Rating``, on its own scale, from an issuer the registry lists as a platform.
The recruiter sets the threshold and scale (``parameters``); they are stored with the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from shared.errors import InvalidInputError
from verifier.service.rating import RatingRequirement
from verifier.service.verifying import Policy
from verifier.service.volunteering import VolunteeringRequirement

#: the policy members a recruiter's parameters set, each a requirement with from_json/to_json
PARAMETERISED = ("rating", "volunteering")
Requirement = RatingRequirement | VolunteeringRequirement

OB_TYPE_IRI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
ENDORSEMENT_TYPE_IRI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#EndorsementCredential"
OB3_VCT = "https://purl.imsglobal.org/spec/ob/v3p0#OpenBadgeCredential"
QUERY_IDS = {"ldp_vc": "badge_ldp", "jwt_vc_json": "badge_jwt", "dc+sd-jwt": "badge_sd_jwt"}
#: Musette's achievementType for a work experience (OB 3.0 has none; extensions use ext:)
WORK_EXPERIENCE_TYPES = ["ext:WorkExperience", "ApprenticeshipCertificate", "Fieldwork"]


@dataclass(frozen=True)
class Template:
    name: str
    title_fr: str
    title_en: str
    dcql: dict[str, Any]
    policy: Policy = field(default_factory=Policy)
    #: what a recruiter may set when asking (rating: ``minimum`` and ``scale``), members of
    #: the policy's requirement (one of PARAMETERISED, which must then be set)
    parameters: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.parameters and not any(getattr(self.policy, m) for m in PARAMETERISED):
            raise ValueError(f"template {self.name!r} has parameters but no requirement")

    def policy_with(self, parameters: Mapping[str, Any] | None) -> Policy:
        """This template's policy with the recruiter's parameters (validated).

        Raises:
            InvalidInputError: a parameter this template does not take, or a bad value.
        """
        if not parameters:
            return self.policy
        unknown = sorted(set(parameters) - set(self.parameters))
        if unknown:
            takes = ", ".join(self.parameters) or "none"
            raise InvalidInputError(
                f"the template {self.name!r} takes no parameter {unknown} (it takes: {takes})"
            )
        member = next(m for m in PARAMETERISED if getattr(self.policy, m) is not None)
        requirement: Requirement = getattr(self.policy, member)
        chosen = {
            **requirement.to_json(),
            **{k: v for k, v in parameters.items() if v is not None},
        }
        changed: dict[str, Any] = {member: type(requirement).from_json(chosen)}
        return replace(self.policy, **changed)


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


#: a rating may be any of the first results; DCQL cannot select by resultDescription
RATING_POSITIONS = 3


def _rating_query() -> dict[str, Any]:
    """The badge's name and the value of one of its first results, as DCQL ``claim_sets``
    (OpenID4VP 1.0 §6.4.1): the wallet reveals the first that exists (our platforms put the
    rating first), so the number of ratings, a later result, stays undisclosed."""
    query = _build(
        _achievement("name"),
        *(_subject("result", n, "value") for n in range(RATING_POSITIONS)),
    )
    ids = ["name", *(f"result{n}" for n in range(RATING_POSITIONS))]
    for credential in query["credentials"]:
        for claim, claim_id in zip(credential["claims"], ids, strict=True):
            claim["id"] = claim_id
        credential["claim_sets"] = [["name", f"result{n}"] for n in range(RATING_POSITIONS)]
    return query


def _volunteer_hours_query() -> dict[str, Any]:
    """The badge's name, the role, the period and the results' values; the role is asked
    when it exists (DCQL ``claim_sets``, OpenID4VP 1.0 §6.4.1), so a badge without one can
    still be shown and refused in words rather than never offered. The hours are told apart
    from any other number by their result description (Policy.volunteering)."""
    query = _build(
        _achievement("name"),
        _subject("activityStartDate"),
        _subject("activityEndDate"),
        _subject("result", None, "value"),
        _subject("role"),
    )
    ids = ["name", "start", "end", "results", "role"]
    for credential in query["credentials"]:
        for claim, claim_id in zip(credential["claims"], ids, strict=True):
            claim["id"] = claim_id
        credential["claim_sets"] = [ids, ids[:4], ["name", "results"]]
    return query


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
            "volunteer-hours",
            "Bénévolat d'au moins N heures dans l'année, rôle éligible",
            "Volunteering of at least N hours in a year, eligible role",
            _volunteer_hours_query(),
            Policy(
                require_trusted_issuer=True,
                issuer_kinds=frozenset({"association"}),
                volunteering=VolunteeringRequirement(),
            ),
            parameters=("min_hours", "year", "eligible_role"),
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
            "Note minimale d'une plateforme de confiance",
            "Minimum rating from a trusted platform",
            _rating_query(),
            Policy(
                require_trusted_issuer=True,
                issuer_kinds=frozenset({"platform"}),
                rating=RatingRequirement(),
            ),
            parameters=("minimum", "scale"),
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
    template = TEMPLATES.get(name)
    if template is None:
        raise InvalidInputError(f"unknown template {name!r}; choose one of {sorted(TEMPLATES)}")
    return template
