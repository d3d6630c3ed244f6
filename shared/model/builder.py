"""Build the unsigned Open Badges 3.0 credentials Musette issues.

Implements: 1EdTech Open Badges 3.0 (context 3.0.3) on W3C VCDM 2.0.

Languages (French and English)
------------------------------
OB 3.0 text fields (``name``, ``description``, ``narrative``...) are plain strings.
The OB JSON Schema tolerates language maps (``{"fr": ..., "en": ...}``), but the
OB 3.0.3 JSON-LD context declares no ``@container: @language`` for them, so a
JSON-LD processor would read such a map as a node with properties ``fr`` and
``en``, and VCDM 2.0 language value objects (``{"@value", "@language"}``) fail the
schema. Musette therefore issues **one language per credential**:

* every text field is written in that language, and ``achievement.inLanguage``
  names it (``"fr"`` or ``"en"``, a BCP 47 code as the schema requires);
* the other language's edition of the same achievement is linked through
  ``achievement.related`` with its own ``inLanguage``: OB 3.0 defines ``Related``
  as "primarily intended to identify alternate language editions" of an
  achievement. Build it with :func:`alternate_language`.

Volunteering
------------
``achievementType`` ``CommunityService``; the subject carries ``role``,
``activityStartDate``/``activityEndDate`` (the schema types them as date-times,
although the context says ``xsd:date``: write date-times), ``narrative``, and a
``result`` of hours linked to a ``ResultDescription`` whose ``resultType`` is
``ext:VolunteerHours`` (see :func:`hours_result`). Skills align to ESCO or ROME
with :func:`skill_alignment`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Literal

from shared.errors import InvalidInputError
from shared.model.base import format_datetime
from shared.model.credential import VC_V2_CONTEXT
from shared.model.ob3 import (
    OB3_CONTEXT,
    OB3_EXTENSIONS_CONTEXT,
    Achievement,
    AchievementSubject,
    Alignment,
    EndorsementSubject,
    Evidence,
    Image,
    Profile,
    Related,
    Result,
    ResultDescription,
)
from shared.model.schema import ACHIEVEMENT_CREDENTIAL_SCHEMA_ID, validate_ob3
from shared.model.status import BitstringStatusListEntry

__all__ = [
    "ESCO_FRAMEWORK",
    "OB3_CREDENTIAL_CONTEXT",
    "ROME_FRAMEWORK",
    "VOLUNTEER_HOURS_RESULT_TYPE",
    "alternate_language",
    "build_achievement_credential",
    "build_endorsement_credential",
    "hours_result",
    "hours_result_description",
    "skill_alignment",
]

OB3_CREDENTIAL_CONTEXT: Final = (VC_V2_CONTEXT, OB3_CONTEXT)
ESCO_FRAMEWORK: Final = "ESCO"
ROME_FRAMEWORK: Final = "ROME"
VOLUNTEER_HOURS_RESULT_TYPE: Final = "ext:VolunteerHours"
_SCHEMA_TYPE: Final = "1EdTechJsonSchemaValidator2019"


def _stamp(value: datetime, what: str) -> str:
    try:
        return format_datetime(value)
    except ValueError as err:
        raise InvalidInputError(f"{what} must be a timezone-aware datetime") from err


def alternate_language(
    achievement_id: str, language: str, *, version: str | None = None
) -> Related:
    """Link to the edition of an achievement in another language (``achievement.related``)."""
    try:
        return Related(id=achievement_id, in_language=language, version=version)
    except ValueError as err:
        raise InvalidInputError(str(err)) from err


def skill_alignment(
    target_url: str,
    target_name: str,
    *,
    framework: Literal["ESCO", "ROME"] | str = ESCO_FRAMEWORK,
    target_code: str | None = None,
    target_description: str | None = None,
) -> Alignment:
    """Align an achievement to a skill of an external framework (ESCO, ROME...).

    ``targetType`` is ``ceasn:Competency``, the OB vocabulary's value for a
    competency in a competency framework.
    """
    return Alignment(
        target_url=target_url,
        target_name=target_name,
        target_framework=framework,
        target_code=target_code,
        target_description=target_description,
        target_type="ceasn:Competency",
    )


def hours_result_description(description_id: str, name: str) -> ResultDescription:
    """Describe a result counting volunteer hours (put it in ``achievement.resultDescription``)."""
    return ResultDescription(
        id=description_id, name=name, result_type=VOLUNTEER_HOURS_RESULT_TYPE, value_min="0"
    )


def hours_result(hours: Decimal | int | float, description_id: str) -> Result:
    """Return a ``Result`` carrying a number of hours, linked to its description."""
    amount = Decimal(str(hours))
    if not amount.is_finite() or amount < 0:
        raise InvalidInputError(f"hours must be a finite number >= 0, got {hours!r}")
    text = format(amount.normalize(), "f") if amount else "0"
    return Result(result_description=description_id, value=text)


def _credential_core(
    *,
    credential_type: str,
    issuer: Profile | str,
    credential_id: str,
    valid_from: datetime,
    valid_until: datetime | None,
    name: str,
    description: str | None,
    awarded_date: datetime | None,
    status: BitstringStatusListEntry | None,
    evidence: Sequence[Evidence],
    include_schema: bool,
) -> dict[str, Any]:
    if not credential_id:
        raise InvalidInputError("credential_id is required")
    if not name:
        raise InvalidInputError("name is required")
    start = _stamp(valid_from, "valid_from")
    doc: dict[str, Any] = {
        "@context": list(OB3_CREDENTIAL_CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", credential_type],
        "name": name,
    }
    if description:
        doc["description"] = description
    doc["issuer"] = issuer if isinstance(issuer, str) else issuer.to_json()
    doc["validFrom"] = start
    if valid_until is not None:
        doc["validUntil"] = _stamp(valid_until, "valid_until")
        if valid_until <= valid_from:
            raise InvalidInputError("valid_until must be later than valid_from")
    if awarded_date is not None:
        doc["awardedDate"] = _stamp(awarded_date, "awarded_date")
    if evidence:
        doc["evidence"] = [item.to_json() for item in evidence]
    if status is not None:
        doc["credentialStatus"] = status.to_json()
    if include_schema:
        # The term 1EdTechJsonSchemaValidator2019 is defined only in OB's extensions context;
        # without it a JSON-LD processor drops or relativizes the type (data loss under
        # Data Integrity §"Securing Data Losslessly"), as OB 3.0's own examples show.
        doc["@context"] = [*doc["@context"], OB3_EXTENSIONS_CONTEXT]
        doc["credentialSchema"] = [{"id": ACHIEVEMENT_CREDENTIAL_SCHEMA_ID, "type": _SCHEMA_TYPE}]
    return doc


def _checked(doc: dict[str, Any]) -> dict[str, Any]:
    problems = validate_ob3(doc)
    if problems:
        raise InvalidInputError(
            "the credential would not be a valid Open Badge: " + "; ".join(problems),
            problems=problems,
        )
    return doc


def build_achievement_credential(
    issuer: Profile | str,
    achievement: Achievement,
    subject: AchievementSubject,
    *,
    credential_id: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    name: str,
    description: str | None = None,
    awarded_date: datetime | None = None,
    status: BitstringStatusListEntry | None = None,
    evidence: Sequence[Evidence] = (),
    image: Image | None = None,
    include_schema: bool = True,
) -> dict[str, Any]:
    """Build an unsigned OB 3.0 ``OpenBadgeCredential`` as a JSON document.

    ``subject.achievement`` is set to ``achievement`` (leave it ``None`` in the
    subject, or pass the same value). Datetimes must be timezone-aware and are
    written in UTC (``2024-05-01T09:30:00Z``). ``None`` fields are left out. With
    ``include_schema`` the credential names the OB 3.0 JSON Schema in
    ``credentialSchema``, as OB 3.0 recommends.

    The result is validated with :func:`shared.model.validate_ob3` before it is
    returned, so a returned document is always schema-valid.

    Raises:
        InvalidInputError: inconsistent input, naive datetimes, or a document
            that would not validate (``problems`` extension lists why).
    """
    if subject.achievement is not None and subject.achievement != achievement:
        raise InvalidInputError("subject.achievement differs from the achievement argument")
    doc = _credential_core(
        credential_type="OpenBadgeCredential",
        issuer=issuer,
        credential_id=credential_id,
        valid_from=valid_from,
        valid_until=valid_until,
        name=name,
        description=description,
        awarded_date=awarded_date,
        status=status,
        evidence=evidence,
        include_schema=include_schema,
    )
    if image is not None:
        doc["image"] = image.to_json()
    doc["credentialSubject"] = subject.model_copy(update={"achievement": achievement}).to_json()
    return _checked(doc)


def build_endorsement_credential(
    issuer: Profile | str,
    subject: EndorsementSubject,
    *,
    credential_id: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    name: str,
    description: str | None = None,
    status: BitstringStatusListEntry | None = None,
    evidence: Sequence[Evidence] = (),
) -> dict[str, Any]:
    """Build an unsigned OB 3.0 ``EndorsementCredential`` as a JSON document.

    Raises:
        InvalidInputError: as :func:`build_achievement_credential`.
    """
    doc = _credential_core(
        credential_type="EndorsementCredential",
        issuer=issuer,
        credential_id=credential_id,
        valid_from=valid_from,
        valid_until=valid_until,
        name=name,
        description=description,
        awarded_date=None,
        status=status,
        evidence=evidence,
        include_schema=False,
    )
    doc["credentialSubject"] = subject.to_json()
    return _checked(doc)
