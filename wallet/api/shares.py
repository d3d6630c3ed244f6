"""Public sharing: publish a credential at an unguessable URL, and unpublish it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from servicekit.schemas import media_response
from wallet.api.credentials import MEDIA_TYPES
from wallet.deps import LINKS_LIMIT, PrincipalDep, ResourcesDep, SessionDep
from wallet.schemas import ShareOut
from wallet.service import sharing

router = APIRouter(tags=["shares"])


def _share_json(share: Any, base: str, token: str | None = None) -> dict[str, Any]:
    out = {
        "id": share.id,
        "credential_id": share.credential_id,
        "created_at": share.created_at.isoformat(),
    }
    if token:
        out["url"] = f"{base}/s/{token}"
        out["raw_url"] = f"{base}/s/{token}/raw"
    return out


@router.post(
    "/api/credentials/{credential_id}/shares",
    status_code=201,
    response_model=ShareOut,
    response_model_exclude_unset=True,
)
def publish(
    credential_id: str, who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Publish; the URL is returned once (the wallet keeps only its hash)."""
    share, token = sharing.publish(session, who, credential_id)
    return _share_json(share, res.settings.base_url.rstrip("/"), token)


@router.get("/api/shares", response_model=list[ShareOut], response_model_exclude_unset=True)
def list_shares(who: PrincipalDep, res: ResourcesDep, session: SessionDep) -> list[dict[str, Any]]:
    base = res.settings.base_url.rstrip("/")
    return [_share_json(s, base) for s in sharing.list_shares(session, who)]


@router.delete("/api/shares/{share_id}", status_code=204)
def unpublish(share_id: str, who: PrincipalDep, session: SessionDep) -> None:
    sharing.unpublish(session, who, share_id)


@router.get(
    "/s/{token}/raw",
    dependencies=[LINKS_LIMIT],
    response_class=Response,
    responses=media_response(
        "The shared credential (JSON-LD or a token)", *sorted(set(MEDIA_TYPES.values()))
    ),
)
def shared_raw(token: str, session: SessionDep) -> Response:
    shared = sharing.open_share(session, token)
    return Response(
        shared["credential"], media_type=MEDIA_TYPES.get(shared["format"], "text/plain")
    )


@router.get("/s/{token}", response_class=HTMLResponse, dependencies=[LINKS_LIMIT])
def shared_page(token: str, request: Request, session: SessionDep, res: ResourcesDep) -> Response:
    from wallet.api.credential_pages import _status_checked, _verify_now
    from wallet.pages import render, verdict

    shared = sharing.open_share(session, token)
    report = _verify_now(res, shared["credential"])  # a live verdict, never a stored one
    return render(
        request,
        "shared.html",
        shared=shared,
        raw_url=f"/s/{token}/raw",
        verdict=verdict(report),
        status_checked=_status_checked(report),
    )
