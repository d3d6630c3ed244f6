"""Journey 3: a person describes an experience and asks a colleague to endorse it.

* The person (requester) keeps experiences, encrypted under their account data key.
* From one experience they create a link ``/endorse/{token}``: 256 random bits, only the
  SHA-256 kept, single use, expiring after ``REQUEST_DAYS`` and revocable. What the colleague
  sees (the experience, the requester's DID and email) is encrypted under a key derived from
  the token, so only the link opens it.
* The colleague, signed in to their own account on this wallet, signs an Open Badges 3.0
  ``EndorsementCredential`` (eddsa-rdfc-2022) with one of their identities. A proof of the
  relationship (one of their own credentials) is published as a public share link and named
  in ``evidence``. The endorsement is verified, then stored straight into the requester's
  account (sphere "work"), and the link is marked used, all in one transaction.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.errors import InvalidInputError, NotFoundError
from shared.model.builder import build_endorsement_credential
from shared.model.ob3 import EndorsementSubject, Evidence, Profile
from shared.proofs.data_integrity import RDFC, add_proof
from shared.verify.context import VerifyContext
from wallet.db.models import Account, EndorsementRequest, Experience
from wallet.errors import (
    EndorsementLinkExpiredError,
    EndorsementLinkRevokedError,
    EndorsementLinkUsedError,
    OwnEndorsementRequestError,
)
from wallet.service import identities, importing, inbox, self_declared, sharing, storage
from wallet.service.accounts import Principal, new_id, now
from wallet.service.states import EndorsementRequestState
from wallet.service.vault import MasterKey, VaultError, hash_token, open_sealed, seal, token_key

REQUEST_DAYS = 30
MAX_TITLE = 200
MAX_TEXT = 4000
ENDORSEMENT_SPHERE = "work"


@dataclass
class ExperienceView:
    """An experience, decrypted for its owner."""

    id: str
    created_at: datetime
    title: str
    organisation: str
    start_date: str
    end_date: str | None
    description: str
    holder_did: str
    kind: str = "job"
    skills: list[str] = field(default_factory=list)
    credential_id: str | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    endorsements: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "title": self.title,
            "organisation": self.organisation,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "description": self.description,
            "holder_did": self.holder_did,
            "kind": self.kind,
            "skills": self.skills,
            "credential_id": self.credential_id,
            "requests": self.requests,
            "endorsements": self.endorsements,
        }


# --------------------------------------------------------------------------- experiences


def _clean(value: str | None, what: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInputError(f"{what} is required")
    if len(text) > limit:
        raise InvalidInputError(f"{what} is longer than {limit} characters")
    return text


def _day(value: str | None, what: str) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as err:
        raise InvalidInputError(f"{what} must be a date (YYYY-MM-DD)") from err


def create_experience(
    session: Session,
    who: Principal,
    *,
    title: str,
    organisation: str,
    start_date: str,
    end_date: str | None = None,
    description: str = "",
    kind: str | None = None,
    skills: str | list[str] | None = None,
    ctx: VerifyContext | None = None,
    max_bytes: int = 0,
) -> ExperienceView:
    """Keep the experience and, given ``ctx``, sign it as a self-declared credential."""
    start = _day(start_date, "start_date")
    if start is None:
        raise InvalidInputError("start_date is required")
    end = _day(end_date, "end_date")
    if end is not None and end < start:
        raise InvalidInputError("end_date is before start_date")
    body = {
        "title": _clean(title, "title", MAX_TITLE),
        "organisation": _clean(organisation, "organisation", MAX_TITLE),
        "start_date": start,
        "end_date": end,
        "description": _clean(description, "description", MAX_TEXT, required=False),
        "kind": self_declared.normalize_kind(kind),
        "skills": self_declared.normalize_skills(skills),
    }
    row = Experience(id=new_id(), account_id=who.account_id, created_at=now(), ct=b"")
    if ctx is not None:
        stored = self_declared.sign_and_store(session, who, ctx, row.id, body, max_bytes=max_bytes)
        body["credential_id"] = stored.id
        body["holder_did"] = str(stored.summary.get("subject"))
    else:
        body["holder_did"] = identities.default_identity(session, who).did
    row.ct = who.vault.seal_json("experience", row.id, body)
    session.add(row)
    session.flush()
    return _view(who, row)


def sign_unsigned(session: Session, who: Principal, ctx: VerifyContext, *, max_bytes: int) -> int:
    """Migrate experiences kept before they were credentials: sign each one (the row and its
    endorsement links stay as they are). Returns how many were signed."""
    signed = 0
    for row in session.scalars(select(Experience).where(Experience.account_id == who.account_id)):
        body = who.vault.open_json("experience", row.id, row.ct)
        if "credential_id" in body:
            continue
        stored = self_declared.sign_and_store(session, who, ctx, row.id, body, max_bytes=max_bytes)
        body["credential_id"] = stored.id
        row.ct = who.vault.seal_json("experience", row.id, body)
        signed += 1
    if signed:
        session.flush()
    return signed


def _view(who: Principal, row: Experience) -> ExperienceView:
    body = who.vault.open_json("experience", row.id, row.ct)
    return ExperienceView(
        id=row.id,
        created_at=row.created_at,
        title=body["title"],
        organisation=body["organisation"],
        start_date=body["start_date"],
        end_date=body.get("end_date"),
        description=body.get("description", ""),
        holder_did=body["holder_did"],
        kind=body.get("kind", "job"),
        skills=list(body.get("skills") or []),
        credential_id=body.get("credential_id"),
    )


def _row(session: Session, who: Principal, experience_id: str) -> Experience:
    row = session.get(Experience, experience_id)
    if row is None or row.account_id != who.account_id:
        raise NotFoundError("no such experience in this wallet")
    return row


def list_experiences(session: Session, who: Principal) -> list[ExperienceView]:
    rows = session.scalars(
        select(Experience)
        .where(Experience.account_id == who.account_id)
        .order_by(Experience.created_at.desc(), Experience.id)
    )
    return [_view(who, row) for row in rows]


def request_state(row: EndorsementRequest, at: datetime) -> EndorsementRequestState:
    """open, used, revoked or expired."""
    if row.used_at is not None:
        return EndorsementRequestState.USED
    if row.revoked_at is not None:
        return EndorsementRequestState.REVOKED
    if at >= row.expires_at:
        return EndorsementRequestState.EXPIRED
    return EndorsementRequestState.OPEN


def _request_json(row: EndorsementRequest, at: datetime) -> dict[str, Any]:
    return {
        "id": row.id,
        "experience_id": row.experience_id,
        "state": request_state(row, at),
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat(),
        "used_at": row.used_at.isoformat() if row.used_at else None,
        "credential_id": row.credential_id,
    }


def endorsement_json(view: storage.CredentialView) -> dict[str, Any]:
    """Who endorsed, what they wrote, and the proof they attached (from the credential)."""
    cred: dict[str, Any] = (view.content or {}).get("claims") or {}
    issuer = cred.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {}
    subject = cred.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    evidence = cred.get("evidence")
    evidence = evidence if isinstance(evidence, list) else []
    return {
        "credential_id": view.id,
        "endorser": issuer.get("id"),
        "endorser_name": issuer.get("name"),
        "comment": subject.get("endorsementComment"),
        "evidence": [e.get("id") for e in evidence if isinstance(e, dict) and e.get("id")],
        "valid_from": cred.get("validFrom"),
    }


def get_experience(session: Session, who: Principal, experience_id: str) -> ExperienceView:
    """The experience with its links (and their state) and the endorsements received."""
    view = _view(who, _row(session, who, experience_id))
    at = now()
    rows = session.scalars(
        select(EndorsementRequest)
        .where(EndorsementRequest.experience_id == view.id)
        .order_by(EndorsementRequest.created_at, EndorsementRequest.id)
    )
    for row in rows:
        view.requests.append(_request_json(row, at))
        if row.credential_id:
            try:
                stored = storage.get_credential(session, who, row.credential_id)
            except NotFoundError:  # deleted by its owner since
                continue
            view.endorsements.append(endorsement_json(stored))
    return view


def delete_experience(session: Session, who: Principal, experience_id: str) -> None:
    """Delete the experience, its self-declared credential and its links; endorsements
    received stay in the musette."""
    row = _row(session, who, experience_id)
    credential_id = _view(who, row).credential_id
    if credential_id:
        with contextlib.suppress(NotFoundError):  # already deleted from « ma musette »
            storage.delete_credential(session, who, credential_id)
    for request in session.scalars(
        select(EndorsementRequest).where(EndorsementRequest.experience_id == row.id)
    ):
        session.delete(request)
    session.delete(row)


# --------------------------------------------------------------------------- links


def create_request(
    session: Session, who: Principal, experience_id: str, *, days: int = REQUEST_DAYS
) -> tuple[EndorsementRequest, str]:
    """A new single-use link for ``experience_id``; the token is returned once."""
    view = _view(who, _row(session, who, experience_id))
    token = secrets.token_urlsafe(32)  # 256 bits
    snapshot = {
        "title": view.title,
        "organisation": view.organisation,
        "start_date": view.start_date,
        "end_date": view.end_date,
        "description": view.description,
        "holder_did": view.holder_did,
        "credential_id": view.credential_id,
        "kind": view.kind,
        "requester_email": who.email,
    }
    created = now()
    row = EndorsementRequest(
        id=new_id(),
        token_hash=hash_token(token),
        account_id=who.account_id,
        experience_id=view.id,
        created_at=created,
        expires_at=created + timedelta(days=days),
        ct=b"",
    )
    row.ct = seal(token_key(token), json.dumps(snapshot).encode(), f"endorse:{row.id}")
    session.add(row)
    session.flush()
    return row, token


def request_json(row: EndorsementRequest) -> dict[str, Any]:
    return _request_json(row, now())


def revoke_request(session: Session, who: Principal, request_id: str) -> EndorsementRequest:
    row = session.get(EndorsementRequest, request_id)
    if row is None or row.account_id != who.account_id:
        raise NotFoundError("no such endorsement link")
    if row.revoked_at is None and row.used_at is None:
        row.revoked_at = now()
    return row


def live_row(session: Session, token: str) -> EndorsementRequest:
    """The open link ``token`` names; used, withdrawn and expired ones are refused."""
    row = session.scalar(
        select(EndorsementRequest).where(EndorsementRequest.token_hash == hash_token(token))
    )
    if row is None:
        raise NotFoundError("no endorsement request at this address")
    state = request_state(row, now())
    if state is EndorsementRequestState.USED:
        raise EndorsementLinkUsedError("this link has already been used for an endorsement")
    if state is EndorsementRequestState.REVOKED:
        raise EndorsementLinkRevokedError("the person withdrew this endorsement link")
    if state is EndorsementRequestState.EXPIRED:
        raise EndorsementLinkExpiredError("this endorsement link has expired; ask for a new one")
    return row


def _open_row(session: Session, who: Principal, token: str) -> EndorsementRequest:
    row = live_row(session, token)
    if row.account_id == who.account_id:
        raise OwnEndorsementRequestError(
            "this is your own experience: send the link to a colleague"
        )
    return row


def snapshot(row: EndorsementRequest, token: str) -> dict[str, Any]:
    try:
        return dict(json.loads(open_sealed(token_key(token), row.ct, f"endorse:{row.id}")))
    except VaultError as err:
        raise NotFoundError("no endorsement request at this address") from err


def endorsed_period(experience: dict[str, Any]) -> dict[str, Any]:
    """What an endorsement records of what it endorses: the self-declared credential and its
    period (the timeline places the endorsement there)."""
    return {
        "endorses_credential": experience.get("credential_id"),
        "activity_start": experience.get("start_date"),
        "activity_end": experience.get("end_date"),
    }


def open_request(session: Session, who: Principal, token: str) -> dict[str, Any]:
    """What the colleague sees: the experience, who asks, and until when."""
    row = _open_row(session, who, token)
    return {
        "experience": snapshot(row, token),
        "expires_at": row.expires_at.isoformat(),
    }


def proof_choices(session: Session, who: Principal) -> list[storage.CredentialView]:
    """The colleague's own credentials that can prove the relationship (not endorsements)."""
    return [
        v
        for v in storage.list_credentials(session, who)
        if "EndorsementCredential" not in v.summary.get("types", [])
    ]


def signing_identity(
    session: Session,
    who: Principal,
    identity_id: str | None,
    proof: storage.CredentialView | None,
) -> identities.HolderKey:
    if identity_id:
        row = identities.get_identity(session, who, identity_id)
    elif proof is not None and proof.summary.get("subject"):
        subject = str(proof.summary["subject"]).split("#")[0]
        row = identities.identity_by_did(session, who, subject) or identities.default_identity(
            session, who
        )
    else:
        row = identities.default_identity(session, who)
    key = identities.holder_key(who, row)
    if key.key.key_type != "Ed25519":
        raise InvalidInputError("an endorsement is signed with an Ed25519 identity (eddsa)")
    if proof is not None and str(proof.summary.get("subject") or "").split("#")[0] != key.did:
        raise InvalidInputError(
            "the proof of the relationship must be a credential issued to the identity that "
            "signs the endorsement"
        )
    return key


def endorse(
    session: Session,
    who: Principal,
    master: MasterKey,
    ctx: VerifyContext,
    token: str,
    *,
    comment: str,
    name: str,
    base_url: str,
    identity_id: str | None = None,
    proof_credential_id: str | None = None,
    max_bytes: int,
) -> dict[str, Any]:
    """Sign the endorsement, store it in the requester's account, and close the link."""
    row = _open_row(session, who, token)
    experience = snapshot(row, token)
    comment = _clean(comment, "comment", MAX_TEXT)
    name = _clean(name, "name", MAX_TITLE)
    proof = (
        storage.get_credential(session, who, proof_credential_id) if proof_credential_id else None
    )
    key = signing_identity(session, who, identity_id, proof)
    # claim the link first: a second endorsement racing on it finds it used
    at = now()
    claim(session, row, at)
    evidence, evidence_url = relationship_evidence(session, who, proof, base_url)
    signed = sign_endorsement(key, experience, comment=comment, name=name, evidence=evidence, at=at)
    requester_account = session.get(Account, row.account_id)
    if requester_account is None:
        raise NotFoundError("no endorsement request at this address")
    data = json.dumps(signed, ensure_ascii=False)
    importing.check_size(data.encode(), max_bytes)
    report = importing.verify_for_storage(data, ctx)
    summary = storage.summarize(
        report,
        sphere=ENDORSEMENT_SPHERE,
        tags=None,
        source="endorsement",
        issuer_name=name,
        holder_identity=importing.bound_identity_of(session, requester_account.id, report),
    )
    summary.update({"experience_id": row.experience_id, **endorsed_period(experience)})
    # the requester is not the one signed in: sealed to their inbox, stored when they are
    inbox.post_endorsement(
        session,
        master,
        requester_account,
        row,
        raw=data,
        fmt=report.format,
        summary=summary,
        claims=report.credential,
    )
    return {"endorsement": signed, "evidence_url": evidence_url, "endorser": key.did}


def claim(session: Session, row: EndorsementRequest, at: datetime) -> None:
    """Mark the link used, atomically: of two racing deliveries only one wins."""
    claimed = session.execute(
        update(EndorsementRequest)
        .where(
            EndorsementRequest.id == row.id,
            EndorsementRequest.used_at.is_(None),
            EndorsementRequest.revoked_at.is_(None),
        )
        .values(used_at=at)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 1) != 1:
        raise EndorsementLinkUsedError("this link has already been used for an endorsement")


def relationship_evidence(
    session: Session, who: Principal, proof: storage.CredentialView | None, base_url: str
) -> tuple[list[Evidence], str | None]:
    """The proof of the relationship, published as a share link (its raw URL)."""
    evidence: list[Evidence] = []
    evidence_url = None
    if proof is not None:
        _share, share_token = sharing.publish(session, who, proof.id)
        evidence_url = f"{base_url.rstrip('/')}/s/{share_token}/raw"
        evidence.append(
            Evidence(
                id=evidence_url,
                name="Proof of the relationship",
                description=f"{proof.summary.get('title')} — {proof.summary.get('issuer_name')}",
            )
        )
    return evidence, evidence_url


def sign_endorsement(
    key: identities.HolderKey,
    experience: dict[str, Any],
    *,
    comment: str,
    name: str,
    evidence: list[Evidence],
    at: datetime,
) -> dict[str, Any]:
    """An OB 3.0 EndorsementCredential (eddsa-rdfc-2022) about ``experience["holder_did"]``."""
    period = experience["start_date"] + (
        f" / {experience['end_date']}" if experience.get("end_date") else ""
    )
    description = f"{experience['organisation']}, {period}"
    if experience.get("description"):
        description += f". {experience['description']}"
    document = build_endorsement_credential(
        Profile(id=key.did, name=name),
        EndorsementSubject(id=experience["holder_did"], endorsement_comment=comment),
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        valid_from=at.replace(microsecond=0),
        name=f"{experience['title']} — {experience['organisation']}",
        description=description,
        evidence=evidence,
    )
    return add_proof(document, key.key.sign, key.kid, cryptosuite=RDFC, created=at)


def attach(session: Session, row: EndorsementRequest, credential_id: str) -> None:
    """Record which stored credential answered the link."""
    session.execute(
        update(EndorsementRequest)
        .where(EndorsementRequest.id == row.id)
        .values(credential_id=credential_id)
        .execution_options(synchronize_session=False)
    )
    session.expire(row)
