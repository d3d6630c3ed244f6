"""Wallet settings (environment prefix ``MUSETTE_WALLET_``)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

#: The largest credential (file, token or issuer response) the wallet accepts.
MAX_CREDENTIAL_BYTES = 1_000_000


class WalletSettings(BaseSettings):
    """Everything the wallet reads from outside: one instance per app."""

    model_config = SettingsConfigDict(env_prefix="MUSETTE_WALLET_", extra="forbid")

    database_url: str = "sqlite:///./var/wallet/wallet.db"
    #: folder for ``master.key`` when ``master_secret`` is not given
    data_dir: str = "./var/wallet"
    #: base64url master secret (32 bytes); read from ``<data_dir>/master.key`` when empty
    master_secret: str = ""
    #: public base URL of this wallet (links, share URLs, cookies' Secure flag)
    base_url: str = "http://127.0.0.1:8002"
    #: development mode: the fetcher may reach http and loopback addresses
    dev: bool = False
    problem_type_base: str = "https://musette.example/problems"
    #: credential issuers (URLs) and DIDs the wallet shows as "in the trust registry"
    trusted_issuers: list[str] = []
    #: verifiers the wallet knows, by DID or by the origin answers go to, with their name
    #: (JSON in the environment: ``{"https://verifier.example": "Recrutement Démo"}``)
    known_verifiers: dict[str, str] = {}
    max_credential_bytes: int = MAX_CREDENTIAL_BYTES
    session_hours: int = 12
    #: argon2 cost: lower only in tests
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    #: run Alembic migrations at start-up
    migrate: bool = True

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` whenever the wallet is served over https."""
        return self.base_url.startswith("https://")
