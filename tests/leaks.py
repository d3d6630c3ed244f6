"""Read every row of a wallet database and find what must not be there in clear.

What a wallet database may hold in clear is listed column by column in ``IN_CLEAR``, with
the reason. Every other column must be binary ciphertext (AES-GCM: ``nonce || sealed``),
and nothing anywhere — clear columns included — may contain one of the journey's secrets
(credential pieces, claim values, tokens, passwords, key material).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from shared.encoding import b64url_decode

#: (table, column) -> why it is in clear. Ids, foreign keys and timestamps are in clear too
#: (any column named ``id``, ``*_id`` or ``*_at``, and ``created_at``/``expires_at``): they
#: say when and how much, not what.
IN_CLEAR: dict[tuple[str, str], str] = {
    ("accounts", "email"): "the sign-in name: looked up at every sign-in",
    ("accounts", "password_hash"): "argon2id hash (salted, slow): checks the password",
    ("accounts", "kek_salt"): "Argon2id salt of the password key: random, public by design",
    ("accounts", "kek_params"): "Argon2id costs of the password key (t, m, p)",
    ("accounts", "inbox_public_key"): "X25519 PUBLIC key deliveries are sealed to",
    ("accounts", "inbox_pending"): "how many deliveries wait in the inbox: a count, not what",
    ("inbox", "kind"): "what waits in the inbox (an endorsement): not its contents",
    ("vault_checks", "name"): "which check value this is (the master secret's)",
    ("sessions", "token_hash"): "SHA-256 of the session cookie, which only the browser has",
    ("sessions", "csrf_token"): "anti-forgery token of a session: useless without its cookie",
    ("api_tokens", "name"): "the name the person gives a token ('token' by default)",
    ("api_tokens", "token_hash"): "SHA-256 of the API token, shown once to the person",
    ("identities", "did"): "did:jwk: the holder's PUBLIC key, which verifiers see anyway",
    ("identities", "key_type"): "Ed25519 or P-256: the algorithm, not the key",
    ("identities", "label"): "the name the person gives an identity (did:jwk, pairwise)",
    ("identities", "pairwise_tag"): "HMAC of a verifier's client_id: not the client_id",
    ("identities", "is_default"): "which identity signs by default",
    ("credentials", "format"): "ldp_vc, jwt_vc_json, dc+sd-jwt: the container, not contents",
    ("pending", "kind"): "offer or request: what is awaiting the person's consent",
    ("history", "kind"): "received, presented…: the kind of event, not whom or what",
    ("shares", "token_hash"): "SHA-256 of the share link's token (the link holds the key)",
    ("endorsement_requests", "token_hash"): "SHA-256 of the endorsement link's token",
    ("profiles", "token_hash"): "SHA-256 of the profile link's token",
    ("trusted_issuers", "identifier"): "the operator's trust registry (configuration)",
    ("trusted_issuers", "name"): "the operator's trust registry (configuration)",
    ("rate_limits", "key"): "SHA-256 of scope, account and IP address (servicekit.ratelimit)",
    ("rate_limits", "window_start"): "a counter's time window",
    ("rate_limits", "hits"): "a counter",
    ("alembic_version", "version_num"): "the schema version",
}


def is_bookkeeping(column: str) -> bool:
    """Ids and timestamps: when and how many, never what."""
    return column == "id" or column.endswith(("_id", "_at"))


def rows(url: str) -> Iterator[tuple[str, str, Any]]:
    """(table, column, value) of every non-null value in every table."""
    engine = sa.create_engine(url)
    try:
        tables = sa.inspect(engine).get_table_names()
        with engine.connect() as conn:
            for table in tables:
                result = conn.execute(sa.text(f'SELECT * FROM "{table}"'))  # noqa: S608
                columns = list(result.keys())
                for row in result:
                    for column, value in zip(columns, row, strict=True):
                        if value is not None:
                            yield table, column, value
    finally:
        engine.dispose()


def looks_sealed(blob: bytes) -> bool:
    """AES-GCM output (12-byte nonce, 16-byte tag) is not readable text nor JSON."""
    if len(blob) < 28:
        return False
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return not text.isprintable()


def key_material(private_jwk: dict[str, Any]) -> list[str]:
    """A private JWK's ``d`` in every spelling it could leak under: base64url, padded
    standard base64, hex (lower and upper)."""
    raw = b64url_decode(private_jwk["d"])
    std = base64.b64encode(raw).decode()
    hexa = binascii.hexlify(raw).decode()
    return [private_jwk["d"], std, std.rstrip("="), hexa, hexa.upper()]


def found_in(value: Any, secrets: Iterable[str]) -> list[str]:
    """The secrets ``value`` (text or bytes) holds."""
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return [s for s in secrets if s.encode() in data]
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return [s for s in secrets if s in text]


def leaks(url: str, secrets: list[str]) -> list[str]:
    """Every problem found in the database at ``url``: a secret in any column, readable
    content in a column that is not listed in clear."""
    problems: list[str] = []
    for table, column, value in rows(url):
        hits = found_in(value, secrets)
        if hits:
            problems.append(f"{table}.{column} holds {hits[0][:12]}…")
        if (table, column) in IN_CLEAR or is_bookkeeping(column):
            continue
        if not isinstance(value, bytes | bytearray | memoryview):
            problems.append(f"{table}.{column} is in clear and not listed: {str(value)[:40]!r}")
        elif not looks_sealed(bytes(value)):
            problems.append(f"{table}.{column} is readable: {bytes(value)[:40]!r}")
    return problems
