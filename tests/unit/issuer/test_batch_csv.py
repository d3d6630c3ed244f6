"""The CSV batch parser against what spreadsheets export, and against hostile files."""

from __future__ import annotations

import codecs
import csv
import io
import time
from typing import Any

import pytest

from issuer.db.models import Achievement as AchievementRow
from issuer.schemas import BatchOptionsIn
from issuer.service.batch import (
    MAX_CSV_BYTES,
    MAX_ROWS,
    BatchPreview,
    header_key,
    preview_batch,
    results_csv,
    template_csv,
)
from issuer.service.spreadsheet import (
    CsvFileError,
    CsvTooLargeError,
    decode_csv,
    neutralise_formula,
    write_csv,
)
from servicekit.i18n import translator

HOURS = {
    "id": "hours",
    "name": {"fr": "Heures de bénévolat", "en": "Volunteer hours"},
    "result_type": "ext:VolunteerHours",
    "value_min": "0",
}


def badge(*results: dict[str, Any]) -> AchievementRow:
    return AchievementRow(
        id=1,
        org_id=1,
        slug="volunteer",
        achievement_type="CommunityService",
        content={
            "name": {"fr": "Bénévole", "en": "Volunteer"},
            "result_descriptions": list(results),
        },
    )


VOLUNTEER = badge(HOURS)
OPTIONS = BatchOptionsIn(language="fr")


def check(data: bytes | str, achievement: AchievementRow = VOLUNTEER) -> BatchPreview:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return preview_batch(raw, achievement, OPTIONS)


def codes(preview: BatchPreview) -> list[tuple[int, str]]:
    return [(p.line, p.code) for p in preview.problems]


def names(preview: BatchPreview) -> list[str]:
    return [r.offer.recipient.name for r in preview.rows]


# --------------------------------------------------------------------------- what exports look like


def test_french_excel_semicolons_bom_crlf_and_day_first_dates() -> None:
    data = (
        codecs.BOM_UTF8
        + "Nom;Courriel;Rôle;Début;Fin;Heures;Récit\r\n"
        "Léa Dubois;lea@example.org;Encadrante;01/03/2026;30/06/2026;7,5;A encadré\r\n".encode()
    )
    preview = check(data)
    assert preview.ok, preview.problems
    assert preview.delimiter == ";"
    assert preview.encoding == "utf-8"
    subject = preview.rows[0].offer.subject
    assert subject.activity_start_date is not None
    assert subject.activity_start_date.date().isoformat() == "2026-03-01"
    assert subject.results == {"hours": pytest.approx(7.5)}
    assert preview.rows[0].offer.recipient.email == "lea@example.org"


def test_english_commas_quoted_fields_and_quoted_newlines_keep_line_numbers() -> None:
    data = (
        "name,email,narrative\n"
        '"Doe, Alex",alex@example.org,"Line one\r\nline two, with a comma"\n'
        'Sam "Sammy" Lee,,"He said ""hi"""\n'
    )
    preview = check(data)
    assert preview.ok, preview.problems
    assert preview.delimiter == ","
    assert names(preview) == ["Doe, Alex", 'Sam "Sammy" Lee']
    assert preview.rows[0].offer.subject.narrative == "Line one\nline two, with a comma"
    assert preview.rows[1].offer.subject.narrative == 'He said "hi"'
    # the second person starts on line 4 of the file (the first one spans lines 2 and 3)
    assert [r.line for r in preview.rows] == [2, 4]


def test_windows_1252_and_latin_1_fallbacks() -> None:
    cp1252 = "nom;récit\nLéa;l\u2019équipe\n".encode("cp1252")
    preview = check(cp1252)
    assert preview.encoding == "windows-1252"
    assert names(preview) == ["Léa"]
    assert preview.rows[0].offer.subject.narrative == "l\u2019équipe"
    # 0x81 is undefined in Windows-1252: Latin-1 reads every byte
    latin = b"nom\nL\xe9a \x81\n"
    assert decode_csv(latin)[1] == "iso-8859-1"
    # invalid UTF-8 is not an error: it is read as Windows-1252
    assert decode_csv(b"nom\n\xc3\x28\n")[1] == "windows-1252"


def test_utf16_with_bom_and_tabs() -> None:
    data = codecs.BOM_UTF16_LE + "name\temail\nLéa\tlea@example.org\n".encode("utf-16-le")
    preview = check(data)
    assert preview.ok, preview.problems
    assert preview.delimiter == "\t"
    assert names(preview) == ["Léa"]


def test_headers_are_matched_loosely_in_both_languages() -> None:
    assert header_key(" Date de DÉBUT ") == header_key("date_de_debut") == "datededebut"
    data = "NOM COMPLET;E-Mail;Date de début;date de fin;Heures de bénévolat\nLéa;l@x.org;2026-01-01;2026-01-02;3\n"
    preview = check(data)
    assert preview.ok, preview.problems
    assert preview.columns == ["name", "email", "start", "end", "result:hours"]


def test_blank_rows_and_trailing_empty_cells_are_ignored() -> None:
    preview = check("nom;heures;;\n\nLéa;3;;\n;;;\n\nSam;4\nAna\n")
    assert codes(preview) == [(7, "too-few-cells")]
    assert names(preview) == ["Léa", "Sam"]


def test_cr_only_line_endings() -> None:
    assert names(check("nom\rLéa\rSam\r")) == ["Léa", "Sam"]


# --------------------------------------------------------------------------- per-row errors


def test_every_row_is_checked_and_reported_with_its_line() -> None:
    data = (
        "nom;courriel;début;fin;heures\n"
        "Léa;pas-un-mail;31/02/2026;;-1\n"
        ";x@example.org;;;\n"
        "Sam;;2026-05-01;2026-04-01;abc\n"
        "Ana;;;;1e999\n"
        "Ok;;;;NaN\n"
        "Bien;;;;2\n"
    )
    preview = check(data)
    assert not preview.ok
    assert codes(preview) == [
        (2, "bad-email"),
        (2, "bad-date"),
        (2, "bad-number"),
        (3, "missing-name"),
        (4, "end-before-start"),
        (4, "bad-number"),
        (5, "bad-number"),
        (6, "bad-number"),
    ]
    assert names(preview) == ["Bien"]
    t = translator(__import__("issuer.i18n", fromlist=["LOCALES"]).LOCALES, "fr")
    assert (
        preview.problems[0].message(t)
        == "Ligne 2\u00a0: « pas-un-mail » n'est pas une adresse e-mail."
    )


def test_unknown_duplicate_and_missing_columns() -> None:
    preview = check("nom;name;;couleur;;\nLéa;Léa;;bleu;;\n")
    assert codes(preview) == [
        (1, "duplicate-column"),
        (1, "empty-header"),
        (1, "unknown-column"),
    ]
    no_name = check("courriel\nlea@example.org\n")
    assert (1, "no-name-column") in codes(no_name)
    assert not no_name.ok


def test_hours_on_a_badge_without_hours_is_refused() -> None:
    preview = check("nom;heures\nLéa;3\n", badge())
    assert codes(preview) == [(1, "no-hours")]
    assert not preview.ok


def test_other_result_descriptions_are_columns_by_id_or_name() -> None:
    events = {"id": "events", "name": {"fr": "Événements", "en": "Events"}}
    preview = check("nom;événements\nLéa;3\n", badge(HOURS, events))
    assert preview.ok, preview.problems
    assert preview.rows[0].offer.subject.results == {"events": 3}


def test_duplicate_rows_ignore_case_and_spaces() -> None:
    preview = check("nom;courriel\nLéa  Dubois;LEA@example.org\nléa dubois;lea@example.org\nLéa;\n")
    assert codes(preview) == [(3, "duplicate-row")]


def test_control_characters_and_line_breaks_in_a_name() -> None:
    preview = check('nom;récit\n"Léa\nDubois";ok\nSam\x07;ok\nAna;"deux\nlignes"\n')
    assert codes(preview) == [(2, "control-character"), (4, "control-character")]
    assert names(preview) == ["Ana"]


def test_field_lengths() -> None:
    preview = check(
        f"nom;rôle;récit\n{'x' * 201};ok;ok\nSam;{'r' * 501};ok\nAna;ok;{'n' * 10_001}\n"
    )
    assert codes(preview) == [(2, "too-long"), (3, "too-long"), (4, "too-long")]


def test_ragged_rows_and_mixed_delimiters() -> None:
    mixed = check("nom;courriel;heures\nLéa,lea@example.org,3\nSam;sam@example.org;4;extra\n")
    assert codes(mixed) == [(2, "too-few-cells"), (3, "too-many-cells")]
    assert names(mixed) == []


def test_header_only_is_not_a_valid_batch() -> None:
    preview = check("nom;courriel\r\n")
    assert codes(preview) == [(1, "no-rows")]
    assert not preview.ok


def test_formula_cells_are_kept_as_text_in_the_badge() -> None:
    preview = check('nom;rôle\n=1+1;@SUM(A1)\n"=HYPERLINK(""http://x"")";-2\n+33;\tx\n')
    assert names(preview) == ["=1+1", '=HYPERLINK("http://x")', "+33"]


# --------------------------------------------------------------------------- files refused whole


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "workbook"),
        (b"nom\nL\x00a\n", "binary"),
        (b"\xef\xbb\xbfnom\n\xff\xfe\n", "encoding"),
        (b'nom;recit\nLea;"never closed\n', "syntax"),
    ],
)
def test_unreadable_files_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(CsvFileError) as caught:
        check(data)
    assert caught.value.extensions["reason"] == reason
    assert caught.value.status == 422


def test_a_field_longer_than_the_csv_module_allows_is_a_refusal_not_a_crash() -> None:
    with pytest.raises(CsvFileError) as caught:
        check("nom;récit\nLéa;" + "x" * 200_000 + "\n")
    assert caught.value.extensions["reason"] == "syntax"


def test_a_10_mb_file_is_refused_before_it_is_read() -> None:
    data = b"nom\n" + b"x" * (10 * 1024 * 1024)
    started = time.perf_counter()
    with pytest.raises(CsvTooLargeError) as caught:
        check(data)
    assert time.perf_counter() - started < 0.5
    assert caught.value.status == 413
    assert caught.value.extensions["limit"] == MAX_CSV_BYTES


def test_100k_rows_stop_at_the_row_limit() -> None:
    data = b"nom\n" + b"x\n" * 100_000  # 200 kB: under the size limit, far over the rows
    assert len(data) < MAX_CSV_BYTES
    started = time.perf_counter()
    with pytest.raises(CsvTooLargeError) as caught:
        check(data)
    assert time.perf_counter() - started < 1
    assert caught.value.values["limit"] == MAX_ROWS
    assert caught.value.status == 413
    exactly = "nom\n" + "".join(f"P{i}\n" for i in range(MAX_ROWS))
    assert len(check(exactly).rows) == MAX_ROWS


# --------------------------------------------------------------------------- CSV out


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_get_an_apostrophe(start: str) -> None:
    assert neutralise_formula(f"{start}cmd") == f"'{start}cmd"


def test_written_csv_is_safe_and_reads_back() -> None:
    body = write_csv(
        ["nom", "note"], [["=1+1", "a;b"], ["Léa", 'dit "oui"\nfin'], ["-", None]], delimiter=";"
    )
    assert body.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [["nom", "note"], ["'=1+1", "a;b"], ["Léa", 'dit "oui"\nfin'], ["'-", ""]]
    assert b"\r\n" in body


def test_results_csv_neutralises_names_and_emails() -> None:
    from datetime import UTC, datetime

    from issuer.db.models import Offer
    from issuer.settings import IssuerSettings

    settings = IssuerSettings(base_url="http://x", dev=True, wallet_url="http://w")
    offer = Offer(
        id="abc",
        recipient_name="@SUM(1+1)*cmd|' /C calc'!A0",
        recipient_email="+x@example.org",
        expires_at=datetime(2026, 3, 1, tzinfo=UTC),
        batch_line=2,
    )
    t = translator(__import__("issuer.i18n", fromlist=["LOCALES"]).LOCALES, "en")
    rows = list(
        csv.reader(
            io.StringIO(
                results_csv(settings, "http://x/orgs/o", [offer], "en", t).decode("utf-8-sig")
            )
        )
    )
    assert rows[1][1] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows[1][2] == "'+x@example.org"


def test_both_templates_are_valid_batches() -> None:
    for lang in ("fr", "en"):
        preview = check(template_csv(VOLUNTEER, lang))
        assert preview.ok, (lang, preview.problems)
    assert "heures" not in template_csv(badge(), "fr").decode("utf-8-sig")
