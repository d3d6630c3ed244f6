"""Application profiles, the rules: expiry bounds and states, what a selection publishes,
who counts as self-declared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.did import did_jwk_from_public
from shared.errors import InvalidInputError
from shared.keys import PrivateKey
from shared.proofs.sd_jwt import parse_disclosure, parse_sd_jwt
from tests.unit.wallet.testkit import IssuerKit
from wallet.db.models import Profile
from wallet.service import profiles
from wallet.service.claim_paths import disclosable_paths
from wallet.service.storage import CredentialView

AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_the_default_expiry_is_thirty_days() -> None:
    assert profiles.expiry(None, AT) == AT + timedelta(days=30)
    assert profiles.expiry(365, AT) == AT + timedelta(days=365)
    assert profiles.expiry(1, AT) == AT + timedelta(days=1)


@pytest.mark.parametrize("days", [0, -5, 366, 10**9])
def test_an_expiry_out_of_range_is_refused(days: int) -> None:
    with pytest.raises(InvalidInputError):
        profiles.expiry(days, AT)


def _row(**changes: Any) -> Profile:
    values: dict[str, Any] = {"expires_at": AT + timedelta(days=1), "revoked_at": None}
    values.update(changes)
    return Profile(**values)


def test_the_state_follows_the_clock_and_the_revoke_button() -> None:
    assert profiles.state(_row(), AT) == "open"
    assert profiles.state(_row(), AT + timedelta(days=1)) == "expired"
    assert profiles.state(_row(revoked_at=AT), AT) == "revoked"
    assert profiles.state(_row(revoked_at=AT), AT + timedelta(days=9)) == "revoked"


def test_self_declared_means_the_issuer_is_the_subject() -> None:
    assert profiles.self_declared(
        {"issuer": {"id": "did:x:1"}, "credentialSubject": {"id": "did:x:1"}}
    )
    assert profiles.self_declared({"issuer": "did:x:1", "credentialSubject": {"id": "did:x:1"}})
    assert profiles.self_declared({"iss": "did:x:1", "sub": "did:x:1"})
    assert not profiles.self_declared({"issuer": "did:x:1", "credentialSubject": {"id": "did:x:2"}})
    assert not profiles.self_declared({"issuer": "did:x:1", "credentialSubject": {}})
    assert not profiles.self_declared({"credentialSubject": "did:x:1"})


def _sd_view() -> tuple[CredentialView, str]:
    holder = did_jwk_from_public(PrivateKey.generate("Ed25519").public_key)
    raw = IssuerKit().sd_jwt(holder)
    view = CredentialView("c1", "dc+sd-jwt", AT, {"title": "T"}, {"credential": raw, "claims": {}})
    return view, holder


def test_an_sd_jwt_publishes_only_the_chosen_parts() -> None:
    view, holder = _sd_view()
    nothing = profiles.select_parts(view, ())
    assert holder not in nothing["credential"]
    assert all(
        holder not in str(parse_disclosure(d).value)
        for d in parse_sd_jwt(nothing["credential"]).disclosures
    )
    assert "id" not in nothing["claims"].get("credentialSubject", {})
    subject_id = ("credentialSubject", "id")
    assert subject_id in disclosable_paths(view.raw)
    chosen = profiles.select_parts(view, (subject_id,))
    assert chosen["claims"]["credentialSubject"]["id"] == holder
    assert len(parse_sd_jwt(chosen["credential"]).disclosures) > len(
        parse_sd_jwt(nothing["credential"]).disclosures
    )


@pytest.mark.parametrize(
    "path", [("credentialSubject", "name"), ("vct",), ("iss",), ("credentialSubject", 0), ()]
)
def test_a_part_the_badge_does_not_have_is_refused(path: tuple[Any, ...]) -> None:
    view, _ = _sd_view()
    with pytest.raises(InvalidInputError):
        profiles.select_parts(view, (path,))


def test_a_whole_format_cannot_be_cut() -> None:
    kit = IssuerKit()
    raw = kit.vc_jwt("did:example:me")
    view = CredentialView("c2", "vc+jwt", AT, {}, {"credential": raw, "claims": {"id": "x"}})
    assert profiles.select_parts(view, ())["credential"] == raw
    with pytest.raises(InvalidInputError):
        profiles.select_parts(view, (("credentialSubject", "id"),))
