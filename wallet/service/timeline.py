"""The timeline of periods (docs/decisions/timeline-spheres.md): each item on its activity's dates.

Pure computation, no I/O: :func:`item_of` reads one stored credential's period, sphere and proof
strength; :func:`layout` places the items on one scale (percentages of the whole range), groups
them by sphere and finds the gaps where nothing happened. The page draws the result as SVG bars
next to a text list (docs/decisions/timeline-spheres.md gives the sphere mapping).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from shared.verify.report import issuer_is_subject

#: timeline spheres, in the order they are drawn
SPHERES = ("work", "platform", "volunteering", "training")
#: a gap shorter than this is the ordinary space between two periods, not shown
MIN_GAP_DAYS = 31

_VOLUNTEERING = frozenset({"CommunityService", "Membership", "ext:Volunteering"})
_PLATFORM = frozenset({"ext:Gig", "ext:Mission", "ext:Freelance", "ext:PlatformRating"})
_TRAINING = frozenset(
    {
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CoCurricular",
        "Course",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ProfessionalDoctorate",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    }
)


@dataclass
class Item:
    """One credential on the timeline."""

    id: str
    title: str
    issuer_name: str
    start: date
    #: None: still going on (drawn up to today)
    end: date | None
    sphere: str
    #: issued, self-declared, endorsed (self-declared and endorsed) or endorsement
    strength: str
    endorsers: list[str] = field(default_factory=list)
    #: for an endorsement, the credential it endorses
    endorses: str | None = None


@dataclass
class Bar:
    item: Item
    left: float
    width: float


@dataclass
class Gap:
    start: date
    end: date
    left: float
    width: float

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass
class Group:
    sphere: str
    bars: list[Bar]


@dataclass
class Layout:
    start: date
    end: date
    groups: list[Group]
    gaps: list[Gap]
    #: (year, left %) for each 1 January inside the range
    years: list[tuple[int, float]]


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _obj(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}


def sphere_of(achievement_type: Any, *, wallet_sphere: str | None = None, kind: Any = None) -> str:
    """work / platform / volunteering / training (docs/decisions/timeline-spheres.md)."""
    types = {
        str(t)
        for t in (achievement_type if isinstance(achievement_type, list) else [achievement_type])
        if t
    }
    if kind == "volunteering" or types & _VOLUNTEERING:
        return "volunteering"
    if kind in ("gig", "mission") or types & _PLATFORM:
        return "platform"
    if kind == "training" or types & _TRAINING:
        return "training"
    if wallet_sphere == "association":
        return "volunteering"
    return "work"


def period_of(claims: Mapping[str, Any]) -> tuple[date | None, date | None]:
    """OB 3.0 ``activityStartDate``/``activityEndDate``, else ``validFrom``/``validUntil``.

    An issued badge without an activity period is an event: it sits on its ``validFrom`` day
    (``end == start``); only an activity with a start and no end is open-ended."""
    subject = _obj(claims.get("credentialSubject"))
    start, end = _day(subject.get("activityStartDate")), _day(subject.get("activityEndDate"))
    if start or end:
        return (start or end), end
    issued = _day(claims.get("validFrom") or claims.get("issuanceDate") or claims.get("iat"))
    if isinstance(claims.get("iat"), int | float):
        issued = datetime.fromtimestamp(float(claims["iat"])).date()
    return issued, _day(claims.get("validUntil") or claims.get("expirationDate")) or issued


def item_of(
    cred_id: str, claims: Mapping[str, Any], summary: Mapping[str, Any], fallback: date
) -> Item:
    """One stored credential as a timeline item (its endorsements are linked by :func:`build`)."""
    start, end = period_of(claims)
    achievement = _obj(_obj(claims.get("credentialSubject")).get("achievement"))
    types = [str(t) for t in (summary.get("types") or [])]
    is_endorsement = "EndorsementCredential" in types
    if is_endorsement and summary.get("activity_start"):
        start, end = _day(summary.get("activity_start")), _day(summary.get("activity_end"))
    if summary.get("self_declared") or issuer_is_subject(claims):
        strength = "self-declared"
    elif is_endorsement:
        strength = "endorsement"
    else:
        strength = "issued"
    return Item(
        id=cred_id,
        title=str(summary.get("title") or achievement.get("name") or "?"),
        issuer_name=str(summary.get("issuer_name") or summary.get("issuer") or ""),
        start=start or fallback,
        end=end,
        sphere=sphere_of(
            achievement.get("achievementType") or summary.get("achievement_type"),
            wallet_sphere=str(summary.get("sphere") or ""),
            kind=summary.get("experience_kind"),
        ),
        strength=strength,
        endorses=str(summary.get("endorses_credential") or "") or None,
    )


def link_endorsements(items: list[Item], experience_of: Mapping[str, str]) -> None:
    """Mark endorsed items and place each endorsement on the period of what it endorses.

    ``experience_of`` maps an endorsement's id to the self-declared credential it endorses
    (older endorsements only name their experience)."""
    by_id = {i.id: i for i in items}
    for item in items:
        if item.strength != "endorsement":
            continue
        target = by_id.get(item.endorses or experience_of.get(item.id, ""))
        if target is None:
            continue
        item.start, item.end, item.sphere = target.start, target.end, target.sphere
        target.endorsers.append(item.issuer_name)
        if target.strength == "self-declared":
            target.strength = "endorsed"


def _merged(periods: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for start, end in sorted(periods):
        if out and start <= out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def layout(items: list[Item], today: date) -> Layout:
    """Place every item on one scale from the earliest start to today (or the latest end)."""
    if not items:
        return Layout(today, today, [], [], [])
    ends = [i.end or today for i in items]
    start = min(i.start for i in items)
    end = max([today, *ends])
    total = max((end - start).days, 1)

    def pct(day: date) -> float:
        return round((day - start).days / total * 100, 3)

    groups: dict[str, list[Bar]] = {}
    for item in sorted(items, key=lambda i: (i.start, i.end or today, i.title)):
        stop = item.end or today
        left = pct(item.start)
        width = max(round(pct(stop) - left, 3), 0.0)
        groups.setdefault(item.sphere, []).append(Bar(item, left, width))
    order = [s for s in SPHERES if s in groups] + sorted(s for s in groups if s not in SPHERES)
    gaps: list[Gap] = []
    merged = _merged((i.start, i.end or today) for i in items)
    for (_s, prev_end), (next_start, _e) in itertools.pairwise(merged):
        if (next_start - prev_end).days >= MIN_GAP_DAYS:
            gaps.append(Gap(prev_end, next_start, pct(prev_end), pct(next_start) - pct(prev_end)))
    if (today - merged[-1][1]).days >= MIN_GAP_DAYS:
        gaps.append(Gap(merged[-1][1], today, pct(merged[-1][1]), pct(today) - pct(merged[-1][1])))
    years = [(y, pct(date(y, 1, 1))) for y in range(start.year + 1, end.year + 1)]
    return Layout(start, end, [Group(s, groups[s]) for s in order], gaps, years)
