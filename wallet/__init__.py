"""Musette wallet: a person receives, keeps and presents their credentials."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from shared.did import did_web_from_url
from wallet.settings import WalletSettings

__all__ = ["DEMO_VERIFIER_NAME", "WalletSettings", "settings_for_up"]

#: the name ``musette up``'s verifier gives itself (its ``client_name``)
DEMO_VERIFIER_NAME = "Recrutement Démo"


def settings_for_up(data_dir: Path, base_urls: dict[str, str], dev: bool) -> WalletSettings:
    """Settings for ``musette up``: SQLite and ``master.key`` in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    # the demo organisations' credential issuer identifiers (OpenID4VCI §12.2.1), which is what
    # offers and metadata name: the issuer serves one credential issuer per organisation
    demos = (
        [f"{base_urls['issuer']}/orgs/{org}" for org in ("demo-association", "demo-platform")]
        if "issuer" in base_urls
        else []
    )
    # and their did:web, which signs their credentials: a badge file imported by hand names
    # only it (the demo platform issues ratings)
    trusted = [t for demo in demos for t in (demo, did_web_from_url(demo))]
    # the demo verifier, by the origin its unsigned requests answer to and by its did:web
    verifier = base_urls.get("verifier")
    known = (
        {verifier: DEMO_VERIFIER_NAME, did_web_from_url(verifier): DEMO_VERIFIER_NAME}
        if verifier
        else {}
    )
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{data_dir / 'wallet.db'}",
        "data_dir": str(data_dir),
        "base_url": base_urls.get("wallet", "http://127.0.0.1:8002"),
        "dev": dev,
        "trusted_issuers": trusted,
        "known_verifiers": known,
    }
    # the environment (MUSETTE_WALLET_*) still wins over these defaults
    values = {k: v for k, v in values.items() if f"MUSETTE_WALLET_{k.upper()}" not in os.environ}
    return WalletSettings(**values)
