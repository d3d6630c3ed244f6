"""Demo data for ``musette up``: one holder account with one did:jwk (Ed25519) identity."""

from __future__ import annotations

from shared.errors import NotFoundError
from wallet.main import open_resources
from wallet.service import accounts, identities
from wallet.settings import WalletSettings

DEMO_EMAIL = "demo@musette.example"
DEMO_PASSWORD = "musette-demo"  # noqa: S105  (a demo account, printed on purpose)


def seed_demo(settings: WalletSettings) -> list[str]:
    """Create the demo holder once; return the lines ``musette up`` prints."""
    with open_resources(settings) as res, res.sessions.begin() as session:
        try:
            accounts.find_account(session, DEMO_EMAIL)
        except NotFoundError:
            accounts.create_account(session, res.hasher, DEMO_EMAIL, DEMO_PASSWORD)
        # the demo password is printed on purpose: it opens the demo account like any other
        who = accounts.authenticate(session, res.master, res.hasher, DEMO_EMAIL, DEMO_PASSWORD)
        identity = identities.default_identity(session, who)
        did = identity.did
    base = settings.base_url.rstrip("/")
    return [
        f"demo holder: {DEMO_EMAIL} / password {DEMO_PASSWORD}  ({base}/signin)",
        f"demo holder identity: {did[:60]}…",
    ]
