"""Selective Disclosure for JWTs: issue, present and verify.

Implements: RFC 9901 (SD-JWT), November 2025, compact serialization only
(https://www.rfc-editor.org/rfc/rfc9901). The JWS JSON serialization (RFC 9901 §8) is not
implemented.

Claim paths name the claims an issuer makes selectively disclosable and the claims a holder
discloses. A path is a tuple of segments: a ``str`` selects an object member, an ``int`` an
array element, and ``None`` every element of an array (as in the claim paths of SD-JWT VC type
metadata). Array positions count the elements of the array as issued, including elements the
holder keeps hidden, but not decoys.

JWS parsing, signing and the algorithm allow-list are those of :mod:`shared.proofs.jose`
(one parser, one allow-list); :data:`ALLOWED_ALGS` here only narrows it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.encoding.json_limits import MAX_JSON_BYTES, MAX_JSON_DEPTH, parse_json
from shared.errors import (
    InvalidInputError,
    InvalidProofError,
    MalformedCredentialError,
    UnsupportedAlgorithmError,
    VcError,
    VerificationError,
)
from shared.keys.keypair import PrivateKey, PublicKey
from shared.proofs.jose import Jws, parse_jws, sign_jws, verify_jws

__all__ = [
    "ALLOWED_ALGS",
    "KB_JWT_TYP",
    "LEGACY_SD_JWT_TYP",
    "SD_JWT_TYP",
    "ClaimPath",
    "Disclosure",
    "KeyBindingExpectations",
    "SdJwt",
    "VerifiedSdJwt",
    "check_jwt_times",
    "check_key_binding_claims",
    "compute_sd_hash",
    "create_disclosure",
    "default_salt",
    "holder_public_key",
    "issue_sd_jwt",
    "parse_disclosure",
    "parse_part",
    "parse_sd_jwt",
    "present_sd_jwt",
    "process_disclosures",
    "verify_key_binding",
    "verify_part",
    "verify_sd_jwt",
]

SD_JWT_TYP: Final = "dc+sd-jwt"
LEGACY_SD_JWT_TYP: Final = "vc+sd-jwt"
KB_JWT_TYP: Final = "kb+jwt"
#: JWS algorithms accepted on input. ``none`` and the HMAC family are never accepted
#: (RFC 9901 §7.1: "The none algorithm MUST NOT be accepted").
ALLOWED_ALGS: Final = frozenset({"EdDSA", "ES256", "RS256"})
#: Hash algorithms for ``_sd_alg`` (IANA "Named Information Hash Algorithm" names).
HASH_ALGS: Final[dict[str, Callable[[bytes], Any]]] = {
    "sha-256": hashlib.sha256,
    "sha-384": hashlib.sha384,
    "sha-512": hashlib.sha512,
}
DEFAULT_HASH_ALG: Final = "sha-256"
#: Salts carry at least 128 bits of entropy (RFC 9901 §9.3 recommends 128 bits).
MIN_SALT_BYTES: Final = 16
#: Largest compact SD-JWT accepted (base64url makes JSON about 4/3 larger).
MAX_TOKEN_CHARS: Final = MAX_JSON_BYTES * 2
#: Most disclosures accepted in one SD-JWT.
MAX_DISCLOSURES: Final = 4096
RESERVED_NAMES: Final = frozenset({"_sd", "..."})

ClaimPath = tuple[str | int | None, ...]
SaltSource = Callable[[], bytes]
JsonObject = dict[str, Any]


def default_salt() -> bytes:
    """128 random bits from the OS CSPRNG."""
    return secrets.token_bytes(MIN_SALT_BYTES)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _hash_b64(data: str, alg: str) -> str:
    try:
        hasher = HASH_ALGS[alg]
    except KeyError:
        raise UnsupportedAlgorithmError(f"_sd_alg {alg!r} is not supported") from None
    return b64url_encode(hasher(data.encode("ascii")).digest())


# --------------------------------------------------------------------------- JWS parts


def parse_part(token: str, *, what: str) -> Jws:
    """Parse the issuer-signed JWT or the KB-JWT with :func:`shared.proofs.jose.parse_jws`.

    Raises:
        MalformedCredentialError: the part is not a compact JWS with a JSON object payload;
            the message names the part.
    """
    try:
        return parse_jws(token)
    except MalformedCredentialError as err:
        raise MalformedCredentialError(f"the {what} is malformed: {err.detail}") from err


def verify_part(
    jws: Jws, key: PublicKey, *, allowed_algs: Collection[str] = ALLOWED_ALGS, what: str
) -> str:
    """Verify a part with :func:`shared.proofs.jose.verify_jws`; return its ``alg``.

    The header goes through jose's one allow-list (``none``, ``HS*``, ``crit``, ``jku``,
    ``x5u`` refused), narrowed to ``allowed_algs``.

    Raises:
        UnsupportedAlgorithmError, MalformedCredentialError, KeyFormatError: a refused header.
        InvalidProofError: the signature does not verify.
    """
    try:
        verify_jws(jws, key, algorithms=allowed_algs)
    except VcError as err:
        raise type(err)(f"{what}: {err.detail}") from err
    return str(jws.alg)


# --------------------------------------------------------------------------- disclosures


@dataclass(frozen=True)
class Disclosure:
    """One Disclosure (RFC 9901 §4.2): ``[salt, name, value]`` or ``[salt, value]``."""

    encoded: str
    salt: str
    name: str | None
    value: Any

    @property
    def is_array_element(self) -> bool:
        """True for an array-element Disclosure (two elements, no claim name)."""
        return self.name is None

    def digest(self, alg: str = DEFAULT_HASH_ALG) -> str:
        """The digest over the base64url-encoded Disclosure (RFC 9901 §4.2.3)."""
        return _hash_b64(self.encoded, alg)


def create_disclosure(salt: bytes, name: str | None, value: Any) -> Disclosure:
    """Create a Disclosure for an object property (``name``) or an array element (``None``).

    Spec: RFC 9901 §4.2.1 and §4.2.2.
    """
    if len(salt) < MIN_SALT_BYTES:
        raise InvalidInputError(f"a salt must have at least {MIN_SALT_BYTES * 8} bits")
    salt_text = b64url_encode(salt)
    if name is not None and name in RESERVED_NAMES:
        # "The claim name, or key, as it would be used in a regular JWT payload. It MUST be a
        # string and MUST NOT be _sd, ..., or a claim name existing in the object"
        raise InvalidInputError(f"{name!r} cannot be a selectively disclosable claim name")
    array = [salt_text, value] if name is None else [salt_text, name, value]
    encoded = b64url_encode(_json_bytes(array))
    return Disclosure(encoded, salt_text, name, value)


def parse_disclosure(encoded: str) -> Disclosure:
    """Decode and check one Disclosure from untrusted input.

    Raises:
        MalformedCredentialError: not base64url, not a JSON array of two or three elements,
            salt or claim name not a string, or the claim name is ``_sd`` or ``...``.
    """
    try:
        value = parse_json(b64url_decode(encoded))
    except InvalidInputError as err:
        raise MalformedCredentialError(f"a disclosure is malformed: {err.detail}") from err
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise MalformedCredentialError("a disclosure must be a JSON array of 2 or 3 elements")
    if not isinstance(value[0], str):
        raise MalformedCredentialError("a disclosure's salt must be a string")
    if len(value) == 2:
        return Disclosure(encoded, value[0], None, value[1])
    name = value[1]
    if not isinstance(name, str):
        raise MalformedCredentialError("a disclosure's claim name must be a string")
    if name in RESERVED_NAMES:
        # RFC 9901 §7.1 step 3.3.2: "If the claim name is _sd or ..., the SD-JWT MUST be
        # rejected."
        raise MalformedCredentialError(f"a disclosure uses the reserved claim name {name!r}")
    return Disclosure(encoded, value[0], name, value[2])


# --------------------------------------------------------------------------- serialization


@dataclass(frozen=True)
class SdJwt:
    """The parts of a compact SD-JWT or SD-JWT+KB (RFC 9901 §4)."""

    issuer_jwt: str
    disclosures: tuple[str, ...] = ()
    kb_jwt: str | None = None

    @property
    def without_kb(self) -> str:
        """``<Issuer-signed JWT>~<D.1>~...~<D.N>~``: the input to ``sd_hash``."""
        return "".join(part + "~" for part in (self.issuer_jwt, *self.disclosures))

    def serialize(self) -> str:
        """The compact serialization."""
        return self.without_kb + (self.kb_jwt or "")


def parse_sd_jwt(token: str) -> SdJwt:
    """Split a compact SD-JWT (``jwt~d1~...~dn~[kb]``) without verifying anything.

    Raises:
        MalformedCredentialError: too large, no ``~`` at all, or an empty disclosure.
    """
    if not isinstance(token, str):
        raise MalformedCredentialError("an SD-JWT must be a string")
    if len(token) > MAX_TOKEN_CHARS:
        raise MalformedCredentialError(f"the SD-JWT is larger than {MAX_TOKEN_CHARS} characters")
    token = token.strip()
    if "~" not in token:
        raise MalformedCredentialError("not an SD-JWT: no '~' separator (a plain JWT?)")
    parts = token.split("~")
    issuer_jwt, disclosures, last = parts[0], parts[1:-1], parts[-1]
    if not issuer_jwt:
        raise MalformedCredentialError("the SD-JWT has no issuer-signed JWT")
    if len(disclosures) > MAX_DISCLOSURES:
        raise MalformedCredentialError(f"the SD-JWT has more than {MAX_DISCLOSURES} disclosures")
    if any(not d for d in disclosures):
        raise MalformedCredentialError("the SD-JWT has an empty disclosure ('~~')")
    return SdJwt(issuer_jwt, tuple(disclosures), last or None)


def compute_sd_hash(sd_jwt: SdJwt, alg: str = DEFAULT_HASH_ALG) -> str:
    """``sd_hash``: base64url digest over the presented SD-JWT up to the last ``~``.

    Spec: RFC 9901 §4.3.1.
    """
    return _hash_b64(sd_jwt.without_kb, alg)


# --------------------------------------------------------------------------- issuance


@dataclass
class _PathNode:
    sd: bool = False
    children: dict[str | int | None, _PathNode] = field(default_factory=dict)


def _build_tree(paths: Iterable[ClaimPath]) -> _PathNode:
    root = _PathNode()
    for path in paths:
        if not isinstance(path, tuple) or not path:
            raise InvalidInputError(f"claim path {path!r} must be a non-empty tuple")
        node = root
        for seg in path:
            if not (seg is None or isinstance(seg, str) or type(seg) is int):
                raise InvalidInputError(f"claim path {path!r}: segment {seg!r} is not str/int/None")
            node = node.children.setdefault(seg, _PathNode())
        node.sd = True
    return root


def _merge(nodes: Sequence[_PathNode]) -> _PathNode | None:
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    merged = _PathNode(sd=any(n.sd for n in nodes))
    keys: list[str | int | None] = []
    for n in nodes:
        keys.extend(k for k in n.children if k not in keys)
    for k in keys:
        sub = _merge([n.children[k] for n in nodes if k in n.children])
        if sub is not None:
            merged.children[k] = sub
    return merged


def _path_exists(value: Any, path: ClaimPath) -> bool:
    if not path:
        return True
    seg, rest = path[0], path[1:]
    if isinstance(value, dict):
        return isinstance(seg, str) and seg in value and _path_exists(value[seg], rest)
    if isinstance(value, list):
        if seg is None:
            return all(_path_exists(item, rest) for item in value)
        return type(seg) is int and 0 <= seg < len(value) and _path_exists(value[seg], rest)
    return False


def _check_names(value: Any, top: bool) -> None:
    stack: list[tuple[Any, bool]] = [(value, top)]
    while stack:
        item, is_top = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key in RESERVED_NAMES or (is_top and key == "_sd_alg"):
                    raise InvalidInputError(f"{key!r} is reserved by SD-JWT and cannot be a claim")
                stack.append((child, False))
        elif isinstance(item, list):
            stack.extend((child, False) for child in item)


@dataclass
class _Packer:
    salt: SaltSource
    decoys: int
    hash_alg: str
    disclosures: list[Disclosure] = field(default_factory=list)

    def _disclose(self, name: str | None, value: Any) -> str:
        disclosure = create_disclosure(self.salt(), name, value)
        self.disclosures.append(disclosure)
        return disclosure.digest(self.hash_alg)

    def _decoy(self) -> str:
        # RFC 9901 §4.2.5: a decoy digest is the hash over a random value.
        return _hash_b64(b64url_encode(self.salt()), self.hash_alg)

    def pack(self, value: Any, node: _PathNode | None, top: bool = False) -> Any:
        if isinstance(value, dict):
            out: JsonObject = {}
            digests: list[str] = []
            for key, child in value.items():
                sub = node.children.get(key) if node else None
                packed = self.pack(child, sub)
                if sub is not None and sub.sd:
                    digests.append(self._disclose(key, packed))
                else:
                    out[key] = packed
            if digests or (top and self.decoys):
                digests.extend(self._decoy() for _ in range(self.decoys))
                # Sorting hides the original order of the claims (RFC 9901 §4.2.4.1).
                out["_sd"] = sorted(digests)
            return out
        if isinstance(value, list):
            items: list[Any] = []
            for index, child in enumerate(value):
                sub = (
                    _merge([n for n in (node.children.get(index), node.children.get(None)) if n])
                    if node
                    else None
                )
                packed = self.pack(child, sub)
                if sub is not None and sub.sd:
                    items.append({"...": self._disclose(None, packed)})
                else:
                    items.append(packed)
            return items
        return value


def issue_sd_jwt(
    claims: Mapping[str, Any],
    *,
    issuer_key: PrivateKey,
    disclosable: Iterable[ClaimPath] = (),
    holder_jwk: Mapping[str, Any] | None = None,
    salt: SaltSource = default_salt,
    decoys: int = 0,
    typ: str | None = SD_JWT_TYP,
    header: Mapping[str, Any] | None = None,
    ignore_missing: bool = False,
) -> str:
    """Issue an SD-JWT with all Disclosures attached (``jwt~d1~...~dn~``).

    Spec: RFC 9901 §4 (SD-JWT and Disclosures) and §5 (issuance).

    Args:
        claims: the JWT claims set, with every claim in the clear.
        issuer_key: signs the issuer JWT; ``alg`` follows the key (EdDSA or ES256).
        disclosable: claim paths to make selectively disclosable. A path and its parent may
            both be listed (recursive disclosure).
        holder_jwk: the holder's public JWK, put in ``cnf`` (RFC 7800) for key binding.
        salt: salt source (each call ≥ 16 bytes); injected for tests.
        decoys: number of decoy digests added to every ``_sd`` array (and to the top level).
        typ: the JWS ``typ`` header (``dc+sd-jwt`` by default; ``None`` leaves it out).
        header: extra JWS header parameters (``kid``, ...).
        ignore_missing: skip paths that select nothing instead of raising.

    Raises:
        InvalidInputError: a path selects nothing, a claim uses a reserved name, or the salt
            source returns fewer than 16 bytes.
    """
    if not isinstance(claims, Mapping):
        raise InvalidInputError("the claims set must be a JSON object")
    if decoys < 0:
        raise InvalidInputError("decoys must not be negative")
    claims = dict(claims)
    _check_names(claims, top=True)
    paths = list(disclosable)
    missing = [p for p in paths if not _path_exists(claims, p)]
    if missing and not ignore_missing:
        raise InvalidInputError(f"claim paths select nothing: {missing}")
    paths = [p for p in paths if p not in missing]
    if holder_jwk is not None:
        if "cnf" in claims:
            raise InvalidInputError("claims already have 'cnf'; do not pass holder_jwk too")
        PublicKey.from_jwk(dict(holder_jwk))  # refuse a malformed or private-only key early
        if "d" in holder_jwk:
            raise InvalidInputError("holder_jwk must be a public key (it has 'd')")
        claims["cnf"] = {"jwk": dict(holder_jwk)}
    packer = _Packer(salt, decoys, DEFAULT_HASH_ALG)
    payload = packer.pack(claims, _build_tree(paths), top=True)
    if packer.disclosures or decoys:
        payload["_sd_alg"] = DEFAULT_HASH_ALG
    jws_header: JsonObject = {}
    if typ is not None:
        jws_header["typ"] = typ
    jws_header.update(header or {})
    jwt = sign_jws(payload, issuer_key, jws_header)
    return SdJwt(jwt, tuple(d.encoded for d in packer.disclosures)).serialize()


# --------------------------------------------------------------------------- presentation


def _placeholder_digest(item: Any) -> str | None:
    if isinstance(item, dict) and len(item) == 1 and isinstance(item.get("..."), str):
        return str(item["..."])
    return None


def _select(
    value: Any,
    path: ClaimPath,
    by_digest: Mapping[str, Disclosure],
    chosen: set[str],
    full: ClaimPath,
) -> None:
    if not path:
        return
    seg, rest = path[0], path[1:]
    if isinstance(value, dict):
        if not isinstance(seg, str):
            raise InvalidInputError(f"claim path {full!r}: {seg!r} does not name an object member")
        if seg in value and seg not in ("_sd", "_sd_alg"):
            _select(value[seg], rest, by_digest, chosen, full)
            return
        for digest in value.get("_sd", ()):
            found = by_digest.get(digest) if isinstance(digest, str) else None
            if found is not None and found.name == seg:
                chosen.add(digest)
                _select(found.value, rest, by_digest, chosen, full)
                return
        raise InvalidInputError(f"claim path {full!r}: no claim {seg!r}")
    if isinstance(value, list):
        # Positions count issued elements, not decoys (digests with no Disclosure).
        visible = [
            item
            for item in value
            if (digest := _placeholder_digest(item)) is None or digest in by_digest
        ]
        if seg is None:
            indices: Iterable[int] = range(len(visible))
        elif type(seg) is int and 0 <= seg < len(visible):
            indices = (seg,)
        else:
            raise InvalidInputError(f"claim path {full!r}: no array element {seg!r}")
        for index in indices:
            item = visible[index]
            digest = _placeholder_digest(item)
            if digest is None:
                _select(item, rest, by_digest, chosen, full)
            else:
                chosen.add(digest)
                _select(by_digest[digest].value, rest, by_digest, chosen, full)
        return
    raise InvalidInputError(f"claim path {full!r} goes past a value that is not a container")


def present_sd_jwt(
    sd_jwt: str,
    *,
    disclose: Iterable[ClaimPath],
    disclose_all: bool = False,
    holder_key: PrivateKey | None = None,
    audience: str | None = None,
    nonce: str | None = None,
    issued_at: datetime | None = None,
) -> str:
    """Build a presentation disclosing only the claims at ``disclose`` (and their parents).

    ``disclose_all`` keeps every Disclosure the holder received. With ``holder_key``, a KB-JWT (``typ`` ``kb+jwt``) with ``aud``, ``nonce``, ``iat`` and
    ``sd_hash`` is appended. Spec: RFC 9901 §6 (presentation) and §4.3 (Key Binding JWT).

    Raises:
        InvalidInputError: a path selects no claim, or a KB-JWT lacks audience/nonce.
        MalformedCredentialError: ``sd_jwt`` is not an SD-JWT.
    """
    parsed = parse_sd_jwt(sd_jwt)
    jws = parse_part(parsed.issuer_jwt, what="issuer-signed JWT")
    hash_alg = jws.payload.get("_sd_alg", DEFAULT_HASH_ALG)
    if not isinstance(hash_alg, str):
        raise MalformedCredentialError("_sd_alg must be a string")
    disclosures = [parse_disclosure(d) for d in parsed.disclosures]
    by_digest = {d.digest(hash_alg): d for d in disclosures}
    chosen: set[str] = set()
    for path in disclose:
        if not isinstance(path, tuple):
            raise InvalidInputError(f"claim path {path!r} must be a tuple")
        _select(jws.payload, path, by_digest, chosen, path)
    kept = tuple(d.encoded for d in disclosures if disclose_all or d.digest(hash_alg) in chosen)
    presented = SdJwt(parsed.issuer_jwt, kept)
    if holder_key is None:
        return presented.serialize()
    if audience is None or nonce is None:
        raise InvalidInputError("a KB-JWT needs an audience and a nonce")
    when = issued_at or datetime.now(UTC)
    kb_payload = {
        "iat": int(when.timestamp()),
        "aud": audience,
        "nonce": nonce,
        "sd_hash": compute_sd_hash(presented, hash_alg),
    }
    kb = sign_jws(kb_payload, holder_key, {"typ": KB_JWT_TYP})
    return SdJwt(presented.issuer_jwt, presented.disclosures, kb).serialize()


# --------------------------------------------------------------------------- verification


@dataclass
class _Unpacker:
    by_digest: Mapping[str, Disclosure]
    seen: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)

    def _claim_digest(self, digest: Any) -> Disclosure | None:
        if not isinstance(digest, str):
            raise MalformedCredentialError("digests in _sd and '...' must be strings")
        if digest in self.seen:
            # RFC 9901 §7.1 step 4: "If any digest value is encountered more than once in the
            # Issuer-signed JWT payload (directly or recursively via other Disclosures), the
            # SD-JWT MUST be rejected."
            raise InvalidProofError("a digest appears more than once in the SD-JWT")
        self.seen.add(digest)
        found = self.by_digest.get(digest)
        if found is not None:
            self.used.add(digest)
        return found

    def unpack(self, value: Any, depth: int) -> Any:
        if isinstance(value, dict):
            return self._object(value, depth, top=False)
        if isinstance(value, list):
            return self._array(value, depth)
        return value

    def _object(self, obj: JsonObject, depth: int, top: bool) -> JsonObject:
        if depth > MAX_JSON_DEPTH:
            raise MalformedCredentialError(f"claims are nested more than {MAX_JSON_DEPTH} deep")
        out: JsonObject = {}
        for key, child in obj.items():
            if key == "_sd" or (top and key == "_sd_alg"):
                continue
            if key == "...":
                raise MalformedCredentialError("'...' is reserved and cannot be a claim name")
            out[key] = self.unpack(child, depth + 1)
        digests = obj.get("_sd", [])
        if not isinstance(digests, list):
            raise MalformedCredentialError("_sd must be an array of digests")
        for digest in digests:
            found = self._claim_digest(digest)
            if found is None:
                continue  # a decoy or an undisclosed claim
            if found.name is None:
                # RFC 9901 §7.1 step 3.3.2: a digest in _sd must point to a Disclosure of
                # three elements, otherwise "the SD-JWT MUST be rejected".
                raise InvalidProofError("an array-element disclosure is referenced from _sd")
            if found.name in out or found.name in obj:
                # "If the claim name already exists at the level of the _sd key, the SD-JWT
                # MUST be rejected."
                raise InvalidProofError(f"disclosed claim {found.name!r} already exists")
            out[found.name] = self.unpack(found.value, depth + 1)
        return out

    def _array(self, arr: list[Any], depth: int) -> list[Any]:
        if depth > MAX_JSON_DEPTH:
            raise MalformedCredentialError(f"claims are nested more than {MAX_JSON_DEPTH} deep")
        out: list[Any] = []
        for item in arr:
            if isinstance(item, dict) and "..." in item:
                if len(item) != 1:
                    raise MalformedCredentialError("an array placeholder must be {'...': digest}")
                found = self._claim_digest(item["..."])
                if found is None:
                    continue  # RFC 9901 §7.1 step 3.4: remove elements with no Disclosure
                if found.name is not None:
                    # "If the contents of the respective Disclosure is not a JSON-encoded array
                    # of two elements (salt, value), the SD-JWT MUST be rejected."
                    raise InvalidProofError(
                        "an object-property disclosure is used as an array element"
                    )
                out.append(self.unpack(found.value, depth + 1))
            else:
                out.append(self.unpack(item, depth + 1))
        return out


def process_disclosures(
    payload: Mapping[str, Any], disclosures: Sequence[Disclosure]
) -> JsonObject:
    """Insert the Disclosures into the payload and return the processed claims.

    ``_sd``, ``_sd_alg`` and ``...`` placeholders are removed. Spec: RFC 9901 §7.1 step 3-5,
    https://www.rfc-editor.org/rfc/rfc9901#section-7.1

    Raises:
        UnsupportedAlgorithmError: ``_sd_alg`` is not supported.
        InvalidProofError: a digest repeats, a Disclosure is repeated, unreferenced, in the
            wrong kind of place, or names a claim that already exists.
        MalformedCredentialError: ``_sd`` is not an array of strings, or nesting is too deep.
    """
    hash_alg = payload.get("_sd_alg", DEFAULT_HASH_ALG)
    if not isinstance(hash_alg, str) or hash_alg not in HASH_ALGS:
        raise UnsupportedAlgorithmError(f"_sd_alg {hash_alg!r} is not supported")
    by_digest: dict[str, Disclosure] = {}
    for disclosure in disclosures:
        digest = disclosure.digest(hash_alg)
        if digest in by_digest:
            raise InvalidProofError("the same disclosure is presented more than once")
        by_digest[digest] = disclosure
    unpacker = _Unpacker(by_digest)
    claims = unpacker._object(dict(payload), 1, top=True)
    if len(unpacker.used) != len(by_digest):
        # RFC 9901 §7.1 step 5: "If any Disclosure was not referenced by digest value in the
        # Issuer-signed JWT (directly or recursively via other Disclosures), the SD-JWT MUST
        # be rejected."
        unused = len(by_digest) - len(unpacker.used)
        raise InvalidProofError(f"{unused} disclosure(s) match no digest in the SD-JWT")
    return claims


def _numeric_date(claims: Mapping[str, Any], name: str) -> int | float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise VerificationError(f"'{name}' must be a NumericDate (a number)")
    return value


def check_jwt_times(
    claims: Mapping[str, Any],
    now: datetime,
    *,
    clock_skew: timedelta = timedelta(minutes=5),
    require_iat: bool = False,
) -> None:
    """Check ``iat``, ``nbf`` and ``exp`` (RFC 7519 §4.1) against ``now``.

    Raises:
        VerificationError: a time claim is not a number, the token is not yet valid, issued in
            the future, expired, or ``iat`` is required and missing.
    """
    ts = now.timestamp()
    skew = clock_skew.total_seconds()
    iat = _numeric_date(claims, "iat")
    nbf = _numeric_date(claims, "nbf")
    exp = _numeric_date(claims, "exp")
    if iat is None and require_iat:
        raise VerificationError("'iat' is missing")
    if iat is not None and iat > ts + skew:
        raise VerificationError("issued in the future ('iat')")
    if nbf is not None and nbf > ts + skew:
        raise VerificationError("not valid yet ('nbf')")
    if exp is not None and exp < ts - skew:
        raise VerificationError("expired ('exp')")


@dataclass(frozen=True)
class KeyBindingExpectations:
    """What a verifier requires of a KB-JWT (RFC 9901 §7.3).

    ``audience``/``nonce`` are compared when set; ``max_age`` bounds the age of ``iat``
    (``None`` disables the freshness check).
    """

    audience: str | None = None
    nonce: str | None = None
    max_age: timedelta | None = timedelta(minutes=10)
    clock_skew: timedelta = timedelta(minutes=5)


def verify_key_binding(
    sd_jwt: SdJwt,
    holder_key: PublicKey,
    *,
    hash_alg: str = DEFAULT_HASH_ALG,
    allowed_algs: Collection[str] = ALLOWED_ALGS,
) -> JsonObject:
    """Check the KB-JWT's ``typ``, signature by the ``cnf`` key and ``sd_hash``; return its claims.

    Spec: RFC 9901 §7.3 steps 3, 4 and 7.

    Raises:
        MalformedCredentialError: no KB-JWT, or it is malformed.
        VerificationError: wrong ``typ``, bad signature (InvalidProofError), wrong ``sd_hash``.
    """
    if sd_jwt.kb_jwt is None:
        raise MalformedCredentialError("the SD-JWT has no KB-JWT")
    jws = parse_part(sd_jwt.kb_jwt, what="KB-JWT")
    if jws.header.get("typ") != KB_JWT_TYP:
        # RFC 9901 §4.3: "typ: REQUIRED. MUST be kb+jwt"
        raise VerificationError(f"KB-JWT typ is {jws.header.get('typ')!r}, not {KB_JWT_TYP!r}")
    verify_part(jws, holder_key, allowed_algs=allowed_algs, what="KB-JWT")
    expected = compute_sd_hash(sd_jwt, hash_alg)
    if jws.payload.get("sd_hash") != expected:
        raise InvalidProofError("KB-JWT sd_hash does not match the presented SD-JWT")
    if isinstance(jws.payload.get("iat"), bool) or not isinstance(
        jws.payload.get("iat"), int | float
    ):
        raise VerificationError("KB-JWT 'iat' is missing or not a number")
    return jws.payload


def check_key_binding_claims(
    kb_claims: Mapping[str, Any], expect: KeyBindingExpectations, now: datetime
) -> None:
    """Check a KB-JWT's ``aud``, ``nonce`` and ``iat`` age (RFC 9901 §7.3 steps 5 and 6).

    Raises:
        VerificationError: audience or nonce differ, or the KB-JWT is too old or from the future.
    """
    if expect.audience is not None and kb_claims.get("aud") != expect.audience:
        raise VerificationError(f"KB-JWT aud {kb_claims.get('aud')!r} is not {expect.audience!r}")
    if expect.nonce is not None and kb_claims.get("nonce") != expect.nonce:
        raise VerificationError("KB-JWT nonce does not match the verifier's nonce")
    if expect.max_age is not None:
        iat = kb_claims.get("iat")
        if isinstance(iat, bool) or not isinstance(iat, int | float):
            raise VerificationError("KB-JWT 'iat' is missing or not a number")
        ts, skew = now.timestamp(), expect.clock_skew.total_seconds()
        if iat > ts + skew:
            raise VerificationError("KB-JWT was issued in the future")
        if iat < ts - expect.max_age.total_seconds() - skew:
            raise VerificationError("KB-JWT is too old")
    exp = kb_claims.get("exp")
    if (
        isinstance(exp, int | float)
        and not isinstance(exp, bool)
        and exp < now.timestamp() - expect.clock_skew.total_seconds()
    ):
        raise VerificationError("KB-JWT has expired")


@dataclass(frozen=True)
class VerifiedSdJwt:
    """The outcome of :func:`verify_sd_jwt`."""

    header: JsonObject
    payload: JsonObject
    claims: JsonObject
    disclosures: tuple[Disclosure, ...]
    kb_claims: JsonObject | None


def holder_public_key(payload: Mapping[str, Any]) -> PublicKey:
    """The holder key from ``cnf.jwk`` (RFC 7800 §3.2); other ``cnf`` methods are refused."""
    cnf = payload.get("cnf")
    if not isinstance(cnf, dict) or not isinstance(cnf.get("jwk"), dict):
        raise VerificationError("the SD-JWT has no cnf.jwk holder key")
    jwk = cnf["jwk"]
    if "d" in jwk:
        raise VerificationError("cnf.jwk must not contain a private key")
    try:
        return PublicKey.from_jwk(jwk)
    except VcError as err:
        raise VerificationError(f"cnf.jwk is not a usable key: {err.detail}") from err


def verify_sd_jwt(
    token: str,
    *,
    issuer_key: PublicKey | Callable[[JsonObject, JsonObject], PublicKey],
    accepted_typs: Collection[str] | None = None,
    allowed_algs: Collection[str] = ALLOWED_ALGS,
    key_binding: KeyBindingExpectations | None = None,
    now: datetime | None = None,
    clock_skew: timedelta = timedelta(minutes=5),
) -> VerifiedSdJwt:
    """Verify an SD-JWT (or SD-JWT+KB) and return the processed claims.

    Spec: RFC 9901 §7.1 (issuer-signed JWT and Disclosures) and §7.3 (key binding),
    https://www.rfc-editor.org/rfc/rfc9901#section-7

    Args:
        token: the compact SD-JWT as received.
        issuer_key: the issuer's key, or a function of (header, payload) that finds it.
        accepted_typs: allowed values of the JWS ``typ`` header; ``None`` skips the check.
        allowed_algs: JWS algorithms accepted for both the issuer JWT and the KB-JWT.
        key_binding: when set, a KB-JWT is required and checked against it; when ``None``, a
            KB-JWT that is present is still checked (signature, ``typ``, ``sd_hash``).
        now: when set, ``iat``/``nbf``/``exp`` of the processed claims are checked.
        clock_skew: tolerance for the time checks.

    Raises:
        VcError: any failure (MalformedCredentialError, UnsupportedAlgorithmError,
            InvalidProofError, VerificationError).
    """
    parsed = parse_sd_jwt(token)
    jws = parse_part(parsed.issuer_jwt, what="issuer-signed JWT")
    if accepted_typs is not None and jws.header.get("typ") not in accepted_typs:
        raise MalformedCredentialError(f"JWS typ {jws.header.get('typ')!r} is not accepted")
    disclosures = tuple(parse_disclosure(d) for d in parsed.disclosures)
    key = issuer_key if isinstance(issuer_key, PublicKey) else issuer_key(jws.header, jws.payload)
    verify_part(jws, key, allowed_algs=allowed_algs, what="issuer-signed JWT")
    claims = process_disclosures(jws.payload, disclosures)
    if now is not None:
        check_jwt_times(claims, now, clock_skew=clock_skew)
    kb_claims: JsonObject | None = None
    if key_binding is not None and parsed.kb_jwt is None:
        raise VerificationError("key binding is required but the SD-JWT has no KB-JWT")
    if parsed.kb_jwt is not None:
        holder = holder_public_key(claims)
        hash_alg = str(jws.payload.get("_sd_alg", DEFAULT_HASH_ALG))
        kb_claims = verify_key_binding(parsed, holder, hash_alg=hash_alg, allowed_algs=allowed_algs)
        if key_binding is not None:
            check_key_binding_claims(kb_claims, key_binding, now or datetime.now(UTC))
    return VerifiedSdJwt(jws.header, jws.payload, claims, disclosures, kb_claims)
