"""Issuer settings (environment prefix ``MUSETTE_ISSUER_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from issuer.db.base import DEFAULT_POOL_SIZE
from servicekit.ratelimit import LimitSetting
from servicekit.settings import BaseServiceSettings

#: OpenID4VCI key-proof algorithms the credential endpoint accepts.
PROOF_ALGS = ("EdDSA", "ES256")


class IssuerSettings(BaseServiceSettings):
    """Everything the issuer reads from outside: one instance per app."""

    model_config = SettingsConfigDict(env_prefix="MUSETTE_ISSUER_", extra="forbid")
    service = "issuer"
    renamed = {
        **BaseServiceSettings.renamed,
        "offer_ttl_seconds": ("offer_ttl",),
        "access_token_ttl_seconds": ("access_token_ttl",),
        "nonce_ttl_seconds": ("nonce_ttl",),
        "proof_max_age_seconds": ("proof_max_age",),
        "status_list_max_age_seconds": ("status_list_max_age",),
    }

    database_url: str = "sqlite:///./var/issuer/issuer.db"
    #: PostgreSQL connections each worker process keeps open (a fixed pool; a request
    #: waits for a free one). SQLite ignores it
    database_pool_connections: int = Field(default=DEFAULT_POOL_SIZE, ge=1, le=200)
    #: folder for ``master.key`` (and QR codes written by the CLI)
    data_dir: str = "./var/issuer"
    #: public base URL of this issuer; organisations live under ``<base_url>/orgs/<slug>``
    base_url: str = "http://127.0.0.1:8001"
    #: the Musette wallet's base URL (its ``/receive`` page gets the offer)
    wallet_url: str = "http://127.0.0.1:8002"
    #: how long a credential offer can be redeemed
    offer_ttl_seconds: int = 600
    #: how long an OpenID4VCI access token is valid
    access_token_ttl_seconds: int = 600
    #: how long a ``c_nonce`` is valid
    nonce_ttl_seconds: int = 300
    #: the oldest key proof (its ``iat``) the credential endpoint accepts
    proof_max_age_seconds: int = 300
    #: tx_code: digits, and wrong tries before the offer dies
    tx_code_length: int = 6
    tx_code_max_attempts: int = 5
    #: largest request body accepted anywhere (bytes)
    max_body_bytes: int = 1_000_000
    #: Cache-Control max-age of status list credentials
    status_list_max_age_seconds: int = 300
    #: a status list's ETag, once read, answers conditional GETs (304) for this many seconds
    #: without a database round trip (at most status_list_max_age_seconds; 0: read it every
    #: time; docs/decisions/status-etag-memo.md)
    status_etag_memo_seconds: float = 5.0
    #: signing key type of new organisations: Ed25519 (default) or P-256
    key_type: str = "Ed25519"
    #: status entries put in OB 3.0 credentials. The OB 3.0 JSON Schema allows ONE
    #: ``credentialStatus`` object, so a badge carries a single entry: a revocation entry by
    #: default (a verifier then says "revoked"), or, for an offer marked ``suspendable``, a
    #: suspension entry (suspend/unsuspend flip it; revoke sets it for good, plus the revocation
    #: bit). "both" writes both entries (VC DM 2.0 allows it; the OB schema does not).
    ob3_status_purposes: Literal["suspension", "revocation", "both"] = "revocation"
    #: accept the draft-15 single ``proof`` member (see shared.protocols.oid4vci)
    accept_single_proof: bool = True
    #: token requests per IP address, shared by every instance ("120/minute", "off")
    rate_limit_token: LimitSetting = "120/minute"  # noqa: S105 (a limit, not a secret)
    #: tx_code guesses per IP address
    rate_limit_tx_code: LimitSetting = "10/minute"
    #: outgoing e-mail (offer links) through an SMTP relay; empty host = the outbox folder
    #: ``<data_dir>/outbox`` only. A message the relay refuses also lands in the outbox.
    smtp_host: str = ""
    smtp_port: int = 587
    #: "starttls" (port 587), "tls" (implicit TLS, port 465) or "none" (a local catcher)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str = ""
    #: (``musette serve`` also reads it from the file ``MUSETTE_ISSUER_SMTP_PASSWORD_FILE`` names)
    smtp_password: str = ""
    #: envelope and header sender; empty = "<organisation> <no-reply@public host>"
    smtp_from: str = ""
    smtp_timeout_seconds: float = 10.0

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")
