"""OpenID for Verifiable Credential Issuance 1.0: offers, metadata URLs, requests, key proofs.

Implements: OpenID4VCI 1.0 (Final, 2025) §4.1 (Credential Offer, by value and by reference),
§6 (Token Request with the pre-authorized code grant and ``tx_code``), §7 (Nonce Endpoint),
§8.2 (Credential Request), §8.3.1.2 (Credential Error Response), §12.2.2 (metadata URL:
``/.well-known/openid-credential-issuer`` inserted between host and path, as RFC 8414 §3.1
does for ``/.well-known/oauth-authorization-server``) and Appendix F.1 (the ``jwt`` proof type,
``typ`` ``openid4vci-proof+jwt``).

Both sides live here: the wallet builds key proofs with :func:`build_proof_jwt`, and the
issuer checks them with :func:`validate_proof_jwt`. Errors carry the protocol's own error
code (``invalid_proof``, ``invalid_nonce`` ...) in :attr:`Oid4vciError.error`; a service
answers them as ``{"error": ..., "error_description": ...}``, not as problem+json.

Leniency with draft-15 wallets: OpenID4VCI 1.0 replaced the single ``proof`` object of the
drafts by ``proofs`` (``{"jwt": [...]}``). :func:`parse_credential_request` still accepts a
single ``proof`` (``{"proof_type": "jwt", "jwt": ...}``) when ``proofs`` is absent and
``allow_single_proof`` is true (the default), because Sphereon's client and other draft-15
wallets still send it. The proof inside is checked exactly as a 1.0 proof (typ, alg, aud,
nonce, iat, key). A request with both ``proof`` and ``proofs``, or with any other draft-era
shape (``format`` + ``credential_definition`` instead of ``credential_configuration_id``),
is an ``invalid_credential_request``. Nonces stay single use: a wallet that reuses one nonce
for several credentials gets ``invalid_nonce`` and is expected to fetch a fresh one (§8.3.1.2).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import quote, urlsplit, urlunsplit

from shared.did.methods import did_jwk_from_public
from shared.did.resolver import DidResolver
from shared.errors import InvalidInputError, VcError
from shared.keys.keypair import PrivateKey, PublicKey
from shared.proofs.jose import check_jws_header, parse_jws, sign_jws, verify_jws

__all__ = [
    "CREDENTIAL_OFFER_SCHEME",
    "PRE_AUTHORIZED_GRANT",
    "PROOF_ALGORITHMS",
    "PROOF_TYP",
    "CredentialRequest",
    "Oid4vciError",
    "ProofResult",
    "TxCode",
    "build_credential_offer",
    "build_proof_jwt",
    "credential_offer_link",
    "generate_nonce",
    "oauth_error_body",
    "parse_credential_offer",
    "parse_credential_request",
    "validate_proof_jwt",
    "well_known_url",
]

#: Appendix F.1: "typ: REQUIRED. MUST be openid4vci-proof+jwt".
PROOF_TYP: Final = "openid4vci-proof+jwt"
#: §4.1.1 / RFC 9126-style grant type of the pre-authorized code flow.
PRE_AUTHORIZED_GRANT: Final = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
#: §4.1: the custom scheme a wallet registers for offers (QR codes, deep links).
CREDENTIAL_OFFER_SCHEME: Final = "openid-credential-offer://"
#: Key-proof algorithms accepted by default (asymmetric only; never ``none`` or ``HS*``).
PROOF_ALGORITHMS: Final = frozenset({"EdDSA", "ES256"})
#: Clock skew tolerated for an ``iat`` slightly in the future.
DEFAULT_SKEW: Final = timedelta(seconds=60)

NonceCheck = Callable[[str], bool] | Collection[str]


class Oid4vciError(InvalidInputError):
    """A request fails an OpenID4VCI / OAuth check; ``error`` is the protocol's error code.

    Services render it as ``{"error": error, "error_description": detail}`` with
    ``http_status`` (400 by default, 401 for ``invalid_token``).
    """

    def __init__(self, error: str, detail: str, *, http_status: int = 400) -> None:
        super().__init__(detail, error=error)
        self.error = error
        self.http_status = http_status


def oauth_error_body(err: Oid4vciError) -> dict[str, str]:
    """The JSON body of an OAuth / OpenID4VCI error response (RFC 6749 §5.2, §8.3.1.2)."""
    return {"error": err.error, "error_description": err.detail}


# --------------------------------------------------------------------------- offers


@dataclass(frozen=True)
class TxCode:
    """The ``tx_code`` object of a pre-authorized code grant (§4.1.1)."""

    length: int | None = None
    input_mode: str = "numeric"
    description: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The wire form; empty members are left out."""
        out: dict[str, Any] = {"input_mode": self.input_mode}
        if self.length is not None:
            out["length"] = self.length
        if self.description:
            out["description"] = self.description[:300]
        return out


def build_credential_offer(
    credential_issuer: str,
    configuration_ids: Collection[str],
    *,
    pre_authorized_code: str,
    tx_code: TxCode | None = None,
) -> dict[str, Any]:
    """A Credential Offer (§4.1.1) with a pre-authorized code grant."""
    if not configuration_ids:
        raise InvalidInputError("a credential offer names at least one configuration")
    grant: dict[str, Any] = {"pre-authorized_code": pre_authorized_code}
    if tx_code is not None:
        grant["tx_code"] = tx_code.to_json()
    return {
        "credential_issuer": credential_issuer,
        "credential_configuration_ids": list(configuration_ids),
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def credential_offer_link(credential_offer_uri: str, *, base: str = CREDENTIAL_OFFER_SCHEME) -> str:
    """``openid-credential-offer://?credential_offer_uri=...`` (or an https wallet page)."""
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}credential_offer_uri={quote(credential_offer_uri, safe='')}"


@dataclass(frozen=True)
class CredentialOffer:
    """A parsed Credential Offer (wallet side)."""

    credential_issuer: str
    configuration_ids: tuple[str, ...]
    pre_authorized_code: str | None
    tx_code: dict[str, Any] | None
    raw: dict[str, Any] = field(repr=False)


def parse_credential_offer(value: Any) -> CredentialOffer:
    """Check the shape of an untrusted Credential Offer (§4.1.1).

    Raises:
        InvalidInputError: not an object, no https/http ``credential_issuer``, no
            configuration ids, or a malformed pre-authorized code grant.
    """
    if not isinstance(value, dict):
        raise InvalidInputError("a credential offer must be a JSON object")
    issuer = value.get("credential_issuer")
    if not isinstance(issuer, str) or urlsplit(issuer).scheme not in {"https", "http"}:
        raise InvalidInputError("credential_issuer must be an https URL")
    ids = value.get("credential_configuration_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise InvalidInputError("credential_configuration_ids must be a non-empty string array")
    grants = value.get("grants", {})
    if not isinstance(grants, dict):
        raise InvalidInputError("grants must be an object")
    code: str | None = None
    tx_code: dict[str, Any] | None = None
    grant = grants.get(PRE_AUTHORIZED_GRANT)
    if grant is not None:
        if not isinstance(grant, dict) or not isinstance(grant.get("pre-authorized_code"), str):
            raise InvalidInputError("the pre-authorized code grant needs a pre-authorized_code")
        code = grant["pre-authorized_code"]
        if "tx_code" in grant:
            if not isinstance(grant["tx_code"], dict):
                raise InvalidInputError("tx_code must be an object")
            tx_code = dict(grant["tx_code"])
    return CredentialOffer(issuer, tuple(ids), code, tx_code, dict(value))


def well_known_url(identifier: str, suffix: str = "openid-credential-issuer") -> str:
    """The metadata URL of an issuer identifier (§12.2.2, RFC 8414 §3.1).

    The well-known segment goes between the host and the path:
    ``https://h/orgs/a`` → ``https://h/.well-known/openid-credential-issuer/orgs/a``.
    A trailing slash of the identifier is kept out of the path, as RFC 8414 §3.1 says.
    """
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"/.well-known/{suffix}{path}", "", ""))


def generate_nonce() -> str:
    """A fresh, unpredictable ``c_nonce`` (256 bits, base64url)."""
    return secrets.token_urlsafe(32)


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class CredentialRequest:
    """A parsed Credential Request (§8.2)."""

    configuration_id: str | None
    credential_identifier: str | None
    proof_jwts: tuple[str, ...]
    legacy_single_proof: bool = False


def parse_credential_request(
    body: Any, *, allow_single_proof: bool = True, max_proofs: int = 1
) -> CredentialRequest:
    """Check the shape of a Credential Request; see the module docstring for leniency.

    Raises:
        Oid4vciError: ``invalid_credential_request`` for a malformed body, ``invalid_proof``
            when the proofs are missing or not JWTs.
    """
    if not isinstance(body, dict):
        raise Oid4vciError("invalid_credential_request", "the request body must be a JSON object")
    config_id = body.get("credential_configuration_id")
    identifier = body.get("credential_identifier")
    if (config_id is None) == (identifier is None):
        raise Oid4vciError(
            "invalid_credential_request",
            "exactly one of credential_configuration_id and credential_identifier is required",
        )
    for name, value in (
        ("credential_configuration_id", config_id),
        ("credential_identifier", identifier),
    ):
        if value is not None and not isinstance(value, str):
            raise Oid4vciError("invalid_credential_request", f"{name} must be a string")
    if "format" in body or "credential_definition" in body:
        raise Oid4vciError(
            "invalid_credential_request",
            "format/credential_definition requests are from drafts; use credential_configuration_id",
        )
    proofs = body.get("proofs")
    single = body.get("proof")
    legacy = False
    if proofs is not None and single is not None:
        raise Oid4vciError("invalid_credential_request", "send either proofs or proof, not both")
    if proofs is None and single is not None:
        if not allow_single_proof:
            raise Oid4vciError("invalid_credential_request", "the single 'proof' is not accepted")
        if not isinstance(single, dict) or single.get("proof_type") != "jwt":
            raise Oid4vciError("invalid_proof", "proof must be an object with proof_type 'jwt'")
        proofs = {"jwt": [single.get("jwt")]}
        legacy = True
    if proofs is None:
        raise Oid4vciError("invalid_proof", "the request has no proofs")
    if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
        raise Oid4vciError("invalid_proof", "proofs must be an object with one member, 'jwt'")
    jwts = proofs["jwt"]
    if not isinstance(jwts, list) or not jwts or not all(isinstance(j, str) for j in jwts):
        raise Oid4vciError("invalid_proof", "proofs.jwt must be a non-empty array of JWTs")
    if len(jwts) > max_proofs:
        raise Oid4vciError(
            "invalid_credential_request", f"at most {max_proofs} proof(s) per request"
        )
    return CredentialRequest(config_id, identifier, tuple(jwts), legacy)


# --------------------------------------------------------------------------- key proofs


@dataclass(frozen=True)
class ProofResult:
    """The key a wallet proved it holds, and how it named it.

    ``holder_did`` is the DID of ``kid``, or the did:jwk of an embedded ``jwk``: use it as
    ``credentialSubject.id``. ``jwk`` is the public JWK, for an SD-JWT ``cnf``.
    """

    holder_key: PublicKey
    holder_did: str
    kid: str | None
    jwk: dict[str, str]
    nonce: str | None
    alg: str


def build_proof_jwt(
    key: PrivateKey,
    *,
    audience: str,
    nonce: str | None,
    issued_at: datetime,
    kid: str | None = None,
    jwk: dict[str, Any] | None = None,
    issuer: str | None = None,
) -> str:
    """A key proof of type ``jwt`` (Appendix F.1), signed by ``key``.

    Name the key with ``kid`` (a DID URL such as ``did:key:z…#z…``) or ``jwk``; with neither,
    the public JWK of ``key`` goes in the header. ``issuer`` is the client_id and is left out
    in the anonymous pre-authorized code flow.

    Raises:
        InvalidInputError: both ``kid`` and ``jwk`` given, or ``jwk`` carries a private ``d``.
    """
    if kid is not None and jwk is not None:
        raise InvalidInputError("name the proof key with kid or jwk, not both")
    header: dict[str, Any] = {"typ": PROOF_TYP}
    if kid is not None:
        header["kid"] = kid
    else:
        public = dict(jwk) if jwk is not None else key.public_key.to_jwk()
        if "d" in public:
            raise InvalidInputError("the proof jwk must be a public key")
        header["jwk"] = public
    payload: dict[str, Any] = {"aud": audience, "iat": int(issued_at.timestamp())}
    if nonce is not None:
        payload["nonce"] = nonce
    if issuer is not None:
        payload["iss"] = issuer
    return sign_jws(payload, key, header)


def validate_proof_jwt(
    token: str,
    *,
    audience: str,
    nonces: NonceCheck | None,
    now: datetime,
    max_age: timedelta = timedelta(minutes=5),
    algorithms: Collection[str] = PROOF_ALGORITHMS,
    resolver: DidResolver | None = None,
    clock_skew: timedelta = DEFAULT_SKEW,
) -> ProofResult:
    """Check a ``jwt`` key proof (Appendix F.1, F.4) and return the holder's key.

    Checks, in order: structure, ``typ``, ``alg`` (allow-list; ``none``/``HS*`` refused),
    exactly one of ``kid`` (a did:key/did:jwk DID URL, resolved by ``resolver``) and ``jwk``,
    signature, ``aud`` equal to ``audience`` (the Credential Issuer Identifier), ``iat``
    present, not in the future beyond ``clock_skew`` and not older than ``max_age``, and last
    the ``nonce``. ``nonces`` is either a collection of acceptable nonces or a callable that
    accepts (and, for single use, consumes) a nonce; it runs only after the signature
    verified, so a forged proof cannot burn a nonce. ``nonces=None`` means no nonce is
    required (an issuer without a Nonce Endpoint).

    Raises:
        Oid4vciError: ``invalid_proof``, or ``invalid_nonce`` for a nonce that is unknown,
            used or expired (a missing nonce is ``invalid_proof``, §8.3.1.2).
    """
    try:
        jws = parse_jws(token)
    except VcError as err:
        raise Oid4vciError("invalid_proof", f"the proof is not a JWT: {err.detail}") from err
    if jws.typ != PROOF_TYP:
        raise Oid4vciError("invalid_proof", f"the proof typ must be {PROOF_TYP}, not {jws.typ!r}")
    try:
        alg = check_jws_header(jws.header, algorithms=algorithms)
    except VcError as err:
        raise Oid4vciError("invalid_proof", err.detail) from err
    named = [name for name in ("kid", "jwk", "x5c", "trust_chain") if name in jws.header]
    if named not in (["kid"], ["jwk"]):
        raise Oid4vciError(
            "invalid_proof", "the proof header must name its key with exactly one of kid or jwk"
        )
    holder_key, holder_did, kid = _proof_key(jws.header, resolver or DidResolver())
    try:
        verify_jws(jws, holder_key, algorithms=algorithms)
    except VcError as err:
        raise Oid4vciError("invalid_proof", f"the proof signature: {err.detail}") from err
    payload = jws.payload
    aud = payload.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    if audience not in auds:
        raise Oid4vciError("invalid_proof", f"the proof aud must be {audience}")
    iat = payload.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise Oid4vciError("invalid_proof", "the proof has no numeric iat")
    stamp = now.timestamp()
    if iat > stamp + clock_skew.total_seconds():
        raise Oid4vciError("invalid_proof", "the proof iat is in the future")
    if iat < stamp - max_age.total_seconds():
        raise Oid4vciError("invalid_proof", "the proof is too old (iat)")
    nonce = payload.get("nonce")
    if nonces is not None:
        if not isinstance(nonce, str) or not nonce:
            raise Oid4vciError("invalid_proof", "the proof has no nonce (c_nonce is required)")
        fresh = nonces(nonce) if callable(nonces) else nonce in nonces
        if not fresh:
            raise Oid4vciError("invalid_nonce", "the proof nonce is unknown, used or expired")
    return ProofResult(
        holder_key,
        holder_did,
        kid,
        holder_key.to_jwk(),
        nonce if isinstance(nonce, str) else None,
        alg,
    )


def _proof_key(
    header: Mapping[str, Any], resolver: DidResolver
) -> tuple[PublicKey, str, str | None]:
    if "jwk" in header:
        try:
            key = PublicKey.from_jwk(header["jwk"])
        except VcError as err:
            raise Oid4vciError("invalid_proof", f"the proof jwk: {err.detail}") from err
        if key.key_type == "RSA":
            raise Oid4vciError("invalid_proof", "RSA proof keys are not accepted")
        return key, did_jwk_from_public(key), None
    kid = header["kid"]
    if not isinstance(kid, str) or not kid.startswith("did:") or "#" not in kid:
        raise Oid4vciError("invalid_proof", "the proof kid must be a DID URL with a fragment")
    try:
        method = resolver.verification_method(kid)
    except VcError as err:
        raise Oid4vciError(
            "invalid_proof", f"the proof kid cannot be resolved: {err.detail}"
        ) from err
    return method.public_key, kid.split("#", 1)[0], kid
