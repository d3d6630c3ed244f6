"""The wallet's history page and the archive forms it carries (export, import)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from shared.encoding import passphrase_jwe
from shared.errors import VcError
from wallet.api.portability import archive_response
from wallet.deps import (
    ResourcesDep,
    SessionDep,
    SignedInPage,
)
from wallet.disclosure import facts_for
from wallet.i18n import choose_language, translator
from wallet.pages import (
    render,
)
from wallet.service import (
    history,
    portability,
    sharing,
    storage,
)
from wallet.service.accounts import Principal

router = APIRouter(tags=["pages"])


def _history_page(
    request: Request,
    who: Principal,
    session: Session,
    *,
    imported: dict[str, Any] | None = None,
    import_error: str | None = None,
    export_error: str | None = None,
    status: int = 200,
) -> Response:
    titles = {v.id: v.summary.get("title") for v in storage.list_credentials(session, who)}
    shares = [
        {
            "id": s.id,
            "credential_id": s.credential_id,
            "created_at": s.created_at,
            "title": titles.get(s.credential_id),
        }
        for s in sharing.list_shares(session, who)
    ]
    return render(
        request,
        "history.html",
        who=who,
        entries=history.entries(session, who),
        shares=shares,
        imported=imported,
        import_error=import_error,
        export_error=export_error,
        min_passphrase=passphrase_jwe.MIN_PASSPHRASE_CHARS,
        status=status,
        facts_of=facts_for(request),
    )


@router.get("/history", response_class=Response)
def history_page(request: Request, who: SignedInPage, session: SessionDep) -> Response:
    """Who was shown what, and when; share links; export and import."""
    return _history_page(request, who, session)


@router.post("/archive/export", response_class=Response)
def export_archive_page(
    request: Request,
    who: SignedInPage,
    session: SessionDep,
    passphrase: str = Form(""),
    passphrase_confirm: str = Form(""),
) -> Response:
    """Download the archive; with a passphrase (typed twice), locked in a standard JWE."""
    _ = translator(choose_language(request))
    if not passphrase and not passphrase_confirm:
        return archive_response(portability.export_archive(session, who), encrypted=False)
    if passphrase != passphrase_confirm:
        return _history_page(
            request,
            who,
            session,
            status=400,
            export_error=_(portability.CONFIRMATION_MISMATCH_MESSAGE),
        )
    try:
        data = portability.export_archive(session, who, passphrase=passphrase)
    except VcError as err:
        return _history_page(
            request,
            who,
            session,
            status=err.status,
            export_error=_(portability.message_for(err.code)),
        )
    return archive_response(data, encrypted=True)


@router.post("/archive/import", response_class=Response)
async def import_archive_page(
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
    file: UploadFile = File(...),  # noqa: B008
    passphrase: str = Form(""),
) -> Response:
    data = await file.read(portability.MAX_UPLOAD_BYTES + 1)
    try:
        imported = await run_in_threadpool(  # verifies every credential: off the event loop
            portability.import_archive,
            session,
            who,
            data,
            res.verify_context(),
            max_credential_bytes=res.settings.max_credential_bytes,
            passphrase=passphrase,
        )
    except VcError as err:
        _ = translator(choose_language(request))
        error = _(portability.message_for(err.code))
        return _history_page(request, who, session, import_error=error, status=err.status)
    return _history_page(request, who, session, imported=imported)
