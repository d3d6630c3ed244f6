"""French and English: the languages, localised dates and numbers, French name forms.
Framework-free; catalogues, language negotiation and templates are in ``servicekit.i18n``."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANG_COOKIE = "musette_lang"
#: where Musette's people are unless they say otherwise (never UTC, never the server's zone)
DEFAULT_TIME_ZONE = "Europe/Paris"
TZ_COOKIE = "musette_tz"
#: the reader's IANA zone for this request (set by servicekit.timezone from ``TZ_COOKIE``)
READER_ZONE: ContextVar[str | None] = ContextVar("musette_reader_zone", default=None)

Gettext = Callable[..., str]


def ngettext(gettext: Gettext, singular: str, plural: str, num: float, **values: object) -> str:
    """``singular`` or ``plural`` for ``num`` in ``gettext``'s language: its own ``ngettext``
    (catalogue plural rules) when it has one, else English's (``{num}`` is filled in)."""
    chooser = getattr(gettext, "ngettext", None)
    if callable(chooser):
        return str(chooser(singular, plural, num, **values))
    values.setdefault("num", num)
    return gettext(singular if num == 1 else plural, **values)


def local_date(value: date | datetime, lang: str) -> str:
    """A date as people write it in ``lang`` (21 novembre 2026 / November 21, 2026)."""
    return str(format_date(value, format="long", locale=lang))


@cache
def time_zone(name: str | None) -> tzinfo:
    """The IANA zone ``name`` when it is one, else Europe/Paris (hostile names included)."""
    if (
        name
        and len(name) <= 64
        and name.replace("/", "").replace("_", "").replace("-", "").isalnum()
    ):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(DEFAULT_TIME_ZONE)


def local_datetime(value: datetime, lang: str, zone: str | None = None) -> str:
    """A date and time as people write them in ``lang``, in their time zone (naive = UTC):
    ``zone``, else the reader's (``READER_ZONE``), else Europe/Paris."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    place = time_zone(zone or READER_ZONE.get())
    return str(format_datetime(aware.astimezone(place), format="medium", tzinfo=place, locale=lang))


def local_number(value: float, lang: str) -> str:
    """A number with the decimal separator of ``lang`` (4,5 / 4.5)."""
    return str(format_decimal(value, locale=lang))


# French articles before an organisation's name: "l'Association Démo", "la Fondation X",
# "le Club Y", or none for a proper name ("Emmaüs"). Keys are the name's first word.
_ELIDED = frozenset(
    [
        "association",
        "école",
        "ecole",
        "entreprise",
        "université",
        "universite",
        "agence",
        "amicale",
        "académie",
        "academie",
        "institut",
        "office",
        "union",
        "église",
        "eglise",
        "hôpital",
        "hopital",
        "assemblée",
        "assemblee",
    ]
)
_FEMININE = frozenset(
    [
        "fondation",
        "fédération",
        "federation",
        "mairie",
        "maison",
        "société",
        "societe",
        "compagnie",
        "ville",
        "coopérative",
        "cooperative",
        "communauté",
        "communaute",
        "chorale",
        "banque",
        "ligue",
        "croix",
    ]
)
_MASCULINE = frozenset(
    [
        "collectif",
        "club",
        "centre",
        "comité",
        "comite",
        "cercle",
        "groupe",
        "syndicat",
        "musée",
        "musee",
        "conseil",
        "théâtre",
        "theatre",
        "foyer",
        "secours",
    ]
)


def french_name_forms(name: str) -> dict[str, str]:
    """``name`` as a French sentence needs it: subject, after "de", after "à".

    >>> french_name_forms("Association Démo")["of_org"]
    "de l'Association Démo"
    """
    first = name.split(" ", 1)[0].lower()
    if first in _ELIDED:
        the, of, to = f"l'{name}", f"de l'{name}", f"à l'{name}"
    elif first in _FEMININE:
        the, of, to = f"la {name}", f"de la {name}", f"à la {name}"
    elif first in _MASCULINE:
        the, of, to = f"le {name}", f"du {name}", f"au {name}"
    else:
        vowel = bool(name) and name[0].lower() in "aeiouyhàâéèêëîïôöûüœ"
        the, of, to = name, (f"d'{name}" if vowel else f"de {name}"), f"à {name}"
    return {"the_org": the[:1].upper() + the[1:], "of_org": of, "to_org": to}
