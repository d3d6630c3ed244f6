"""What a person reveals to a verifier, in words: the consent summary and its tick boxes.

The summary is computed from exactly the claims the verifier will read (the credential
itself in a W3C format, the issuer-signed part plus the chosen disclosures in SD-JWT VC),
with the Open Badges 3.0 names a person knows ("Badge", "Rôle", "Heures", "Délivré par").
Everything else (``@context``, ``credentialSchema``, DIDs, the proof…) is listed apart, as
technical details the page folds away.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from fastapi import Request

from shared.i18n import Gettext, local_date
from wallet.i18n import choose_language, translator
from wallet.page_describe import claim_label, claim_value, describe, flatten, short, text_of

#: a few OB 3.0 ``achievementType`` values in words (others are shown as they are)
ACHIEVEMENT_TYPES = {
    "CommunityService": "Community service",
    "Badge": "Badge",
    "Certificate": "Certificate",
    "Course": "Course",
    "ApprenticeshipCertificate": "Apprenticeship",
    "Fieldwork": "Fieldwork",
    "ext:WorkExperience": "Work experience",
}


def said(label: str, value: str, _: Gettext) -> str:
    """``Rôle : Encadrante`` in French (a no-break space before the colon), ``Role: …`` in
    English."""
    return _("{label}: {value}", label=label, value=value)


def readable_facts(
    claims: Mapping[str, Any] | None, fmt: str, lang: str, _: Gettext, *, brief: bool = False
) -> list[dict[str, str]]:
    """What these claims say, as (label, value) pairs in the person's language, in the order
    a person reads a badge. Only what is present in ``claims`` is listed; ``brief`` leaves out
    what describes the badge rather than the person (kind, description, criteria, skills)."""
    shown = describe(claims, fmt, lang)
    about_badge: list[tuple[str, Any]] = [
        (_("Kind of badge"), _type_words(shown["achievement_type"], _)),
        (_("Description"), shown["description"]),
        (_("Criteria"), shown["criteria"]),
    ]
    facts: list[tuple[str, Any]] = [
        (_("Badge"), shown["name"]),
        *([] if brief else about_badge),
        (_("Awarded to"), shown["recipient"] or _hashed_words(shown, _)),
        (_("Role"), shown["role"]),
        (_("Start of the activity"), shown["activity_start"]),
        (_("End of the activity"), shown["activity_end"]),
    ]
    facts += [(r["name"] or _("Result"), r["value"]) for r in shown["results"]]
    facts += [
        (_("Credits"), shown["credits"]),
        (
            _("Skills"),
            "" if brief else ", ".join(str(s["name"]) for s in shown["skills"] if s["name"]),
        ),
        (_("Issued by"), shown["issuer_name"]),
        (_("Issued on"), shown["valid_from"]),
        (_("Valid until"), shown["valid_until"]),
    ]
    return [
        {"label": label, "value": _words(value, lang)}
        for label, value in facts
        if value not in (None, "", [])
    ]


def technical_details(claims: Mapping[str, Any] | None, _: Gettext) -> list[dict[str, str]]:
    """Every leaf the verifier reads, by path: for the folded "technical details" list."""
    body = claims or {}
    return [
        {"label": claim_label(path, _), "value": short(claim_value(body, path))}
        for path in flatten(body, limit=400)
    ]


def _hashed_words(shown: Mapping[str, Any], _: Gettext) -> str | None:
    return (
        _("identity hashed (can be checked against a name you are given)")
        if shown.get("recipient_hashed")
        else None
    )


def _type_words(value: Any, _: Gettext) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    words = ACHIEVEMENT_TYPES.get(value)
    return _(words) if words else value


def _words(value: Any, lang: str) -> str:
    if isinstance(value, datetime):
        return local_date(value, lang)
    return short(value, 200)


#: how each stored format is named next to a badge the person chooses
FORMAT_NAMES = {
    "ldp_vc": "JSON-LD",
    "jwt_vc_json": "JWT",
    "vc+jwt": "JWT",
    "dc+sd-jwt": "SD-JWT",
    "vc+sd-jwt": "SD-JWT",
}


def format_words(fmt: str, _: Gettext) -> str:
    """``format SD-JWT``: what tells two copies of one badge apart."""
    return _("{format} format", format=FORMAT_NAMES.get(fmt, fmt))


# --------------------------------------------------------------------------- tick boxes


def _matches(path: Sequence[Any], pattern: Sequence[Any]) -> bool:
    """``path`` is ``pattern`` or below it (``None`` in a pattern matches any index)."""
    if len(path) < len(pattern):
        return False
    return all(p is None or p == q for p, q in zip(pattern, path, strict=False))


def _asked(path: Sequence[Any], requested: Sequence[Sequence[Any]]) -> bool:
    """The verifier asked for this path, for something below it, or for something it is in."""
    return any(_matches(path, r) or _matches(r, path) for r in requested if r)


def disclosure_items(
    claims: Mapping[str, Any],
    disclosable: Sequence[Sequence[Any]],
    requested: Sequence[Sequence[Any]],
    lang: str,
    _: Gettext,
) -> list[dict[str, Any]]:
    """One tick box per thing a person can choose to reveal in an SD-JWT VC, labelled with
    what it is and its value ("Heures : 220"), ticked when the verifier asked for it.

    A result and its value are one box (a result without its value says nothing).
    ``claims`` are the credential's claims with every disclosure applied (the wallet's copy).
    """
    paths = [list(p) for p in disclosable]
    items: list[dict[str, Any]] = []
    merged: set[int] = set()
    for n, path in enumerate(paths):
        if n in merged:
            continue
        group = [path]
        if len(path) >= 3 and path[-2] == "result" and isinstance(path[-1], int):
            for m, other in enumerate(paths):
                if other == [*path, "value"]:
                    group.append(other)
                    merged.add(m)
        label, value = _item_words(claims, path, lang, _)
        items.append(
            {
                "paths": group,
                "value": " ".join(".".join(str(x) for x in p) for p in group),
                "text": said(label, value, _) if value else label,
                "checked": any(_asked(p, requested) for p in group),
            }
        )
    return items


def _item_words(
    claims: Mapping[str, Any], path: list[Any], lang: str, _: Gettext
) -> tuple[str, str]:
    value = claim_value(claims, path)
    tail = path[-1]
    if path == ["credentialSubject"]:
        subject = value if isinstance(value, Mapping) else {}
        role = text_of(subject.get("role"), lang)
        return _("About you (role, activity dates)"), role or ""
    if path[-2:-1] == ["identifier"] and isinstance(value, Mapping):
        kind = value.get("identityType")
        shown = (
            _hashed_words({"recipient_hashed": True}, _) or ""
            if value.get("hashed")
            else short(value.get("identityHash"))
        )
        if kind == "name":
            return _("Your name"), shown
        if kind == "emailAddress":
            return _("Your email"), shown
        return _("An identifier of yours"), shown
    if tail == "id" and path[:-1] == ["credentialSubject"]:
        return _("Your technical identifier (DID)"), short(value, 40)
    if path[-2:-1] == ["result"] and isinstance(value, Mapping):
        descriptions = {
            str(d.get("id")): text_of(d.get("name"), lang)
            for d in _achievement_results(claims)
            if isinstance(d, Mapping)
        }
        ref = str(value.get("resultDescription", ""))
        label = descriptions.get(ref) or _("Result")
        return label, short(value.get("value") or value.get("achievedLevel") or "")
    if path[-2:-1] == ["evidence"] and isinstance(value, Mapping):
        return _("Evidence"), short(text_of(value.get("name"), lang) or value.get("id") or "")
    return claim_label(path, _), short(value)


def _achievement_results(claims: Mapping[str, Any]) -> list[Any]:
    achievement = claims.get("achievement")
    if not isinstance(achievement, Mapping):
        subject = claims.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    found = achievement.get("resultDescription") if isinstance(achievement, Mapping) else None
    return found if isinstance(found, list) else []


def logged_facts(logged: Mapping[str, Any], lang: str, _: Gettext) -> list[dict[str, str]]:
    """What a history entry says a verifier was shown, in words (entries logged before the
    claims were kept list claim paths only: nothing here for them)."""
    disclosed = logged.get("disclosed")
    if not isinstance(disclosed, Mapping):
        return []
    return readable_facts(disclosed, str(logged.get("format", "")), lang, _, brief=True)


def facts_for(request: Request) -> Callable[[Mapping[str, Any]], list[dict[str, str]]]:
    """``facts_of(entry_credential)`` for a page, in the request's language."""
    lang = choose_language(request)
    gettext = translator(lang)
    return lambda logged: logged_facts(logged, lang, gettext)
