"""``BaseServiceSettings``: what every service's settings class has and checks the same way.

A service subclasses it (or ``FetchingServiceSettings``, for the wallet and the verifier
whose server fetches from others) with its own ``env_prefix`` (``MUSETTE_<SVC>_``), the default of its
``base_url`` and its own fields. Durations are named ``*_seconds`` (or ``*_hours``,
``*_days``: the unit is always in the name). A field that had another name lists it in
``renamed``: the old environment variable still works, with a warning in the log saying which
one to set instead (the new one wins when both are set).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from copy import copy
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import AliasChoices, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from servicekit.ratelimit import LimitSetting

log = logging.getLogger("musette.settings")


class BaseServiceSettings(BaseSettings):
    """Development mode, problem types, the master secret, and the one https rule."""

    model_config = SettingsConfigDict(extra="forbid", validate_by_name=True)

    #: the service's name in messages (``issuer``, ``wallet``, ``verifier``)
    service: ClassVar[str] = "service"
    #: ``{field: its former names}``: their environment variables are deprecated aliases
    renamed: ClassVar[dict[str, tuple[str, ...]]] = {"base_url": ("public_url",)}

    #: public base URL of this service (links, cookies' Secure flag); https outside
    #: development mode
    base_url: str = "http://127.0.0.1"
    #: base64url master secret (at least 32 bytes for a new one); read from
    #: ``<data_dir>/master.key`` (created on first start) when empty
    master_secret: str = ""
    #: development mode: http and loopback addresses allowed (said loudly); production
    #: refuses both
    dev: bool = False
    #: prefix of the ``type`` URI of every problem+json answer (RFC 9457 §3.1.1)
    problem_type_base: str = "https://musette.example/problems"
    #: how long a browser session lasts
    session_hours: int = 12
    #: argon2 cost: lower only in tests
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    #: run Alembic migrations at start-up
    migrate: bool = True
    #: sign-in attempts per account and IP address, shared by every instance ("10/minute",
    #: "5/30s", "off")
    rate_limit_signin: LimitSetting = "10/minute"

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Give each renamed field its environment variables, new name first."""
        super().__pydantic_init_subclass__(**kwargs)
        prefix = cls.env_prefix()
        for name, former in cls.renamed.items():
            field = copy(cls.model_fields[name])  # not the base class's own FieldInfo
            field.validation_alias = AliasChoices(
                f"{prefix}{name.upper()}", *(f"{prefix}{old.upper()}" for old in former)
            )
            cls.__pydantic_fields__[name] = field
        cls.model_rebuild(force=True)

    @classmethod
    def env_prefix(cls) -> str:
        return str(cls.model_config.get("env_prefix", ""))

    @classmethod
    def deprecated_variables(cls) -> dict[str, str]:
        """``{former variable: the one to set instead}``."""
        prefix = cls.env_prefix()
        return {
            f"{prefix}{old.upper()}": f"{prefix}{name.upper()}"
            for name, former in cls.renamed.items()
            for old in former
        }

    @classmethod
    def for_up(cls, data_dir: Path, base_urls: Mapping[str, str], dev: bool, **own: object) -> Self:
        """Settings for ``musette up``: SQLite and ``master.key`` in ``data_dir``, the base URL
        ``musette up`` gives the service, and the service's ``own`` values. The environment
        (``MUSETTE_<SVC>_*``) still wins over all of these."""
        data_dir.mkdir(parents=True, exist_ok=True)
        values: dict[str, Any] = {
            "database_url": f"sqlite:///{data_dir / f'{cls.service}.db'}",
            "data_dir": str(data_dir),
            "dev": dev,
            **own,
        }
        if cls.service in base_urls:
            values["base_url"] = base_urls[cls.service]
        prefix = cls.env_prefix()
        return cls(**{k: v for k, v in values.items() if f"{prefix}{k.upper()}" not in os.environ})

    @model_validator(mode="before")
    @classmethod
    def _warn_about_former_names(cls, data: Any) -> Any:
        present = {name.upper() for name in os.environ}
        for old, new in cls.deprecated_variables().items():
            if old in present:
                log.warning(
                    "%s is deprecated: set %s instead (it wins when both are set)", old, new
                )
        return data

    def http_allowed(self) -> bool:
        """Whether the public base URL may be plain http: in development mode only (a
        service may widen it, e.g. the wallet on the person's own machine, loopback only)."""
        return self.dev

    @model_validator(mode="after")
    def _production_is_https(self) -> Self:
        if not self.http_allowed() and not self.base_url.startswith("https://"):
            prefix = self.env_prefix()
            raise ValueError(
                f"base_url must be https outside development mode, not {self.base_url!r}: "
                f"set {prefix}BASE_URL to the public https address, or use development mode "
                f"for a local demo (musette --dev, MUSETTE_DEV=1 or {prefix}DEV=1)"
            )
        return self

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` unless http is allowed, and over https always."""
        return not self.http_allowed() or self.base_url.startswith("https://")


class FetchingServiceSettings(BaseServiceSettings):
    """A service whose server fetches from others on a person's behalf (the wallet and the
    verifier: share URLs, status lists, DID documents, metadata and requests)."""

    #: seconds an outbound fetch (share URL, status list, DID document) may take in all,
    #: redirects and every read included: a server dripping its answer is cut off there
    fetch_deadline_seconds: float = 15.0
