"""Rendering helpers for the Jinja2 pages (French and English): the page context, localised
dates and numbers, what a credential certifies in plain words, and its checks in plain words."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import qrcode
import qrcode.image.svg
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from servicekit.pages import remember_language
from shared.errors import VcError
from shared.i18n import Gettext, local_date, local_datetime, local_number
from shared.proofs.sd_jwt_vc import sd_jwt_claims_to_ob3
from shared.ui.problem_text import problem_message, problem_title
from shared.verify.report import VerificationReport
from wallet.deps import ANON_CSRF
from wallet.i18n import CATALOGUES, choose_language, translator

TEMPLATES = Path(__file__).parent / "templates"
_PAGES = CATALOGUES.templates(TEMPLATES)
STANDARD_SPHERES = ("work", "association", "personal")
SD_JWT_FORMATS = {"dc+sd-jwt", "vc+sd-jwt"}


# --------------------------------------------------------------------------- values


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


def qr_svg(data: str) -> Markup:
    """An inline SVG QR code (no external request, prints well)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    return Markup(svg.replace("<svg ", '<svg role="img" aria-hidden="true" ', 1))  # noqa: S704


# --------------------------------------------------------------------------- a credential


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


def describe(claims: Mapping[str, Any] | None, fmt: str, lang: str) -> dict[str, Any]:
    """What a credential certifies, in the person's language: achievement, criteria, role,
    dates, results, skills, the issuer and the recipient's name."""
    cred = as_ob3(claims, fmt)
    subject = _obj(_list(cred.get("credentialSubject"))[0] if cred.get("credentialSubject") else {})
    achievement = _obj(subject.get("achievement") or cred.get("achievement"))
    issuer = cred.get("issuer")
    issuer_obj = _obj(issuer) if isinstance(issuer, Mapping) else {"id": issuer}
    criteria = _obj(achievement.get("criteria"))
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
        # a salted hash of the name (OB 3.0 IdentityObject, issue 17): said, never shown raw
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


#: the plain words of each check: (name, passed, failed, skipped)
CHECK_WORDS: dict[str, tuple[str, str, str, str]] = {
    "format": (
        "Form",
        "It is a well-formed credential.",
        "It is not a readable credential.",
        "Its form was not checked.",
    ),
    "schema": (
        "Content",
        "Its content follows the Open Badges rules.",
        "Its content does not follow the Open Badges rules.",
        "Its content was not checked against the Open Badges rules.",
    ),
    "proof": (
        "Signature",
        "The issuer's signature is intact: nothing was changed since it was issued.",
        "The signature does not hold: the credential was changed or is not from this issuer.",
        "The signature was not checked.",
    ),
    "issuer_key": (
        "Issuer's key",
        "The signing key belongs to the issuer.",
        "The signing key could not be tied to the issuer.",
        "The issuer's key was not looked up.",
    ),
    "validity": (
        "Dates",
        "It is within its validity dates.",
        "It is outside its validity dates (expired or not yet valid).",
        "It has no validity dates to check.",
    ),
    "status": (
        "Status",
        "The issuer has neither revoked nor suspended it.",
        "The issuer revoked or suspended it, or its status could not be read.",
        "It has no status to check (it cannot be revoked).",
    ),
    "holder_binding": (
        "Holder",
        "It is tied to one of your keys.",
        "It is not tied to one of your keys.",
        "It is not tied to a key.",
    ),
    "challenge": (
        "Request",
        "It answers this very request.",
        "It does not answer this very request.",
        "No request to match.",
    ),
}


def plain_checks(report: VerificationReport, _: Gettext) -> list[dict[str, str]]:
    """Each check of ``report`` in plain words, in the page's language."""
    out = []
    for check in report.checks:
        words = CHECK_WORDS.get(check.name)
        status = check.status.value
        if words is None:
            title, sentence = check.name, check.reason
        else:
            title = _(words[0])
            sentence = _(words[{"passed": 1, "failed": 2}.get(status, 3)])
            purpose = check.details.get("purpose")
            if check.name == "status" and status == "failed" and purpose == "revocation":
                sentence = _("The issuer revoked it.")
            elif check.name == "status" and status == "failed" and purpose == "suspension":
                sentence = _("The issuer suspended it for now.")
        out.append({"name": check.name, "title": title, "status": status, "sentence": sentence,
                    "reason": check.reason})  # fmt: skip
    return out


def verdict(report: VerificationReport | None) -> str:
    """ok, revoked, suspended, expired, bad or unknown (could not be checked)."""
    if report is None:
        return "unknown"
    if report.verified:
        return "ok"
    status = report.check("status")
    if status is not None and status.status.value == "failed":
        purpose = status.details.get("purpose")
        if purpose in {"revocation", "suspension"}:
            return "revoked" if purpose == "revocation" else "suspended"
    validity = report.check("validity")
    if validity is not None and validity.status.value == "failed":
        return "expired"
    return "bad"


# --------------------------------------------------------------------------- claim labels

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


# --------------------------------------------------------------------------- rendering


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> Response:
    lang = choose_language(request)
    gettext = translator(lang)
    anon_csrf = ANON_CSRF.token(request)
    other = "en" if lang == "fr" else "fr"

    def ldate(value: Any) -> str:
        when = parse_when(value)
        return local_date(when, lang) if when else ""

    def ldatetime(value: Any) -> str:
        when = parse_when(value)
        return local_datetime(when, lang) if when else ""

    def sphere_name(sphere: str) -> str:
        return gettext(sphere) if sphere in STANDARD_SPHERES else sphere

    html = _PAGES.get_template(template, lang).render(
        lang=lang,
        other_lang=other,
        switch_url=str(request.url.include_query_params(lang=other)).removeprefix(
            str(request.base_url).rstrip("/")
        ),
        request=request,
        anon_csrf=anon_csrf,
        ldate=ldate,
        ldatetime=ldatetime,
        lnumber=lambda n: local_number(n, lang),
        sphere_name=sphere_name,
        claim_label=lambda path: claim_label(path, gettext),
        claim_value=claim_value,
        short=lambda value, limit=80: ldate(value) if _is_timestamp(value) else short(value, limit),
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    remember_language(request, response, lang)
    ANON_CSRF.keep(request, response, anon_csrf)
    return response


def problem_code(problem: Mapping[str, Any]) -> str:
    """The code of a problem+json body (the fragment of its ``type``)."""
    return str(problem.get("type", "")).rpartition("#")[2] or "internal-error"


def render_error(request: Request, problem: dict[str, Any]) -> Response:
    """An error page in the reader's language: the problem's message, never its English detail."""
    lang = choose_language(request)
    code = problem_code(problem)
    return render(
        request,
        "error.html",
        status=int(problem["status"]),
        problem=problem,
        heading=problem_title(code, lang),
        message=problem_message(code, lang),
        who=None,
    )


def explained(request: Request, intro: str, err: VcError) -> str:
    """``intro`` (already translated) followed by what the problem means, in the same language."""
    return f"{intro} {problem_message(err.code, choose_language(request))}"
