"""A log line's time stamp: ``iso_millis`` writes what ``datetime`` writes, to the character."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from servicekit import logs
from servicekit.logs import iso_millis


def _reference(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


@pytest.mark.parametrize(
    "created",
    [
        0.0,
        0.0005,
        0.9994999,
        0.9995,
        0.9999994999,
        0.9999995,  # rounds up into the next second
        1.0000005,  # half a microsecond: to even
        1765150000.0,
        1765150000.9999996,
        1765150000.0009999,
        4102444799.9999995,  # the last half microsecond of 2099
        -0.5,
        -1.0000005,
    ],
)
def test_edges_as_datetime_writes_them(created: float) -> None:
    assert iso_millis(created) == _reference(created)


def test_many_moments_in_any_order_as_datetime_writes_them() -> None:
    rng = random.Random(16)
    moments = [rng.uniform(0, 4e9) for _ in range(20_000)]
    # the same second again and again (the remembered prefix), then another one
    base = float(rng.randrange(1_700_000_000, 1_800_000_000))
    moments += [base + k / 1e6 for k in range(999_000, 1_000_001, 7)]
    moments += [base + 1 + k / 2e6 for k in range(1, 2_000_000, 1_999)]
    for created in moments:
        assert iso_millis(created) == _reference(created), created


def test_the_remembered_second_is_one_entry_and_follows_the_clock() -> None:
    iso_millis(1765150000.25)
    assert logs._SECOND == (1765150000, "2025-12-07T23:26:40")
    assert iso_millis(1765150001.5) == "2025-12-07T23:26:41.500+00:00"
    assert logs._SECOND[0] == 1765150001  # replaced, not added to
    assert iso_millis(1765150000.75) == "2025-12-07T23:26:40.750+00:00"
