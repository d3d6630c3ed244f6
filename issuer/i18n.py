"""French and English for the issuer console: this package's catalogues (servicekit.i18n does the work)."""

from __future__ import annotations

from pathlib import Path

from servicekit.i18n import DEFAULT_LANGUAGE, LANG_COOKIE, LANGUAGES, Catalogues, choose_language

CATALOGUES = Catalogues(Path(__file__).parent / "locales")
LOCALES = CATALOGUES.locales
translator = CATALOGUES.translator

__all__ = [
    "CATALOGUES",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANG_COOKIE",
    "LOCALES",
    "choose_language",
    "translator",
]
