"""The wallet's receiving pages: paste or open an offer, consent (accept or decline), import a
file."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from shared.errors import VcError
from shared.ui.problem_text import problem_message
from wallet.api.pages import _chosen_sphere, _sphere_choices
from wallet.deps import (
    Resources,
    ResourcesDep,
    SessionDep,
    SignedInPage,
)
from wallet.i18n import choose_language, translator
from wallet.pages import (
    explained,
    render,
)
from wallet.service import (
    importing,
    receiving,
)
from wallet.service.accounts import Principal

router = APIRouter(tags=["pages"])


def _receive_form(
    request: Request,
    who: Principal,
    session: Session,
    *,
    error: str | None = None,
    import_error: str | None = None,
    status: int = 200,
    pasted: str = "",
) -> Response:
    return render(
        request,
        "receive.html",
        who=who,
        offer=None,
        error=error,
        status=status,
        import_error=import_error,
        pasted=pasted,
        spheres=_sphere_choices(session, who),
    )


def _open_offer(
    request: Request, who: Principal, res: Resources, session: Session, link: str
) -> Response:
    try:
        offer = receiving.open_offer(session, who, res.fetcher, link, choose_language(request))
    except VcError as err:
        _ = translator(choose_language(request))
        error = explained(request, _("This offer could not be opened."), err)
        return _receive_form(request, who, session, error=error, status=err.status, pasted=link)
    return render(
        request,
        "receive.html",
        who=who,
        offer=offer,
        error=None,
        spheres=_sphere_choices(session, who),
    )


@router.get("/receive", response_class=Response)
def receive_page(
    request: Request, who: SignedInPage, res: ResourcesDep, session: SessionDep
) -> Response:
    """Open an offer link (``?credential_offer_uri=…`` or ``?credential_offer=…``): preview."""
    params = request.query_params
    if "credential_offer_uri" not in params and "credential_offer" not in params:
        return _receive_form(request, who, session)
    return _open_offer(request, who, res, session, str(request.url))


@router.post("/receive", response_class=Response)
def receive_paste(
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
    offer: str = Form(...),
) -> Response:
    return _open_offer(request, who, res, session, offer)


@router.post("/receive/{offer_id}/accept", response_class=Response)
def accept_page(
    offer_id: str,
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
    tx_code: str = Form(""),
    sphere: str = Form(""),
    new_sphere: str = Form(""),
) -> Response:
    try:
        accepted = receiving.accept_offer(
            session,
            who,
            res.fetcher,
            res.verify_context(),
            offer_id,
            tx_code=tx_code.strip() or None,
            sphere=_chosen_sphere(sphere, new_sphere),
            max_bytes=res.settings.max_credential_bytes,
        )
    except VcError as err:
        offer = receiving.get_offer(session, who, offer_id)  # still pending: try again
        _ = translator(choose_language(request))
        error = _("The issuer did not give the credential. Check the code and try again.")
        return render(
            request,
            "receive.html",
            who=who,
            offer=offer,
            status=err.status,
            error=explained(request, error, err),
            spheres=_sphere_choices(session, who),
        )
    if accepted.failed:  # some arrived, some did not: say which, and why
        lang = choose_language(request)
        failed = [
            {"name": f.name, "why": problem_message(f.code, lang), "detail": f.detail}
            for f in accepted.failed
        ]
        return render(request, "received.html", who=who, stored=accepted.stored, failed=failed)
    views = accepted.stored
    target = f"/credentials/{views[0].id}?received=1" if views else "/"
    return RedirectResponse(target, status_code=303)


@router.post("/receive/{offer_id}/decline", response_class=Response)
def decline_page(offer_id: str, who: SignedInPage, session: SessionDep) -> Response:
    receiving.decline_offer(session, who, offer_id)
    return RedirectResponse("/", status_code=303)


@router.post("/import", response_class=Response)
async def import_page(
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
    file: UploadFile = File(...),  # noqa: B008
    sphere: str = Form(""),
    new_sphere: str = Form(""),
) -> Response:
    """Import a file: JSON, JWT, SD-JWT, or a baked PNG/SVG badge (verified before keeping)."""
    data = await file.read(res.settings.max_credential_bytes + 1)
    try:  # verifying fetches DID documents and status lists: off the event loop
        view = await run_in_threadpool(
            importing.import_credential,
            session,
            who,
            data,
            res.verify_context(),
            max_bytes=res.settings.max_credential_bytes,
            sphere=_chosen_sphere(sphere, new_sphere),
        )
    except VcError as err:
        _ = translator(choose_language(request))
        error = _("This file was not kept: it is not a credential that verifies.")
        return _receive_form(
            request, who, session, import_error=explained(request, error, err), status=err.status
        )
    return RedirectResponse(f"/credentials/{view.id}?received=1", status_code=303)


# --------------------------------------------------------------------------- history & data
