"""Open Badges 3.0 data model (AchievementCredential / OpenBadgeCredential).

Implements: 1EdTech Open Badges 3.0 (context 3.0.3), field names read from
``ob_v3p0_achievementcredential_schema.json`` and ``context-3.0.3.json``.
https://www.imsglobal.org/spec/ob/v3p0/

Array-valued properties accept one item or a list on input (JSON-LD lets a
one-item array be compacted to the item); the builder always writes lists.
Text properties (``name``, ``description``, ``narrative``...) are plain strings:
see :mod:`shared.model.builder` for how Musette carries French and English.
``Image``, ``IdentityObject`` and ``IdentifierEntry`` forbid extra properties, as
the schema does (``additionalProperties: false``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from shared.errors import MalformedCredentialError
from shared.model.base import DateTimeStamp, OneOrMany, VcModel, as_list
from shared.model.credential import VC_V2_CONTEXT, _check_credential_shape, _validate
from shared.model.status import BitstringStatusListEntry

__all__ = [
    "OB3_CONTEXT",
    "OB3_EXTENSIONS_CONTEXT",
    "Achievement",
    "AchievementCredential",
    "AchievementSubject",
    "Address",
    "Alignment",
    "Criteria",
    "EndorsementCredential",
    "EndorsementSubject",
    "Evidence",
    "GeoCoordinates",
    "IdentifierEntry",
    "IdentityObject",
    "Image",
    "OpenBadgeCredential",
    "Profile",
    "Related",
    "Result",
    "ResultDescription",
    "ResultStatus",
    "RubricCriterionLevel",
    "parse_achievement_credential",
]

OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB3_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

# LanguageCode in the OB 3.0 schema (BCP 47 subset).
_LANGUAGE = re.compile(r"[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?")
# Extensible enumerations: a listed value or "ext:Name".
_EXT = re.compile(r"ext:[A-Za-z0-9.|_-]+")

ResultStatus = Literal[
    "Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"
]
_ACHIEVEMENT_TYPES = frozenset(
    {
        "Achievement",
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "Award",
        "Badge",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CommunityService",
        "Competency",
        "Course",
        "CoCurricular",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "Fieldwork",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "License",
        "Membership",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    }
)
_RESULT_TYPES = frozenset(
    {
        "GradePointAverage",
        "LetterGrade",
        "Percent",
        "PerformanceLevel",
        "PredictedScore",
        "RawScore",
        "Result",
        "RubricCriterion",
        "RubricCriterionLevel",
        "RubricScore",
        "ScaledScore",
        "Status",
    }
)
_ALIGNMENT_TARGET_TYPES = frozenset(
    {
        "ceasn:Competency",
        "ceterms:Credential",
        "CFItem",
        "CFRubric",
        "CFRubricCriterion",
        "CFRubricCriterionLevel",
        "CTDL",
    }
)


def _check_ext_enum(value: str | None, allowed: frozenset[str], what: str) -> str | None:
    if value is None or value in allowed or _EXT.fullmatch(value):
        return value
    raise ValueError(f"{what} {value!r} is not a known value and does not start with 'ext:'")


def _check_language(value: str | None) -> str | None:
    if value is None or _LANGUAGE.fullmatch(value):
        return value
    raise ValueError(f"inLanguage {value!r} is not a language code such as 'fr' or 'en-GB'")


class _Closed(VcModel):
    model_config = ConfigDict(extra="forbid")


class Image(_Closed):
    """An image: URL or data URI in ``id``."""

    id: str
    type: Literal["Image"] = "Image"
    caption: str | None = None


class IdentifierEntry(_Closed):
    """Another identifier of a profile or achievement (``otherIdentifier``)."""

    type: Literal["IdentifierEntry"] = "IdentifierEntry"
    identifier: str
    identifier_type: str


class IdentityObject(_Closed):
    """An identifier of the recipient, plain or salted-hashed (``identifier``)."""

    type: Literal["IdentityObject"] = "IdentityObject"
    hashed: bool
    identity_hash: str
    identity_type: str
    salt: str | None = None


class GeoCoordinates(VcModel):
    """Latitude and longitude of an address."""

    type: OneOrMany[str] = Field(default_factory=lambda: ["GeoCoordinates"])
    latitude: int | float
    longitude: int | float


class Address(VcModel):
    """A postal address."""

    type: OneOrMany[str] = Field(default_factory=lambda: ["Address"])
    address_country: str | None = None
    address_country_code: str | None = None
    address_region: str | None = None
    address_locality: str | None = None
    street_address: str | None = None
    post_office_box_number: str | None = None
    postal_code: str | None = None
    geo: GeoCoordinates | None = None


class Profile(VcModel):
    """An issuer, creator or source: a person or an organization."""

    id: str
    type: OneOrMany[str] = Field(default_factory=lambda: ["Profile"])
    name: str | None = None
    url: str | None = None
    phone: str | None = None
    description: str | None = None
    endorsement: OneOrMany[EndorsementCredential] | None = None
    endorsement_jwt: OneOrMany[str] | None = None
    image: Image | None = None
    email: str | None = None
    address: Address | None = None
    other_identifier: OneOrMany[IdentifierEntry] | None = None
    official: str | None = None
    parent_org: Profile | None = None
    family_name: str | None = None
    given_name: str | None = None
    additional_name: str | None = None
    patronymic_name: str | None = None
    honorific_prefix: str | None = None
    honorific_suffix: str | None = None
    family_name_prefix: str | None = None
    date_of_birth: date | None = None


class Alignment(VcModel):
    """A link to a node of an external framework (ESCO skill, ROME competence...)."""

    type: OneOrMany[str] = Field(default_factory=lambda: ["Alignment"])
    target_code: str | None = None
    target_description: str | None = None
    target_name: str
    target_framework: str | None = None
    target_type: str | None = None
    target_url: str

    @field_validator("target_type")
    @classmethod
    def _target_type(cls, value: str | None) -> str | None:
        return _check_ext_enum(value, _ALIGNMENT_TARGET_TYPES, "targetType")


class Criteria(VcModel):
    """How the achievement is earned: a URL and/or a Markdown narrative."""

    id: str | None = None
    narrative: str | None = None


class Related(VcModel):
    """Another edition of the same achievement, typically in another language."""

    id: str
    type: OneOrMany[str] = Field(default_factory=lambda: ["Related"])
    in_language: str | None = None
    version: str | None = None

    @field_validator("in_language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return _check_language(value)


class RubricCriterionLevel(VcModel):
    """One level of a rubric criterion."""

    id: str
    type: OneOrMany[str] = Field(default_factory=lambda: ["RubricCriterionLevel"])
    alignment: OneOrMany[Alignment] | None = None
    description: str | None = None
    level: str | None = None
    name: str
    points: str | None = None


class ResultDescription(VcModel):
    """A kind of result the achievement can carry (hours, grade, status...)."""

    id: str
    type: OneOrMany[str] = Field(default_factory=lambda: ["ResultDescription"])
    alignment: OneOrMany[Alignment] | None = None
    allowed_value: list[str] | None = None
    name: str
    required_level: str | None = None
    required_value: str | None = None
    result_type: str
    rubric_criterion_level: OneOrMany[RubricCriterionLevel] | None = None
    value_max: str | None = None
    value_min: str | None = None

    @field_validator("result_type")
    @classmethod
    def _result_type(cls, value: str) -> str:
        _check_ext_enum(value, _RESULT_TYPES, "resultType")
        return value


class Result(VcModel):
    """A result of the recipient, linked to a ``ResultDescription`` by its id."""

    type: OneOrMany[str] = Field(default_factory=lambda: ["Result"])
    achieved_level: str | None = None
    alignment: OneOrMany[Alignment] | None = None
    result_description: str | None = None
    status: ResultStatus | None = None
    value: str | None = None


class Achievement(VcModel):
    """What was accomplished: name, description, criteria, alignments."""

    id: str
    type: OneOrMany[str] = Field(default_factory=lambda: ["Achievement"])
    alignment: OneOrMany[Alignment] | None = None
    achievement_type: str | None = None
    creator: Profile | None = None
    credits_available: int | float | None = None
    criteria: Criteria
    description: str
    endorsement: OneOrMany[EndorsementCredential] | None = None
    endorsement_jwt: OneOrMany[str] | None = None
    field_of_study: str | None = None
    human_code: str | None = None
    image: Image | None = None
    in_language: str | None = None
    name: str
    other_identifier: OneOrMany[IdentifierEntry] | None = None
    related: OneOrMany[Related] | None = None
    result_description: OneOrMany[ResultDescription] | None = None
    specialization: str | None = None
    tag: OneOrMany[str] | None = None
    version: str | None = None

    @field_validator("in_language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return _check_language(value)

    @field_validator("achievement_type")
    @classmethod
    def _achievement_type(cls, value: str | None) -> str | None:
        return _check_ext_enum(value, _ACHIEVEMENT_TYPES, "achievementType")


class AchievementSubject(VcModel):
    """The recipient and what they achieved.

    ``achievement`` is required in a credential; it may be left out here when the
    builder supplies it.
    """

    id: str | None = None
    type: OneOrMany[str] = Field(default_factory=lambda: ["AchievementSubject"])
    activity_end_date: DateTimeStamp | None = None
    activity_start_date: DateTimeStamp | None = None
    credits_earned: int | float | None = None
    achievement: Achievement | None = None
    identifier: OneOrMany[IdentityObject] | None = None
    image: Image | None = None
    license_number: str | None = None
    narrative: str | None = None
    result: OneOrMany[Result] | None = None
    role: str | None = None
    source: Profile | None = None
    term: str | None = None


class Evidence(VcModel):
    """Evidence of the achievement: a URL (or data URI) and/or a narrative."""

    id: str | None = None
    type: OneOrMany[str] = Field(default_factory=lambda: ["Evidence"])
    narrative: str | None = None
    name: str | None = None
    description: str | None = None
    genre: str | None = None
    audience: str | None = None


class EndorsementSubject(VcModel):
    """What an endorsement is about (an achievement, a profile, a credential)."""

    id: str
    type: OneOrMany[str] = Field(default_factory=lambda: ["EndorsementSubject"])
    endorsement_comment: str | None = None


def _ob3_context() -> list[str | dict[str, Any]]:
    return [VC_V2_CONTEXT, OB3_CONTEXT]


class _Ob3Credential(VcModel):
    context: list[str | dict[str, Any]] = Field(default_factory=_ob3_context, alias="@context")
    id: str
    name: str | None = None
    description: str | None = None
    awarded_date: DateTimeStamp | None = None
    issuer: Profile | str
    valid_from: DateTimeStamp
    valid_until: DateTimeStamp | None = None
    proof: OneOrMany[dict[str, Any]] | None = None
    credential_schema: OneOrMany[dict[str, Any]] | None = None
    credential_status: BitstringStatusListEntry | dict[str, Any] | None = None
    refresh_service: dict[str, Any] | None = None
    terms_of_use: OneOrMany[dict[str, Any]] | None = None
    evidence: OneOrMany[Evidence] | None = None

    @property
    def issuer_id(self) -> str:
        """The issuer's identifier."""
        return self.issuer if isinstance(self.issuer, str) else self.issuer.id


class AchievementCredential(_Ob3Credential):
    """An Open Badge: ``type`` includes ``OpenBadgeCredential`` (or its alias)."""

    type: OneOrMany[str] = Field(
        default_factory=lambda: ["VerifiableCredential", "OpenBadgeCredential"]
    )
    image: Image | None = None
    credential_subject: AchievementSubject
    endorsement: OneOrMany[EndorsementCredential] | None = None
    endorsement_jwt: OneOrMany[str] | None = None


OpenBadgeCredential = AchievementCredential
"""``OpenBadgeCredential`` and ``AchievementCredential`` are the same class in OB 3.0."""


class EndorsementCredential(_Ob3Credential):
    """A third party's endorsement of an achievement, profile or credential."""

    type: OneOrMany[str] = Field(
        default_factory=lambda: ["VerifiableCredential", "EndorsementCredential"]
    )
    name: str  # required for endorsements
    credential_subject: EndorsementSubject


for _model in (Profile, Achievement):
    _model.model_rebuild()


def parse_achievement_credential(doc: object) -> AchievementCredential:
    """Check an untrusted OB 3.0 credential's shape and return its model.

    Does the generic checks of :func:`shared.model.parse_credential`, then requires
    ``OpenBadgeCredential`` or ``AchievementCredential`` in ``type`` and a subject
    with an ``achievement``. For full conformance run
    :func:`shared.model.validate_ob3` as well.

    Raises:
        MalformedCredentialError: the first problem found, in plain words.
    """
    if not isinstance(doc, dict):
        raise MalformedCredentialError("credential must be a JSON object")
    _check_credential_shape(doc)
    types = as_list(doc.get("type"))
    if not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        raise MalformedCredentialError(
            'an Open Badge type must include "OpenBadgeCredential" or "AchievementCredential"'
        )
    subject = doc["credentialSubject"]
    if not isinstance(subject, dict) or "achievement" not in subject:
        raise MalformedCredentialError("credentialSubject must be one object with an achievement")
    return _validate(AchievementCredential, doc, "Open Badge credential")
