"""Salted, hashed recipient identifiers (OB 3.0 §B.1.x ``IdentityObject``).

``identityHash`` of a hashed identity is ``"sha256$"`` and the lowercase hex SHA-256 of the
UTF-8 identity followed by the salt (OB 3.0 ``IdentityHash``, the 1EdTech convention). An
email is compared lower-cased; a name in Unicode NFC with its spaces collapsed, so that
"Camille  Martin" typed by a recruiter still matches (docs/decisions/reveal-less.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Mapping
from typing import Any

__all__ = [
    "hash_identity",
    "hashed_identity",
    "identity_matches",
    "normalise_identity",
    "recipient_matches",
]


def normalise_identity(value: str, identity_type: str) -> str:
    """The identity as hashed: NFC, spaces collapsed; an email also lower-cased."""
    text = " ".join(unicodedata.normalize("NFC", value).split())
    return text.lower() if identity_type == "emailAddress" else text


def hash_identity(value: str, salt: str, identity_type: str) -> str:
    """``sha256$`` + hex(sha256(identity + salt)) (OB 3.0 IdentityHash)."""
    data = (normalise_identity(value, identity_type) + salt).encode("utf-8")
    return "sha256$" + hashlib.sha256(data).hexdigest()


def hashed_identity(value: str, identity_type: str) -> dict[str, Any]:
    """A fresh salted ``IdentityObject`` (as JSON keys) for one identity."""
    salt = secrets.token_hex(16)
    return {
        "hashed": True,
        "identity_hash": hash_identity(value, salt, identity_type),
        "identity_type": identity_type,
        "salt": salt,
    }


def identity_matches(obj: Mapping[str, Any], candidate: str) -> bool | None:
    """Whether ``candidate`` is the identity in ``obj``: None when it cannot be told
    (unknown algorithm, malformed object); md5 is refused as unknown (not collision-safe)."""
    kind = obj.get("identityType")
    stored = obj.get("identityHash")
    if not isinstance(kind, str) or not isinstance(stored, str) or not candidate.strip():
        return None
    if not obj.get("hashed"):
        return normalise_identity(stored, kind) == normalise_identity(candidate, kind)
    salt = obj.get("salt") or ""
    if not isinstance(salt, str) or not stored.lower().startswith("sha256$"):
        return None
    expected = hash_identity(candidate, salt, kind)
    return hmac.compare_digest(expected, "sha256$" + stored[7:].lower())


def recipient_matches(
    credential: Mapping[str, Any] | None, candidate: str, identity_type: str = "name"
) -> bool | None:
    """Whether the credential's ``credentialSubject.identifier`` of ``identity_type`` (plain or
    hashed) is ``candidate``: True if one matches, False if some were checked and none did,
    None if the credential has none that can be checked."""
    subjects = (credential or {}).get("credentialSubject")
    answers: list[bool] = []
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        if not isinstance(subject, Mapping):
            continue
        idents = subject.get("identifier")
        for ident in idents if isinstance(idents, list) else [idents]:
            if isinstance(ident, Mapping) and ident.get("identityType") == identity_type:
                found = identity_matches(ident, candidate)
                if found is not None:
                    answers.append(found)
    return any(answers) if answers else None
