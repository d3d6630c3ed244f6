"""Key files written by ``musette keys new``: a Multikey JSON document with the secret."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from shared.did import did_key_from_public, verification_method_id
from shared.errors import KeyFormatError
from shared.keys import PrivateKey


def key_document(key: PrivateKey) -> dict[str, Any]:
    """The JSON written to a key file."""
    did = did_key_from_public(key.public_key)
    return {
        "type": "Multikey",
        "id": verification_method_id(did),
        "controller": did,
        "publicKeyMultibase": key.public_key.to_multikey(),
        "secretKeyMultibase": key.to_secret_multibase(),
    }


def write_key_file(key: PrivateKey, path: Path) -> None:
    """Write a key file readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(key_document(key), fh, indent=2)
        fh.write("\n")


def read_key_file(path: Path) -> PrivateKey:
    """Read a key file (Multikey document with secretKeyMultibase, or a private JWK)."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise KeyFormatError(f"cannot read key file {path}: {err}") from err
    if isinstance(doc, dict) and "secretKeyMultibase" in doc:
        return PrivateKey.from_secret_multibase(doc["secretKeyMultibase"])
    if isinstance(doc, dict) and "d" in doc:
        return PrivateKey.from_jwk(doc)
    raise KeyFormatError(f"{path} holds no private key (secretKeyMultibase or a JWK with 'd')")
