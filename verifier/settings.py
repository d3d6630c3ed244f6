"""Verifier settings (environment prefix ``MUSETTE_VERIFIER_``)."""

from __future__ import annotations

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from servicekit.ratelimit import LimitSetting
from servicekit.settings import FetchingServiceSettings

#: The largest upload the console's check form reads (a baked PNG included).
MAX_UPLOAD_BYTES = 5_000_000
#: The largest body ``POST /verifications`` reads: a credential, a presentation or a baked
#: badge image is far smaller, and every byte is parsed by an anonymous caller's request.
MAX_VERIFICATION_BYTES = 1_000_000


class VerifierSettings(FetchingServiceSettings):
    """Everything the verifier reads from outside: one instance per app."""

    model_config = SettingsConfigDict(env_prefix="MUSETTE_VERIFIER_", extra="forbid")
    service = "verifier"

    database_url: str = "sqlite:///./var/verifier/verifier.db"
    #: folder for ``master.key`` when ``master_secret`` is not given
    data_dir: str = "./var/verifier"
    #: public base URL of this verifier (response_uri, request_uri, did:web)
    base_url: str = "http://127.0.0.1:8003"
    #: development mode only: a PEM file the fetcher trusts besides the usual authorities
    #: (a local TLS proxy's self-signed certificate, as conformance/run.sh sets up)
    dev_ca_file: str = ""
    #: issuer base URL whose ``/orgs/demo-association`` did:web the demo registry trusts
    demo_issuer_base_url: str = ""
    #: PEM files of the X.509 roots an SD-JWT VC issuer's ``x5c`` chain must lead to (JSON
    #: list in the environment); none by default: such issuer keys are not trusted
    x509_trust_anchors: list[str] = []
    #: the name wallets show the person ("who asks"): OpenID4VP 1.0 ``client_metadata``
    #: ``client_name`` (RFC 7591 §2); never the product's name
    client_name: str = "Recrutement Démo"
    #: the logo wallets show beside it (``logo_uri``); empty: this verifier's own /static/logo.svg
    logo_uri: str = ""
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_verification_bytes: int = MAX_VERIFICATION_BYTES
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
    #: verifications (API and console form) per IP address, shared by every instance
    #: ("60/minute", "off")
    rate_limit_verifications: LimitSetting = "60/minute"
    #: how long a challenge from ``POST /challenges`` can be answered
    challenge_ttl_seconds: int = 300
    #: results, OpenID4VP requests and challenges are deleted after this many days
    verification_retention_days: int = 30
    #: an anonymous console check keeps the credential's contents (for its result page)
    #: this long; anonymous API calls keep none at all
    anonymous_result_seconds: int = 3600
    #: an anonymous ``POST /verifications?store=true`` result (its verdict summary, never the
    #: credential) is kept this long, then deleted; without ``store`` nothing is kept
    anonymous_stored_result_seconds: int = 86400

    @model_validator(mode="after")
    def _dev_ca_file_only_in_dev(self) -> VerifierSettings:
        if self.dev_ca_file and not self.dev:
            raise ValueError(
                "dev_ca_file (MUSETTE_VERIFIER_DEV_CA_FILE) is for development mode only: "
                "in production the fetcher trusts the usual certificate authorities alone"
            )
        return self
