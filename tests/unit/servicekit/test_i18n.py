"""servicekit.i18n: compiled catalogues, plurals, weighted Accept-Language, Jinja environments."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import PoFileError, read_po
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import DictLoader
from starlette.requests import Request

from servicekit import i18n
from servicekit.i18n import (
    PageTemplates,
    Translator,
    choose_language,
    compile_catalogue,
    negotiate,
    parse_accept_language,
)

ROOT = Path(__file__).resolve().parents[3]
CATALOGUES = sorted(ROOT.glob("*/locales/*/LC_MESSAGES/messages.po"))


def test_the_four_packages_have_catalogues() -> None:
    packages = {po.parents[3].name for po in CATALOGUES}
    assert packages == {"issuer", "wallet", "verifier", "servicekit"}


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_catalogue_compiles_with_its_plural_rule(po: Path) -> None:
    mo = compile_catalogue(po)
    assert mo[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")  # the .mo magic number
    with po.open("rb") as handle:
        header = read_po(handle).mime_headers
    plural = dict(header).get("Plural-Forms", "")
    lang = po.parents[1].name
    assert plural == (
        "nplurals=2; plural=(n > 1);" if lang == "fr" else "nplurals=2; plural=(n != 1);"
    )


def test_no_compiled_catalogue_is_committed() -> None:
    """The .po files are the source; .mo are built on load, so none can be stale in git."""
    listed = subprocess.run(
        ["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert listed.stdout.strip() == ""


def _po(path: Path, lang: str, entries: str) -> Path:
    po = path / lang / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    plural = "n > 1" if lang == "fr" else "n != 1"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"Plural-Forms: nplurals=2; plural=({plural});\\n"\n\n{entries}',
        encoding="utf-8",
    )
    return po


def test_an_appended_entry_is_picked_up_without_a_build_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSETTE_I18N_CACHE", str(tmp_path / "cache"))
    po = _po(tmp_path / "loc", "fr", 'msgid "Hello"\nmsgstr "Bonjour"\n')
    before = i18n._mo_bytes(po)
    with po.open("a", encoding="utf-8") as handle:
        handle.write('\nmsgid "Goodbye"\nmsgstr "Au revoir"\n')
    after = i18n._mo_bytes(po)
    assert before != after
    assert len(list((tmp_path / "cache").glob("*.mo"))) == 2
    fresh = i18n._load(tmp_path / "loc", "fr")
    assert fresh.gettext("Goodbye") == "Au revoir"


def test_an_unwritable_cache_still_compiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("MUSETTE_I18N_CACHE", str(blocker / "cache"))
    po = _po(tmp_path / "loc", "fr", 'msgid "Hello"\nmsgstr "Bonjour"\n')
    assert i18n._load(po.parents[2], "fr").gettext("Hello") == "Bonjour"


def test_a_broken_catalogue_is_refused(tmp_path: Path) -> None:
    po = _po(tmp_path, "fr", 'msgid "Hello"\nmsgstr "Bonjour"\nbogus line\n')
    with pytest.raises(PoFileError, match="misformatted"):
        compile_catalogue(po)


PLURALS = (
    'msgid "{num} hour"\nmsgid_plural "{num} hours"\n'
    'msgstr[0] "{num} heure"\nmsgstr[1] "{num} heures"\n'
)


@pytest.mark.parametrize(
    ("lang", "count", "text"),
    [
        ("fr", 0, "0 heure"),  # French: n > 1 is plural, so 0 is singular
        ("fr", 1, "1 heure"),
        ("fr", 2, "2 heures"),
        ("en", 0, "0 hours"),
        ("en", 1, "1 hour"),
        ("en", 2, "2 hours"),
    ],
)
def test_plurals_follow_the_language(tmp_path: Path, lang: str, count: int, text: str) -> None:
    if lang == "fr":
        _po(tmp_path, "fr", PLURALS)
    t = Translator(i18n._load(tmp_path, lang), lang)
    assert t.ngettext("{num} hour", "{num} hours", count) == text


def test_the_rate_limit_page_says_one_second_in_the_singular() -> None:
    fr = i18n.translator(i18n.KIT_LOCALES, "fr")
    one = fr.ngettext(
        "Too many attempts in a short time. Wait {seconds} second, then try again.",
        "Too many attempts in a short time. Wait {seconds} seconds, then try again.",
        1,
        seconds=1,
    )
    assert "1 seconde," in one
    many = fr.ngettext(
        "Too many attempts in a short time. Wait {seconds} second, then try again.",
        "Too many attempts in a short time. Wait {seconds} seconds, then try again.",
        30,
        seconds=30,
    )
    assert "30 secondes," in many


def test_a_service_catalogue_falls_back_to_the_kit(tmp_path: Path) -> None:
    _po(tmp_path, "fr", 'msgid "Hello"\nmsgstr "Bonjour"\n')
    t = i18n.translator(tmp_path, "fr")
    assert t("Hello") == "Bonjour"
    assert t("Too many attempts") == "Trop de tentatives"
    assert t("Untranslated {x}", x=1) == "Untranslated 1"


# --- Accept-Language (RFC 9110 §12.5.4) ----------------------------------------------------


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("fr-FR;q=0.8, en;q=0.9", "en"),
        ("en;q=0.9, fr-FR;q=0.8", "en"),
        ("fr-CA", "fr"),
        ("de, en-GB;q=0.7, fr;q=0.3", "en"),
        ("de, *;q=0.5", "fr"),
        ("fr;q=0, *", "en"),
        ("en;q=0, fr;q=0", None),
        ("EN-us", "en"),
        ("fr;q=1.000, en;q=1", "fr"),  # equal weights keep their order
        ("en;q=0.001, de", "en"),
        ("de, it", None),
        ("", None),
        (None, None),
    ],
)
def test_the_weighted_header_decides(header: str | None, chosen: str | None) -> None:
    assert negotiate(header) == chosen


@pytest.mark.parametrize(
    "header",
    [
        "en;q=1.5",  # above 1
        "en;q=-1",
        "en;q=0.9999",  # four decimals
        "en;q=abc",
        "en;q=",
        "en;q",
        "en;level=1",
        "en;q=0.5;q=0.9",
        "e n",
        "english-language-tag",  # a subtag longer than 8
        "en_US",
        "<script>",
        "\x00en",
        "ën",
        ";;;,,,",
        "en\r\nSet-Cookie: x=1",
        "x" * 5000 + ",en",  # over-long header
    ],
)
def test_malformed_members_are_ignored(header: str) -> None:
    assert "en" not in [tag for tag, _ in parse_accept_language(header)]
    assert negotiate(header) is None


def test_a_malformed_member_does_not_hide_the_good_ones() -> None:
    assert negotiate("en;q=2, <x>, fr;q=0.2, en-GB;q=0.5") == "en"


def test_only_the_first_members_are_read() -> None:
    assert negotiate(",".join(["de"] * 40 + ["en"])) is None
    assert negotiate(",".join(["de"] * 10 + ["en"])) == "en"


def test_a_huge_header_is_cheap() -> None:
    assert parse_accept_language("en," * 100_000) == []


def _request(query: str = "", cookie: str | None = None, accept: str | None = None) -> Request:
    headers: list[tuple[bytes, bytes]] = []
    if cookie is not None:
        headers.append((b"cookie", f"musette_lang={cookie}".encode()))
    if accept is not None:
        headers.append((b"accept-language", accept.encode()))
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": query.encode(),
        "headers": headers,
    }
    return Request(scope)


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "chosen"),
    [
        ("", None, None, "fr"),
        ("", None, "fr-FR;q=0.8, en;q=0.9", "en"),
        ("", "fr", "en", "fr"),  # the cookie beats the header
        ("lang=en", "fr", "fr", "en"),  # ?lang= beats everything
        ("lang=de", "xx", "en;q=0.1", "en"),  # unknown choices are ignored
        ("lang=%00", None, "de", "fr"),
    ],
)
def test_query_then_cookie_then_header_then_french(
    query: str, cookie: str | None, accept: str | None, chosen: str
) -> None:
    assert choose_language(_request(query, cookie, accept)) == chosen


# --- Jinja environments --------------------------------------------------------------------


def test_templates_get_gettext_and_ngettext_in_their_language(tmp_path: Path) -> None:
    _po(tmp_path, "fr", 'msgid "Hello {name}"\nmsgstr "Bonjour {name}"\n\n' + PLURALS)
    loader = DictLoader(
        {
            "page.html": "{{ _('Hello {name}', name=who) }} / "
            "{{ ngettext('{num} hour', '{num} hours', n) }}"
        }
    )
    pages = PageTemplates(loader, tmp_path)
    assert "jinja2.ext.InternationalizationExtension" in pages.env("fr").extensions
    fr = pages.render("page.html", "fr", {"who": "<Ana>", "n": 3})
    assert fr == "Bonjour &lt;Ana&gt; / 3 heures"  # values are escaped, as before
    en = pages.render("page.html", "en", {"who": "Ana", "n": 1})
    assert en == "Hello Ana / 1 hour"
    assert pages.render("page.html", "de", {"who": "Ana", "n": 1}).startswith("Bonjour")


@pytest.mark.parametrize(
    ("lang", "amount", "text"),
    [
        ("fr", 1, "au moins 1 heure"),
        ("fr", 1.5, "au moins 1,5 heure"),  # CLDR: French decimals below 2 are singular
        ("fr", 200, "au moins 200 heures"),
        ("en", 1, "at least 1 hour"),
        ("en", 1.5, "at least 1.5 hours"),
        ("en", 0, "at least 0 hours"),
    ],
)
def test_the_verifier_counts_hours_in_the_right_number(lang: str, amount: float, text: str) -> None:
    from verifier.api.page_checks import _volunteering_words
    from verifier.i18n import translator as verifier_translator

    assert _volunteering_words(amount, None, False, verifier_translator(lang), lang) == text


def test_shared_ngettext_falls_back_to_english_rules_for_plain_callables() -> None:
    from shared.i18n import ngettext

    def plain(message: str, **values: object) -> str:
        return message.format(**values)

    assert ngettext(plain, "{num} day", "{num} days", 1) == "1 day"
    assert ngettext(plain, "{num} day", "{num} days", 3) == "3 days"
    fr = i18n.translator(i18n.KIT_LOCALES, "fr")
    many = "Too many attempts in a short time. Wait {seconds} seconds, then try again."
    one = "Too many attempts in a short time. Wait {seconds} second, then try again."
    assert ngettext(fr, one, many, 0, seconds=0).endswith("0 seconde, puis réessayez.")


@given(st.text(max_size=300))
def test_any_header_parses_to_at_most_32_weighted_ranges(header: str) -> None:
    ranges = parse_accept_language(header)
    assert len(ranges) <= 32
    assert all(0 <= q <= 1 for _, q in ranges)
    assert [q for _, q in ranges] == sorted((q for _, q in ranges), reverse=True)
    assert negotiate(header) in (None, "fr", "en")


_NGETTEXT = re.compile(r'ngettext\(\s*(?:_,\s*)?"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"')


@pytest.mark.parametrize("package", ["issuer", "wallet", "verifier", "servicekit"])
def test_every_plural_message_has_both_french_forms(package: str) -> None:
    sources = [*ROOT.joinpath(package).rglob("*.html"), *ROOT.joinpath(package).rglob("*.py")]
    asked = {m.groups() for path in sources for m in _NGETTEXT.finditer(path.read_text())}
    with (ROOT / package / "locales/fr/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    plurals = {
        tuple(m.id): tuple(m.string)
        for m in catalog
        if isinstance(m.id, tuple | list) and isinstance(m.string, tuple | list)
    }
    missing = [pair for pair in asked if not all(plurals.get(pair, ("", "")))]
    assert asked
    assert missing == []
