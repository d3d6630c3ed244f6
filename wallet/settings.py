"""Wallet settings (environment prefix ``MUSETTE_WALLET_``)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from pydantic_settings import SettingsConfigDict

from servicekit.ratelimit import LimitSetting
from servicekit.settings import FetchingServiceSettings

#: The largest credential (file, token or issuer response) the wallet accepts.
MAX_CREDENTIAL_BYTES = 1_000_000


class WalletSettings(FetchingServiceSettings):
    """Everything the wallet reads from outside: one instance per app."""

    model_config = SettingsConfigDict(env_prefix="MUSETTE_WALLET_", extra="forbid")
    service = "wallet"

    database_url: str = "sqlite:///./var/wallet/wallet.db"
    #: folder for ``master.key`` when ``master_secret`` is not given
    data_dir: str = "./var/wallet"
    #: public base URL of this wallet (links, share URLs, cookies' Secure flag)
    base_url: str = "http://127.0.0.1:8002"
    #: credential issuers (URLs) and DIDs the wallet shows as "in the trust registry"
    trusted_issuers: list[str] = []
    #: verifiers the wallet knows, by DID or by the origin answers go to, with their name
    #: (JSON in the environment: ``{"https://verifier.example": "Recrutement Démo"}``)
    known_verifiers: dict[str, str] = {}
    #: PEM files of the X.509 roots the wallet trusts for issuers' ``x5c`` chains and for
    #: ``x509_san_dns:``/``x509_hash:`` verifiers (JSON list in the environment); none by
    #: default, so such keys and requests are refused (docs/decisions/wallet-x509-and-dpop.md)
    x509_trust_anchors: list[str] = []
    max_credential_bytes: int = MAX_CREDENTIAL_BYTES
    #: public endorsement and share links opened per IP address, shared by every instance
    #: ("60/minute", "off")
    rate_limit_links: LimitSetting = "60/minute"
    #: one person's wallet on their own machine (``musette wallet local``): one account
    #: only, and a plain http base URL allowed when it is a loopback address
    #: (docs/decisions/wallet-local.md)
    local: bool = False

    def http_allowed(self) -> bool:
        """Development mode, or the local wallet on a loopback address (http is fine there:
        nothing leaves the machine)."""
        return self.dev or (self.local and is_loopback_url(self.base_url))


def is_loopback_host(host: str) -> bool:
    """``127.0.0.1``, ``::1`` (bracketed or not) or ``localhost``; nothing else."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """An http(s) URL whose host is a loopback address."""
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and is_loopback_host(parts.hostname or "")
