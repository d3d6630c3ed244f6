"""``BaseServiceSettings``: what every service's settings class has and checks the same way.

A service subclasses it with its own ``env_prefix`` (``MUSETTE_<SVC>_``) and fields. The
public address field is ``base_url`` (the issuer's is still called ``public_url``: its
environment variable ``MUSETTE_ISSUER_PUBLIC_URL`` is in docker/compose.yaml and the docs, so
the subclass names it in ``url_field``). New durations are named ``*_seconds``.
"""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class BaseServiceSettings(BaseSettings):
    """Development mode, problem types, the master secret, and the one https rule."""

    model_config = SettingsConfigDict(extra="forbid")

    #: the service's name in messages (``issuer``, ``wallet``, ``verifier``)
    service: ClassVar[str] = "service"
    #: the field holding the service's public base URL
    url_field: ClassVar[str] = "base_url"

    #: base64url master secret (at least 32 bytes for a new one); read from
    #: ``<data_dir>/master.key`` (created on first start) when empty
    master_secret: str = ""
    #: development mode: http and loopback addresses allowed (said loudly); production
    #: refuses both
    dev: bool = False
    #: prefix of the ``type`` URI of every problem+json answer (RFC 9457 §3.1.1)
    problem_type_base: str = "https://musette.example/problems"

    @property
    def public_base_url(self) -> str:
        """The service's public base URL, whatever the field is called."""
        return str(getattr(self, self.url_field))

    def http_allowed(self) -> bool:
        """Whether the public base URL may be plain http: in development mode only (a
        service may widen it, e.g. the wallet on the person's own machine, loopback only)."""
        return self.dev

    @model_validator(mode="after")
    def _production_is_https(self) -> Self:
        url = self.public_base_url
        if not self.http_allowed() and not url.startswith("https://"):
            prefix = str(self.model_config.get("env_prefix", ""))
            raise ValueError(
                f"{self.url_field} must be https outside development mode, not {url!r}: "
                f"set {prefix}{self.url_field.upper()} to the public https address, or use "
                "development mode for a local demo "
                f"(musette --dev, MUSETTE_DEV=1 or {prefix}DEV=1)"
            )
        return self

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` unless http is allowed, and over https always."""
        return not self.http_allowed() or self.public_base_url.startswith("https://")
