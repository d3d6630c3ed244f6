"""Musette issuer: organisations issue Open Badges 3.0 over OpenID4VCI and manage their status."""

from __future__ import annotations

from pathlib import Path

from issuer.settings import IssuerSettings

__all__ = ["IssuerSettings", "settings_for_up"]


def settings_for_up(data_dir: Path, base_urls: dict[str, str], dev: bool) -> IssuerSettings:
    """Settings for ``musette up`` (``BaseServiceSettings.for_up``)."""
    return IssuerSettings.for_up(
        data_dir, base_urls, dev, wallet_url=base_urls.get("wallet", "http://127.0.0.1:8002")
    )
