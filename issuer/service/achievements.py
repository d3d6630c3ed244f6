"""Achievements (OB 3.0 ``Achievement``), stored per organisation with fr and en text."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal, overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.db.models import Achievement as AchievementRow
from issuer.db.models import Organisation
from issuer.problems import ConflictError
from issuer.schemas import AchievementIn, AchievementPatch, Localized
from shared.errors import InvalidInputError, NotFoundError
from shared.model import (
    Achievement,
    AchievementSubject,
    Criteria,
    Image,
    ResultDescription,
    alternate_language,
    build_achievement_credential,
    skill_alignment,
)


def achievement_url(org_base: str, slug: str) -> str:
    return f"{org_base}/achievements/{slug}"


#: :func:`to_ob3`'s answers by everything they are made of (the row's values read now, not
#: its id): an edited achievement is another key, so an answer never outlives its inputs;
#: the models are frozen (shared.model.base.VcModel), so a caller cannot change one
_OB3_MEMO: dict[tuple[str, str, str, str, str | None, str], Achievement] = {}
_OB3_MEMO_MAX = 256


def to_ob3(org_base: str, row: AchievementRow, lang: str) -> Achievement:
    """The OB 3.0 Achievement in one language, linking its other-language edition
    (validated and built once per process for the same values: once per achievement
    edition, not once per credential)."""
    key = (
        org_base,
        lang,
        row.slug,
        row.achievement_type,
        row.image_url,
        json.dumps(row.content, sort_keys=True, ensure_ascii=False),
    )
    found = _OB3_MEMO.get(key)
    if found is None:
        found = _build_ob3(org_base, row, lang)
        if len(_OB3_MEMO) >= _OB3_MEMO_MAX:
            _OB3_MEMO.clear()
        _OB3_MEMO[key] = found
    return found


def _build_ob3(org_base: str, row: AchievementRow, lang: str) -> Achievement:
    data = AchievementIn.model_validate(
        {
            "id": row.slug,
            **row.content,
            "achievement_type": row.achievement_type,
            "image_url": row.image_url,
        }
    )
    url = achievement_url(org_base, row.slug)
    other = "en" if lang == "fr" else "fr"
    try:
        return Achievement(
            id=url,
            achievement_type=data.achievement_type,
            name=data.name.get(lang),
            description=data.description.get(lang),
            criteria=Criteria(narrative=data.criteria.get(lang)),
            image=Image(id=data.image_url) if data.image_url else None,
            alignment=[
                skill_alignment(
                    a.target_url,
                    a.target_name,
                    framework=a.framework,
                    target_code=a.target_code,
                    target_description=a.target_description,
                )
                for a in data.alignments
            ]
            or None,
            result_description=[
                ResultDescription(
                    id=f"{url}#result-{rd.id}",
                    name=rd.name.get(lang),
                    result_type=rd.result_type,
                    value_min=rd.value_min,
                    value_max=rd.value_max,
                )
                for rd in data.result_descriptions
            ]
            or None,
            tag=data.tags or None,
            in_language=lang,
            related=[alternate_language(f"{url}?lang={other}", other)],
        )
    except ValueError as err:
        raise InvalidInputError(
            f"the achievement is not a valid OB 3.0 Achievement: {err}"
        ) from err


def _content(data: AchievementIn) -> dict[str, Any]:
    return data.model_dump(mode="json", exclude={"id", "achievement_type", "image_url"})


def _check(org_base: str, row: AchievementRow) -> None:
    """Build a throw-away credential so an invalid achievement fails now, not at issuance."""
    achievement = to_ob3(org_base, row, "fr")
    build_achievement_credential(
        "did:example:check",
        achievement,
        AchievementSubject(id="did:example:check-subject"),  # OB 3.0 §B.1.3: id or identifier
        credential_id="urn:uuid:00000000-0000-4000-8000-000000000000",
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        name=achievement.name,
    )


def create_achievement(
    session: Session, org: Organisation, org_base: str, data: AchievementIn, now: datetime
) -> AchievementRow:
    if get_achievement(session, org, data.id, missing_ok=True) is not None:
        raise ConflictError(f"achievement {data.id} exists")
    row = AchievementRow(
        org_id=org.id,
        slug=data.id,
        achievement_type=data.achievement_type,
        image_url=data.image_url,
        content=_content(data),
        archived=False,
        created_at=now,
        updated_at=now,
    )
    _check(org_base, row)
    session.add(row)
    session.flush()
    return row


def update_achievement(
    session: Session,
    org: Organisation,
    org_base: str,
    slug: str,
    patch: AchievementPatch,
    now: datetime,
) -> AchievementRow:
    row = get_achievement(session, org, slug)
    current = AchievementIn.model_validate(
        {
            "id": row.slug,
            **row.content,
            "achievement_type": row.achievement_type,
            "image_url": row.image_url,
        }
    )
    merged = AchievementIn.model_validate(
        {**current.model_dump(mode="json"), **patch.model_dump(mode="json", exclude_unset=True)}
    )
    row.achievement_type = merged.achievement_type
    row.image_url = merged.image_url
    row.content = _content(merged)
    row.updated_at = now
    _check(org_base, row)
    return row


@overload
def get_achievement(
    session: Session, org: Organisation, slug: str, *, missing_ok: Literal[False] = False
) -> AchievementRow: ...
@overload
def get_achievement(
    session: Session, org: Organisation, slug: str, *, missing_ok: bool
) -> AchievementRow | None: ...
def get_achievement(
    session: Session, org: Organisation, slug: str, *, missing_ok: bool = False
) -> AchievementRow | None:
    row = session.scalars(
        select(AchievementRow).where(AchievementRow.org_id == org.id, AchievementRow.slug == slug)
    ).first()
    if row is None and not missing_ok:
        raise NotFoundError(f"no achievement {slug} in {org.slug}")
    return row


def list_achievements(
    session: Session, org: Organisation, *, include_archived: bool = False
) -> list[AchievementRow]:
    query = select(AchievementRow).where(AchievementRow.org_id == org.id)
    if not include_archived:
        query = query.where(AchievementRow.archived.is_(False))
    return list(session.scalars(query.order_by(AchievementRow.id)))


def achievement_json(org_base: str, row: AchievementRow) -> dict[str, Any]:
    return {
        "id": row.slug,
        "url": achievement_url(org_base, row.slug),
        "achievement_type": row.achievement_type,
        "image_url": row.image_url,
        "archived": row.archived,
        **row.content,
    }


def display_name(row: AchievementRow, lang: str) -> str:
    return Localized.model_validate(row.content["name"]).get(lang)
