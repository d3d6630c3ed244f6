"""The wallet on the person's own machine (``musette wallet local``): one account only.

The same app, pages and protocols as the hosted wallet, with ``settings.local`` on: sign-up
is open while the wallet has no account, then only sign-in (docs/decisions/wallet-local.md).
The account itself goes through the same sign-up and sign-in path as on a hosted wallet, so
how its data key is wrapped is whatever :mod:`wallet.service.accounts` does.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wallet.db.models import Account
from wallet.errors import LocalAccountExistsError
from wallet.settings import WalletSettings


def has_account(session: Session) -> bool:
    """Whether the wallet holds an account already."""
    return session.scalar(select(Account.id).limit(1)) is not None


def signup_open(session: Session, settings: WalletSettings) -> bool:
    """A hosted wallet always takes sign-ups; a local one only until its account exists."""
    return not settings.local or not has_account(session)


def refuse_second_account(session: Session, settings: WalletSettings) -> None:
    """Raise :class:`LocalAccountExistsError` on a local wallet that has its account."""
    if not signup_open(session, settings):
        raise LocalAccountExistsError(
            "this wallet runs for one person and already has its account: sign in"
        )
