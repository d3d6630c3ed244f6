"""The person's history of presentations and receipts."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from wallet.deps import PrincipalDep, SessionDep
from wallet.schemas import HistoryOut
from wallet.service import history

router = APIRouter(tags=["history"])


@router.get("", response_model=HistoryOut, response_model_exclude_unset=True)
def list_history(who: PrincipalDep, session: SessionDep, kind: str | None = None) -> dict[str, Any]:
    return {"entries": history.entries(session, who, kind)}


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"model": HistoryOut, "description": "The whole log as a JSON file"}},
)
def export_history(who: PrincipalDep, session: SessionDep) -> Response:
    """The whole log as a JSON file."""
    body = json.dumps({"entries": history.entries(session, who)}, indent=2, ensure_ascii=False)
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="musette-history.json"'},
    )
