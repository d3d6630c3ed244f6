"""The person's history of presentations and receipts."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from wallet.deps import PrincipalDep, SessionDep
from wallet.service import history

router = APIRouter(tags=["history"])


@router.get("")
def list_history(who: PrincipalDep, session: SessionDep, kind: str | None = None) -> dict[str, Any]:
    return {"entries": history.entries(session, who, kind)}


@router.get("/export")
def export_history(who: PrincipalDep, session: SessionDep) -> Response:
    """The whole log as a JSON file."""
    body = json.dumps({"entries": history.entries(session, who)}, indent=2, ensure_ascii=False)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="musette-history.json"'},
    )
