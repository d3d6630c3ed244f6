"""``POST /challenges``: a single-use challenge for a presentation sent to ``POST /verifications``.

As the VC-API's ``POST /challenges``, with the domain (audience) the presentation must name
and when the challenge expires. Anonymous or with an API key, like ``POST /verifications``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, ConfigDict, Field

from servicekit.ratelimit import RATE_LIMITED_RESPONSE, client_ip, limiter_of
from verifier.deps import OptionalPrincipalDep, ResourcesDep, SessionDep
from verifier.service.challenges import issue_challenge

router = APIRouter(tags=["verifications"])


class ChallengeRequest(BaseModel):
    """What the presentation will be bound to (every member optional)."""

    model_config = ConfigDict(extra="forbid")

    domain: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="domain (Data Integrity) or audience (JWT) the presentation must name; "
        "default: this verifier's base URL",
    )


class ChallengeResponse(BaseModel):
    """A challenge to put in the presentation, and how to send it back."""

    challenge: str = Field(
        description="the `challenge` (Data Integrity) or `nonce` (VP-JWT, KB-JWT) to sign over; "
        'send it back as `options: {"challenge": …}` or `{"nonce": …}`'
    )
    domain: str = Field(description="the `domain` / `aud` the presentation must carry")
    expires_at: datetime
    expires_in: int = Field(description="seconds left to use it, once")


@router.post("/challenges", status_code=201, responses=RATE_LIMITED_RESPONSE)
async def create_challenge(
    request: Request,
    res: ResourcesDep,
    session: SessionDep,
    who: OptionalPrincipalDep,
    body: ChallengeRequest | None = Body(default=None),  # noqa: B008 (FastAPI's way)
) -> ChallengeResponse:
    """A single-use challenge, valid a few minutes: a presentation bound to it verifies once;
    submitted again, its `replay` check fails."""
    await limiter_of(request).ahit(
        "challenges", client_ip(request), res.settings.rate_limit_verifications
    )
    ttl = res.settings.challenge_ttl_seconds
    domain = (body.domain if body else None) or res.settings.base_url
    row = issue_challenge(
        session,
        domain=domain,
        account_id=who.account_id if who else None,
        now=res.clock(),
        ttl=timedelta(seconds=ttl),
    )
    return ChallengeResponse(
        challenge=row.challenge, domain=row.domain, expires_at=row.expires_at, expires_in=ttl
    )
