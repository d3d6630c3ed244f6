"""Admin API for CSV batches: preview a file, issue it (all rows or none), read the results.

The file comes as ``multipart/form-data`` (a ``file`` part and the options as fields) or
as JSON (``BatchIn``: the file's text in ``csv``). Messages follow ``Accept-Language``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from issuer.api.auth import AdminContext, AdminDep
from issuer.db.models import Achievement as AchievementRow
from issuer.db.models import Offer
from issuer.deps import Resources, ResourcesDep, SessionDep
from issuer.i18n import choose_language, translator
from issuer.schemas import (
    CSV_RESPONSE,
    BatchIn,
    BatchOptionsIn,
    BatchOut,
    BatchPreviewOut,
    NewBatchOut,
)
from issuer.service import achievements as ach
from issuer.service.batch import (
    MAX_CSV_BYTES,
    BatchPreview,
    BatchRowsError,
    batch_offers,
    email_batch,
    find_batch,
    issue_batch,
    preview_batch,
    results_csv,
    template_csv,
)
from issuer.service.oid4vci import offer_urls
from issuer.service.spreadsheet import CsvFileError, CsvTooLargeError
from shared.errors import InvalidInputError
from shared.i18n import Gettext
from shared.model import format_datetime

router = APIRouter(prefix="/admin", tags=["batches"])
BOOL_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class BatchUpload:
    data: bytes
    filename: str | None
    options: BatchOptionsIn


def _options(raw: dict[str, Any]) -> BatchOptionsIn:
    try:
        return BatchOptionsIn.model_validate(raw)
    except ValidationError as err:
        errors = [{"loc": e["loc"], "msg": e["msg"], "type": e["type"]} for e in err.errors()]
        raise InvalidInputError("the batch options are not valid", errors=errors) from err


def options_from_form(form: Any, default_language: str | None = None) -> BatchOptionsIn:
    """Batch options from form fields (``formats`` repeated or comma-separated)."""
    formats: list[str] = []
    for value in form.getlist("formats"):
        if isinstance(value, str):
            formats += [f.strip() for f in value.split(",") if f.strip()]
    raw: dict[str, Any] = {
        key: str(form.get(key) or "").strip().lower() in BOOL_TRUE
        for key in ("tx_code", "suspendable", "name_in_clear")
    }
    raw["send_emails"] = str(form.get("send_emails", "true")).strip().lower() in BOOL_TRUE
    if formats:
        raw["formats"] = formats
    language = str(form.get("language") or "").strip() or default_language
    if language:
        raw["language"] = language
    lifetime = str(form.get("lifetime_hours") or "").strip()
    if lifetime:
        raw["lifetime_hours"] = lifetime
    return _options(raw)


async def read_upload(request: Request) -> BatchUpload:
    """The CSV file and the options, from multipart or JSON; 413 past the size limit."""
    kind = request.headers.get("content-type", "")
    lang = choose_language(request)
    if kind.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=20)
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InvalidInputError("send the CSV file in a multipart part named 'file'")
            data = await upload.read(MAX_CSV_BYTES + 1)
            return BatchUpload(data, upload.filename, options_from_form(form, lang))
        finally:
            await form.close()
    if kind.startswith("application/json"):
        raw = await request.body()
        try:
            body = BatchIn.model_validate_json(raw)
        except ValidationError as err:
            errors = [{"loc": e["loc"], "msg": e["msg"], "type": e["type"]} for e in err.errors()]
            raise InvalidInputError("the request does not match BatchIn", errors=errors) from err
        options = BatchOptionsIn.model_validate(body.model_dump(exclude={"csv"}))
        if options.language is None:
            options = options.model_copy(update={"language": lang})
        return BatchUpload(body.csv.encode("utf-8"), None, options)
    raise InvalidInputError("send multipart/form-data (a 'file' part) or JSON (BatchIn)")


UploadDep = Annotated[BatchUpload, Depends(read_upload)]


def localised(err: CsvFileError | CsvTooLargeError, t: Gettext) -> CsvFileError | CsvTooLargeError:
    """The same error with its detail in the reader's language."""
    err.detail = t(err.msgid, **err.values)
    return err


def checked_preview(upload: BatchUpload, achievement: AchievementRow, t: Gettext) -> BatchPreview:
    try:
        return preview_batch(upload.data, achievement, upload.options)
    except (CsvFileError, CsvTooLargeError) as err:
        raise localised(err, t) from None


def _preview_json(preview: BatchPreview, t: Gettext) -> dict[str, Any]:
    return {
        "valid": preview.ok,
        "rows": [
            {"line": r.line, **r.offer.model_dump(mode="json", exclude={"achievement"})}
            for r in preview.rows
        ],
        "errors": [p.to_json(t) for p in preview.problems],
        "error_count": preview.total_problems,
        "columns": preview.columns,
        "delimiter": preview.delimiter,
        "encoding": preview.encoding,
    }


def offer_json(
    res: Resources, org_base: str, offer: Offer, tx_code: str | None = None
) -> dict[str, Any]:
    uri, link, wallet = offer_urls(res.settings, org_base, offer.id)
    out: dict[str, Any] = {
        "line": offer.batch_line,
        "name": offer.recipient_name,
        "email": offer.recipient_email,
        "offer_id": offer.id,
        "offer_uri": link,
        "credential_offer_uri": uri,
        "wallet_link": wallet,
        "qr_png": f"{uri}/qr.png",
        "expires_at": format_datetime(offer.expires_at),
    }
    if tx_code is not None:
        out["tx_code"] = tx_code
    return out


def run_batch(
    res: Resources,
    ctx: AdminContext,
    achievement: AchievementRow,
    preview: BatchPreview,
    upload: BatchUpload,
    *,
    confirm_token: str | None = None,
) -> tuple[str, list[Offer], dict[str, str], dict[str, bool]]:
    """Create the batch in its own transaction, then (committed) write the emails.

    (batch id, offers in line order, tx codes by offer id, email written by offer id).
    """
    now = res.clock()
    with res.sessions.begin() as tx:
        result = issue_batch(
            tx,
            res.settings,
            res.master_secret,
            ctx.org,
            ctx.org_base,
            tx.get(AchievementRow, achievement.id) or achievement,
            preview,
            upload.options,
            actor=ctx.actor,
            now=now,
            filename=upload.filename,
            confirm_token=confirm_token,
        )
        offers = [c.offer for c in result.offers]
        codes = {c.offer.id: c.tx_code for c in result.offers if c.tx_code is not None}
        batch_id = result.batch.id
    emails: dict[str, bool] = {}
    if upload.options.send_emails:
        emails = email_batch(
            ctx.org,
            achievement,
            offers,
            settings=res.settings,
            org_base=ctx.org_base,
            translate=translator,
            badge_name=lambda lang: _name(achievement, lang),
            sender_host=urlsplit(res.settings.base_url).hostname or "localhost",
            now=now,
        )
    return batch_id, offers, codes, emails


def _name(row: AchievementRow, lang: str) -> str:
    value = row.content.get("name") or {}
    return str(value.get(lang) or value.get("en" if lang == "fr" else "fr") or "")


@router.post(
    "/orgs/{slug}/achievements/{achievement}/batches/preview", response_model=BatchPreviewOut
)
def preview(
    achievement: str, request: Request, upload: UploadDep, ctx: AdminDep, session: SessionDep
) -> dict[str, Any]:
    """Check a CSV file row by row; nothing is created (``valid`` says if it can be issued)."""
    row = ach.get_achievement(session, ctx.org, achievement)
    t = translator(choose_language(request))
    return _preview_json(checked_preview(upload, row, t), t)


@router.post(
    "/orgs/{slug}/achievements/{achievement}/batches",
    status_code=201,
    response_model=NewBatchOut,
    response_model_exclude_unset=True,
)
def create(
    achievement: str,
    request: Request,
    upload: UploadDep,
    ctx: AdminDep,
    session: SessionDep,
    res: ResourcesDep,
) -> dict[str, Any]:
    """Issue one offer per row, all or none: any invalid row is a 422 and nothing is created."""
    row = ach.get_achievement(session, ctx.org, achievement)
    t = translator(choose_language(request))
    checked = checked_preview(upload, row, t)
    if not checked.ok:
        raise BatchRowsError(
            t("The file has problems; nothing was issued."),
            errors=[p.to_json(t) for p in checked.problems],
            error_count=checked.total_problems,
        )
    batch_id, offers, codes, emails = run_batch(res, ctx, row, checked, upload)
    base = f"/admin/orgs/{ctx.org.slug}/batches/{batch_id}"
    return {
        "batch_id": batch_id,
        "count": len(offers),
        "results": f"{base}",
        "results_csv": f"{base}/results.csv",
        "offers": [
            {**offer_json(res, ctx.org_base, o, codes.get(o.id)), "email_written": emails.get(o.id)}
            for o in offers
        ],
    }


@router.get(
    "/orgs/{slug}/achievements/{achievement}/batches/template.csv",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def template(achievement: str, ctx: AdminDep, session: SessionDep, lang: str = "fr") -> Response:
    """An example CSV file with the columns this badge accepts (``lang``: fr or en)."""
    row = ach.get_achievement(session, ctx.org, achievement)
    return csv_response(template_csv(row, lang), f"{row.slug}-{lang}.csv")


@router.get(
    "/orgs/{slug}/batches/{batch_id}", response_model=BatchOut, response_model_exclude_unset=True
)
def get_batch(
    batch_id: str, ctx: AdminDep, session: SessionDep, res: ResourcesDep
) -> dict[str, Any]:
    batch = find_batch(session, ctx.org, batch_id)
    return {
        "batch_id": batch.id,
        "count": batch.row_count,
        "created_at": format_datetime(batch.created_at),
        "created_by": batch.created_by,
        "offers": [offer_json(res, ctx.org_base, o) for o in batch_offers(session, batch)],
    }


@router.get(
    "/orgs/{slug}/batches/{batch_id}/results.csv", response_class=Response, responses=CSV_RESPONSE
)
def batch_results_csv(
    batch_id: str,
    request: Request,
    ctx: AdminDep,
    session: SessionDep,
    res: ResourcesDep,
) -> Response:
    """The batch's links as CSV (formula cells neutralised); tx codes are never stored."""
    batch = find_batch(session, ctx.org, batch_id)
    lang = choose_language(request)
    body = results_csv(
        res.settings, ctx.org_base, batch_offers(session, batch), lang, translator(lang)
    )
    return csv_response(body, f"batch-{batch.id[:8]}.csv")


def csv_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
