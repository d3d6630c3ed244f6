"""Exports to where recruiters look: choose badges and a format (a printable CV in French or
English, Europass ELM v3 JSON), and « Add to LinkedIn » per badge."""

from __future__ import annotations

import json
from typing import Any

from babel import Locale
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from wallet.deps import ResourcesDep, SessionDep, SignedInPage
from wallet.i18n import choose_language, translator
from wallet.page_describe import as_ob3, describe
from wallet.pages import render
from wallet.service import storage
from wallet.service.accounts import Principal
from wallet.service.exports import europass, items, linkedin, pdf

router = APIRouter(tags=["pages"])

FORMATS = ("pdf-fr", "pdf-en", "europass")


def _countries(lang: str) -> list[tuple[str, str]]:
    """The countries Europass' table is mapped for, named in the page's language (CLDR)."""
    names = Locale.parse(lang).territories
    return sorted(
        ((code, names.get(code, code)) for code in europass.COUNTRIES), key=lambda pair: pair[1]
    )


def _page(
    request: Request, who: Principal, session: SessionDep, *, status: int = 200, **form: Any
) -> Response:
    lang = choose_language(request)
    cards = []
    for view in storage.list_credentials(session, who, with_content=True):
        claims = (view.content or {}).get("claims")
        shown = describe(claims, view.format, lang)
        cards.append(
            {
                "id": view.id,
                "title": shown["name"] or view.summary.get("title"),
                "issuer_name": view.summary.get("issuer_name") or shown["issuer_name"],
                "strength": pdf.strength_label(
                    items.strength_of(as_ob3(claims, view.format)), lang
                ),
            }
        )
    return render(
        request,
        "exports/export.html",
        status=status,
        who=who,
        cards=cards,
        formats=FORMATS,
        countries=_countries(lang),
        chosen=form.get("chosen", []),
        error=form.get("error"),
    )


@router.get("/export", response_class=Response)
def export_page(request: Request, who: SignedInPage, session: SessionDep) -> Response:
    return _page(request, who, session)


@router.post("/export", response_class=Response)
def export_download(
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
    credentials: list[str] = Form(default_factory=list),  # noqa: B008
    format: str = Form("pdf-fr"),
    holder: str = Form(""),
    country: str = Form(""),
) -> Response:
    """The chosen badges, each published at a fresh share link, as a PDF CV or Europass JSON."""
    _ = translator(choose_language(request))
    if not credentials:
        return _page(
            request, who, session, status=400, error=_("Choose at least one credential to export.")
        )
    if format not in FORMATS or len(credentials) > items.MAX_ITEMS:
        return _page(
            request,
            who,
            session,
            status=400,
            chosen=credentials,
            error=_("Choose one of the formats offered, for at most 50 credentials."),
        )
    lang = format.removeprefix("pdf-") if format.startswith("pdf-") else choose_language(request)
    base = res.settings.base_url
    chosen = items.collect(session, who, list(dict.fromkeys(credentials)), lang, base)
    name = holder.strip()[:200] or None
    if format == "europass":
        title = "Mes badges vérifiables" if lang == "fr" else "My verifiable credentials"
        document = europass.to_elm(
            chosen,
            lang,
            name,
            base,
            country=country or None,
            image_png=europass.display_png(chosen, title),
        )
        return Response(
            json.dumps(document, ensure_ascii=False, indent=2),
            media_type="application/ld+json",
            headers={"Content-Disposition": 'attachment; filename="europass.jsonld"'},
        )
    if not pdf.weasyprint_available():
        return _page(
            request,
            who,
            session,
            status=503,
            chosen=credentials,
            error=_("The PDF cannot be made on this server (WeasyPrint is missing)."),
        )
    return Response(
        pdf.render_pdf(chosen, lang, name),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="cv-{lang}.pdf"'},
    )


@router.post("/credentials/{credential_id}/linkedin", response_class=Response)
def add_to_linkedin(
    credential_id: str,
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
) -> Response:
    """Publish a share link for the badge, then open LinkedIn's prefilled certification form."""
    lang = choose_language(request)
    [item] = items.collect(session, who, [credential_id], lang, res.settings.base_url)
    return RedirectResponse(linkedin.add_to_profile_url(item), status_code=303)
