"""Wallet logic without HTTP: vault, offer links, claim paths, SD-JWT disclosable claims."""

from __future__ import annotations

import pytest

from shared.did import did_jwk_from_public, verification_method_id
from shared.keys import PrivateKey
from shared.proofs.sd_jwt_vc import issue_ob3_sd_jwt_vc
from tests.unit.wallet.testkit import IssuerKit
from wallet.service.claim_paths import disclosable_paths, disclosed_claims, parse_claim_path
from wallet.service.presentation_request import check_response_uri
from wallet.service.receiving import parse_offer_link
from wallet.service.vault import MasterKey, VaultError, load_master_secret


def test_vault_binds_records_to_account_and_row(tmp_path) -> None:  # type: ignore[no-untyped-def]
    master = MasterKey(load_master_secret("", tmp_path))
    assert (tmp_path / "master.key").stat().st_mode & 0o777 == 0o600
    vault = master.unwrap("a", master.new_wrapped_data_key("a"))
    blob = vault.seal_json("content", "1", {"x": 1})
    assert vault.open_json("content", "1", blob) == {"x": 1}
    with pytest.raises(VaultError):
        vault.open_json("content", "2", blob)  # moved to another row
    other = master.unwrap("b", master.new_wrapped_data_key("b"))
    with pytest.raises(VaultError):
        other.open_json("content", "1", blob)  # another account
    wrapped = master.new_wrapped_data_key("a")
    with pytest.raises(VaultError):
        master.unwrap("b", wrapped)
    assert MasterKey(load_master_secret("", tmp_path)).lookup_tag("p", "v") == master.lookup_tag(
        "p", "v"
    )


def test_offer_links() -> None:
    assert parse_offer_link(
        "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fi.example%2Fo%2F1"
    ) == (
        None,
        "https://i.example/o/1",
    )
    offer, uri = parse_offer_link(
        'openid-credential-offer://?credential_offer={"credential_issuer":"https://i"}'
    )
    assert uri is None
    assert offer == {"credential_issuer": "https://i"}
    assert parse_offer_link(
        "https://wallet.example/receive?credential_offer_uri=https://i.example/o"
    ) == (
        None,
        "https://i.example/o",
    )


@pytest.mark.parametrize(
    "link",
    [
        '{"a": ' * 3000 + "1" + "}" * 3000,
        "{not json",
        "openid-credential-offer://?credential_offer=" + "[" * 5000 + "]" * 5000,
    ],
    ids=["deep-by-value", "broken-by-value", "deep-in-link"],
)
def test_hostile_offer_links_are_invalid_input(link: str) -> None:
    from shared.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        parse_offer_link(link)


def test_claim_paths() -> None:
    assert parse_claim_path("credentialSubject.result.0.value") == (
        "credentialSubject",
        "result",
        0,
        "value",
    )
    assert parse_claim_path("evidence.*") == ("evidence", None)


def test_redirect_uri_client_must_answer_on_its_own_uri() -> None:
    check_response_uri("redirect_uri:https://v.example/cb", "https://v.example/cb")
    from wallet.errors import RequestRefusedError

    with pytest.raises(RequestRefusedError):
        check_response_uri("redirect_uri:https://v.example/cb", "https://evil.example/cb")


def test_sd_jwt_disclosable_paths_and_preview() -> None:
    kit = IssuerKit()
    holder = PrivateKey.generate("Ed25519")
    subject = did_jwk_from_public(holder.public_key)
    token = issue_ob3_sd_jwt_vc(
        kit.unsigned(subject),
        issuer_key=kit.key,
        kid=kit.kid,
        holder_jwk=holder.public_key.to_jwk(),
    )
    paths = disclosable_paths(token)
    assert ("credentialSubject",) in paths
    assert ("credentialSubject", "id") in paths
    assert "credentialSubject" not in disclosed_claims(token, [])
    shown = disclosed_claims(token, [("credentialSubject", "id")])
    assert shown["credentialSubject"]["id"] == subject
    assert verification_method_id(subject).endswith("#0")
