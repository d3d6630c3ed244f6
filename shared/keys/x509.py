"""X.509 certificate chains from a JOSE ``x5c`` header, validated against trust anchors.

Implements: RFC 7515 §4.1.6 (``x5c``: an array of base64, not base64url, DER certificates,
the first one holding the signing key; each one certifying the previous) and RFC 5280 path
validation through ``cryptography.x509.verification`` (signatures, validity periods, basic
constraints, name constraints). Without a configured trust anchor nothing is trusted: a
self-signed chain proves only that someone made a certificate.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509 import verification

from shared.encoding.base64url import b64url_encode
from shared.errors import KeyFormatError, MalformedCredentialError, VerificationError
from shared.keys.keypair import MIN_RSA_BITS, PublicKey

__all__ = [
    "MAX_CHAIN_LENGTH",
    "UntrustedChainError",
    "certificate_hash",
    "dns_names",
    "leaf_public_key",
    "load_pem_anchors",
    "parse_x5c",
    "verify_chain",
]

#: the longest ``x5c`` accepted (leaf, intermediates, maybe the root): real chains are 2-4
MAX_CHAIN_LENGTH: Final = 5
#: one DER certificate: real ones are 1-3 kB
MAX_CERTIFICATE_BYTES: Final = 16_384


class UntrustedChainError(VerificationError):
    """The chain does not lead to a configured trust anchor (or none is configured)."""


def parse_x5c(value: Any) -> list[x509.Certificate]:
    """The certificates of an ``x5c`` header value, leaf first.

    Raises:
        MalformedCredentialError: not a non-empty array of base64 DER certificates, or too long.
    """
    if not isinstance(value, list) or not value:
        raise MalformedCredentialError("'x5c' must be a non-empty array of certificates")
    if len(value) > MAX_CHAIN_LENGTH:
        raise MalformedCredentialError(f"'x5c' holds more than {MAX_CHAIN_LENGTH} certificates")
    chain = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or len(item) > MAX_CERTIFICATE_BYTES * 4 // 3 + 4:
            raise MalformedCredentialError(f"x5c[{index}] is not a base64 certificate string")
        try:
            # RFC 7515 §4.1.6: base64 (RFC 4648 §4), not base64url
            der = base64.b64decode(item, validate=True)
            chain.append(x509.load_der_x509_certificate(der))
        except (binascii.Error, ValueError) as err:
            raise MalformedCredentialError(f"x5c[{index}] is not a DER certificate") from err
    return chain


def load_pem_anchors(paths: Iterable[str | Path]) -> tuple[x509.Certificate, ...]:
    """Trust anchors from PEM files (each may hold several certificates).

    Raises:
        KeyFormatError: a file cannot be read or holds no certificate.
    """
    anchors: list[x509.Certificate] = []
    for path in paths:
        try:
            found = x509.load_pem_x509_certificates(Path(path).read_bytes())
        except (OSError, ValueError) as err:
            raise KeyFormatError(f"trust anchor file {str(path)!r} is not a PEM file") from err
        anchors.extend(found)
    return tuple(anchors)


def verify_chain(
    chain: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    now: datetime,
) -> x509.Certificate:
    """Validate ``chain`` (leaf first) up to one of ``anchors``; return the leaf.

    The leaf is checked as an end-entity certificate of any purpose (no TLS extended key
    usage is required: issuer and verifier certificates are not web servers).

    Raises:
        UntrustedChainError: no anchor configured, or the chain does not validate to one.
    """
    if not anchors:
        raise UntrustedChainError(
            "no X.509 trust anchor is configured, so a certificate chain cannot be trusted"
        )
    leaf, intermediates = chain[0], list(chain[1:])
    try:
        verifier = (
            verification.PolicyBuilder()
            .store(verification.Store(list(anchors)))
            .time(now)
            .max_chain_depth(MAX_CHAIN_LENGTH)
            .extension_policies(
                ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
                ee_policy=verification.ExtensionPolicy.permit_all(),
            )
            .build_client_verifier()
        )
        verifier.verify(leaf, intermediates)
    except verification.VerificationError as err:
        raise UntrustedChainError(
            f"the certificate chain does not lead to a trusted anchor: {err}"
        ) from err
    except ValueError as err:  # e.g. an anchor that is not a CA, a naive time
        raise UntrustedChainError(f"the certificate chain cannot be validated: {err}") from err
    return leaf


def leaf_public_key(leaf: x509.Certificate) -> PublicKey:
    """The leaf certificate's key as a :class:`PublicKey` (Ed25519, P-256 or RSA ≥ 2048).

    Raises:
        KeyFormatError: another key type or curve.
    """
    key = leaf.public_key()
    if isinstance(key, ed25519.Ed25519PublicKey):
        return PublicKey("Ed25519", key)
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return PublicKey("P-256", key)
    if isinstance(key, rsa.RSAPublicKey) and key.key_size >= MIN_RSA_BITS:
        return PublicKey("RSA", key)
    raise KeyFormatError("the certificate's key is not Ed25519, P-256 or RSA of 2048+ bits")


def dns_names(cert: x509.Certificate) -> list[str]:
    """The certificate's subjectAltName dNSName entries (lower case)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return [name.lower() for name in san.value.get_values_for_type(x509.DNSName)]


def certificate_hash(cert: x509.Certificate) -> str:
    """base64url SHA-256 of the DER certificate (OpenID4VP 1.0 §5.9.3 ``x509_hash``)."""
    der = cert.public_bytes(serialization.Encoding.DER)
    return b64url_encode(hashlib.sha256(der).digest())
