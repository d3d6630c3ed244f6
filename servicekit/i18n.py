"""French and English for the three services: Babel catalogues compiled to ``.mo``, the reader's
language (``?lang=``, the cookie, a weighted ``Accept-Language``), and Jinja environments with
``jinja2.ext.i18n`` (``_``, ``gettext``, ``ngettext``) installed per language.

The ``.po`` files stay the source of truth: each is compiled on first load into a content-addressed
cache (``MUSETTE_I18N_CACHE``, else ``~/.cache/musette/i18n``, else memory), so a new entry is
picked up without any build step and a stale ``.mo`` cannot exist. Messages keep the project's
``{name}`` placeholders, formatted with ``str.format`` in Python and templates alike.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import BaseLoader, Environment, FileSystemLoader, Template, select_autoescape
from starlette.requests import Request

from shared.i18n import DEFAULT_LANGUAGE, LANG_COOKIE, LANGUAGES

__all__ = [
    "DEFAULT_LANGUAGE",
    "KIT_LOCALES",
    "LANGUAGES",
    "LANG_COOKIE",
    "Catalogues",
    "PageTemplates",
    "Translator",
    "catalogue",
    "choose_language",
    "compile_catalogue",
    "negotiate",
    "parse_accept_language",
    "translator",
]

#: the service kit's own messages (rate limits...), every service's last fallback
KIT_LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"


# --- compiled catalogues -------------------------------------------------------------------


def _po_path(locales: Path, lang: str) -> Path:
    return locales / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalogue(po: Path) -> bytes:
    """The ``.mo`` bytes of ``po``; raises ``babel.messages.pofile.PoFileError`` on a broken
    entry (translations may use values their msgid does not, e.g. French ``{the_org}``)."""
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=po.parents[1].name, abort_invalid=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _cache_dir() -> Path | None:
    chosen = os.environ.get("MUSETTE_I18N_CACHE")
    base = Path(chosen) if chosen else Path.home() / ".cache" / "musette" / "i18n"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return base if os.access(base, os.W_OK) else None


def _mo_bytes(po: Path) -> bytes:
    """Compiled ``po``, from the cache when this exact content was compiled before."""
    source = po.read_bytes()
    where = _cache_dir()
    name = hashlib.sha256(source).hexdigest()[:40] + ".mo"
    if where is not None and (where / name).is_file():
        return (where / name).read_bytes()
    compiled = compile_catalogue(po)
    if where is not None:
        partial = where / f"{name}.{os.getpid()}.tmp"
        try:
            partial.write_bytes(compiled)
            partial.replace(where / name)
        except OSError:
            partial.unlink(missing_ok=True)
    return compiled


def _load(locales: Path, lang: str) -> NullTranslations:
    po = _po_path(locales, lang)
    if not po.is_file():
        return NullTranslations()
    return Translations(io.BytesIO(_mo_bytes(po)), domain=DOMAIN)


@cache
def _translations(locales: tuple[Path, ...], lang: str) -> NullTranslations:
    first = _load(locales[0], lang)
    for more in locales[1:]:
        first.add_fallback(_load(more, lang))
    return first


def catalogue(locales: Path, lang: str) -> dict[str, str]:
    """msgid -> msgstr of one ``.po`` (singular entries; empty if absent), for tests and tools."""
    po = _po_path(locales, lang)
    if not po.is_file():
        return {}
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return {
        str(m.id): str(m.string) for m in catalog if isinstance(m.id, str) and m.id and m.string
    }


# --- translating ---------------------------------------------------------------------------


class Translator:
    """``_("Hello {name}", name=...)`` and ``_.ngettext('{num} hour', '{num} hours', n)`` in one
    language; the message itself when untranslated. Plural choice follows the catalogue's
    ``Plural-Forms`` header (French: ``n > 1``)."""

    def __init__(self, translations: NullTranslations, lang: str) -> None:
        self._t = translations
        self.lang = lang

    def __call__(self, message: str, **values: object) -> str:
        return self.gettext(message, **values)

    def gettext(self, message: str, **values: object) -> str:
        text = self._t.gettext(message) if message else message
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, num: float, **values: object) -> str:
        """The form of ``singular``/``plural`` for ``num`` (``{num}`` is filled in). Decimals
        follow CLDR (1,5 heure / 1.5 hours), whole numbers the catalogue's ``Plural-Forms``."""
        values.setdefault("num", num)
        if isinstance(num, float) and not num.is_integer():
            one = Locale.parse(self.lang).plural_form(num) == "one"
            count = 1 if one else 2
        else:
            count = int(num)
        return self._t.ngettext(singular, plural, count).format(**values)


@cache
def translator(locales: Path, lang: str) -> Translator:
    """The translator of ``locales`` in ``lang``, falling back to the service kit's messages."""
    chain = (locales,) if locales == KIT_LOCALES else (locales, KIT_LOCALES)
    known = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    return Translator(_translations(chain, known), known)


class Catalogues:
    """A service's catalogues (``<locales>/<lang>/LC_MESSAGES/messages.po``)."""

    def __init__(self, locales: Path) -> None:
        self.locales = locales

    def translator(self, lang: str) -> Translator:
        """The translator of this service in ``lang``."""
        return translator(self.locales, lang)

    def templates(
        self,
        templates: Path,
        *,
        configure: Callable[[Environment], None] | None = None,
        auto_reload: bool = True,
    ) -> PageTemplates:
        """The service's page templates with these catalogues installed."""
        return PageTemplates(templates, self.locales, configure=configure, auto_reload=auto_reload)


# --- choosing the language -----------------------------------------------------------------

#: RFC 9110 §12.5.4 / RFC 4647 §2.1: language-range and weight (§12.4.2 qvalue)
_RANGE = re.compile(r"^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$")
_QVALUE = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")
_MAX_HEADER = 4096
_MAX_RANGES = 32


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """The language ranges of an ``Accept-Language`` header, most wanted first (RFC 9110
    §12.5.4: ``q`` weights, equal weights keep their order). Malformed members are skipped;
    over-long headers and members beyond the 32nd are ignored."""
    if not header or len(header) > _MAX_HEADER:
        return []
    ranges: list[tuple[str, float]] = []
    for member in header.split(",")[:_MAX_RANGES]:
        tag, _, params = member.partition(";")
        tag = tag.strip()
        if not _RANGE.match(tag):
            continue
        weight = 1.0
        if params:
            name, eq, value = params.strip().partition("=")
            if name.strip().lower() != "q" or not eq or not _QVALUE.match(value.strip()):
                continue
            weight = float(value.strip())
        ranges.append((tag.lower(), weight))
    return sorted(ranges, key=lambda r: -r[1])


def negotiate(header: str | None, offered: tuple[str, ...] = LANGUAGES) -> str | None:
    """The offered language the header ranks highest, or None. A range matches a language by
    its primary subtag (``fr-CA`` -> ``fr``, RFC 4647 §3.4 fallback); ``q=0`` refuses it; ``*``
    is any offered language not named elsewhere."""
    ranges = parse_accept_language(header)
    refused = {tag.split("-")[0] for tag, q in ranges if q == 0}
    named = {tag.split("-")[0] for tag, _ in ranges}
    for tag, q in ranges:
        if q == 0:
            continue
        if tag == "*":
            rest = [code for code in offered if code not in named and code not in refused]
            if rest:
                return rest[0]
            continue
        primary = tag.split("-")[0]
        if primary in offered and primary not in refused:
            return primary
    return None


def choose_language(request: Request) -> str:
    """``?lang=`` first, then the cookie, then the weighted ``Accept-Language``, then French."""
    for choice in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if choice in LANGUAGES:
            return str(choice)
    return negotiate(request.headers.get("accept-language")) or DEFAULT_LANGUAGE


# --- page templates ------------------------------------------------------------------------


class PageTemplates:
    """One Jinja environment per language over a service's templates, each with
    ``jinja2.ext.i18n`` and that language's catalogue installed (``_``, ``gettext``,
    ``ngettext``); ``configure`` adds the service's filters and globals to each."""

    def __init__(
        self,
        templates: Path | BaseLoader,
        locales: Path,
        *,
        configure: Callable[[Environment], None] | None = None,
        auto_reload: bool = True,
    ) -> None:
        loader = templates if isinstance(templates, BaseLoader) else FileSystemLoader(templates)
        self.locales = locales
        self._envs: dict[str, Environment] = {}
        for lang in LANGUAGES:
            env = Environment(
                loader=loader,
                autoescape=select_autoescape(["html"]),
                extensions=["jinja2.ext.i18n"],
                auto_reload=auto_reload,
            )
            t = translator(locales, lang)
            # The project's messages use {name} placeholders (str.format), not %(name)s, so the
            # callables are installed as given (newstyle=False): Jinja calls them with the
            # keyword values and autoescapes the whole result.
            env.install_gettext_callables(  # type: ignore[attr-defined]
                gettext=t.gettext, ngettext=t.ngettext, newstyle=False
            )
            if configure is not None:
                configure(env)
            self._envs[lang] = env

    def env(self, lang: str) -> Environment:
        return self._envs.get(lang) or self._envs[DEFAULT_LANGUAGE]

    def get_template(self, name: str, lang: str = DEFAULT_LANGUAGE) -> Template:
        return self.env(lang).get_template(name)

    def render(self, name: str, lang: str, context: Mapping[str, Any]) -> str:
        return self.get_template(name, lang).render(context)
