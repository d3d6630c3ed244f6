"""Export everything to one archive; import an archive from another Musette wallet."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from servicekit.schemas import media_response
from shared.errors import VcError
from wallet.deps import PrincipalDep, ResourcesDep, SessionDep
from wallet.i18n import LANGUAGES, translator
from wallet.schemas import ArchiveImportOut
from wallet.service import portability

router = APIRouter(tags=["portability"])


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: with a passphrase (12 characters or more) the archive is a JWE (PBES2, A256GCM)
    passphrase: str | None = None


ARCHIVE_RESPONSE = media_response(
    "The archive: a ZIP file, or a JWE (compact) with a passphrase",
    portability.ZIP_MEDIA_TYPE,
    portability.ENCRYPTED_MEDIA_TYPE,
)


def archive_response(data: bytes, *, encrypted: bool) -> Response:
    if encrypted:
        media, name = portability.ENCRYPTED_MEDIA_TYPE, portability.ENCRYPTED_FILENAME
    else:
        media, name = portability.ZIP_MEDIA_TYPE, portability.ZIP_FILENAME
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def with_messages(err: VcError) -> VcError:
    """Add the French and English plain-words message to a refused import or export."""
    text = portability.message_for(err.code)
    err.extensions["message"] = {lang: translator(lang)(text) for lang in LANGUAGES}
    return err


@router.get("/export", response_class=Response, responses=ARCHIVE_RESPONSE)
def export_all(who: PrincipalDep, session: SessionDep) -> Response:
    """A ZIP archive: credentials as standard files, metadata, spheres, tags, history, keys."""
    return archive_response(portability.export_archive(session, who), encrypted=False)


@router.post("/export", response_class=Response, responses=ARCHIVE_RESPONSE)
def export_all_protected(body: ExportRequest, who: PrincipalDep, session: SessionDep) -> Response:
    """The same archive; with a passphrase, locked in a JWE any JOSE library can open."""
    try:
        data = portability.export_archive(session, who, passphrase=body.passphrase)
    except VcError as err:
        with_messages(err)
        raise
    return archive_response(data, encrypted=body.passphrase is not None)


@router.post("/import", response_model=ArchiveImportOut, response_model_exclude_unset=True)
async def import_all(
    who: PrincipalDep,
    res: ResourcesDep,
    session: SessionDep,
    file: UploadFile = File(...),  # noqa: B008
    passphrase: str | None = Form(None),
) -> dict[str, Any]:
    data = await file.read(portability.MAX_UPLOAD_BYTES + 1)
    try:
        # verifying every credential fetches DID documents and status lists: off the event loop
        return await run_in_threadpool(
            portability.import_archive,
            session,
            who,
            data,
            res.verify_context(),
            max_credential_bytes=res.settings.max_credential_bytes,
            passphrase=passphrase,
        )
    except VcError as err:
        with_messages(err)
        raise
