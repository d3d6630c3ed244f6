"""What several instances of one service must share, checked at start-up.

Every instance of a service on one database must hold the same master secret: it encrypts
the keys kept in the database, derives the verifier's per-request encryption keys and the
wallet's look-up tags. An instance started with another secret (its own freshly generated
``master.key``, say) would sign nothing, decrypt no answer, and find no session that another
instance opened, so it refuses to start (docs/decisions/stateless-instances.md).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
from pathlib import Path

from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.errors import InvalidInputError

__all__ = ["load_master_secret", "read_or_create_master_key", "wrong_master_secret"]

#: bytes of a master secret: what ``musette`` generates and what a new secret must have
MASTER_SECRET_BYTES = 32
#: the wallet and verifier once accepted 16-byte secrets; their data is encrypted under them,
#: so such a secret still opens them, with a warning (docs/decisions/master-secret-length.md)
LEGACY_MASTER_SECRET_BYTES = 16

_log = logging.getLogger(__name__)


def load_master_secret(
    service: str, configured: str, data_dir: str | Path, *, legacy_floor: int = MASTER_SECRET_BYTES
) -> bytes:
    """The master secret: from settings (base64url), else ``<data_dir>/master.key`` (0600).

    A missing ``master.key`` is created with 32 random bytes (atomically, see
    :func:`read_or_create_master_key`). Padding and the standard alphabet (``+/``) are
    accepted: older issuer files were written padded. A secret shorter than 32 bytes is
    refused, unless ``legacy_floor`` lets a service keep the shorter ones it once accepted.
    """
    if configured:
        text, origin = configured, f"MUSETTE_{service.upper()}_MASTER_SECRET"
    else:
        new = b64url_encode(secrets.token_bytes(MASTER_SECRET_BYTES)) + "\n"
        text = read_or_create_master_key(data_dir, new)
        origin = str(Path(data_dir) / "master.key")
    try:
        secret = b64url_decode(text.strip().rstrip("=").replace("+", "-").replace("/", "_"))
    except InvalidInputError as err:
        raise InvalidInputError(f"the {service} master secret ({origin}) is not base64url") from err
    if len(secret) < MASTER_SECRET_BYTES:
        advice = (
            "make a new one with `python -c 'import secrets; print(secrets.token_urlsafe(32))'` "
            "(a new secret does not open data stored under the old one)"
        )
        if len(secret) < legacy_floor:
            raise InvalidInputError(
                f"the {service} master secret ({origin}) is {len(secret)} bytes, "
                f"at least {MASTER_SECRET_BYTES} are needed: {advice}"
            )
        _log.warning(
            "the %s master secret (%s) is %d bytes, fewer than %d: kept because data is "
            "stored under it; for a new deployment %s",
            service,
            origin,
            len(secret),
            MASTER_SECRET_BYTES,
            advice,
        )
    return secret


def read_or_create_master_key(data_dir: str | Path, new_text: str) -> str:
    """The text of ``<data_dir>/master.key``, created 0600 with ``new_text`` if missing.

    Workers of one service starting together on a fresh folder all find it missing: each
    writes its candidate to a private temporary file and links it into place, which only the
    first does (``link`` fails on an existing name); every worker then reads that complete
    file, never a half-written one, so they all hold the same secret.
    """
    path = Path(data_dir) / "master.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".master.key.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(new_text)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def wrong_master_secret(service: str) -> InvalidInputError:
    """The start-up error of an instance whose master secret does not open its database."""
    return InvalidInputError(
        f"the {service} master secret does not decrypt the keys already in its database: "
        f"every instance of the {service} must use the same secret "
        f"(MUSETTE_{service.upper()}_MASTER_SECRET, or the same master.key file); "
        "not starting"
    )
