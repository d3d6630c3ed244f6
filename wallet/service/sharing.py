"""Public sharing: a credential published at an unguessable URL, as a page and raw.

The URL's token is never stored: the wallet keeps its SHA-256 for look-up and a copy of the
credential encrypted under a key derived from the token, so only the URL opens it.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import NotFoundError
from wallet.db.models import Share
from wallet.service import storage
from wallet.service.accounts import Principal, new_id, now
from wallet.service.vault import VaultError, hash_token, open_sealed, seal, token_key


def publish(session: Session, who: Principal, credential_id: str) -> tuple[Share, str]:
    view = storage.get_credential(session, who, credential_id)
    token = secrets.token_urlsafe(32)
    payload = {
        "format": view.format,
        "credential": view.raw,
        "summary": {
            k: view.summary.get(k)
            for k in ("title", "issuer_name", "issuer", "description", "valid_from", "valid_until")
        },
    }
    share = Share(
        id=new_id(),
        token_hash=hash_token(token),
        account_id=who.account_id,
        credential_id=view.id,
        created_at=now(),
        ct=seal(token_key(token), json.dumps(payload).encode(), "share"),
    )
    session.add(share)
    session.flush()
    return share, token


def list_shares(session: Session, who: Principal, credential_id: str | None = None) -> list[Share]:
    query = select(Share).where(Share.account_id == who.account_id)
    if credential_id:
        query = query.where(Share.credential_id == credential_id)
    return list(session.scalars(query.order_by(Share.created_at)))


def unpublish(session: Session, who: Principal, share_id: str) -> None:
    share = session.get(Share, share_id)
    if share is None or share.account_id != who.account_id:
        raise NotFoundError("no such share")
    session.delete(share)


def open_share(session: Session, token: str) -> dict[str, Any]:
    share = session.scalar(select(Share).where(Share.token_hash == hash_token(token)))
    if share is None:
        raise NotFoundError("nothing is published at this address")
    try:
        return dict(json.loads(open_sealed(token_key(token), share.ct, "share")))
    except VaultError as err:
        raise NotFoundError("nothing is published at this address") from err
