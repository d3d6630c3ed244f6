"""Console pages for issued credentials: the list, one credential, revoke/suspend/unsuspend."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from issuer.api.achievement_pages import _text
from issuer.api.forms import (
    FORMAT_LABELS,
)
from issuer.api.issue_pages import _offer_state
from issuer.api.pages import _flash
from issuer.db.models import Achievement as AchievementRow
from issuer.db.models import IssuedCredential, Offer, StatusEvent
from issuer.deps import ResourcesDep, SessionDep
from issuer.pages import (
    Console,
    ConsoleDep,
    FormDep,
    PageError,
    render,
)
from issuer.service import achievements as ach
from issuer.service.status import can_suspend, change_status
from shared.errors import ConflictError

router = APIRouter(tags=["console"], include_in_schema=False)
STATUS_ACTIONS = ("revoke", "suspend", "unsuspend")


def _status(row: IssuedCredential) -> str:
    return "revoked" if row.revoked else "suspended" if row.suspended else "active"


@router.get("/console/credentials", response_class=Response)
def credentials_page(
    request: Request, console: ConsoleDep, session: SessionDep, res: ResourcesDep
) -> Response:
    org = console.org
    creds = list(
        session.scalars(
            select(IssuedCredential)
            .where(IssuedCredential.org_id == org.id)
            .order_by(IssuedCredential.issued_at.desc())
            .limit(200)
        )
    )
    offers = list(
        session.scalars(
            select(Offer).where(Offer.org_id == org.id).order_by(Offer.created_at.desc()).limit(20)
        )
    )
    names = {r.id: r for r in ach.list_achievements(session, org, include_archived=True)}
    now = res.clock()
    return render(
        request,
        "credentials.html",
        console=console,
        section="credentials",
        creds=creds,
        offers=offers,
        achievements=names,
        text=_text,
        status_of=_status,
        offer_state=lambda o: _offer_state(o, now),
        format_labels=FORMAT_LABELS,
    )


def _credential(session: SessionDep, console: Console, credential_id: str) -> IssuedCredential:
    row = session.get(IssuedCredential, credential_id)
    if row is None or row.org_id != console.org.id:
        raise PageError(404, "This credential does not exist in your organisation.")
    return row


def _credential_page(
    request: Request,
    console: Console,
    session: SessionDep,
    row: IssuedCredential,
    *,
    errors: dict[str, str] | None = None,
    reason: str = "",
    status: int = 200,
) -> Response:
    events = list(
        session.scalars(
            select(StatusEvent)
            .where(StatusEvent.org_id == console.org.id, StatusEvent.credential_id == row.id)
            .order_by(StatusEvent.id)
        )
    )
    achievement = session.get(AchievementRow, row.achievement_id) if row.achievement_id else None
    current = _status(row)
    if current == "revoked" or row.status_index is None:
        actions: list[str] = []
    elif not can_suspend(row):
        actions = ["revoke"]
    else:
        actions = ["unsuspend", "revoke"] if row.suspended else ["suspend", "revoke"]
    download = f"/admin/orgs/{console.org.slug}/credentials/{row.id}/download"
    return render(
        request,
        "credential.html",
        status=status,
        console=console,
        here=f"/console/credentials/{row.id}",
        section="credentials",
        cred=row,
        achievement=achievement,
        text=_text,
        current=current,
        actions=actions,
        events=events,
        errors=errors or {},
        reason=reason,
        download=download,
        format_labels=FORMAT_LABELS,
        flash=_flash(request),
    )


@router.get("/console/credentials/{credential_id}", response_class=Response)
def credential_page(
    credential_id: str, request: Request, console: ConsoleDep, session: SessionDep
) -> Response:
    return _credential_page(request, console, session, _credential(session, console, credential_id))


@router.post("/console/credentials/{credential_id}/status", response_class=Response)
def credential_status(
    credential_id: str,
    request: Request,
    console: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    res: ResourcesDep,
) -> Response:
    row = _credential(session, console, credential_id)
    action = str(form.get("action") or "")
    reason = str(form.get("reason") or "").strip()
    errors: dict[str, str] = {}
    if action not in STATUS_ACTIONS:
        errors["action"] = "Choose what to do."
    if not reason:
        errors["reason"] = "Give a reason: it is kept in the history."
    elif len(reason) > 2000:
        errors["reason"] = "The reason is too long (2,000 characters at most)."
    if not errors:
        try:
            change_status(
                session,
                console.org,
                row.id,
                action,
                reason=reason,
                actor=console.actor,
                now=res.clock(),
            )
        except ConflictError:
            errors["action"] = {
                "revoke": "This credential is already revoked.",
            }.get(action, "A revoked credential cannot change any more.")
    if errors:
        return _credential_page(
            request, console, session, row, errors=errors, reason=reason, status=422
        )
    return RedirectResponse(f"/console/credentials/{row.id}?done={action}", status_code=303)
