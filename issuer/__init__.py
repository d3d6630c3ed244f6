"""Musette issuer: organisations issue Open Badges 3.0 over OpenID4VCI and manage their status."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from issuer.settings import IssuerSettings

__all__ = ["IssuerSettings", "settings_for_up"]


def settings_for_up(data_dir: Path, base_urls: dict[str, str], dev: bool) -> IssuerSettings:
    """Settings for ``musette up``: SQLite and ``master.key`` in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{data_dir / 'issuer.db'}",
        "data_dir": str(data_dir),
        "base_url": base_urls.get("issuer", "http://127.0.0.1:8001"),
        "wallet_url": base_urls.get("wallet", "http://127.0.0.1:8002"),
        "dev": dev,
    }
    # the environment (MUSETTE_ISSUER_*) still wins over these defaults
    values = {k: v for k, v in values.items() if f"MUSETTE_ISSUER_{k.upper()}" not in os.environ}
    return IssuerSettings(**values)
