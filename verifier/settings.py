"""Verifier settings (environment prefix ``MUSETTE_VERIFIER_``)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

#: The largest upload or JSON body ``POST /verifications`` reads (a baked PNG included).
MAX_UPLOAD_BYTES = 5_000_000


class VerifierSettings(BaseSettings):
    """Everything the verifier reads from outside: one instance per app."""

    model_config = SettingsConfigDict(env_prefix="MUSETTE_VERIFIER_", extra="forbid")

    database_url: str = "sqlite:///./var/verifier/verifier.db"
    #: folder for ``master.key`` when ``master_secret`` is not given
    data_dir: str = "./var/verifier"
    #: base64url master secret (at least 16 bytes); read from ``<data_dir>/master.key`` when empty
    master_secret: str = ""
    #: public base URL of this verifier (response_uri, request_uri, did:web)
    base_url: str = "http://127.0.0.1:8003"
    #: development mode: the fetcher may reach http and loopback addresses
    dev: bool = False
    #: issuer base URL whose ``/orgs/demo-association`` did:web the demo registry trusts
    demo_issuer_base_url: str = ""
    problem_type_base: str = "https://musette.example/problems"
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    #: base URL of a Musette wallet: the request page then offers ``<wallet_url>/present?…``
    #: beside the QR code (an https link that opens it on a phone); empty: not offered
    wallet_url: str = ""
    #: how long an OpenID4VP request can be answered
    request_ttl_seconds: int = 600
    #: status lists kept in the cache at most this long, whatever their ttl says
    status_cache_max_seconds: int = 86_400
    #: status lists kept at least this long when they carry no ttl or Cache-Control
    status_cache_default_seconds: int = 300
    status_cache_entries: int = 1024
    #: API verifications (POST /verifications, VC-API) reuse a status list revalidated less
    #: than this many seconds ago; a verdict shown to a person always revalidates first
    status_revalidate_seconds: float = 5.0
    session_hours: int = 12
    #: argon2 cost: lower only in tests
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    #: run Alembic migrations at start-up
    migrate: bool = True

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` whenever the verifier is served over https."""
        return self.base_url.startswith("https://")
