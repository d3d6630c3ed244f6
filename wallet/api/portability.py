"""Export everything to one archive; import an archive from another Musette wallet."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from wallet.deps import PrincipalDep, ResourcesDep, SessionDep
from wallet.service import portability

router = APIRouter(tags=["portability"])


@router.get("/export")
def export_all(who: PrincipalDep, session: SessionDep) -> Response:
    """A ZIP archive: credentials as standard files, metadata, spheres, tags, history, keys."""
    return Response(
        portability.export_archive(session, who),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="musette-wallet.zip"'},
    )


@router.post("/import")
async def import_all(
    who: PrincipalDep,
    res: ResourcesDep,
    session: SessionDep,
    file: UploadFile = File(...),  # noqa: B008
) -> dict[str, Any]:
    data = await file.read(portability.MAX_ARCHIVE_BYTES + 1)
    # verifying every credential fetches DID documents and status lists: off the event loop
    return await run_in_threadpool(
        portability.import_archive,
        session,
        who,
        data,
        res.verify_context(),
        max_credential_bytes=res.settings.max_credential_bytes,
    )
