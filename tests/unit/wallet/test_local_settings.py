"""The local wallet's settings: plain http only for a loopback base URL, never elsewhere."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from wallet.settings import WalletSettings, is_loopback_url


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8002", True),
        ("http://[::1]:8002/", True),
        ("http://localhost:8002", True),
        ("http://127.9.9.9", True),
        ("http://127.0.0.1@evil.example/", False),  # userinfo: the host is evil.example
        ("http://evil.example#@127.0.0.1", False),
        ("http://evil.example/127.0.0.1", False),
        ("http://127.0.0.1.evil.example", False),
        ("http://localhost.evil.example", False),
        ("http://0.0.0.0:8002", False),
        ("http://[::]:8002", False),
        ("http://10.0.0.1", False),
        ("ftp://127.0.0.1", False),
        ("127.0.0.1:8002", False),
        ("", False),
    ],
)
def test_is_loopback_url(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback


def test_local_allows_http_on_loopback_only() -> None:
    local = WalletSettings(local=True, base_url="http://127.0.0.1:8123")
    assert local.dev is False
    assert local.http_allowed() is True
    assert local.secure_cookies is False
    with pytest.raises(ValidationError, match="must be https"):
        WalletSettings(local=True, base_url="http://192.168.1.20:8123")


def test_a_hosted_wallet_still_needs_https() -> None:
    with pytest.raises(ValidationError, match="must be https"):
        WalletSettings(base_url="http://127.0.0.1:8002")
    hosted = WalletSettings(base_url="https://wallet.example")
    assert hosted.secure_cookies is True
    assert WalletSettings(local=True, base_url="https://127.0.0.1:8123").secure_cookies is True
