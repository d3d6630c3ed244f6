"""What the wallet's pages say of a credential, in the person's language: what it certifies
(achievement, criteria, role, dates, results, skills, issuer, recipient), when the activity
took place, and each claim's label and value for the consent and share pages."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from shared.errors import VcError
from shared.i18n import Gettext, local_number
from shared.proofs.sd_jwt_vc import sd_jwt_claims_to_ob3

SD_JWT_FORMATS = {"dc+sd-jwt", "vc+sd-jwt"}


def parse_when(value: Any) -> datetime | None:
    """A datetime from an ISO 8601 string, a datetime, a date or epoch seconds."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError, OSError, ValueError):
            return datetime.fromtimestamp(value, UTC)
        return None
    if isinstance(value, str) and value:
        with contextlib.suppress(ValueError):
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def text_of(value: Any, lang: str) -> str | None:
    """A display string from a string, a language map or a JSON-LD value object."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if isinstance(value.get("@value"), str):
            return str(value["@value"])
        for key in (lang, "en", "fr", *value.keys()):
            if isinstance(value.get(key), str):
                return str(value[key])
    if isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping) and str(item.get("@language", ""))[:2] == lang:
                return text_of(item, lang)
        return text_of(value[0], lang) if value else None
    return None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _obj(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def as_ob3(claims: Mapping[str, Any] | None, fmt: str) -> dict[str, Any]:
    """The credential in the OB 3.0 shape, whatever format it was kept in."""
    body = dict(claims or {})
    if fmt in SD_JWT_FORMATS and "@context" not in body:
        with contextlib.suppress(VcError, ValueError, TypeError):
            return sd_jwt_claims_to_ob3(body)
    return body


def _evidence(cred: Mapping[str, Any], lang: str) -> list[dict[str, str | None]]:
    """OB 3.0 ``evidence`` entries: a name, a text, and a link only when it is http(s)."""
    if "EndorsementCredential" in str(cred.get("type")):
        return []  # an endorsement's evidence is the relationship proof, shown elsewhere
    found = []
    for item in _list(cred.get("evidence"))[:20]:
        if not isinstance(item, Mapping):
            continue
        link = item.get("id")
        url = link if isinstance(link, str) and link.startswith(("https://", "http://")) else None
        parts = (text_of(item.get("narrative"), lang), text_of(item.get("description"), lang))
        text = " ".join(p for p in parts if p) or None
        name = text_of(item.get("name"), lang)
        if name or text or url:
            found.append({"name": name, "text": text, "url": url})
    return found


def _results(
    subject: Mapping[str, Any], achievement: Mapping[str, Any], lang: str
) -> list[dict[str, Any]]:
    """The OB 3.0 results (each labelled by its ResultDescription name when there is one)."""
    descriptions = {
        str(d.get("id")): text_of(d.get("name"), lang)
        for d in _list(achievement.get("resultDescription"))
        if isinstance(d, Mapping)
    }
    results = []
    for result in _list(subject.get("result")):
        if not isinstance(result, Mapping):
            continue
        ref = str(result.get("resultDescription", ""))
        label = descriptions.get(ref) or ref.rsplit("/", 1)[-1].rsplit("#", 1)[-1] or None
        value = result.get("value") or result.get("achievedLevel") or result.get("status")
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = local_number(float(value), lang) if value.strip() else value
        results.append({"name": label, "value": value})
    return results


def _skills(achievement: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """The OB 3.0 alignments: the skills or frameworks the achievement points to."""
    skills = [
        {
            "name": text_of(a.get("targetName"), lang) or a.get("targetUrl"),
            "url": a.get("targetUrl"),
            "framework": text_of(a.get("targetFramework"), lang),
            "description": text_of(a.get("targetDescription"), lang),
        }
        for a in _list(achievement.get("alignment"))
        if isinstance(a, Mapping)
    ]
    return skills


def describe(claims: Mapping[str, Any] | None, fmt: str, lang: str) -> dict[str, Any]:
    """What a credential certifies, in the person's language: achievement, criteria, role,
    dates, results, skills, the issuer and the recipient's name."""
    cred = as_ob3(claims, fmt)
    subject = _obj(_list(cred.get("credentialSubject"))[0] if cred.get("credentialSubject") else {})
    achievement = _obj(subject.get("achievement") or cred.get("achievement"))
    issuer = cred.get("issuer")
    issuer_obj = _obj(issuer) if isinstance(issuer, Mapping) else {"id": issuer}
    criteria = _obj(achievement.get("criteria"))
    results = _results(subject, achievement, lang)
    skills = _skills(achievement, lang)
    names = [
        str(i.get("identityHash"))
        for i in _list(subject.get("identifier"))
        if isinstance(i, Mapping) and i.get("identityType") == "name" and not i.get("hashed")
    ]
    credits = achievement.get("creditsAvailable") or subject.get("creditsEarned")
    return {
        "name": text_of(achievement.get("name"), lang) or text_of(cred.get("name"), lang),
        "description": text_of(achievement.get("description"), lang)
        or text_of(cred.get("description"), lang),
        "criteria": text_of(criteria.get("narrative"), lang),
        # what the issuer wrote about the person, and what it attached (OB 3.0 narrative, evidence)
        "narrative": text_of(subject.get("narrative"), lang),
        "evidence": _evidence(cred, lang),
        "criteria_url": criteria.get("id") if isinstance(criteria.get("id"), str) else None,
        "achievement_type": achievement.get("achievementType"),
        "role": text_of(subject.get("role"), lang),
        "recipient": names[0] if names else text_of(subject.get("name"), lang),
        # a salted hash of the name (OB 3.0 IdentityObject, docs/decisions/reveal-less.md): said,
        # never shown raw
        "recipient_hashed": any(
            isinstance(i, Mapping) and i.get("identityType") == "name" and i.get("hashed")
            for i in _list(subject.get("identifier"))
        ),
        "activity_start": parse_when(subject.get("activityStartDate")),
        "activity_end": parse_when(subject.get("activityEndDate")),
        "valid_from": parse_when(cred.get("validFrom") or cred.get("issuanceDate")),
        "valid_until": parse_when(cred.get("validUntil") or cred.get("expirationDate")),
        "results": results,
        "skills": skills,
        "credits": local_number(float(credits), lang)
        if isinstance(credits, int | float) and not isinstance(credits, bool)
        else None,
        "issuer_name": text_of(issuer_obj.get("name"), lang),
        "issuer_id": issuer_obj.get("id") if isinstance(issuer_obj.get("id"), str) else None,
        "issuer_url": issuer_obj.get("url") if isinstance(issuer_obj.get("url"), str) else None,
        "issuer_email": issuer_obj.get("email")
        if isinstance(issuer_obj.get("email"), str)
        else None,
    }


def activity_date(claims: Mapping[str, Any] | None, fmt: str, fallback: datetime) -> datetime:
    """When the activity happened (start), else when the credential was issued, else kept."""
    cred = as_ob3(claims, fmt)
    subject = _list(cred.get("credentialSubject"))
    first = _obj(subject[0]) if subject else {}
    for value in (
        first.get("activityStartDate"),
        first.get("activityEndDate"),
        cred.get("validFrom"),
        cred.get("issuanceDate"),
    ):
        found = parse_when(value)
        if found is not None:
            return found
    return fallback if fallback.tzinfo else fallback.replace(tzinfo=UTC)


CLAIM_WORDS = {
    "credentialSubject": "About you",
    "achievement": "Achievement",
    "name": "Name",
    "description": "Description",
    "criteria": "Criteria",
    "narrative": "Text",
    "result": "Results",
    "value": "Value",
    "identifier": "Your name or identifier",
    "identityHash": "Value",
    "role": "Role",
    "activityStartDate": "Start of the activity",
    "activityEndDate": "End of the activity",
    "id": "Identifier",
    "issuer": "Issuer",
    "validFrom": "Valid from",
    "validUntil": "Valid until",
    "alignment": "Skills",
    "targetName": "Skill",
    "image": "Image",
    "email": "Email",
    "given_name": "First name",
    "family_name": "Last name",
}


def claim_label(path: list[Any], _: Gettext) -> str:
    """``["credentialSubject", "result", 0, "value"]`` -> "About you > Results > 1 > Value"."""
    parts = []
    for part in path:
        if isinstance(part, int):
            parts.append(str(part + 1))
        elif part is None:
            parts.append(_("each"))
        else:
            parts.append(_(CLAIM_WORDS[part]) if part in CLAIM_WORDS else str(part))
    return " \u203a ".join(parts)


def claim_value(claims: Any, path: list[Any]) -> Any:
    """The value at ``path`` in ``claims`` (None if absent)."""
    value = claims
    for part in path:
        if isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value):
            value = value[part]
        elif isinstance(part, str) and isinstance(value, Mapping):
            value = value.get(part)
        else:
            return None
    return value


def short(value: Any, limit: int = 80) -> str:
    """A one-line preview of a claim value."""
    if isinstance(value, Mapping):
        text = text_of(value.get("name"), "en") or ", ".join(list(value)[:6])
    elif isinstance(value, list):
        text = ", ".join(short(v, 30) for v in value[:4]) + (" …" if len(value) > 4 else "")
    else:
        text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_timestamp(value: Any) -> bool:
    """An ISO 8601 date-time string (claims such as validFrom), shown as a local date."""
    return (
        isinstance(value, str)
        and len(value) >= 10
        and "T" in value
        and parse_when(value) is not None
    )


def flatten(value: Any, path: tuple[Any, ...] = (), limit: int = 60) -> list[list[Any]]:
    """Leaf paths of a claims object (for "everything below will be revealed")."""
    out: list[list[Any]] = []
    skip = {"@context", "proof", "_sd", "_sd_alg", "cnf"}
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key not in skip:
                out += flatten(item, (*path, key), limit)
    elif isinstance(value, list) and value and any(isinstance(v, Mapping | list) for v in value):
        for index, item in enumerate(value):
            out += flatten(item, (*path, index), limit)
    else:
        out.append(list(path))
    return out[:limit]
