"""Console pages for issuing: choose a badge, fill the offer, show and email the offer."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from issuer.api.achievement_pages import _achievement, _text
from issuer.api.forms import (
    FORMAT_LABELS,
    first_choices,
    parse_offer,
    submitted_offer_values,
)
from issuer.api.pages import _flash
from issuer.db.models import Achievement as AchievementRow
from issuer.db.models import IssuedCredential, Offer
from issuer.deps import ResourcesDep, SessionDep
from issuer.i18n import choose_language, translator
from issuer.pages import (
    Console,
    ConsoleDep,
    FormDep,
    PageError,
    render,
)
from issuer.schemas import FORMATS
from issuer.service import achievements as ach
from issuer.service.oid4vci import create_offer, offer_urls, tx_code_matches
from issuer.service.outbox import deliver_email, offer_email, parse_email_address
from issuer.service.states import OfferState
from shared.errors import InvalidInputError

router = APIRouter(tags=["console"], include_in_schema=False)
TX_COOKIE = "musette_issuer_tx"


@router.get("/console", response_class=Response)  # the console opens on its main task
@router.get("/console/issue", response_class=Response)
def choose_achievement_page(request: Request, console: ConsoleDep, session: SessionDep) -> Response:
    rows = ach.list_achievements(session, console.org)
    return render(
        request, "issue_choose.html", console=console, section="issue", rows=rows, text=_text
    )


def _issue_form(
    request: Request,
    console: Console,
    row: AchievementRow,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    has_hours = any(r["id"] == "hours" for r in row.content.get("result_descriptions", []))
    return render(
        request,
        "issue.html",
        status=status,
        console=console,
        section="issue",
        row=row,
        text=_text,
        values=values,
        errors=errors or {},
        has_hours=has_hours,
        formats=FORMATS,
        format_labels=FORMAT_LABELS,
    )


@router.get("/console/achievements/{slug}/issue", response_class=Response)
def issue_page(slug: str, request: Request, console: ConsoleDep, session: SessionDep) -> Response:
    row = _achievement(session, console, slug)
    return _issue_form(request, console, row, {**first_choices(), "language": ""})


@router.post("/console/achievements/{slug}/issue", response_class=Response)
def issue(
    slug: str,
    request: Request,
    console: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    res: ResourcesDep,
) -> Response:
    row = _achievement(session, console, slug)
    lang = choose_language(request)
    parsed = parse_offer(form, row, lang)
    if not parsed.ok:
        return _issue_form(
            request, console, row, submitted_offer_values(form), parsed.errors, status=422
        )
    created = create_offer(
        session,
        res.settings,
        res.master_secret,
        console.org,
        console.org_base,
        parsed.body,
        actor=console.actor,
        now=res.clock(),
    )
    response = RedirectResponse(f"/console/offers/{created.offer.id}?done=issued", status_code=303)
    if created.tx_code is not None:
        response.set_cookie(
            TX_COOKIE,
            created.tx_code,
            httponly=True,
            secure=res.settings.secure_cookies,
            samesite="strict",
            max_age=res.settings.offer_ttl_seconds,
            path=f"/console/offers/{created.offer.id}",
        )
    return response


def _offer(session: SessionDep, console: Console, offer_id: str) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None or offer.org_id != console.org.id:
        raise PageError(404, "This offer does not exist in your organisation.")
    return offer


def _offer_state(offer: Offer, now: datetime) -> str:
    if offer.state == OfferState.PENDING and offer.expires_at <= now:
        return "expired"
    labels: dict[str, str] = {OfferState.PENDING: "pending", OfferState.REDEEMED: "collected"}
    return labels.get(offer.state, "closed")


def _offer_page(
    request: Request,
    console: Console,
    session: SessionDep,
    res: ResourcesDep,
    offer: Offer,
    *,
    email_error: str | None = None,
    email_value: str | None = None,
    status: int = 200,
) -> Response:
    row = session.get(AchievementRow, offer.achievement_id)
    uri, link, wallet = offer_urls(res.settings, console.org_base, offer.id)
    tx_code = request.cookies.get(TX_COOKIE)
    if not (tx_code and tx_code_matches(res.master_secret, offer, tx_code)):
        tx_code = None
    credentials = list(
        session.scalars(
            select(IssuedCredential)
            .where(IssuedCredential.org_id == console.org.id, IssuedCredential.offer_id == offer.id)
            .order_by(IssuedCredential.issued_at)
        )
    )
    now = res.clock()
    return render(
        request,
        "offer.html",
        status=status,
        console=console,
        here=f"/console/offers/{offer.id}",
        section="issue",
        offer=offer,
        row=row,
        text=_text,
        state=_offer_state(offer, now),
        minutes_left=max(0, int((offer.expires_at - now).total_seconds() // 60)),
        link=link,
        wallet_link=wallet,
        qr_src=f"{urlsplit(uri).path}/qr.svg",
        tx_code=tx_code,
        needs_tx_code=offer.tx_code_hash is not None,
        hours=(offer.subject.get("results") or {}).get("hours"),
        credentials=credentials,
        format_labels=FORMAT_LABELS,
        mail_relay=bool(res.settings.smtp_host),
        email_error=email_error,
        email_value=offer.recipient_email if email_value is None else email_value,
        flash=_flash(request),
    )


@router.get("/console/offers/{offer_id}", response_class=Response)
def offer_page(
    offer_id: str, request: Request, console: ConsoleDep, session: SessionDep, res: ResourcesDep
) -> Response:
    return _offer_page(request, console, session, res, _offer(session, console, offer_id))


@router.post("/console/offers/{offer_id}/email", response_class=Response)
def email_offer(
    offer_id: str,
    request: Request,
    console: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    res: ResourcesDep,
) -> Response:
    offer = _offer(session, console, offer_id)
    typed = str(form.get("email") or "")
    try:
        address = parse_email_address(typed)
    except InvalidInputError:
        return _offer_page(
            request,
            console,
            session,
            res,
            offer,
            email_error="This is not an email address.",
            email_value=typed,
            status=422,
        )
    row = session.get(AchievementRow, offer.achievement_id)
    _, link, wallet = offer_urls(res.settings, console.org_base, offer.id)
    delivery = deliver_email(
        res.settings,
        offer_email(
            translator(offer.language),
            to=address,
            org_name=console.org.name,
            badge=_text(row, "name", offer.language) if row else "",
            recipient_name=offer.recipient_name,
            wallet_link=wallet,
            offer_link=link,
            needs_tx_code=offer.tx_code_hash is not None,
            sender_host=urlsplit(res.settings.base_url).hostname or "localhost",
        ),
        res.clock(),
    )
    offer.recipient_email = address
    done = "email-sent" if delivery == "sent" else "email"
    return RedirectResponse(f"/console/offers/{offer.id}?done={done}", status_code=303)
