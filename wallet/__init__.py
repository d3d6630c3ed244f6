"""Musette wallet: a person receives, keeps and presents their credentials."""

from __future__ import annotations

from pathlib import Path

from shared.did import did_web_from_url
from wallet.settings import WalletSettings

__all__ = ["DEMO_VERIFIER_NAME", "WalletSettings", "settings_for_up"]

#: the name ``musette up``'s verifier gives itself (its ``client_name``)
DEMO_VERIFIER_NAME = "Recrutement Démo"


def settings_for_up(data_dir: Path, base_urls: dict[str, str], dev: bool) -> WalletSettings:
    """Settings for ``musette up`` (``BaseServiceSettings.for_up``) trusting the demo parties."""
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
    return WalletSettings.for_up(
        data_dir, base_urls, dev, trusted_issuers=trusted, known_verifiers=known
    )
