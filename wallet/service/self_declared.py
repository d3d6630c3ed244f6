"""Self-declared experiences as credentials (docs/decisions/timeline-spheres.md).

The person describes a job, mission, gig, volunteering period or training; the wallet signs it
with the person's own holder DID as an Open Badges 3.0 ``OpenBadgeCredential`` whose issuer is
the person (issuer id == ``credentialSubject.id``). The activity period is carried by OB 3.0
``activityStartDate``/``activityEndDate`` on the subject (OB 3.0 §B.1.2 AchievementSubject);
the proof is W3C Data Integrity ``eddsa-rdfc-2022`` with the holder's Ed25519 key.

The credential goes through the same verification as any import before it is stored, so it
appears in « ma musette », can be presented, shared and exported like any other badge.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from shared.errors import InvalidInputError
from shared.model.builder import build_achievement_credential
from shared.model.ob3 import Achievement, AchievementSubject, Criteria, Profile
from shared.proofs.data_integrity import RDFC, add_proof
from shared.verify.context import VerifyContext
from wallet.service import identities, importing, storage
from wallet.service.accounts import Principal, now

SOURCE = "self-declared"
MAX_SKILLS = 20

#: what the person says the experience was → OB 3.0 achievementType (an extensible enum:
#: listed values or ``ext:Name``) and the wallet sphere it is filed under
KINDS: dict[str, tuple[str, str]] = {
    "job": ("ext:WorkExperience", "work"),  # the verifier's « work-experience » template
    "mission": ("ext:Mission", "work"),
    "gig": ("ext:Gig", "work"),
    "volunteering": ("CommunityService", "association"),
    "training": ("LearningProgram", "work"),
}
DEFAULT_KIND = "job"


def normalize_kind(value: str | None) -> str:
    kind = (value or DEFAULT_KIND).strip().lower()
    if kind not in KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(KINDS)}")
    return kind


def normalize_skills(value: str | list[str] | None) -> list[str]:
    """Skills from a list or from one comma-separated line."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    skills: list[str] = []
    for item in items:
        skill = str(item).strip()[:100]
        if skill and skill not in skills:
            skills.append(skill)
    if len(skills) > MAX_SKILLS:
        raise InvalidInputError(f"at most {MAX_SKILLS} skills")
    return skills


#: a timeline sphere given on the command line → the kind of experience
SPHERE_KINDS = {
    "work": "job",
    "platform": "gig",
    "freelance": "mission",
    "volunteering": "volunteering",
    "training": "training",
}


def month_or_day(value: str | None, *, end: bool = False) -> str | None:
    """``YYYY-MM-DD`` from ``YYYY-MM-DD`` or ``YYYY-MM`` (its first day, or its last with
    ``end``); None for nothing. Anything else is invalid input."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        if len(text) == 7 and text[4] == "-":
            first = date(int(text[:4]), int(text[5:7]), 1)
            if not end:
                return first.isoformat()
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return date.fromordinal(following.toordinal() - 1).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError as err:
        raise InvalidInputError(f"{text!r} is not a date (YYYY-MM or YYYY-MM-DD)") from err


def _midnight(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(0, 0), tzinfo=UTC)


def signing_identity(session: Session, who: Principal) -> identities.HolderKey:
    """The default identity if it signs eddsa, else another Ed25519 one (created if none)."""
    row = identities.default_identity(session, who)
    if row.key_type != "Ed25519":
        ed = [
            r
            for r in identities.list_identities(session, who)
            if r.key_type == "Ed25519" and r.pairwise_tag is None
        ]
        row = ed[0] if ed else identities.create_identity(session, who, label="self-declared")
    return identities.holder_key(who, row)


def build(key_did: str, body: dict[str, Any], *, at: datetime) -> dict[str, Any]:
    """The unsigned OB 3.0 credential for an experience ``body`` (validated by the builder)."""
    kind = normalize_kind(body.get("kind"))
    achievement_type, _sphere = KINDS[kind]
    title, organisation = body["title"], body["organisation"]
    what = body.get("description") or ""
    skills = body.get("skills") or []
    achievement = Achievement(
        id=f"urn:uuid:{uuid.uuid4()}",
        name=title,
        description=f"{title} — {organisation}",
        achievement_type=achievement_type,
        criteria=Criteria(narrative="Self-declared by the holder; no organisation vouches for it."),
        tag=skills or None,
    )
    subject = AchievementSubject(
        id=key_did,
        activity_start_date=_midnight(body["start_date"]),
        activity_end_date=_midnight(body["end_date"]) if body.get("end_date") else None,
        role=title,
        narrative=what or None,
    )
    return build_achievement_credential(
        Profile(id=key_did, description="Self-declared: the holder issued this credential"),
        achievement,
        subject,
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        valid_from=at.replace(microsecond=0),
        name=f"{title} — {organisation}",
        description=what or None,
    )


def sign_and_store(
    session: Session,
    who: Principal,
    ctx: VerifyContext,
    experience_id: str,
    body: dict[str, Any],
    *,
    max_bytes: int,
) -> storage.CredentialView:
    """Sign the experience as the holder and store it like any verified credential."""
    key = signing_identity(session, who)
    at = now()
    document = build(key.did, body, at=at)
    # VC Data Integrity 1.0 §4.2 add proof; eddsa-rdfc-2022 (VC DI EdDSA §3.2)
    signed = add_proof(document, key.key.sign, key.kid, cryptosuite=RDFC, created=at)
    _type, sphere = KINDS[normalize_kind(body.get("kind"))]
    return importing.import_credential(
        session,
        who,
        json.dumps(signed, ensure_ascii=False).encode(),
        ctx,
        max_bytes=max_bytes,
        sphere=sphere,
        source=SOURCE,
        issuer_name=None,
        extra={
            "experience_id": experience_id,
            "self_declared": True,
            "experience_kind": normalize_kind(body.get("kind")),
        },
    )
