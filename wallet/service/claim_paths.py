"""Claim paths: what an SD-JWT lets the holder disclose, and what a choice of paths reveals
(RFC 9901; OpenID4VP 1.0 §7 claims path pointers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.errors import InvalidInputError
from shared.proofs.jose import parse_jws
from shared.proofs.sd_jwt import (
    Disclosure,
    parse_disclosure,
    parse_sd_jwt,
    present_sd_jwt,
    process_disclosures,
)
from wallet.service.pending_presentation import ClaimPath


def disclosable_paths(sd_jwt: str) -> list[ClaimPath]:
    """Every claim path the holder may choose to disclose in an SD-JWT (RFC 9901)."""
    parsed = parse_sd_jwt(sd_jwt)
    payload = parse_jws(parsed.issuer_jwt).payload
    alg = str(payload.get("_sd_alg", "sha-256"))
    by_digest = {d.digest(alg): d for d in (parse_disclosure(x) for x in parsed.disclosures)}
    out: list[ClaimPath] = []
    _walk_disclosable(payload, (), by_digest, out)
    return out


def _walk_disclosable(
    value: Any, path: ClaimPath, by_digest: dict[str, Disclosure], out: list[ClaimPath]
) -> None:
    if isinstance(value, dict):
        for digest in value.get("_sd", []):
            found = by_digest.get(digest)
            if found is not None and found.name is not None:
                out.append((*path, found.name))
                _walk_disclosable(found.value, (*path, found.name), by_digest, out)
        for key, item in value.items():
            if key not in {"_sd", "_sd_alg"}:
                _walk_disclosable(item, (*path, key), by_digest, out)
    elif isinstance(value, list):
        index = 0
        for item in value:
            digest = item.get("...") if isinstance(item, dict) and len(item) == 1 else None
            if isinstance(digest, str):
                found = by_digest.get(digest)
                if found is None:
                    continue  # a decoy: not an issued element
                out.append((*path, index))
                _walk_disclosable(found.value, (*path, index), by_digest, out)
            else:
                _walk_disclosable(item, (*path, index), by_digest, out)
            index += 1


def disclosed_claims(sd_jwt: str, paths: Sequence[ClaimPath]) -> dict[str, Any]:
    """Exactly what the verifier would read if ``paths`` are disclosed."""
    presented = parse_sd_jwt(present_sd_jwt(sd_jwt, disclose=list(paths)))
    payload = parse_jws(presented.issuer_jwt).payload
    return process_disclosures(payload, [parse_disclosure(d) for d in presented.disclosures])


def parse_claim_path(text: str) -> ClaimPath:
    """``credentialSubject.result.0.value`` → ("credentialSubject", "result", 0, "value");
    ``*`` selects every array element."""
    out: list[str | int | None] = []
    for part in text.split("."):
        if part in {"*", "[]"}:
            out.append(None)
        elif part.isdigit():
            out.append(int(part))
        elif part:
            out.append(part)
    if not out:
        raise InvalidInputError(f"{text!r} is not a claim path")
    return tuple(out)
