"""What several instances of one service must share, checked at start-up.

Every instance of a service on one database must hold the same master secret: it encrypts
the keys kept in the database, derives the verifier's per-request encryption keys and the
wallet's look-up tags. An instance started with another secret (its own freshly generated
``master.key``, say) would sign nothing, decrypt no answer, and find no session that another
instance opened, so it refuses to start (docs/decisions/stateless-instances.md).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from shared.errors import InvalidInputError

__all__ = ["read_or_create_master_key", "wrong_master_secret"]


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
