"""The CSV batch's volunteer columns (docs/decisions/cec-rules.md): the closed role, the civil year
or dates within one, and hours the period can hold."""

from __future__ import annotations

import pytest

from tests.unit.issuer.test_batch_csv import check, codes

HEADER_FR = "nom;rôle;année;début;fin;heures\n"
HEADER_EN = "name,role,year,start,end,hours\n"


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("bureau", "board"),
        ("Encadrement", "supervision"),
        ("autre", "other"),
        ("board", "board"),
        ("Membre de l'instance de direction (conseil d'administration, bureau…)", "board"),
        ("Supervising other volunteers", "supervision"),
    ],
)
def test_roles_in_words_codes_or_labels(role: str, code: str) -> None:
    preview = check(HEADER_FR + f"Léa;{role};2025;;;150\n")
    assert codes(preview) == []
    subject = preview.rows[0].offer.subject
    assert (subject.cec_role, subject.role) == (code, None)
    assert subject.activity_start_date is not None
    assert subject.activity_end_date is not None
    assert (
        subject.activity_start_date.date().isoformat(),
        subject.activity_end_date.date().isoformat(),
    ) == ("2025-01-01", "2025-12-31")


def test_a_free_text_role_is_kept_as_text() -> None:
    preview = check(HEADER_FR + "Léa;Trésorière adjointe;;;;12\n")
    assert codes(preview) == []
    subject = preview.rows[0].offer.subject
    assert (subject.cec_role, subject.role) == (None, "Trésorière adjointe")


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ("Léa,board,2025,,,9000", "hours-exceed-period"),
        ("Léa,board,,2025-03-01,2025-03-02,49", "hours-exceed-period"),
        ("Léa,board,,,,150", "cec-needs-period"),
        ("Léa,supervision,2025,,,", "cec-needs-hours"),
        ("Léa,board,,2024-12-01,2025-01-31,150", "period-not-one-year"),
        ("Léa,board,2025,2025-01-01,,150", "year-and-dates"),
        ("Léa,board,deux mille,,,150", "bad-year"),
        ("Léa,board,٢٠٢٥,,,150", "bad-year"),
        ("Léa,board,20250,,,150", "bad-year"),
    ],
)
def test_what_the_cec_would_refuse_is_a_line_problem(row: str, code: str) -> None:
    preview = check(HEADER_EN + row + "\n")
    assert (2, code) in codes(preview), codes(preview)
    assert preview.rows == []


def test_the_hours_a_period_holds_pass() -> None:
    preview = check(HEADER_EN + "Léa,board,,2025-03-01,2025-03-02,48\n")
    assert codes(preview) == []
