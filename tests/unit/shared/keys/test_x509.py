"""X.509 chains from x5c: parsing limits, anchors from PEM files, RFC 5280 validation."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from shared.encoding.base64url import b64url_encode
from shared.errors import KeyFormatError, MalformedCredentialError
from shared.keys.x509 import (
    UntrustedChainError,
    certificate_hash,
    dns_names,
    leaf_public_key,
    load_pem_anchors,
    parse_x5c,
    verify_chain,
)
from tests.conftest import FIXED_NOW
from tests.x509_certs import make_ca, make_leaf, pem, x5c


def test_a_chain_through_an_intermediate_validates() -> None:
    root = make_ca("Root", FIXED_NOW)
    inter = make_ca("Inter", FIXED_NOW, parent=root)
    leaf, key = make_leaf(inter, FIXED_NOW, dns=("Verifier.Example",))
    chain = parse_x5c(x5c(leaf, inter.cert))
    assert verify_chain(chain, [root.cert], FIXED_NOW) == leaf
    assert dns_names(leaf) == ["verifier.example"]
    assert leaf_public_key(leaf).to_jwk() == key.public_key.to_jwk()


def test_no_anchor_means_no_trust() -> None:
    root = make_ca("Root", FIXED_NOW)
    with pytest.raises(UntrustedChainError, match=r"no X\.509 trust anchor"):
        verify_chain([root.cert], [], FIXED_NOW)


def test_missing_intermediate_expired_leaf_and_leaf_as_ca_are_refused() -> None:
    root = make_ca("Root", FIXED_NOW)
    inter = make_ca("Inter", FIXED_NOW, parent=root)
    leaf, _ = make_leaf(inter, FIXED_NOW)
    with pytest.raises(UntrustedChainError):
        verify_chain([leaf], [root.cert], FIXED_NOW)  # the intermediate is not sent
    with pytest.raises(UntrustedChainError):
        verify_chain([leaf, inter.cert], [root.cert], FIXED_NOW + timedelta(days=400))
    with pytest.raises(UntrustedChainError):  # an anchor is no leaf of its own
        verify_chain([make_leaf(root, FIXED_NOW)[0]], [inter.cert], FIXED_NOW)


def test_certificate_hash_is_base64url_sha256_of_der() -> None:
    import hashlib

    leaf, _ = make_leaf(make_ca("Root", FIXED_NOW), FIXED_NOW)
    der = leaf.public_bytes(serialization.Encoding.DER)
    assert certificate_hash(leaf) == b64url_encode(hashlib.sha256(der).digest())
    assert "=" not in certificate_hash(leaf)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "MIIB",
        [],
        [1],
        ["%%%"],
        ["aGVsbG8="],
        ["A" * 30_000],
        [base64.b64encode(b"x").decode()] * 6,
    ],
)
def test_hostile_x5c(value: object) -> None:
    with pytest.raises(MalformedCredentialError):
        parse_x5c(value)


def test_base64url_is_not_accepted_in_x5c() -> None:
    root = make_ca("Root", FIXED_NOW)
    for _ in range(50):  # a DER certificate whose base64 has a '+' or '/' (nearly all do)
        der = make_leaf(root, FIXED_NOW)[0].public_bytes(serialization.Encoding.DER)
        standard = base64.b64encode(der).decode()
        if "+" in standard or "/" in standard:
            break
    assert "+" in standard or "/" in standard
    assert parse_x5c([standard])
    with pytest.raises(MalformedCredentialError):
        parse_x5c([base64.urlsafe_b64encode(der).decode()])


def test_anchors_from_pem_files(tmp_path: Path) -> None:
    a, b = make_ca("A", FIXED_NOW), make_ca("B", FIXED_NOW)
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(pem(a.cert, b.cert))
    assert load_pem_anchors([bundle]) == (a.cert, b.cert)
    assert load_pem_anchors([]) == ()
    (tmp_path / "bad.pem").write_text("not a certificate")
    for bad in (tmp_path / "bad.pem", tmp_path / "missing.pem"):
        with pytest.raises(KeyFormatError):
            load_pem_anchors([bad])
