"""The person's credentials: import, list, search, file, delete."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from servicekit.schemas import media_response
from wallet.deps import PrincipalDep, ResourcesDep, SessionDep
from wallet.schemas import CredentialListOut, CredentialOut, SpheresOut
from wallet.service import importing, storage

router = APIRouter(tags=["credentials"])

MEDIA_TYPES = {
    "ldp_vc": "application/vc+ld+json",
    "vc+jwt": "application/vc+jwt",
    "jwt_vc_json": "application/jwt",
    "dc+sd-jwt": "application/dc+sd-jwt",
    "vc+sd-jwt": "application/dc+sd-jwt",
}


class ImportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: a JSON credential, a compact JWT / SD-JWT, or ``{"base64": …}`` for a baked image
    credential: Any
    sphere: str | None = None
    tags: list[str] = []


class CredentialPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sphere: str | None = None
    tags: list[str] | None = None


def _bytes_of(value: Any) -> bytes:
    if isinstance(value, dict) and set(value) == {"base64"}:
        return base64.b64decode(str(value["base64"]), validate=True)
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value, ensure_ascii=False).encode()


@router.get("", response_model=CredentialListOut, response_model_exclude_unset=True)
def list_credentials(
    who: PrincipalDep,
    session: SessionDep,
    sphere: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    format: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """Newest first; ``q`` searches titles, issuers, descriptions, skills and tags."""
    views = storage.list_credentials(
        session,
        who,
        sphere=sphere,
        tag=tag,
        query=q,
        fmt=format,
        limit=max(1, min(limit, 1000)),
        offset=max(0, offset),
    )
    return {"credentials": [v.to_json() for v in views]}


@router.post("", status_code=201, response_model=CredentialOut, response_model_exclude_unset=True)
def import_json(
    body: ImportBody, who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Import a credential given in the body; it is verified before anything is stored."""
    data = _bytes_of(body.credential)
    view = importing.import_credential(
        session,
        who,
        data,
        res.verify_context(),
        max_bytes=res.settings.max_credential_bytes,
        sphere=body.sphere,
        tags=body.tags,
    )
    return view.to_json()


@router.post(
    "/upload", status_code=201, response_model=CredentialOut, response_model_exclude_unset=True
)
async def import_file(
    who: PrincipalDep,
    res: ResourcesDep,
    session: SessionDep,
    file: UploadFile = File(...),  # noqa: B008
    sphere: str | None = Form(None),
    tags: str = Form(""),
) -> dict[str, Any]:
    """Import a file: JSON, JWT, SD-JWT, or a baked PNG/SVG badge."""
    data = await file.read(res.settings.max_credential_bytes + 1)
    # verifying fetches DID documents and status lists: off the event loop
    view = await run_in_threadpool(
        importing.import_credential,
        session,
        who,
        data,
        res.verify_context(),
        max_bytes=res.settings.max_credential_bytes,
        sphere=sphere or None,
        tags=[t for t in tags.split(",") if t.strip()],
    )
    return view.to_json()


@router.get("/spheres", response_model=SpheresOut, response_model_exclude_unset=True)
def list_spheres(who: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    return {
        "spheres": storage.spheres(session, who),
        "counts": storage.count_by_sphere(session, who),
    }


@router.get("/{credential_id}", response_model=CredentialOut, response_model_exclude_unset=True)
def get_credential(credential_id: str, who: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    return storage.get_credential(session, who, credential_id).to_json(with_content=True)


@router.get(
    "/{credential_id}/raw",
    response_class=Response,
    responses=media_response(
        "The credential as received (JSON-LD or a token)", *sorted(set(MEDIA_TYPES.values()))
    ),
)
def raw_credential(credential_id: str, who: PrincipalDep, session: SessionDep) -> Response:
    """The credential as a standard file (as received)."""
    view = storage.get_credential(session, who, credential_id)
    ext = storage.FILE_EXTENSIONS[view.format]
    return Response(
        view.raw,
        media_type=MEDIA_TYPES[view.format],
        headers={"Content-Disposition": f'attachment; filename="{view.id}.{ext}"'},
    )


@router.patch("/{credential_id}", response_model=CredentialOut, response_model_exclude_unset=True)
def update_credential(
    credential_id: str, body: CredentialPatch, who: PrincipalDep, session: SessionDep
) -> dict[str, Any]:
    """File a credential under another sphere, or change its tags."""
    view = storage.update_credential(
        session, who, credential_id, sphere=body.sphere, tags=body.tags
    )
    return view.to_json()


@router.delete("/{credential_id}", status_code=204)
def delete_credential(credential_id: str, who: PrincipalDep, session: SessionDep) -> None:
    storage.delete_credential(session, who, credential_id)
