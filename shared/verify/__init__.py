"""One verification for every format: ``verify_credential()`` and ``verify_presentation()``.

The public entry points live in :mod:`shared.verify.credential` (``verify_credential``,
``detect_format``, ``read_input``) and :mod:`shared.verify.presentation`
(``verify_presentation``); reports are :class:`shared.verify.report.VerificationReport`.
This package file imports nothing, so that ``shared.proofs`` can use the report types
without a cycle at import time; it exists so that import-linter sees the package.
"""

__all__: list[str] = []
