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
from issuer.api.forms import FORMAT_LABELS, first_choices, submitted_choices
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
        return {**first_choices(), "language": lang, "lifetime_hours": 168, "send_emails": True}
    lifetime = str(form.get("lifetime_hours") or "168")
    number = lifetime.isascii() and lifetime.isdigit() and len(lifetime) < 7
    return {
        **submitted_choices(form),
        "language": str(form.get("language") or lang),
        # shown again when it is a number of hours ("²" is a digit to Python, not a number)
        "lifetime_hours": int(lifetime) if number else 168,
        "send_emails": bool(form.get("send_emails")),
    }


def _batch_step(
    request: Request,
    template: str,
    console: Console,
    row: AchievementRow,
    *,
    status: int,
    **context: Any,
) -> Response:
    """A page of the upload-and-preview step: under "Issue", at the badge's batch address."""
    return render(
        request,
        template,
        status=status,
        console=console,
        here=f"/console/achievements/{row.slug}/batch",
        section="issue",
        row=row,
        text=_text,
        **context,
    )


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
    return _batch_step(
        request,
        "batch.html",
        console,
        row,
        status=status,
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


def _refused(
    request: Request, console: Console, row: AchievementRow, form: FormData, message: str
) -> Response:
    """The upload page again, as filled, with why nothing goes further."""
    values = _form_values(form, choose_language(request))
    return _upload_page(request, console, row, values, error=message, status=422)


def _read(
    request: Request, console: Console, row: AchievementRow, form: FormData, data: bytes
) -> tuple[BatchPreview, BatchOptionsIn] | Response:
    """The preview and the options, or the upload page again with the reason the file
    cannot be used."""
    lang = choose_language(request)
    options = _options(form, lang)
    if options is None:
        return _refused(
            request, console, row, form, "Choose at least one format and a lifetime from the list."
        )
    try:
        return preview_batch(data, row, options), options
    except CsvTooLargeError as err:
        status, msgid, msg_values = 413, err.msgid, err.values
    except CsvFileError as err:
        status, msgid, msg_values = 422, err.msgid, err.values
    values = _form_values(form, lang)
    return _upload_page(
        request, console, row, values, error=msgid, error_values=msg_values, status=status
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
        return _refused(request, console, row, form, "Choose a CSV file.")
    read = _read(request, console, row, form, data)
    if isinstance(read, Response):
        return read
    preview, options = read
    return _batch_step(
        request,
        "batch_preview.html",
        console,
        row,
        status=200 if preview.ok else 422,
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
    read = _read(request, console, row, form, data)
    if isinstance(read, Response):
        return read
    preview, options = read
    if not preview.ok:
        return _refused(request, console, row, form, "The file has problems; nothing was issued.")
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
