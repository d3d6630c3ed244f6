"""What several instances of one service must share, checked at start-up.

Every instance of a service on one database must hold the same master secret: it encrypts
the keys kept in the database, derives the verifier's per-request encryption keys and the
wallet's look-up tags. An instance started with another secret (its own freshly generated
``master.key``, say) would sign nothing, decrypt no answer, and find no session that another
instance opened, so it refuses to start (docs/decisions/stateless-instances.md).
"""

from __future__ import annotations

from shared.errors import InvalidInputError

__all__ = ["wrong_master_secret"]


def wrong_master_secret(service: str) -> InvalidInputError:
    """The start-up error of an instance whose master secret does not open its database."""
    return InvalidInputError(
        f"the {service} master secret does not decrypt the keys already in its database: "
        f"every instance of the {service} must use the same secret "
        f"(MUSETTE_{service.upper()}_MASTER_SECRET, or the same master.key file); "
        "not starting"
    )
