"""Verifiers identified by an X.509 certificate: OpenID4VP 1.0 §5.9.3 ``x509_san_dns:`` and
``x509_hash:`` client identifiers.

The request object is signed by the key of the leaf certificate of its ``x5c`` header; the
chain must validate to one of the wallet's configured trust anchors (none by default, so
such requests are refused: docs/decisions/wallet-x509-and-dpop.md). ``x509_san_dns:<name>``:
the leaf's subjectAltName holds the dNSName ``<name>``, and the answer goes to that host.
``x509_hash:<hash>``: ``<hash>`` is the base64url SHA-256 of the DER leaf certificate.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from cryptography import x509

from shared.errors import VcError
from shared.keys.x509 import (
    certificate_hash,
    dns_names,
    leaf_public_key,
    parse_x5c,
    verify_chain,
)
from shared.proofs.jose import check_jws_header, parse_jws, verify_signature
from shared.protocols.oid4vp import PREFIX_X509_HASH, PREFIX_X509_SAN_DNS
from wallet.errors import RequestRefusedError

X509_PREFIXES = (PREFIX_X509_SAN_DNS, PREFIX_X509_HASH)


def verify_x509_request(
    token: str,
    client_id: str,
    anchors: Sequence[x509.Certificate],
    now: datetime | None = None,
) -> dict[str, Any]:
    """The claims of a request signed under an ``x509_san_dns:``/``x509_hash:`` client_id.

    Raises:
        RequestRefusedError: unsigned, no usable ``x5c``, a chain not leading to a configured
            anchor (or none configured), a leaf that does not match the client_id, or a
            signature that does not verify.
    """
    try:
        jws = parse_jws(token)
        check_jws_header(jws.header)
        chain = parse_x5c(jws.header.get("x5c"))
    except VcError as err:
        raise RequestRefusedError(f"the signed request object is unusable: {err.detail}") from err
    if not anchors:
        raise RequestRefusedError(
            "this verifier identifies itself with an X.509 certificate, and this wallet trusts "
            "no certificate authority (set MUSETTE_WALLET_X509_TRUST_ANCHORS to accept such "
            "requests)"
        )
    try:
        leaf = verify_chain(chain, anchors, now or datetime.now(UTC))
    except VcError as err:
        raise RequestRefusedError(
            f"the verifier's certificate is not trusted: {err.detail}"
        ) from err
    if client_id.startswith(PREFIX_X509_SAN_DNS):
        name = client_id.removeprefix(PREFIX_X509_SAN_DNS).lower()
        if name not in dns_names(leaf):
            raise RequestRefusedError(
                f"the verifier's certificate does not name {name} (x509_san_dns)"
            )
    else:
        expected = client_id.removeprefix(PREFIX_X509_HASH)
        if not hmac.compare_digest(expected.encode(), certificate_hash(leaf).encode()):
            raise RequestRefusedError(
                "the client_id hash is not the hash of the verifier's certificate (x509_hash)"
            )
    try:
        verify_signature(jws, leaf_public_key(leaf))
    except VcError as err:
        raise RequestRefusedError(
            f"the request object's signature does not verify: {err.detail}"
        ) from err
    return jws.payload
