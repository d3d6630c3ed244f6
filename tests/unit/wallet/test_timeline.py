"""docs/decisions/timeline-spheres.md: the timeline layout (periods, overlaps, open ends, gaps,
spheres)."""

from __future__ import annotations

from datetime import date

import pytest

from wallet.service import timeline
from wallet.service.timeline import Item

TODAY = date(2026, 1, 1)


def _item(
    id: str, start: date, end: date | None, *, sphere: str = "work", strength: str = "issued"
) -> Item:
    return Item(id, id, "Org", start, end, sphere, strength)


def test_bars_sit_on_their_dates_on_one_scale() -> None:
    items = [
        _item("a", date(2022, 1, 1), date(2023, 1, 1)),
        _item("b", date(2022, 7, 1), date(2024, 1, 1)),  # overlaps a
    ]
    out = timeline.layout(items, TODAY)
    total = (TODAY - date(2022, 1, 1)).days
    bars = {b.item.id: b for g in out.groups for b in g.bars}
    assert bars["a"].left == 0
    assert bars["a"].width == pytest.approx(365 / total * 100, abs=0.01)
    assert bars["b"].left == pytest.approx(181 / total * 100, abs=0.01)
    assert bars["b"].left < bars["a"].left + bars["a"].width  # drawn overlapping
    assert out.start == date(2022, 1, 1)
    assert out.end == TODAY
    assert [y for y, _ in out.years] == [2023, 2024, 2025, 2026]


def test_an_open_ended_period_runs_to_today() -> None:
    out = timeline.layout([_item("a", date(2025, 1, 1), None)], TODAY)
    bar = out.groups[0].bars[0]
    assert (bar.left, bar.width) == (0, 100)
    assert out.gaps == []


def test_gaps_between_periods_and_up_to_today_are_found() -> None:
    items = [
        _item("a", date(2020, 1, 1), date(2020, 12, 31)),
        _item("b", date(2021, 1, 10), date(2021, 6, 30)),  # 10 days after a: no gap
        _item("c", date(2022, 1, 1), date(2023, 1, 1)),
        _item("d", date(2022, 3, 1), date(2022, 4, 1)),  # inside c
    ]
    out = timeline.layout(items, TODAY)
    assert [(g.start, g.end) for g in out.gaps] == [
        (date(2021, 6, 30), date(2022, 1, 1)),
        (date(2023, 1, 1), TODAY),
    ]
    first = out.gaps[0]
    assert first.left == pytest.approx(
        next(b.left + b.width for g in out.groups for b in g.bars if b.item.id == "b"), abs=0.01
    )


def test_groups_follow_the_sphere_order() -> None:
    items = [
        _item("t", date(2020, 1, 1), date(2020, 6, 1), sphere="training"),
        _item("w", date(2021, 1, 1), None, sphere="work"),
        _item("v", date(2019, 1, 1), date(2019, 2, 1), sphere="volunteering"),
    ]
    out = timeline.layout(items, TODAY)
    assert [g.sphere for g in out.groups] == ["work", "volunteering", "training"]


def test_empty_timeline() -> None:
    out = timeline.layout([], TODAY)
    assert out.groups == []
    assert out.gaps == []


@pytest.mark.parametrize(
    ("achievement_type", "kind", "wallet_sphere", "sphere"),
    [
        ("CommunityService", None, "work", "volunteering"),
        ("ext:Gig", None, None, "platform"),
        (None, "mission", None, "platform"),
        ("Course", None, None, "training"),
        (["Badge", "Diploma"], None, None, "training"),
        ("Badge", None, "association", "volunteering"),
        ("Badge", None, "work", "work"),
        (None, None, None, "work"),
    ],
)
def test_sphere_mapping(
    achievement_type: object, kind: str | None, wallet_sphere: str | None, sphere: str
) -> None:
    assert timeline.sphere_of(achievement_type, wallet_sphere=wallet_sphere, kind=kind) == sphere


def test_item_period_from_activity_dates_else_validity() -> None:
    claims = {
        "validFrom": "2026-03-01T00:00:00Z",
        "credentialSubject": {"activityStartDate": "2024-02-01T00:00:00Z"},
    }
    item = timeline.item_of("x", claims, {"title": "T"}, TODAY)
    assert (item.start, item.end) == (date(2024, 2, 1), None)
    issued = timeline.item_of(
        "y", {"validFrom": "2025-05-05T10:00:00Z", "validUntil": "2027-01-01T00:00:00Z"}, {}, TODAY
    )
    assert (issued.start, issued.end, issued.strength) == (
        date(2025, 5, 5),
        date(2027, 1, 1),
        "issued",
    )
    event = timeline.item_of("z", {"validFrom": "2025-05-05T10:00:00Z"}, {}, TODAY)
    assert event.start == event.end == date(2025, 5, 5)
    garbage = timeline.item_of(
        "g", {"validFrom": "not a date", "credentialSubject": [7]}, {}, TODAY
    )
    assert garbage.start == TODAY


def test_an_endorsement_sits_on_the_period_it_endorses_and_strengthens_it() -> None:
    experience = timeline.item_of(
        "exp",
        {
            "credentialSubject": {
                "activityStartDate": "2023-01-01T00:00:00Z",
                "activityEndDate": "2024-01-01T00:00:00Z",
            }
        },
        {"source": "self-declared", "self_declared": True, "experience_kind": "gig"},
        TODAY,
    )
    endorsement = timeline.item_of(
        "end",
        {"validFrom": "2026-02-02T00:00:00Z"},
        {"types": ["VerifiableCredential", "EndorsementCredential"], "issuer_name": "Bob"},
        TODAY,
    )
    assert endorsement.start == date(2026, 2, 2)
    timeline.link_endorsements([experience, endorsement], {"end": "exp"})
    assert (endorsement.start, endorsement.end) == (date(2023, 1, 1), date(2024, 1, 1))
    assert endorsement.sphere == experience.sphere == "platform"
    assert experience.strength == "endorsed"
    assert experience.endorsers == ["Bob"]
    assert endorsement.strength == "endorsement"
