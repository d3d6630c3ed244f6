"""Musette verifier: a recruiter asks with a QR code or drops in a file, and gets a verdict."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from verifier.settings import VerifierSettings

__all__ = ["VerifierSettings", "settings_for_up"]


def settings_for_up(data_dir: Path, base_urls: dict[str, str], dev: bool) -> VerifierSettings:
    """Settings for ``musette up``: SQLite and ``master.key`` in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{data_dir / 'verifier.db'}",
        "data_dir": str(data_dir),
        "base_url": base_urls.get("verifier", "http://127.0.0.1:8003"),
        "dev": dev,
        "demo_issuer_base_url": base_urls.get("issuer", ""),
        # the request page offers an https link that opens the Musette wallet beside the QR
        "wallet_url": base_urls.get("wallet", ""),
    }
    # the environment (MUSETTE_VERIFIER_*) still wins over these defaults
    values = {k: v for k, v in values.items() if f"MUSETTE_VERIFIER_{k.upper()}" not in os.environ}
    return VerifierSettings(**values)
