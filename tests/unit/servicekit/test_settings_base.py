"""The three settings classes share ``BaseServiceSettings``: one https rule, one cookie rule.

``dev=False`` is passed explicitly: another test may leave ``MUSETTE_*_DEV`` set.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from issuer.settings import IssuerSettings
from servicekit.settings import BaseServiceSettings
from verifier.settings import VerifierSettings
from wallet.settings import WalletSettings

CLASSES: list[tuple[type[BaseServiceSettings], str, str]] = [
    (IssuerSettings, "public_url", "MUSETTE_ISSUER_PUBLIC_URL"),
    (WalletSettings, "base_url", "MUSETTE_WALLET_BASE_URL"),
    (VerifierSettings, "base_url", "MUSETTE_VERIFIER_BASE_URL"),
]


@pytest.mark.parametrize(("cls", "field", "variable"), CLASSES)
def test_settings_base_https_rule_names_the_services_variable(
    cls: type[BaseServiceSettings], field: str, variable: str
) -> None:
    assert issubclass(cls, BaseServiceSettings)
    assert cls.url_field == field
    with pytest.raises(ValidationError, match=variable):
        cls(dev=False, **{field: "http://example.org"})  # type: ignore[arg-type]
    kept = cls(dev=False, **{field: "https://example.org"})  # type: ignore[arg-type]
    assert kept.public_base_url == "https://example.org"
    assert kept.secure_cookies is True


@pytest.mark.parametrize(("cls", "field", "variable"), CLASSES)
def test_settings_base_fields_are_declared_once(
    cls: type[BaseServiceSettings], field: str, variable: str
) -> None:
    """A service does not redeclare a base field (the copies drifted before)."""
    own = set(vars(cls).get("__annotations__", {}))
    assert not own & set(vars(BaseServiceSettings)["__annotations__"])


def test_settings_base_verifier_keeps_both_of_its_rules() -> None:
    """The verifier's own validator does not replace the base's https rule (same-name trap)."""
    with pytest.raises(ValidationError, match="MUSETTE_VERIFIER_BASE_URL"):
        VerifierSettings(dev=False, base_url="http://example.org")
    with pytest.raises(ValidationError, match="dev_ca_file"):
        VerifierSettings(dev=False, base_url="https://example.org", dev_ca_file="/ca.pem")
    assert issubclass(BaseServiceSettings, BaseSettings)
