"""The trust registry API: list, add, rename, remove, import (authentication required)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict

from shared.errors import InvalidInputError
from verifier.api.bodies import json_body, read_capped
from verifier.deps import PrincipalDep, ResourcesDep, SessionDep
from verifier.schemas import ImportOut, TrustEntryOut, TrustListOut
from verifier.service import trust

router = APIRouter(prefix="/trust/issuers", tags=["trust"])


class NewEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = "did"
    value: str
    name: str
    url: str | None = None
    #: association, platform, employer or school (optional)
    issuer_kind: str | None = None


class EntryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    url: str | None = None
    issuer_kind: str | None = None


@router.get("", response_model=TrustListOut)
def list_issuers(session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    return {"issuers": [e.to_json() for e in trust.list_entries(session)]}


@router.post("", status_code=201, response_model=TrustEntryOut)
def add_issuer(
    body: NewEntry, session: SessionDep, res: ResourcesDep, who: PrincipalDep
) -> dict[str, Any]:
    entry = trust.add_entry(
        session,
        kind=body.kind,
        value=body.value,
        name=body.name,
        url=body.url,
        source=f"api:{who.account_id}",
        now=res.clock(),
        issuer_kind=body.issuer_kind,
    )
    return entry.to_json()


@router.patch("/{entry_id}", response_model=TrustEntryOut)
def update_issuer(
    entry_id: str, body: EntryUpdate, session: SessionDep, who: PrincipalDep
) -> dict[str, Any]:
    return trust.update_entry(
        session, entry_id, name=body.name, url=body.url, issuer_kind=body.issuer_kind
    ).to_json()


@router.delete("/{entry_id}", status_code=204)
def delete_issuer(entry_id: str, session: SessionDep, who: PrincipalDep) -> Response:
    trust.delete_entry(session, entry_id)
    return Response(status_code=204)


@router.post("/import", response_model=ImportOut)
async def import_registry(
    request: Request, session: SessionDep, res: ResourcesDep, who: PrincipalDep
) -> dict[str, Any]:
    """Import a Digital Credentials Consortium issuer registry (``registry.json``)."""
    document = json_body(await read_capped(request, res.settings.max_upload_bytes))
    if not isinstance(document, dict):
        raise InvalidInputError("send the registry JSON document")
    source = request.query_params.get("source", "dcc-import")[:200]
    return trust.import_dcc_registry(session, document, source=source, now=res.clock())
