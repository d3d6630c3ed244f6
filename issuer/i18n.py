"""French and English for the issuer console (shared.i18n over this package's catalogues)."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request

from shared import i18n
from shared.i18n import DEFAULT_LANGUAGE, LANG_COOKIE, LANGUAGES, Gettext

LOCALES = Path(__file__).parent / "locales"

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANG_COOKIE",
    "LOCALES",
    "choose_language",
    "translator",
]


def choose_language(request: Request) -> str:
    """?lang=, then the cookie, then Accept-Language, then French."""
    return i18n.choose_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def translator(lang: str) -> Gettext:
    """gettext(message, **values) for this service's catalogue."""
    return i18n.translator(LOCALES, lang)
