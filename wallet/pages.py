"""Rendering helpers for the Jinja2 pages (French and English): the page context, localised
dates and numbers, and a credential's checks in plain words. What a credential certifies, in
plain words, is in ``wallet.page_describe``."""

from __future__ import annotations

import io
from collections.abc import Mapping
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
from shared.ui.problem_text import problem_message, problem_title
from shared.verify.report import CheckName, VerificationReport
from wallet.deps import ANON_CSRF
from wallet.i18n import CATALOGUES, choose_language, translator
from wallet.page_describe import _is_timestamp, claim_label, claim_value, parse_when, short

TEMPLATES = Path(__file__).parent / "templates"
_PAGES = CATALOGUES.templates(TEMPLATES)
STANDARD_SPHERES = ("work", "association", "personal")


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


#: the plain words of each check: (name, passed, failed, skipped)
CHECK_WORDS: dict[str, tuple[str, str, str, str]] = {
    CheckName.FORMAT: (
        "Form",
        "It is a well-formed credential.",
        "It is not a readable credential.",
        "Its form was not checked.",
    ),
    CheckName.SCHEMA: (
        "Content",
        "Its content follows the Open Badges rules.",
        "Its content does not follow the Open Badges rules.",
        "Its content was not checked against the Open Badges rules.",
    ),
    CheckName.PROOF: (
        "Signature",
        "The issuer's signature is intact: nothing was changed since it was issued.",
        "The signature does not hold: the credential was changed or is not from this issuer.",
        "The signature was not checked.",
    ),
    CheckName.ISSUER_KEY: (
        "Issuer's key",
        "The signing key belongs to the issuer.",
        "The signing key could not be tied to the issuer.",
        "The issuer's key was not looked up.",
    ),
    CheckName.VALIDITY: (
        "Dates",
        "It is within its validity dates.",
        "It is outside its validity dates (expired or not yet valid).",
        "It has no validity dates to check.",
    ),
    CheckName.STATUS: (
        "Status",
        "The issuer has neither revoked nor suspended it.",
        "The issuer revoked or suspended it, or its status could not be read.",
        "It has no status to check (it cannot be revoked).",
    ),
    CheckName.HOLDER_BINDING: (
        "Holder",
        "It is tied to one of your keys.",
        "It is not tied to one of your keys.",
        "It is not tied to a key.",
    ),
    CheckName.CHALLENGE: (
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
            if check.name == CheckName.STATUS and status == "failed" and purpose == "revocation":
                sentence = _("The issuer revoked it.")
            elif check.name == CheckName.STATUS and status == "failed" and purpose == "suspension":
                sentence = _("The issuer suspended it for now.")
        out.append(
            {
                "name": check.name,
                "title": title,
                "status": status,
                "sentence": sentence,
                "reason": check.reason,
            }
        )
    return out


def verdict(report: VerificationReport | None) -> str:
    """ok, revoked, suspended, expired, bad or unknown (could not be checked)."""
    if report is None:
        return "unknown"
    if report.verified:
        return "ok"
    status = report.check(CheckName.STATUS)
    if status is not None and status.status.value == "failed":
        purpose = status.details.get("purpose")
        if purpose in {"revocation", "suspension"}:
            return "revoked" if purpose == "revocation" else "suspended"
    validity = report.check(CheckName.VALIDITY)
    if validity is not None and validity.status.value == "failed":
        return "expired"
    return "bad"


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
