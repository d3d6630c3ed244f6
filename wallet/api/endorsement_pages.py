"""Journey 3 pages: my experiences, one experience with its links and endorsements, the link
shown once, and the colleague's endorsement form. Every form carries the CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from shared.errors import InvalidInputError
from wallet.api.endorsements import link_of
from wallet.deps import LINKS_LIMIT, ResourcesDep, SessionDep, SignedInPage
from wallet.i18n import choose_language, translator
from wallet.pages import explained, qr_svg, render
from wallet.service import endorsements, identities
from wallet.service.accounts import Principal

router = APIRouter(tags=["pages"])


@router.get("/experiences", response_class=Response)
def experiences_page(
    request: Request, who: SignedInPage, res: ResourcesDep, session: SessionDep
) -> Response:
    endorsements.sign_unsigned(
        session, who, res.verify_context(), max_bytes=res.settings.max_credential_bytes
    )
    return render(
        request,
        "experiences.html",
        who=who,
        error=None,
        form={},
        experiences=endorsements.list_experiences(session, who),
    )


@router.post("/experiences", response_class=Response)
def create_experience_page(
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
    title: str = Form(""),
    organisation: str = Form(""),
    start_date: str = Form(""),
    end_date: str = Form(""),
    description: str = Form(""),
    kind: str = Form("job"),
    skills: str = Form(""),
) -> Response:
    form = {
        "title": title,
        "organisation": organisation,
        "start_date": start_date,
        "end_date": end_date,
        "description": description,
        "kind": kind,
        "skills": skills,
    }
    try:
        view = endorsements.create_experience(
            session,
            who,
            **form,
            ctx=res.verify_context(),
            max_bytes=res.settings.max_credential_bytes,
        )
    except InvalidInputError as err:  # nothing was written: validation comes first
        _ = translator(choose_language(request))
        error = _("Check the title, the organisation and the dates.")
        return render(
            request,
            "experiences.html",
            who=who,
            form=form,
            status=400,
            error=explained(request, error, err),
            experiences=endorsements.list_experiences(session, who),
        )
    return RedirectResponse(f"/experiences/{view.id}", status_code=303)


@router.get("/experiences/{experience_id}", response_class=Response)
def experience_page(
    experience_id: str, request: Request, who: SignedInPage, session: SessionDep
) -> Response:
    exp = endorsements.get_experience(session, who, experience_id)
    return render(request, "experience.html", who=who, exp=exp, days=endorsements.REQUEST_DAYS)


@router.post("/experiences/{experience_id}/requests", response_class=Response)
def create_request_page(
    experience_id: str,
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
) -> Response:
    exp = endorsements.get_experience(session, who, experience_id)
    row, token = endorsements.create_request(session, who, experience_id)
    url = link_of(res.settings.base_url, token)
    return render(
        request,
        "endorse_link.html",
        who=who,
        exp=exp,
        url=url,
        qr=qr_svg(url),
        expires_at=row.expires_at,
    )


@router.post("/endorsement-requests/{endorsement_request_id}/revoke", response_class=Response)
def revoke_request_page(
    endorsement_request_id: str, who: SignedInPage, session: SessionDep
) -> Response:
    row = endorsements.revoke_request(session, who, endorsement_request_id)
    return RedirectResponse(f"/experiences/{row.experience_id}", status_code=303)


@router.post("/experiences/{experience_id}/delete", response_class=Response)
def delete_experience_page(experience_id: str, who: SignedInPage, session: SessionDep) -> Response:
    endorsements.delete_experience(session, who, experience_id)
    return RedirectResponse("/experiences", status_code=303)


def _endorse_form(
    request: Request,
    who: Principal,
    session: Session,
    token: str,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    opened = endorsements.open_request(session, who, token)
    return render(
        request,
        "endorse.html",
        who=who,
        opened=opened,
        token=token,
        error=error,
        form=form or {},
        status=status,
        proofs=endorsements.proof_choices(session, who),
        identities=[i for i in identities.list_identities(session, who) if i.pairwise_tag is None],
    )


@router.get("/endorse/{token}", response_class=Response, dependencies=[LINKS_LIMIT])
def endorse_page(token: str, request: Request, who: SignedInPage, session: SessionDep) -> Response:
    """A colleague's link: sign in (or sign up) first, then come back here."""
    return _endorse_form(request, who, session, token)


@router.post("/endorse/{token}", response_class=Response, dependencies=[LINKS_LIMIT])
async def endorse_submit(
    token: str,
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
    comment: str = Form(""),
    name: str = Form(""),
    identity_id: str = Form(""),
    proof_credential_id: str = Form(""),
) -> Response:
    form = {"comment": comment, "name": name}
    if not comment.strip() or not name.strip():
        _ = translator(choose_language(request))
        return _endorse_form(
            request,
            who,
            session,
            token,
            form=form,
            status=400,
            error=_("Write your endorsement and your name."),
        )
    # any other refusal (closed link, someone else's proof…) is an error page, and the
    # transaction rolls back: nothing is half-written
    done = await run_in_threadpool(
        endorsements.endorse,
        session,
        who,
        res.master,
        res.verify_context(),
        token,
        comment=comment,
        name=name,
        base_url=res.settings.base_url,
        identity_id=identity_id or None,
        proof_credential_id=proof_credential_id or None,
        max_bytes=res.settings.max_credential_bytes,
    )
    return render(request, "endorsed.html", who=who, evidence_url=done["evidence_url"])
