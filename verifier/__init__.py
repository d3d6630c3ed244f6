"""Musette verifier: a recruiter asks with a QR code or drops in a file, and gets a verdict."""

from __future__ import annotations

from pathlib import Path

from verifier.settings import VerifierSettings

__all__ = ["VerifierSettings", "settings_for_up"]


def settings_for_up(data_dir: Path, base_urls: dict[str, str], dev: bool) -> VerifierSettings:
    """Settings for ``musette up`` (``BaseServiceSettings.for_up``)."""
    return VerifierSettings.for_up(
        data_dir,
        base_urls,
        dev,
        demo_issuer_base_url=base_urls.get("issuer", ""),
        # the request page offers an https link that opens the Musette wallet beside the QR
        wallet_url=base_urls.get("wallet", ""),
    )
