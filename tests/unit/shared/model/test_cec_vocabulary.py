"""shared.model.cec: RNA / SIREN / SIRET checks and the role vocabulary."""

from __future__ import annotations

from datetime import date

import pytest

from shared.model import cec


def test_rna() -> None:
    assert cec.check_rna(" w123456789 ") == "W123456789"


@pytest.mark.parametrize(
    "value", ["123456789", "W12345678", "W1234567890", "X123456789", "W12345678a", ""]
)
def test_bad_rna(value: str) -> None:
    with pytest.raises(ValueError, match="RNA"):
        cec.check_rna(value)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("732 829 320", cec.ID_SIREN),
        ("73282932000074", cec.ID_SIRET),
        ("35600000000048", cec.ID_SIRET),
    ],
)
def test_siren_and_siret(value: str, kind: str) -> None:
    assert cec.check_siren_or_siret(value) == (kind, value.replace(" ", ""))


@pytest.mark.parametrize(
    "value", ["732829321", "73282932000075", "12345678", "1234567890", "abcdefghi", "", "٧٣٢٨٢٩٣٢٠"]
)
def test_bad_siren_or_siret(value: str) -> None:
    with pytest.raises(ValueError, match="SIRE"):
        cec.check_siren_or_siret(value)


def test_roles_round_trip_in_both_languages() -> None:
    for code in cec.ROLES:
        assert cec.role_code(cec.role_label(code, "fr")) == code
        assert cec.role_code(cec.role_label(code, "en")) == code
    assert cec.role_code("Trésorier") is None
    assert cec.role_code(42) is None


def test_identifiers_round_trip() -> None:
    entries = cec.association_identifiers(
        rna="W123456789", siren="732829320", declared_on=date(2015, 3, 1), field="social"
    )
    assert {e["identifierType"] for e in entries} == {
        cec.ID_RNA,
        cec.ID_SIREN,
        cec.ID_DECLARED_ON,
        cec.ID_FIELD,
    }
    facts = cec.association_facts({"otherIdentifier": entries})
    assert (facts.rna, facts.siren, facts.declared_on, facts.field) == (
        "W123456789",
        "732829320",
        date(2015, 3, 1),
        "social",
    )
