"""X.509 chains made in the test: a root CA, an intermediate, and leaves for issuers/verifiers."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shared.keys import PrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


CA_KEY_USAGE = dict.fromkeys(
    (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "encipher_only",
        "decipher_only",
    ),
    False,
) | {"key_cert_sign": True, "crl_sign": True}


@dataclass(frozen=True)
class Authority:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def make_ca(
    common_name: str, now: datetime, *, parent: Authority | None = None, days: int = 3650
) -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    issuer_name = parent.cert.subject if parent else _name(common_name)
    signer = parent.key if parent else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if parent is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(parent.key.public_key()),
            critical=False,
        )
    return Authority(builder.sign(signer, hashes.SHA256()), key)


def make_leaf(
    ca: Authority,
    now: datetime,
    *,
    dns: tuple[str, ...] = (),
    uris: tuple[str, ...] = (),
    days: int = 365,
    not_before: datetime | None = None,
) -> tuple[x509.Certificate, PrivateKey]:
    """A P-256 end-entity certificate signed by ``ca``, with its private key as ours."""
    private = PrivateKey.generate("P-256")
    public = private.key.public_key()
    names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
    names += [x509.UniformResourceIdentifier(u) for u in uris]
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(dns[0] if dns else "leaf"))
        .issuer_name(ca.cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(ca.key, hashes.SHA256()), private


def x5c(*certs: x509.Certificate) -> list[str]:
    """The ``x5c`` header value (base64 DER, RFC 7515 §4.1.6)."""
    return [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in certs]


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
