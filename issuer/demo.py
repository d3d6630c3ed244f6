"""``seed_demo(settings)``: the demo association, its admin and badge, and a fresh offer;
the demo platform (``demo-platform``) and its ``rating`` achievement.

Idempotent: the organisation, admin and achievement are created once; every start adds a
new offer (pre-authorized codes are single use and short-lived) and prints its link.
The admin password is kept in ``<data_dir>/demo-admin.txt`` (0600). In development mode it
is the fixed, printed ``DEMO_PASSWORD`` (a demo for trying the console in a browser);
otherwise it is generated once. ``MUSETTE_DEMO_PASSWORD`` overrides both.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from issuer.db.models import Organisation
from issuer.main import open_resources
from issuer.schemas import AchievementIn, AssociationProfileIn, OfferIn
from issuer.service.achievements import create_achievement, get_achievement
from issuer.service.oid4vci import create_offer
from issuer.service.orgs import (
    create_admin,
    create_org,
    org_base_url,
    password_hasher,
    update_association_profile,
)
from issuer.settings import IssuerSettings
from shared.errors import NotFoundError

DEMO_ORG = "demo-association"
DEMO_ADMIN = "demo@association.example"
DEMO_ACHIEVEMENT = "volunteer"
DEMO_PASSWORD = "musette-demo-admin"  # noqa: S105  (dev-mode demo account, printed on purpose)
DEMO_PLATFORM = "demo-platform"
DEMO_PLATFORM_NAME = "Plateforme Démo"
RATING_ACHIEVEMENT = "rating"
#: the demo association's CEC facts (fictitious numbers that pass the checks;
#: docs/decisions/cec-rules.md)
DEMO_ASSOCIATION_PROFILE = {
    "rna": "W751000001",
    "siren": "123456782",
    "declared_on": "2015-03-01",
    "field": "social",
    "valideur_name": "Valideur Démo",
    "valideur_email": "valideur@association.example",
}

#: a platform's rating: the average on a 0-5 scale and the number of ratings
RATING = {
    "id": RATING_ACHIEVEMENT,
    "achievement_type": "Achievement",
    "name": {"fr": "Note des clients", "en": "Customer rating"},
    "description": {
        "fr": "La note moyenne donnée par les clients de la plateforme sur une période, "
        "et le nombre de notes.",
        "en": "The average rating given by the platform's customers over a period, "
        "and the number of ratings.",
    },
    "criteria": {
        "fr": "Moyenne de toutes les notes reçues sur la plateforme pendant la période, de 0 à 5.",
        "en": "The average of every rating received on the platform during the period, "
        "from 0 to 5.",
    },
    "result_descriptions": [
        {
            "id": "rating",
            "name": {"fr": "Note moyenne", "en": "Average rating"},
            "result_type": "ext:Rating",
            "value_min": "0",
            "value_max": "5",
        },
        {
            "id": "count",
            "name": {"fr": "Nombre de notes", "en": "Number of ratings"},
            "result_type": "ext:RatingCount",
            "value_min": "0",
        },
    ],
}

VOLUNTEER = {
    "id": DEMO_ACHIEVEMENT,
    "achievement_type": "CommunityService",
    "name": {"fr": "Bénévole — encadrement", "en": "Volunteer — team supervision"},
    "description": {
        "fr": "Encadrement bénévole d'une équipe lors des activités de l'association.",
        "en": "Volunteer supervision of a team during the association's activities.",
    },
    "criteria": {
        "fr": "Avoir encadré une équipe de bénévoles pendant au moins 20 heures, "
        "attesté par la coordinatrice ou le coordinateur.",
        "en": "Supervised a team of volunteers for at least 20 hours, attested by the "
        "volunteer coordinator.",
    },
    "alignments": [
        {
            "target_url": "http://data.europa.eu/esco/skill/2b5bd5b5-8a32-4a6c-8f63-7f07b7d9e4e6",
            "target_name": "superviser une équipe",
            "framework": "ESCO",
            "target_description": "Superviser et coordonner le travail d'une équipe.",
        }
    ],
    "result_descriptions": [
        {
            "id": "hours",
            "name": {"fr": "Heures de bénévolat", "en": "Volunteer hours"},
            "result_type": "ext:VolunteerHours",
            "value_min": "0",
        }
    ],
}


def _demo_password(settings: IssuerSettings) -> tuple[str, bool]:
    path = Path(settings.data_dir) / "demo-admin.txt"
    if path.exists():
        return path.read_text().strip(), False
    password = os.environ.get("MUSETTE_DEMO_PASSWORD") or (
        DEMO_PASSWORD if settings.dev else secrets.token_urlsafe(12)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password)
    return password, True


def _ensure_org(
    session: Session,
    res: Any,
    settings: IssuerSettings,
    slug: str,
    kind: str,
    name: str,
    now: datetime,
) -> tuple[Organisation, bool]:
    """(the organisation, whether it was created now)."""
    from issuer.service.orgs import get_org

    try:
        return get_org(session, slug), False
    except NotFoundError:
        org = create_org(
            session,
            res.key_store(session),
            base_url=settings.base_url,
            slug=slug,
            kind=kind,
            name=name,
            now=now,
            url=org_base_url(settings.base_url, slug),
        )
        return org, True


def _seed_platform(
    session: Session, res: Any, settings: IssuerSettings, now: datetime
) -> Organisation:
    """The demo platform and its rating achievement (no admin: the CLI and API issue)."""
    base = org_base_url(settings.base_url, DEMO_PLATFORM)
    org, _ = _ensure_org(session, res, settings, DEMO_PLATFORM, "platform", DEMO_PLATFORM_NAME, now)
    if get_achievement(session, org, RATING_ACHIEVEMENT, missing_ok=True) is None:
        create_achievement(session, org, base, AchievementIn.model_validate(RATING), now)
    return org


def seed_demo(settings: IssuerSettings) -> list[str]:
    res = open_resources(settings)
    now = datetime.now(UTC)
    lines: list[str] = []
    base = org_base_url(settings.base_url, DEMO_ORG)
    try:
        with res.sessions.begin() as session:
            org, created = _ensure_org(
                session, res, settings, DEMO_ORG, "association", "Association Démo", now
            )
            if created:
                password, _ = _demo_password(settings)
                hasher = password_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
                create_admin(session, org, DEMO_ADMIN, password, hasher, now)
            if get_achievement(session, org, DEMO_ACHIEVEMENT, missing_ok=True) is None:
                create_achievement(session, org, base, AchievementIn.model_validate(VOLUNTEER), now)
            if created:
                profile = AssociationProfileIn.model_validate(DEMO_ASSOCIATION_PROFILE)
                update_association_profile(org, profile)
            platform = _seed_platform(session, res, settings, now)
            offer = create_offer(
                session,
                settings,
                res.master_secret,
                org,
                base,
                OfferIn.model_validate(
                    {
                        "achievement": DEMO_ACHIEVEMENT,
                        "recipient": {"name": "Camille Martin"},
                        "subject": {
                            "role": "Encadrante bénévole",
                            "activity_start_date": "2026-03-01T09:00:00Z",
                            "activity_end_date": "2026-06-30T18:00:00Z",
                            "results": {"hours": "42"},
                        },
                    }
                ),
                actor="demo",
                now=now,
            )
        password, _ = _demo_password(settings)
        lines += [
            f"organisation {DEMO_ORG}: {org.did}",
            f"organisation {DEMO_PLATFORM}: {platform.did} (achievement '{RATING_ACHIEVEMENT}')",
            f"credential issuer: {base}",
            f"admin console: {settings.base_url}/signin  ({DEMO_ADMIN} / password {password})",
            f"offer (10 min, single use): {offer.offer_uri}",
            f"open in the Musette wallet: {offer.wallet_link}",
            f"QR code: {offer.credential_offer_uri}/qr.png",
        ]
    finally:
        res.dispose()
    return lines
