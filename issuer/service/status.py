"""Bitstring Status Lists per organisation: race-free index allocation, revoke/suspend, serving.

Each credential gets one random index ``idx`` in list number ``seq``; the organisation's
revocation list ``seq`` and suspension list ``seq`` both use that index. Revoking sets both
bits (the suspension bit is never cleared again), so a credential that only carries a
suspension entry (the OB 3.0 default, see ``IssuerSettings.ob3_status_purposes``) still
fails verification once revoked. Allocation inserts
``(org, seq, idx)`` into ``status_allocations``, whose primary key makes two workers unable
to take the same index: the usual draw is one ``INSERT … ON CONFLICT DO NOTHING RETURNING``
into the newest lists, and a collision (nothing returned) makes the allocator draw again. Indexes are never freed, so never reused. After
``COLLISIONS_BEFORE_NEXT_LIST`` collisions in a row the list counts as full (about half
full on average) and allocation moves on to the next ``seq``.

A platform's rating carries one entry of its own purpose, ``supersession`` (Bitstring Status
List v1.0 §2.1: ``statusPurpose`` is any string; only refresh, revocation, suspension and
message have fixed meanings): a new rating of the same person (holder DID) for the same
achievement sets the previous rating's bit, and a verifier reads "superseded". Revoking sets
it too, so a rating fails once revoked (docs/decisions/rating-credentials.md).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, bindparam, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.db.models import IssuedCredential, Organisation, StatusAllocation, StatusEvent
from issuer.db.models import StatusList as StatusListRow
from issuer.problems import ConflictError
from issuer.service.keys import IssuerKeyStore, active_signer
from servicekit.db import insert_for
from shared.errors import NotFoundError
from shared.model import BitstringStatusListEntry, format_datetime
from shared.proofs.data_integrity import add_proof
from shared.status import MIN_ENTRIES, StatusList

PURPOSES = ("revocation", "suspension")
SUPERSESSION = "supersession"
#: the lists every organisation keeps (per ``seq``, all sharing a credential's index)
LIST_PURPOSES = (*PURPOSES, SUPERSESSION)
LIST_SIZE = MIN_ENTRIES  # 131,072 entries of 1 bit: 16 KB
COLLISIONS_BEFORE_NEXT_LIST = 8
MAX_ATTEMPTS = 64


def list_url(org_base: str, purpose: str, seq: int) -> str:
    return f"{org_base}/status/{purpose}/{seq}"


def _current_seq(session: Session, org: Organisation) -> int:
    seq = session.scalar(select(func.max(StatusListRow.seq)).where(StatusListRow.org_id == org.id))
    return int(seq) if seq is not None else 0


def _newest_lists(session: Session, org: Organisation) -> tuple[int, set[str]]:
    """The organisation's newest list number (at least 1) and the purposes that have a list
    of that number: one round trip (was one for the number and one per purpose)."""
    newest = (
        select(func.max(StatusListRow.seq)).where(StatusListRow.org_id == org.id).scalar_subquery()
    )
    rows = session.execute(
        select(StatusListRow.seq, StatusListRow.purpose).where(
            StatusListRow.org_id == org.id, StatusListRow.seq == newest
        )
    ).all()
    if not rows:
        return 1, set()
    return int(rows[0].seq), {str(r.purpose) for r in rows}


def _ensure_lists(
    session: Session,
    org: Organisation,
    seq: int,
    now: datetime,
    existing: set[str] | None = None,
) -> None:
    """Create the lists numbered ``seq`` that do not exist yet (``existing``: the purposes
    known to have one, read by the caller; None: read them here)."""
    if existing is None:
        existing = set(
            session.scalars(
                select(StatusListRow.purpose).where(
                    StatusListRow.org_id == org.id, StatusListRow.seq == seq
                )
            )
        )
    for purpose in LIST_PURPOSES:
        if purpose in existing:
            continue
        try:
            with session.begin_nested():
                session.add(
                    StatusListRow(
                        org_id=org.id,
                        purpose=purpose,
                        seq=seq,
                        size=LIST_SIZE,
                        bits=bytes(LIST_SIZE // 8),
                        version=1,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            pass  # another worker created it first


#: the statement of :func:`_allocate_in_newest`, per dialect, built once (its cache key is
#: then computed once too): the values are bound at each execution
_ALLOCATE_IN_NEWEST: dict[str, Any] = {}


def allocation_in_newest(insert: Any, *when: Any) -> Any:
    """``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING seq`` (``insert``: the dialect's
    INSERT into ``status_allocations``) taking the bound ``idx`` for ``credential_id`` in
    the organisation ``org_id``'s newest list number, when every purpose has its list there
    (and ``when``, any further conditions): nothing returned, the index was taken already or
    the newest lists are missing or incomplete."""
    org_id = bindparam("org_id", type_=Integer)
    newest = (
        select(func.max(StatusListRow.seq)).where(StatusListRow.org_id == org_id).scalar_subquery()
    )
    complete = (
        select(
            org_id,
            StatusListRow.seq,
            bindparam("idx", type_=Integer),
            bindparam("credential_id", type_=String),
        )
        .where(
            StatusListRow.org_id == org_id,
            StatusListRow.seq == newest,
            # one equality per purpose, not IN (…): an IN's values are an "expanding"
            # parameter, whose SQL is rendered again at every execution
            or_(*(StatusListRow.purpose == purpose for purpose in LIST_PURPOSES)),
            *when,
        )
        .group_by(StatusListRow.seq)
        .having(func.count() == len(LIST_PURPOSES))
    )
    table = StatusAllocation.__table__
    return (
        insert.from_select(["org_id", "seq", "idx", "credential_id"], complete)
        .on_conflict_do_nothing(index_elements=["org_id", "seq", "idx"])
        .returning(table.c.seq)
    )


def _allocate_in_newest_statement(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    statement = _ALLOCATE_IN_NEWEST.get(dialect)
    if statement is None:
        # Core: values bound at execution, no ORM bulk mode
        statement = allocation_in_newest(insert_for(session, StatusAllocation.__table__))
        _ALLOCATE_IN_NEWEST[dialect] = statement
    return statement


def _allocate_in_newest(
    session: Session, org: Organisation, credential_id: str, idx: int
) -> int | None:
    """One round trip for the usual case: take ``idx`` in the organisation's newest list
    number when every purpose has its list there (``INSERT … SELECT … ON CONFLICT DO
    NOTHING RETURNING``: no SAVEPOINT, no separate read of the lists). The list number taken,
    or None: ``idx`` is taken already, or the newest lists are missing or incomplete."""
    taken = session.execute(
        _allocate_in_newest_statement(session),
        {"org_id": org.id, "idx": idx, "credential_id": credential_id},
    ).first()
    return None if taken is None else int(taken.seq)


def allocate_index(
    session: Session, org: Organisation, credential_id: str, now: datetime
) -> tuple[int, int]:
    """Take a fresh random (seq, idx) for ``credential_id``: first in the newest lists in
    one statement, else (a collision, lists to create) draw by draw as below."""
    idx = secrets.randbelow(LIST_SIZE)
    seq_taken = _allocate_in_newest(session, org, credential_id, idx)
    if seq_taken is not None:
        return seq_taken, idx
    seq, existing = _newest_lists(session, org)
    _ensure_lists(session, org, seq, now, existing)
    collisions = 0
    for _ in range(MAX_ATTEMPTS):
        idx = secrets.randbelow(LIST_SIZE)
        try:
            with session.begin_nested():
                session.add(
                    StatusAllocation(org_id=org.id, seq=seq, idx=idx, credential_id=credential_id)
                )
            return seq, idx
        except IntegrityError:
            collisions += 1
            if collisions >= COLLISIONS_BEFORE_NEXT_LIST:
                seq = max(_current_seq(session, org), seq) + 1
                _ensure_lists(session, org, seq, now)
                collisions = 0
    raise ConflictError("no free status list index found; try again")


def purposes_for(setting: str, *, suspendable: bool = False) -> tuple[str, ...]:
    """The status entries a new OB 3.0 credential carries (see IssuerSettings)."""
    if setting == "both":
        return PURPOSES
    return ("suspension",) if suspendable else (setting,)


def can_suspend(cred: IssuedCredential) -> bool:
    """Whether the credential points at a suspension list (older rows: suspension only)."""
    return "suspension" in (cred.status_purposes or "suspension").split(",")


def status_entries(
    org_base: str, seq: int, idx: int, purposes: tuple[str, ...] = PURPOSES
) -> list[BitstringStatusListEntry]:
    return [
        BitstringStatusListEntry(
            id=f"{list_url(org_base, purpose, seq)}#{idx}",
            status_purpose=purpose,
            status_list_index=str(idx),
            status_list_credential=list_url(org_base, purpose, seq),
        )
        for purpose in purposes
    ]


def status_json(entries: list[BitstringStatusListEntry]) -> Any:
    """``credentialStatus``: one object when there is one entry (what OB 3.0 allows)."""
    values = [e.to_json() for e in entries]
    return values[0] if len(values) == 1 else values


def _list_row(
    session: Session, org: Organisation, purpose: str, seq: int, *, lock: bool
) -> StatusListRow:
    query = select(StatusListRow).where(
        StatusListRow.org_id == org.id, StatusListRow.purpose == purpose, StatusListRow.seq == seq
    )
    if lock:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None:
        raise NotFoundError(f"no {purpose} status list {seq} for {org.slug}")
    return row


def _flip(
    session: Session, org: Organisation, purpose: str, seq: int, idx: int, value: int, now: datetime
) -> None:
    row = _list_row(session, org, purpose, seq, lock=True)
    bits = StatusList(row.bits)
    if bits.get(idx) == value:
        return
    bits.set(idx, value)
    row.bits = bits.to_bytes()
    row.version += 1
    row.updated_at = now
    forget_etags()  # this process's own change: no 304 from its memo for the old version


def change_status(
    session: Session,
    org: Organisation,
    credential_id: str,
    action: str,
    *,
    reason: str,
    actor: str,
    now: datetime,
) -> IssuedCredential:
    """Revoke (final), suspend or unsuspend one credential, with an audit record."""
    cred = session.scalars(
        select(IssuedCredential).where(
            IssuedCredential.org_id == org.id, IssuedCredential.id == credential_id
        )
    ).first()
    if cred is None:
        raise NotFoundError(f"no credential {credential_id} in {org.slug}")
    if cred.status_seq is None or cred.status_index is None:
        raise ConflictError("this credential was issued without a status entry")
    if action == "revoke":
        if cred.revoked:
            raise ConflictError("this credential is already revoked")
        _flip(session, org, "revocation", cred.status_seq, cred.status_index, 1, now)
        # and for good in the suspension list, which single-entry credentials point at
        _flip(session, org, "suspension", cred.status_seq, cred.status_index, 1, now)
        if SUPERSESSION in (cred.status_purposes or "").split(","):
            _flip(session, org, SUPERSESSION, cred.status_seq, cred.status_index, 1, now)
        cred.revoked = True
    elif action in ("suspend", "unsuspend") and not can_suspend(cred):
        raise ConflictError(
            "this badge carries a revocation entry only: it can be revoked, not suspended "
            "(issue it as suspendable to allow suspension)"
        )
    elif action == "suspend":
        if cred.revoked:
            raise ConflictError("a revoked credential cannot be suspended")
        _flip(session, org, "suspension", cred.status_seq, cred.status_index, 1, now)
        cred.suspended = True
    elif action == "unsuspend":
        if cred.revoked:
            raise ConflictError("a revoked credential cannot be reinstated")
        _flip(session, org, "suspension", cred.status_seq, cred.status_index, 0, now)
        cred.suspended = False
    else:
        raise ConflictError(f"unknown status action {action}")
    session.add(
        StatusEvent(
            org_id=org.id, credential_id=cred.id, action=action, reason=reason, actor=actor, at=now
        )
    )
    return cred


def supersede_previous(
    session: Session, org: Organisation, new: IssuedCredential, *, actor: str, now: datetime
) -> list[str]:
    """Set the supersession bit of the earlier ratings of the same person (holder DID) for
    the same achievement; returns their ids. Copies of the same offer in other formats are
    the same rating, not earlier ones, and are left alone."""
    if new.subject_id is None or new.achievement_id is None:
        return []
    earlier = session.scalars(
        select(IssuedCredential).where(
            IssuedCredential.org_id == org.id,
            IssuedCredential.achievement_id == new.achievement_id,
            IssuedCredential.subject_id == new.subject_id,
            IssuedCredential.id != new.id,
            IssuedCredential.revoked.is_(False),
        )
    )
    done = []
    for old in earlier:
        if new.offer_id is not None and old.offer_id == new.offer_id:
            continue
        if SUPERSESSION not in (old.status_purposes or "").split(","):
            continue
        if old.status_seq is None or old.status_index is None:
            continue
        row = _list_row(session, org, SUPERSESSION, old.status_seq, lock=True)
        if StatusList(row.bits).get(old.status_index):
            continue  # superseded already
        _flip(session, org, SUPERSESSION, old.status_seq, old.status_index, 1, now)
        session.add(
            StatusEvent(
                org_id=org.id,
                credential_id=old.id,
                action="supersede",
                reason=f"superseded by {new.id}",
                actor=actor,
                at=now,
            )
        )
        done.append(old.id)
    return done


def status_history(session: Session, org: Organisation, credential_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(StatusEvent)
        .where(StatusEvent.org_id == org.id, StatusEvent.credential_id == credential_id)
        .order_by(StatusEvent.id)
    )
    return [
        {"action": r.action, "reason": r.reason, "actor": r.actor, "at": format_datetime(r.at)}
        for r in rows
    ]


@dataclass(frozen=True)
class SignedList:
    body: str
    etag: str


def signed_list(
    session: Session,
    store: IssuerKeyStore,
    org: Organisation,
    org_base: str,
    purpose: str,
    seq: int,
) -> SignedList:
    """The signed BitstringStatusListCredential; signed once per version, then cached."""
    if purpose not in LIST_PURPOSES:
        raise NotFoundError(f"no status purpose {purpose}")
    row = _list_row(session, org, purpose, seq, lock=False)
    if row.signed is None or row.signed_version != row.version:
        url = list_url(org_base, purpose, seq)
        doc: dict[str, Any] = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": org.did,
            "validFrom": format_datetime(row.updated_at),
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": purpose,
                "encodedList": StatusList(row.bits).encode(),
            },
        }
        signer = active_signer(session, store, org)
        signed = add_proof(doc, signer.key.sign, signer.kid, created=row.updated_at)
        row.signed = json.dumps(signed, ensure_ascii=False)
        row.signed_version = row.version
    return SignedList(row.signed, list_etag(row.id, row.version))


def list_etag(list_id: int, version: int) -> str:
    """The strong ETag of one version of one list (RFC 9110 §8.8.3): it changes with the
    version, so a cached 304 can never stand for a changed list."""
    return '"' + hashlib.sha256(f"{list_id}:{version}".encode()).hexdigest()[:32] + '"'


def current_etag(conn: Connection, slug: str, purpose: str, seq: int) -> str | None:
    """The ETag of the list as signed now, read with one small query (no bits, no signed
    body, no key): None when the list is unknown or its current version is not signed yet."""
    found = conn.execute(
        select(StatusListRow.id, StatusListRow.version, StatusListRow.signed_version)
        .join(Organisation, Organisation.id == StatusListRow.org_id)
        .where(
            Organisation.slug == slug, StatusListRow.purpose == purpose, StatusListRow.seq == seq
        )
    ).first()
    if found is None or found.signed_version != found.version:
        return None
    return list_etag(found.id, found.version)


#: (database, slug, purpose, seq) -> (when read, monotonic; the list's current ETag): a
#: conditional GET within the memo's seconds gets its 304 without a database round trip
#: (docs/decisions/status-etag-memo.md)
_ETAGS: dict[tuple[str, str, str, int], tuple[float, str]] = {}
_monotonic = time.monotonic  # (tests move it)


def remember_etag(database: str, slug: str, purpose: str, seq: int, etag: str) -> None:
    """The list's ETag as just read from the database (never one made up from a request)."""
    _ETAGS[(database, slug, purpose, seq)] = (_monotonic(), etag)


def remembered_etag(database: str, slug: str, purpose: str, seq: int, max_age: float) -> str | None:
    """The ETag read at most ``max_age`` seconds ago by this process, else None."""
    found = _ETAGS.get((database, slug, purpose, seq))
    if found is None or _monotonic() - found[0] >= max_age:
        return None
    return found[1]


def forget_etags() -> None:
    """A list changed here: every remembered ETag is read again."""
    _ETAGS.clear()
