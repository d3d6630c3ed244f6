"""Endorsements across wallets: the public request and delivery endpoints of a link, and the
colleague's side (sign for another wallet's link and deliver it there).

Protocol: docs/endorsements.md, "Endorsing from another wallet".
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from wallet.api.endorsements import Endorsement
from wallet.deps import LINKS_LIMIT, PrincipalDep, ResourcesDep, SessionDep
from wallet.errors import TooLargeError
from wallet.service import endorsement_delivery

router = APIRouter(tags=["endorsements"])


class RemoteEndorsement(Endorsement):
    """The same form as a local endorsement, plus the person's link on their own wallet."""

    #: ``https://…/endorse/{token}``, as the person's wallet gave it
    link: str


@router.get("/api/endorse/{token}/request", dependencies=[LINKS_LIMIT])
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


@router.post("/api/endorse/{token}/deliver", status_code=201, dependencies=[LINKS_LIMIT])
async def deliver(
    token: str, request: Request, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Public (no session): receive a signed EndorsementCredential for this single-use link."""
    limit = res.settings.max_credential_bytes
    body = await _capped_body(request, limit + 64)  # room for {"credential": …}
    return await run_in_threadpool(  # verification: off the event loop
        endorsement_delivery.deliver, session, res.master, res.verify_context(), token, body,
        request.headers.get("content-type", ""), max_bytes=limit + 64,
    )  # fmt: skip


@router.post("/api/endorse-remote", status_code=201)
async def endorse_remote(
    body: RemoteEndorsement, who: PrincipalDep, res: ResourcesDep, session: SessionDep
) -> dict[str, Any]:
    """Sign an endorsement for a link of another wallet and deliver it there."""
    return await run_in_threadpool(
        endorsement_delivery.endorse_remote, session, who, res.fetcher, body.link,
        comment=body.comment, name=body.name, base_url=res.settings.base_url,
        identity_id=body.identity_id, proof_credential_id=body.proof_credential_id,
    )  # fmt: skip
