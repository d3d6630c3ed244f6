"""The three settings classes share ``BaseServiceSettings``: one https rule, one cookie rule.

``dev=False`` is passed explicitly: another test may leave ``MUSETTE_*_DEV`` set.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from issuer.settings import IssuerSettings
from servicekit.settings import BaseServiceSettings, FetchingServiceSettings
from verifier.settings import VerifierSettings
from wallet.settings import WalletSettings

CLASSES: list[tuple[type[BaseServiceSettings], str, str]] = [
    (IssuerSettings, "base_url", "MUSETTE_ISSUER_BASE_URL"),
    (WalletSettings, "base_url", "MUSETTE_WALLET_BASE_URL"),
    (VerifierSettings, "base_url", "MUSETTE_VERIFIER_BASE_URL"),
]


@pytest.mark.parametrize(("cls", "field", "variable"), CLASSES)
def test_settings_base_https_rule_names_the_services_variable(
    cls: type[BaseServiceSettings], field: str, variable: str
) -> None:
    assert issubclass(cls, BaseServiceSettings)
    with pytest.raises(ValidationError, match=variable):
        cls(dev=False, **{field: "http://example.org"})  # type: ignore[arg-type]
    kept = cls(dev=False, **{field: "https://example.org"})  # type: ignore[arg-type]
    assert kept.base_url == "https://example.org"
    assert kept.secure_cookies is True


@pytest.mark.parametrize(("cls", "field", "variable"), CLASSES)
def test_settings_base_fields_are_declared_once(
    cls: type[BaseServiceSettings], field: str, variable: str
) -> None:
    """A service does not redeclare a base field (the copies drifted before), but for the
    default of its ``base_url``."""
    own = set(vars(cls).get("__annotations__", {}))
    assert own & set(vars(BaseServiceSettings)["__annotations__"]) == {"base_url"}
    assert own & set(vars(FetchingServiceSettings)["__annotations__"]) == set()


@pytest.mark.parametrize(
    ("cls", "variable"),
    [
        (WalletSettings, "MUSETTE_WALLET_FETCH_DEADLINE_SECONDS"),
        (VerifierSettings, "MUSETTE_VERIFIER_FETCH_DEADLINE_SECONDS"),
    ],
)
def test_settings_base_the_fetch_deadline_is_declared_once(
    cls: type[BaseServiceSettings], variable: str, clean_environment: pytest.MonkeyPatch
) -> None:
    """The wallet and the verifier share one declaration (same meaning, default and
    variable names as when each had its copy); the issuer fetches nothing on anyone's behalf."""
    assert issubclass(cls, FetchingServiceSettings)
    assert "fetch_deadline_seconds" not in vars(cls).get("__annotations__", {})
    assert cls(dev=True).model_dump()["fetch_deadline_seconds"] == 15.0
    clean_environment.setenv(variable, "2.5")
    assert cls(dev=True).model_dump()["fetch_deadline_seconds"] == 2.5
    assert not issubclass(IssuerSettings, FetchingServiceSettings)
    assert "fetch_deadline_seconds" not in IssuerSettings.model_fields


def test_settings_base_verifier_keeps_both_of_its_rules() -> None:
    """The verifier's own validator does not replace the base's https rule (same-name trap)."""
    with pytest.raises(ValidationError, match="MUSETTE_VERIFIER_BASE_URL"):
        VerifierSettings(dev=False, base_url="http://example.org")
    with pytest.raises(ValidationError, match="dev_ca_file"):
        VerifierSettings(dev=False, base_url="https://example.org", dev_ca_file="/ca.pem")
    assert issubclass(BaseServiceSettings, BaseSettings)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for cls, _field, _variable in CLASSES:
        for name in cls.model_fields:
            monkeypatch.delenv(f"{cls.env_prefix()}{name.upper()}", raising=False)
        for old in cls.deprecated_variables():
            monkeypatch.delenv(old, raising=False)
    return monkeypatch


@pytest.mark.parametrize(("cls", "field", "variable"), CLASSES)
def test_settings_base_former_url_variable_still_works_with_a_warning(
    cls: type[BaseServiceSettings],
    field: str,
    variable: str,
    clean_environment: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    former = variable.replace("_BASE_URL", "_PUBLIC_URL")
    clean_environment.setenv(former, "https://old.example")
    with caplog.at_level(logging.WARNING, logger="musette.settings"):
        assert cls(dev=False).base_url == "https://old.example"
    assert f"{former} is deprecated: set {variable} instead" in caplog.text
    clean_environment.setenv(variable, "https://new.example")
    assert cls(dev=False).base_url == "https://new.example"  # the new name wins
    assert cls(dev=False, base_url="https://given.example").base_url == "https://given.example"


def test_settings_base_no_warning_without_a_former_variable(
    clean_environment: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clean_environment.setenv("MUSETTE_ISSUER_OFFER_TTL_SECONDS", "60")
    with caplog.at_level(logging.WARNING, logger="musette.settings"):
        assert IssuerSettings(dev=True).offer_ttl_seconds == 60
    assert "deprecated" not in caplog.text


@pytest.mark.parametrize(
    ("former", "field"),
    [
        ("offer_ttl", "offer_ttl_seconds"),
        ("access_token_ttl", "access_token_ttl_seconds"),
        ("nonce_ttl", "nonce_ttl_seconds"),
        ("proof_max_age", "proof_max_age_seconds"),
        ("status_list_max_age", "status_list_max_age_seconds"),
    ],
)
def test_settings_base_issuer_durations_are_named_in_seconds(
    former: str, field: str, clean_environment: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clean_environment.setenv(f"MUSETTE_ISSUER_{former.upper()}", "42")
    with caplog.at_level(logging.WARNING, logger="musette.settings"):
        assert getattr(IssuerSettings(dev=True), field) == 42
    assert f"MUSETTE_ISSUER_{former.upper()} is deprecated" in caplog.text


def test_settings_base_every_duration_names_its_unit() -> None:
    units = ("_seconds", "_hours", "_days", "_kib", "_bytes", "_cost", "_entries", "_connections")
    for _cls, _field, _variable in CLASSES:
        for name, info in _cls.model_fields.items():
            if info.annotation in (int, float) and not name.startswith(("smtp_port", "tx_code")):
                assert name.endswith(units), f"{_cls.__name__}.{name}"


@pytest.mark.parametrize(("cls", "field", "variable"), CLASSES)
def test_settings_base_for_up_puts_everything_in_the_data_folder(
    cls: type[BaseServiceSettings],
    field: str,
    variable: str,
    clean_environment: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    bases = {cls.service: "https://up.example"}
    made = cls.for_up(tmp_path / "here", bases, False)
    assert made.base_url == "https://up.example"
    assert made.model_dump()["database_url"] == f"sqlite:///{tmp_path / 'here' / cls.service}.db"
    assert made.model_dump()["data_dir"] == str(tmp_path / "here")
    clean_environment.setenv(variable, "https://env.example")  # the environment still wins
    assert cls.for_up(tmp_path / "here", bases, False).base_url == "https://env.example"
