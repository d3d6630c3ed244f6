"""Count the tx_codes the issuer really compares (a guess refused before comparing is free).

The issuer runs in this process in every test that uses this (in-process apps, or the
two-instance stack's servers in threads), so one patch sees what every instance compares."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from issuer.service import oid4vci


def count_tx_code_comparisons(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Patch the issuer's tx_code comparison; the returned list grows with each code compared."""
    compared: list[str] = []
    lock = threading.Lock()
    real_matches = oid4vci.tx_code_matches

    def counting_matches(secret: bytes, offer: Any, tx_code: str) -> bool:
        with lock:
            compared.append(tx_code)
        return real_matches(secret, offer, tx_code)

    monkeypatch.setattr(oid4vci, "tx_code_matches", counting_matches)
    return compared
