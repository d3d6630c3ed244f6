"""What the credential path memoises is keyed by every value it is made of: a changed
achievement or organisation gives a changed answer, never a stale one."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

from sqlalchemy import inspect

from issuer.db.models import Achievement as AchievementRow
from issuer.db.models import Organisation
from issuer.demo import VOLUNTEER
from issuer.schemas import AchievementIn
from issuer.service.achievements import _content, to_ob3
from issuer.service.issuance import issuer_profile
from servicekit.db import values_object

BASE = "https://issuer.test/orgs/demo"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _achievement(content: dict[str, object], image_url: str | None = None) -> AchievementRow:
    data = AchievementIn.model_validate(VOLUNTEER)
    return AchievementRow(
        id=1,
        org_id=1,
        slug=data.id,
        achievement_type=data.achievement_type,
        image_url=image_url,
        content=content,
        archived=False,
        created_at=NOW,
        updated_at=NOW,
    )


def _org(**changes: object) -> Organisation:
    values: dict[str, object] = {
        "id": 1,
        "slug": "demo",
        "kind": "association",
        "name": "Les Amis",
        "url": "https://amis.test",
        "email": None,
        "did_method": "web",
        "did": "did:web:issuer.test:orgs:demo",
        "created_at": NOW,
        "rna": "W751234567",
        "siren": None,
        "declared_on": date(2020, 5, 1),
        "activity_field": None,
    }
    values.update(changes)
    return values_object(Organisation, values.items())


def test_an_edited_achievement_is_built_again() -> None:
    content = _content(AchievementIn.model_validate(VOLUNTEER))
    first = to_ob3(BASE, _achievement(content), "fr")
    assert to_ob3(BASE, _achievement(copy.deepcopy(content)), "fr") is first  # same values
    edited = copy.deepcopy(content)
    edited["name"]["fr"] = "Bénévole — autre intitulé"
    assert to_ob3(BASE, _achievement(edited), "fr").name == "Bénévole — autre intitulé"
    assert to_ob3(BASE, _achievement(content), "en").name == VOLUNTEER["name"]["en"]  # type: ignore[index]
    image = to_ob3(BASE, _achievement(content, "https://img.test/a.png"), "fr").image
    assert image is not None
    assert image.id == "https://img.test/a.png"
    assert to_ob3(BASE + "x", _achievement(content), "fr").id.startswith(BASE + "x/")


def test_a_changed_organisation_names_itself_anew() -> None:
    first = issuer_profile(_org())
    assert issuer_profile(_org()) is first
    assert issuer_profile(_org(name="Les Nouveaux Amis")).name == "Les Nouveaux Amis"
    assert issuer_profile(_org(email="contact@amis.test")).email == "contact@amis.test"
    assert issuer_profile(_org(rna=None)).other_identifier != first.other_identifier


def test_values_object_is_seen_by_no_session() -> None:
    org = _org(name="Hors session")
    assert org.name == "Hors session"
    assert org.declared_on == date(2020, 5, 1)
    assert inspect(org).transient
