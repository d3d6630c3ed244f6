"""Protocol messages exchanged between the services and third-party wallets and verifiers.

Each module is one protocol (``oid4vci``: OpenID for Verifiable Credential Issuance 1.0).
Import the module you need; this package re-exports nothing so that modules stay independent.
"""

__all__: list[str] = []
