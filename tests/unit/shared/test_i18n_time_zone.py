"""Times are shown in the person's time zone (Europe/Paris unless named), never in UTC nor
in the server's zone, and in the person's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.i18n import local_datetime, time_zone

WINTER = datetime(2026, 12, 7, 11, 31, 32, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 8, 0, 0, tzinfo=UTC)


def test_paris_time_in_french_and_english() -> None:
    assert local_datetime(WINTER, "fr") == "7 déc. 2026, 12:31:32"
    assert local_datetime(WINTER, "en") == "Dec 7, 2026, 12:31:32\u202fPM"
    assert local_datetime(SUMMER, "fr") == "1 juil. 2026, 10:00:00"  # summer time


def test_a_naive_time_is_utc() -> None:
    assert local_datetime(WINTER.replace(tzinfo=None), "fr") == local_datetime(WINTER, "fr")


def test_a_named_zone_is_used() -> None:
    assert local_datetime(WINTER, "fr", "America/Montreal") == "7 déc. 2026, 06:31:32"


@pytest.mark.parametrize("hostile", ["../../etc/passwd", "Nowhere/City", "", "x" * 500, "UTC\x00"])
def test_an_unknown_or_hostile_zone_falls_back_to_paris(hostile: str) -> None:
    assert time_zone(hostile) == time_zone(None)
    assert local_datetime(WINTER, "fr", hostile) == "7 déc. 2026, 12:31:32"
