"""Endorsements across wallets: the public request and delivery endpoints of a link, and the
colleague's side (sign for another wallet's link and deliver it there).

Protocol: docs/endorsements.md, "Endorsing from another wallet".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from shared.errors import VcError
from wallet.api.endorsements import Endorsement
from wallet.deps import LINKS_LIMIT, PrincipalDep, ResourcesDep, SessionDep, SignedInPage
from wallet.errors import TooLargeError
from wallet.i18n import choose_language, translator
from wallet.pages import explained, render
from wallet.schemas import DeliveredOut, EndorsedOut, EndorsementRequestDocumentOut
from wallet.service import endorsement_delivery, endorsements, identities
from wallet.service.accounts import Principal

router = APIRouter(tags=["endorsements"])


class RemoteEndorsement(Endorsement):
    """The same form as a local endorsement, plus the person's link on their own wallet."""

    #: ``https://…/endorse/{token}``, as the person's wallet gave it
    link: str


@router.get(
    "/api/endorse/{token}/request",
    dependencies=[LINKS_LIMIT],
    response_model=EndorsementRequestDocumentOut,
    response_model_exclude_unset=True,
)
def request_document(token: str, res: ResourcesDep, session: SessionDep) -> dict[str, Any]:
    """Public (no session): what the link asks to endorse and where to deliver it."""
    return endorsement_delivery.request_document(session, token, res.settings.base_url)


async def _capped_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it passes ``limit`` (Content-Length is not trusted)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLargeError(f"the body is {declared} bytes; at most {limit}", limit=limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLargeError(f"the body is over {limit} bytes", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/api/endorse/{token}/deliver",
    status_code=201,
    dependencies=[LINKS_LIMIT],
    response_model=DeliveredOut,
    response_model_exclude_unset=True,
)
async def deliver(
    token: str, request: Request, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Public (no session): receive a signed EndorsementCredential for this single-use link."""
    limit = res.settings.max_credential_bytes
    body = await _capped_body(request, limit + 64)  # room for {"credential": …}
    return await run_in_threadpool(  # verification: off the event loop
        endorsement_delivery.deliver,
        session,
        res.master,
        res.verify_context(),
        token,
        body,
        request.headers.get("content-type", ""),
        max_bytes=limit + 64,
    )


@router.post(
    "/api/endorse-remote",
    status_code=201,
    response_model=EndorsedOut,
    response_model_exclude_unset=True,
)
async def endorse_remote(
    body: RemoteEndorsement, who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Sign an endorsement for a link of another wallet and deliver it there."""
    return await run_in_threadpool(
        endorsement_delivery.endorse_remote,
        session,
        who,
        res.fetcher,
        body.link,
        comment=body.comment,
        name=body.name,
        base_url=res.settings.base_url,
        identity_id=body.identity_id,
        proof_credential_id=body.proof_credential_id,
    )


# --------------------------------------------------------------------------- pages


def _remote_form(
    request: Request,
    who: Principal,
    session: Session,
    link: str,
    request_doc: dict[str, Any],
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    summary = dict(request_doc["summary"])
    return render(
        request,
        "endorse.html",
        who=who,
        opened={"experience": summary},
        token=None,
        remote_link=link,
        remote_host=urlsplit(link).netloc,
        error=error,
        form=form or {},
        status=status,
        proofs=endorsements.proof_choices(session, who),
        identities=[i for i in identities.list_identities(session, who) if i.pairwise_tag is None],
    )


@router.get("/endorse-remote", response_class=Response)
async def endorse_remote_page(
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
    link: str = "",
) -> Response:
    """Paste another wallet's link; once given, what it asks and the endorsement form."""
    if not link.strip():
        return render(request, "endorse_remote.html", who=who, link="", error=None)
    try:
        doc = await run_in_threadpool(endorsement_delivery.fetch_request, res.fetcher, link)
    except VcError as err:
        _ = translator(choose_language(request))
        error = explained(request, _("This endorsement link cannot be used."), err)
        return render(
            request,
            "endorse_remote.html",
            who=who,
            link=link,
            error=error,
            status=err.status if err.status < 500 else 400,
        )
    return _remote_form(request, who, session, link, doc)


@router.post("/endorse-remote", response_class=Response)
async def endorse_remote_submit(
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
    link: str = Form(""),
    comment: str = Form(""),
    name: str = Form(""),
    identity_id: str = Form(""),
    proof_credential_id: str = Form(""),
) -> Response:
    if not comment.strip() or not name.strip():
        _ = translator(choose_language(request))
        doc = await run_in_threadpool(endorsement_delivery.fetch_request, res.fetcher, link)
        return _remote_form(
            request,
            who,
            session,
            link,
            doc,
            status=400,
            form={"comment": comment, "name": name},
            error=_("Write your endorsement and your name."),
        )
    # a refusal (closed link, the other wallet refusing) is an error page and rolls back
    done = await run_in_threadpool(
        endorsement_delivery.endorse_remote,
        session,
        who,
        res.fetcher,
        link,
        comment=comment,
        name=name,
        base_url=res.settings.base_url,
        identity_id=identity_id or None,
        proof_credential_id=proof_credential_id or None,
    )
    return render(request, "endorsed.html", who=who, evidence_url=done["evidence_url"])
