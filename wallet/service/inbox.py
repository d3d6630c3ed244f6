"""What arrives while the person is away (docs/decisions/person-held-keys.md).

An endorsement delivered by a colleague (from another wallet, or signed here by another
account) must land in a wallet whose data key the server does not hold. It is sealed to the
account's inbox public key (X25519 + HKDF + AES-GCM, ``vault.seal_to``) into an ``inbox``
row, and moved into the vault at the person's next signed-in request: only their data key
opens the inbox's private key.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from wallet.db.models import Account, EndorsementRequest, InboxItem
from wallet.service import storage
from wallet.service.accounts import Principal, new_id, now
from wallet.service.vault import MasterKey, VaultError, new_inbox_keys, open_from, seal_to

ENDORSEMENT = "endorsement"
LOG = logging.getLogger(__name__)


def _aad(item: InboxItem) -> str:
    return f"inbox:{item.account_id}:{item.kind}:{item.id}"


def _public_key(account: Account, master: MasterKey) -> bytes:
    """The account's inbox key; an account made before (master-wrapped, not signed in since)
    gets one now, from the only key the server holds for it."""
    if account.inbox_public_key is not None:
        return account.inbox_public_key
    if account.wrapped_key is None:
        raise VaultError("this account has no inbox key")
    vault = master.unwrap(account.id, account.wrapped_key)
    account.inbox_public_key, account.inbox_private_ct = new_inbox_keys(vault)
    return account.inbox_public_key


def post(
    session: Session, master: MasterKey, account: Account, kind: str, payload: dict[str, Any]
) -> None:
    """Seal ``payload`` to the account's inbox: the server cannot read it afterwards."""
    item = InboxItem(id=new_id(), account_id=account.id, kind=kind, created_at=now(), ct=b"")
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    item.ct = seal_to(_public_key(account, master), data, _aad(item))
    session.add(item)
    # in the same transaction as the row: a drain that sees the count sees the row
    _count(session, account.id, +1)


def _count(session: Session, account_id: str, change: int) -> None:
    """Raise or lower ``accounts.inbox_pending`` in SQL (``x = x + n``: two deliveries, or a
    delivery and a drain, at once on two instances lose neither change)."""
    session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(inbox_pending=Account.inbox_pending + change)
        .execution_options(synchronize_session=False)
    )


def post_endorsement(
    session: Session,
    master: MasterKey,
    account: Account,
    request: EndorsementRequest,
    *,
    raw: str,
    fmt: str,
    summary: dict[str, Any],
    claims: dict[str, Any] | None,
) -> None:
    post(
        session,
        master,
        account,
        ENDORSEMENT,
        {
            "request_id": request.id,
            "raw": raw,
            "format": fmt,
            "summary": summary,
            "claims": claims,
        },
    )


def drain(session: Session, who: Principal) -> int:
    """Move what waits in the inbox into the vault; returns how many items were moved.

    The account row is the one the request's sign-in loaded (no query): when its count says
    nothing waits, the inbox is not read at all.
    """
    account = session.get(Account, who.account_id)
    if account is None or not account.inbox_pending:
        return 0
    items = list(
        session.scalars(
            select(InboxItem)
            .where(InboxItem.account_id == who.account_id)
            .order_by(InboxItem.created_at)
        )
    )
    if not items:
        # a count above the rows (rows removed by hand) only costs this look-up; it is not
        # reset here: a delivery landing meanwhile could not be told from the stale count
        return 0
    if account.inbox_private_ct is None:
        return 0
    moved = taken_count = 0
    for item in items:
        # two requests draining at once (two instances): one DELETE removes the row and wins
        taken = session.execute(
            delete(InboxItem)
            .where(InboxItem.id == item.id)
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 1) != 1:
            continue  # the other request lowers the count for it
        taken_count += 1
        try:
            payload = json.loads(
                open_from(who.vault, account.inbox_private_ct, item.ct, _aad(item))
            )
        except (VaultError, ValueError):
            # sealed to another key or damaged: nobody can ever open it, and it must not lock
            # the person out of every page; dropped (its DELETE above), and said in the log
            LOG.warning(
                "inbox item %s of account %s cannot be opened: dropped", item.id, item.account_id
            )
            continue
        if item.kind == ENDORSEMENT:
            _store_endorsement(session, who, payload)
            moved += 1
    if taken_count:
        _count(session, account.id, -taken_count)
    return moved


def _store_endorsement(session: Session, who: Principal, payload: dict[str, Any]) -> None:
    from wallet.service import endorsements  # endorsements imports this module

    stored = storage.store_credential(
        session,
        who,
        raw=payload["raw"],
        fmt=payload["format"],
        summary=payload["summary"],
        claims=payload.get("claims"),
    )
    request = session.get(EndorsementRequest, payload["request_id"])
    if request is not None:
        endorsements.attach(session, request, stored.id)
