"""Console pages for CSV batches: upload, preview (every row checked), confirm, results.

Nothing is issued until the admin confirms a preview without problems. The confirmation
form carries the file itself (base64, so it comes back byte for byte) and a one-time token:
the file is checked again, and posting the same confirmation twice creates one batch.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import FormData, UploadFile

from issuer.api.achievement_pages import _achievement, _text
from issuer.api.auth import AdminContext
from issuer.api.batches import (
    BatchUpload,
    csv_response,
    offer_json,
    options_from_form,
    run_batch,
)
from issuer.api.forms import FORMAT_LABELS
from issuer.db.models import Achievement as AchievementRow
from issuer.db.models import Batch
from issuer.deps import ResourcesDep, SessionDep
from issuer.i18n import choose_language, translator
from issuer.pages import Console, ConsoleDep, FormDep, PageError, render
from issuer.schemas import FORMATS, BatchOptionsIn
from issuer.service.batch import (
    COLUMNS,
    MAX_CSV_BYTES,
    MAX_ROWS,
    BatchPreview,
    batch_by_token,
    batch_offers,
    find_batch,
    preview_batch,
    results_csv,
    template_csv,
)
from issuer.service.spreadsheet import CsvFileError, CsvTooLargeError
from shared.errors import InvalidInputError, NotFoundError

router = APIRouter(tags=["console"], include_in_schema=False)
#: lifetimes offered on the form (hours) and their labels (msgids)
LIFETIMES = {
    24: "1 day",
    72: "3 days",
    168: "7 days",
    336: "14 days",
}


def _form_values(form: FormData | None, lang: str) -> dict[str, Any]:
    if form is None:
        return {
            "formats": ["ldp_vc"],
            "tx_code": False,
            "suspendable": False,
            "language": lang,
            "lifetime_hours": 168,
            "send_emails": True,
        }
    return {
        "formats": [f for f in form.getlist("formats") if isinstance(f, str)],
        "tx_code": bool(form.get("tx_code")),
        "suspendable": bool(form.get("suspendable")),
        "name_in_clear": bool(form.get("name_in_clear")),
        "language": str(form.get("language") or lang),
        "lifetime_hours": int(str(form.get("lifetime_hours") or 168))
        if str(form.get("lifetime_hours") or "168").isdigit()
        else 168,
        "send_emails": bool(form.get("send_emails")),
    }


def _upload_page(
    request: Request,
    console: Console,
    row: AchievementRow,
    values: dict[str, Any],
    *,
    error: str | None = None,
    error_values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    described = row.content.get("result_descriptions", [])
    return render(
        request,
        "batch.html",
        status=status,
        console=console,
        here=f"/console/achievements/{row.slug}/batch",
        section="issue",
        row=row,
        text=_text,
        values=values,
        error=error,
        error_values=error_values or {},
        columns=COLUMNS,
        results=[rd for rd in described if rd["id"] != "hours"],
        has_hours=any(rd["id"] == "hours" for rd in described),
        formats=FORMATS,
        format_labels=FORMAT_LABELS,
        lifetimes=LIFETIMES,
        max_kb=MAX_CSV_BYTES // 1024,
        max_rows=MAX_ROWS,
    )


@router.get("/console/achievements/{slug}/batch", response_class=Response)
def batch_page(slug: str, request: Request, console: ConsoleDep, session: SessionDep) -> Response:
    row = _achievement(session, console, slug)
    return _upload_page(request, console, row, _form_values(None, choose_language(request)))


@router.get("/console/achievements/{slug}/batch/template.csv", response_class=Response)
def batch_template(
    slug: str, request: Request, console: ConsoleDep, session: SessionDep
) -> Response:
    row = _achievement(session, console, slug)
    lang = choose_language(request)
    return csv_response(template_csv(row, lang), f"{row.slug}-{lang}.csv")


def _options(form: FormData, lang: str) -> BatchOptionsIn | None:
    if not any(isinstance(f, str) and f.strip() for f in form.getlist("formats")):
        return None  # the API defaults to one format; the form shows what it sends
    try:
        return options_from_form(form, lang)
    except InvalidInputError:
        return None


def _read(
    request: Request,
    console: Console,
    row: AchievementRow,
    form: FormData,
    data: bytes,
    options: BatchOptionsIn | None,
) -> tuple[BatchPreview | None, Response | None]:
    """The preview, or the upload page again with the reason the file cannot be used."""
    values = _form_values(form, choose_language(request))
    if options is None:
        message = "Choose at least one format and a lifetime from the list."
        return None, _upload_page(request, console, row, values, error=message, status=422)
    try:
        return preview_batch(data, row, options), None
    except CsvTooLargeError as err:
        return None, _upload_page(
            request, console, row, values, error=err.msgid, error_values=err.values, status=413
        )
    except CsvFileError as err:
        return None, _upload_page(
            request, console, row, values, error=err.msgid, error_values=err.values, status=422
        )


@router.post("/console/achievements/{slug}/batch", response_class=Response)
def batch_preview(
    slug: str, request: Request, console: ConsoleDep, form: FormDep, session: SessionDep
) -> Response:
    row = _achievement(session, console, slug)
    lang = choose_language(request)
    upload = form.get("file")
    data = b""
    filename = None
    if isinstance(upload, UploadFile):
        data = upload.file.read(MAX_CSV_BYTES + 1)
        filename = upload.filename
    if not data:
        return _upload_page(
            request,
            console,
            row,
            _form_values(form, lang),
            error="Choose a CSV file.",
            status=422,
        )
    options = _options(form, lang)
    preview, refused = _read(request, console, row, form, data, options)
    if refused is not None or preview is None or options is None:
        return refused or Response(status_code=422)
    return render(
        request,
        "batch_preview.html",
        status=200 if preview.ok else 422,
        console=console,
        here=f"/console/achievements/{row.slug}/batch",
        section="issue",
        row=row,
        text=_text,
        preview=preview,
        options=options,
        filename=filename or "",
        file_b64=base64.b64encode(data).decode() if preview.ok else "",
        confirm_token=secrets.token_urlsafe(24),
        format_labels=FORMAT_LABELS,
        lifetime_label=LIFETIMES.get(options.lifetime_hours),
        t=translator(lang),
    )


@router.post("/console/achievements/{slug}/batch/confirm", response_class=Response)
def batch_confirm(
    slug: str,
    request: Request,
    console: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    res: ResourcesDep,
) -> Response:
    row = _achievement(session, console, slug)
    lang = choose_language(request)
    token = str(form.get("confirm_token") or "")
    if len(token) < 16 or len(token) > 64:
        raise PageError(400, "This confirmation is not valid. Upload the file again.")
    done = batch_by_token(session, console.org, token)
    if done is not None:
        return RedirectResponse(f"/console/batches/{done.id}", status_code=303)
    try:
        data = base64.b64decode(str(form.get("file_b64") or ""), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if not data:
        raise PageError(400, "This confirmation is not valid. Upload the file again.")
    options = _options(form, lang)
    preview, refused = _read(request, console, row, form, data, options)
    if refused is not None or preview is None or options is None:
        return refused or Response(status_code=422)
    if not preview.ok:
        return _upload_page(
            request,
            console,
            row,
            _form_values(form, lang),
            error="The file has problems; nothing was issued.",
            status=422,
        )
    upload = BatchUpload(data, str(form.get("filename") or "") or None, options)
    try:
        batch_id, offers, codes, emails = run_batch(
            res, _admin(console), row, preview, upload, confirm_token=token
        )
    except IntegrityError:
        # the same confirmation posted twice at once (a double click): the other one won
        with res.sessions.begin() as fresh:
            won = batch_by_token(fresh, console.org, token)
        if won is None:
            raise
        return RedirectResponse(f"/console/batches/{won.id}", status_code=303)
    return _results_page(request, console, res, row, batch_id, offers, codes, emails)


def _admin(console: Console) -> AdminContext:
    return AdminContext(console.org, console.principal, console.org_base)


def _results_page(
    request: Request,
    console: Console,
    res: ResourcesDep,
    row: AchievementRow | None,
    batch_id: str,
    offers: list[Any],
    codes: dict[str, str],
    emails: dict[str, bool] | None,
) -> Response:
    lang = choose_language(request)
    csv_data = ""
    if codes:
        # the codes are not stored: this page is the only place they exist, with its CSV
        body = results_csv(
            res.settings, console.org_base, offers, lang, translator(lang), tx_codes=codes
        )
        csv_data = "data:text/csv;charset=utf-8;base64," + base64.b64encode(body).decode()
    return render(
        request,
        "batch_results.html",
        console=console,
        here=f"/console/batches/{batch_id}",
        section="issue",
        row=row,
        text=_text,
        batch_id=batch_id,
        offers=[offer_json(res, console.org_base, o, codes.get(o.id)) for o in offers],
        expires_at=offers[0].expires_at if offers else None,
        emails=emails,
        mail_relay=bool(res.settings.smtp_host),
        with_codes=bool(codes),
        csv_data=csv_data,
    )


def _batch(session: SessionDep, console: Console, batch_id: str) -> Batch:
    try:
        return find_batch(session, console.org, batch_id)
    except NotFoundError as err:
        raise PageError(404, "This batch does not exist in your organisation.") from err


@router.get("/console/batches/{batch_id}", response_class=Response)
def batch_results(
    batch_id: str, request: Request, console: ConsoleDep, session: SessionDep, res: ResourcesDep
) -> Response:
    batch = _batch(session, console, batch_id)
    row = session.get(AchievementRow, batch.achievement_id)
    offers = batch_offers(session, batch)
    return _results_page(request, console, res, row, batch.id, offers, {}, None)


@router.get("/console/batches/{batch_id}/results.csv", response_class=Response)
def batch_results_csv(
    batch_id: str, request: Request, console: ConsoleDep, session: SessionDep, res: ResourcesDep
) -> Response:
    batch = _batch(session, console, batch_id)
    lang = choose_language(request)
    body = results_csv(
        res.settings, console.org_base, batch_offers(session, batch), lang, translator(lang)
    )
    return csv_response(body, f"batch-{batch.id[:8]}.csv")
