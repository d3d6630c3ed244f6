"""``seed_demo(settings)``: the demo association, its admin and badge, and a fresh offer.

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

from issuer.main import open_resources
from issuer.schemas import AchievementIn, OfferIn
from issuer.service.achievements import create_achievement, get_achievement
from issuer.service.oid4vci import create_offer
from issuer.service.orgs import create_admin, create_org, org_base_url, password_hasher
from issuer.settings import IssuerSettings
from shared.errors import NotFoundError

DEMO_ORG = "demo-association"
DEMO_ADMIN = "demo@association.example"
DEMO_ACHIEVEMENT = "volunteer"
DEMO_PASSWORD = "musette-demo-admin"  # noqa: S105  (dev-mode demo account, printed on purpose)

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


def seed_demo(settings: IssuerSettings) -> list[str]:
    res = open_resources(settings)
    now = datetime.now(UTC)
    lines: list[str] = []
    base = org_base_url(settings.public_url, DEMO_ORG)
    try:
        with res.sessions.begin() as session:
            from issuer.service.orgs import get_org

            try:
                org = get_org(session, DEMO_ORG)
            except NotFoundError:
                org = create_org(
                    session,
                    res.key_store(session),
                    public_url=settings.public_url,
                    slug=DEMO_ORG,
                    kind="association",
                    name="Association Démo",
                    now=now,
                    url=base,
                )
                password, _ = _demo_password(settings)
                hasher = password_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
                create_admin(session, org, DEMO_ADMIN, password, hasher, now)
            if get_achievement(session, org, DEMO_ACHIEVEMENT, missing_ok=True) is None:
                create_achievement(session, org, base, AchievementIn.model_validate(VOLUNTEER), now)
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
            f"credential issuer: {base}",
            f"admin console: {settings.public_url}/signin  ({DEMO_ADMIN} / password {password})",
            f"offer (10 min, single use): {offer.offer_uri}",
            f"open in the Musette wallet: {offer.wallet_link}",
            f"QR code: {offer.credential_offer_uri}/qr.png",
        ]
    finally:
        res.dispose()
    return lines
