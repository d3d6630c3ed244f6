"""Endorsements across wallets (docs/decisions/endorsements-across-wallets.md).

The person's link ``<wallet A>/endorse/{token}`` also names two public endpoints of wallet A,
keyed by the same unguessable, single-use, expiring token:

* ``GET /api/endorse/{token}/request``: what to endorse (an ``EndorsementRequest`` document:
  the subject's DID, what it is about, a display summary, where to deliver, until when);
* ``POST /api/endorse/{token}/deliver``: the signed OB 3.0 ``EndorsementCredential``.

Another wallet (a second Musette server, or any wallet that signs an EndorsementCredential)
reads the first, signs, and posts to the second. Wallet A verifies the credential (proof,
OB 3.0 schema), checks it is an endorsement about what was asked, claims the link (single
use) and stores it in the person's account, all in one transaction.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from shared.encoding.json_limits import parse_json
from shared.errors import InvalidInputError, NotFoundError, UpstreamError
from shared.net.fetch import HttpFetcher
from shared.verify.context import VerifyContext
from wallet.db.models import Account
from wallet.errors import (
    EndorsementDeliveryFailedError,
    EndorsementLinkExpiredError,
    EndorsementLinkRevokedError,
    EndorsementLinkUsedError,
    EndorsementOtherSubjectError,
    NotAnEndorsementError,
)
from wallet.service import endorsements, importing, inbox, storage
from wallet.service.accounts import Principal, now
from wallet.service.vault import MasterKey

#: media types the delivery endpoint reads as a bare credential (VC DM 2.0 §6.3, VC-JOSE-COSE)
JSON_TYPES = ("application/vc+ld+json", "application/vc", "application/ld+json")
JWT_TYPES = ("application/vc+jwt", "application/jwt")
REQUEST_TYPE = "EndorsementRequest"
_LINK = re.compile(
    r"^(?P<origin>https?://[^/?#]+)(?P<prefix>(?:/[^?#]*)?)/endorse/(?P<token>[A-Za-z0-9_-]{20,100})/?$"
)


def about_of(experience_id: str) -> str:
    """The URN a request names as what is endorsed (the experience, or a credential id)."""
    return f"urn:musette:experience:{experience_id}"


def request_document(session: Session, token: str, base_url: str) -> dict[str, Any]:
    """The public request behind a live link (no session: the token is the only key)."""
    row = endorsements.live_row(session, token)
    snap = endorsements.snapshot(row, token)
    base = base_url.rstrip("/")
    return {
        "type": REQUEST_TYPE,
        # OB 3.0 EndorsementSubject: "the individual, entity, organization, assertion, or
        # achievement that is endorsed": here the person (their holder DID)
        "endorsementSubject": {"id": snap["holder_did"], "type": ["EndorsementSubject"]},
        "about": about_of(row.experience_id),
        "summary": {
            k: snap.get(k)
            for k in ("title", "organisation", "start_date", "end_date", "description")
        },
        "deliver_to": f"{base}/api/endorse/{token}/deliver",
        "accept": ["application/json", *JSON_TYPES, *JWT_TYPES],
        "expires_at": row.expires_at.isoformat(),
    }


def read_delivery(body: bytes, content_type: str) -> str:
    """The credential text of a delivery: ``{"credential": …}`` or a bare credential."""
    media = content_type.split(";")[0].strip().lower()
    if media in JWT_TYPES:
        return body.decode("ascii", errors="replace").strip()
    value = parse_json(body, max_bytes=len(body) + 1)  # depth-limited: a public endpoint
    if media == "application/json":
        if not isinstance(value, dict) or set(value) != {"credential"}:
            raise InvalidInputError('the body must be {"credential": <credential or vc+jwt>}')
        value = value["credential"]
    elif media not in JSON_TYPES:
        raise InvalidInputError(
            "send application/json, application/vc+ld+json or application/vc+jwt"
        )
    if isinstance(value, str):
        return value.strip()
    if not isinstance(value, dict):
        raise InvalidInputError("the credential must be a JSON object or a compact vc+jwt")
    return json.dumps(value, ensure_ascii=False)


def deliver(
    session: Session,
    master: MasterKey,
    ctx: VerifyContext,
    token: str,
    body: bytes,
    content_type: str,
    *,
    max_bytes: int,
) -> dict[str, Any]:
    """Verify a delivered endorsement and attach it to the person's experience."""
    importing.check_size(body, max_bytes)
    row = endorsements.live_row(session, token)  # unknown, used, withdrawn, expired: refused
    snap = endorsements.snapshot(row, token)
    raw = read_delivery(body, content_type)
    report = importing.verify_for_storage(raw, ctx)  # proof, dates, status, OB 3.0 schema
    types = (report.credential or {}).get("type")
    if not isinstance(types, list) or "EndorsementCredential" not in types:
        raise NotAnEndorsementError("this link accepts only an EndorsementCredential")
    subject = str(report.subject or "").split("#")[0]
    if subject not in (snap["holder_did"], about_of(row.experience_id)):
        raise EndorsementOtherSubjectError(
            f"the endorsement is about {subject or 'nobody'}, the link asks about "
            f"{snap['holder_did']}"
        )
    endorsements.claim(session, row, now())
    account = session.get(Account, row.account_id)
    if account is None:
        raise NotFoundError("no endorsement request at this address")
    issuer = (report.credential or {}).get("issuer")
    name = issuer.get("name") if isinstance(issuer, dict) else None
    summary = storage.summarize(
        report,
        sphere=endorsements.ENDORSEMENT_SPHERE,
        tags=None,
        source="endorsement",
        issuer_name=name if isinstance(name, str) else None,
        holder_identity=importing.bound_identity_of(session, account.id, report),
    )
    summary["experience_id"] = row.experience_id
    summary.update(endorsements.endorsed_period(snap))
    # the person may be away: sealed to their inbox, stored at their next signed-in request
    inbox.post_endorsement(
        session,
        master,
        account,
        row,
        raw=raw,
        fmt=report.format,
        summary=summary,
        claims=report.credential,
    )
    return {"status": "attached", "endorser": report.issuer, "about": about_of(row.experience_id)}


# --------------------------------------------------------------------------- colleague side


def request_url(link: str) -> tuple[str, str]:
    """(request URL, origin) of a Musette endorsement link ``…/endorse/{token}``."""
    match = _LINK.match(link.strip())
    if match is None:
        raise InvalidInputError("paste the whole endorsement link (…/endorse/…)")
    origin = match["origin"]
    return f"{origin}{match['prefix']}/api/endorse/{match['token']}/request", origin


_GONE = {
    "endorsement-link-used": EndorsementLinkUsedError,
    "endorsement-link-expired": EndorsementLinkExpiredError,
    "endorsement-link-revoked": EndorsementLinkRevokedError,
}


def _refusal(status: int, body: Any, what: str) -> Exception:
    code = str(body.get("type", "") if isinstance(body, dict) else "").rpartition("#")[2]
    if code in _GONE:
        return _GONE[code](f"{what}: the link can no longer be used")
    if status == 404:
        return NotFoundError(f"{what}: no endorsement request at this address")
    detail = body.get("detail") if isinstance(body, dict) else None
    return EndorsementDeliveryFailedError(f"{what} answered {status}: {detail or code}")


def _json(resp: Any) -> Any:
    try:
        return resp.json()
    except InvalidInputError:
        return None


def fetch_request(fetcher: HttpFetcher, link: str) -> dict[str, Any]:
    """The request behind another wallet's link, checked: it delivers to the same origin."""
    url, origin = request_url(link)
    resp = fetcher.request(
        "GET", url, headers={"Accept": "application/json"}, accept_status=(200, 404, 410)
    )
    body = _json(resp)
    if resp.status != 200:
        raise _refusal(resp.status, body, origin)
    if not isinstance(body, dict) or body.get("type") != REQUEST_TYPE:
        raise EndorsementDeliveryFailedError(f"{origin} did not answer an endorsement request")
    subject = body.get("endorsementSubject")
    deliver_to = str(body.get("deliver_to") or "")
    parts = urlsplit(deliver_to)
    if (
        not isinstance(subject, dict)
        or not isinstance(subject.get("id"), str)
        or f"{parts.scheme}://{parts.netloc}" != origin
        or not isinstance(body.get("summary"), dict)
    ):
        raise EndorsementDeliveryFailedError(f"{origin} sent a malformed endorsement request")
    return body


def endorse_remote(
    session: Session,
    who: Principal,
    fetcher: HttpFetcher,
    link: str,
    *,
    comment: str,
    name: str,
    base_url: str,
    identity_id: str | None = None,
    proof_credential_id: str | None = None,
) -> dict[str, Any]:
    """Sign an endorsement for another wallet's link and POST it there (its delivery URL)."""
    request = fetch_request(fetcher, link)
    comment = endorsements._clean(comment, "comment", endorsements.MAX_TEXT)
    name = endorsements._clean(name, "name", endorsements.MAX_TITLE)
    proof = (
        storage.get_credential(session, who, proof_credential_id) if proof_credential_id else None
    )
    key = endorsements.signing_identity(session, who, identity_id, proof)
    summary = request["summary"]
    experience = {
        "title": endorsements._clean(
            str(summary.get("title") or ""), "title", endorsements.MAX_TITLE
        ),
        "organisation": str(summary.get("organisation") or "")[: endorsements.MAX_TITLE],
        "start_date": str(summary.get("start_date") or "")[:10],
        "end_date": str(summary.get("end_date") or "")[:10] or None,
        "description": str(summary.get("description") or "")[: endorsements.MAX_TEXT],
        "holder_did": request["endorsementSubject"]["id"],
    }
    at: datetime = now()
    evidence, evidence_url = endorsements.relationship_evidence(session, who, proof, base_url)
    signed = endorsements.sign_endorsement(
        key, experience, comment=comment, name=name, evidence=evidence, at=at
    )
    try:
        resp = fetcher.request(
            "POST",
            request["deliver_to"],
            json_body={"credential": signed},
            headers={"Accept": "application/json"},
            accept_status=(200, 201, 400, 404, 410, 413, 422, 429),
        )
    except UpstreamError as err:
        raise EndorsementDeliveryFailedError(f"the endorsement was not delivered: {err}") from err
    if resp.status not in (200, 201):
        raise _refusal(resp.status, _json(resp), urlsplit(request["deliver_to"]).netloc)
    return {
        "endorsement": signed,
        "evidence_url": evidence_url,
        "endorser": key.did,
        "delivered_to": request["deliver_to"],
    }
