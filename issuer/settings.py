"""Issuer settings (environment prefix ``MUSETTE_ISSUER_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from servicekit.ratelimit import LimitSetting
from servicekit.settings import BaseServiceSettings

#: OpenID4VCI key-proof algorithms the credential endpoint accepts.
PROOF_ALGS = ("EdDSA", "ES256")


class IssuerSettings(BaseServiceSettings):
    """Everything the issuer reads from outside: one instance per app."""

    model_config = SettingsConfigDict(env_prefix="MUSETTE_ISSUER_", extra="forbid")
    service = "issuer"
    url_field = "public_url"

    database_url: str = "sqlite:///./var/issuer/issuer.db"
    #: folder for ``master.key`` (and QR codes written by the CLI)
    data_dir: str = "./var/issuer"
    #: public base URL of this issuer; organisations live under ``<public_url>/orgs/<slug>``
    public_url: str = "http://127.0.0.1:8001"
    #: the Musette wallet's base URL (its ``/receive`` page gets the offer)
    wallet_url: str = "http://127.0.0.1:8002"
    #: lifetimes (seconds)
    offer_ttl: int = 600
    access_token_ttl: int = 600
    nonce_ttl: int = 300
    proof_max_age: int = 300
    session_hours: int = 12
    #: tx_code: digits, and wrong tries before the offer dies
    tx_code_length: int = 6
    tx_code_max_attempts: int = 5
    #: largest request body accepted anywhere (bytes)
    max_body_bytes: int = 1_000_000
    #: Cache-Control max-age of status list credentials (seconds)
    status_list_max_age: int = 300
    #: a status list's ETag, once read, answers conditional GETs (304) for this many seconds
    #: without a database round trip (at most status_list_max_age; 0: read it every time;
    #: docs/decisions/status-etag-memo.md)
    status_etag_memo_seconds: float = 5.0
    #: signing key type of new organisations: Ed25519 (default) or P-256
    key_type: str = "Ed25519"
    #: argon2 cost: lower only in tests
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    #: run Alembic migrations at start-up
    migrate: bool = True
    #: status entries put in OB 3.0 credentials. The OB 3.0 JSON Schema allows ONE
    #: ``credentialStatus`` object, so a badge carries a single entry: a revocation entry by
    #: default (a verifier then says "revoked"), or, for an offer marked ``suspendable``, a
    #: suspension entry (suspend/unsuspend flip it; revoke sets it for good, plus the revocation
    #: bit). "both" writes both entries (VC DM 2.0 allows it; the OB schema does not).
    ob3_status_purposes: Literal["suspension", "revocation", "both"] = "revocation"
    #: accept the draft-15 single ``proof`` member (see shared.protocols.oid4vci)
    accept_single_proof: bool = True
    #: rate limits shared by every instance ("10/minute", "5/30s", "off"): sign-in per
    #: account and IP address, token requests per IP, tx_code guesses per IP
    rate_limit_signin: LimitSetting = "10/minute"
    rate_limit_token: LimitSetting = "120/minute"  # noqa: S105 (a limit, not a secret)
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

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")
