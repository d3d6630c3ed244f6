"""The hostile corpus: cases, their expected outcome, how an outcome is judged, the table.

A case is a family, a name, the line of ``docs/threat-model.md`` it exercises (an id such
as ``TM-JWS-ALG``) and a ``run`` that attacks once and returns a :class:`Verdict`. A case
is *refused correctly* when the attack is refused the way it expects (a failed check it
names, or an HTTP status it names); *accepted wrongly* when the attack worked; *crashed*
when the code under attack raised, answered a 5xx, or reported an unexpected error.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pytest

from shared.encoding import b64url_encode
from shared.keys import PrivateKey
from shared.verify.report import CheckStatus, VerificationReport

#: words that mean the engine hit an exception it did not expect (a crash, reported politely)
CRASH_MARKERS = ("unexpected error", "could not be processed")


class Outcome(StrEnum):
    """What one case came to."""

    REFUSED = "refused correctly"
    ACCEPTED = "accepted wrongly"
    OTHER_REASON = "refused for another reason"
    CRASHED = "crashed"


@dataclass(frozen=True)
class Verdict:
    """The outcome of one attack and what was seen."""

    outcome: Outcome
    seen: str


@dataclass(frozen=True)
class Case:
    """One hostile case: run it, get a verdict."""

    family: str
    name: str
    threat: str
    run: Callable[..., Verdict]
    xfail: str | None = None

    @property
    def id(self) -> str:
        return f"{self.family}/{self.name}"


@dataclass
class Tally:
    """Outcomes per family, for the table in the run's summary."""

    counts: dict[str, dict[Outcome, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    known: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def record(self, case: Case, outcome: Outcome) -> None:
        self.counts[case.family][outcome] += 1
        if case.xfail is not None and outcome is not Outcome.REFUSED:
            self.known[case.family] += 1

    def table(self) -> list[str]:
        """One row per family; "of which known" counts the strict xfails among the failures."""
        head = (
            "family",
            "tried",
            "refused correctly",
            "accepted wrongly",
            "crashed",
            "other reason",
            "of which known (xfail)",
        )
        rows: list[tuple[str, ...]] = []
        totals = [0] * 6
        for family in sorted(self.counts):
            c = self.counts[family]
            values = [
                sum(c.values()),
                c[Outcome.REFUSED],
                c[Outcome.ACCEPTED],
                c[Outcome.CRASHED],
                c[Outcome.OTHER_REASON],
                self.known[family],
            ]
            totals = [a + b for a, b in zip(totals, values, strict=True)]
            rows.append((family, *map(str, values)))
        rows.append(("total", *map(str, totals)))
        widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(head)]
        out = ["hostile corpus (docs/threat-model.md, section Web and protocol attacks)"]
        out.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
        for row in rows:
            cells = [row[0].ljust(widths[0])]
            cells += [v.rjust(w) for v, w in zip(row[1:], widths[1:], strict=True)]
            out.append("  ".join(cells))
        return out


TALLY = Tally()


def judge(case: Case, *args: Any) -> Verdict:
    """Run ``case``; an exception is a crash. Record and return the verdict."""
    try:
        verdict = case.run(*args)
    except Exception as err:
        verdict = Verdict(Outcome.CRASHED, f"{type(err).__name__}: {err}")
    TALLY.record(case, verdict.outcome)
    return verdict


def params(cases: Iterable[Case]) -> list[Any]:
    """pytest parameters, one per case, xfail(strict) where a known hole is marked."""
    out = []
    for case in cases:
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


def assert_refused(case: Case, *args: Any) -> None:
    """The test body of every case."""
    verdict = judge(case, *args)
    assert verdict.outcome is Outcome.REFUSED, f"{case.id}: {verdict.outcome}: {verdict.seen}"


# ------------------------------------------------------------------ judging


def failed_checks(report: VerificationReport) -> dict[str, str]:
    """Failed checks by name, the embedded credentials' too."""
    found = {c.name: c.reason for c in report.checks if c.status is CheckStatus.FAILED}
    for sub in report.credentials:
        for name, reason in failed_checks(sub).items():
            found.setdefault(name, reason)
    return found


def from_report(report: VerificationReport, expect: Collection[str]) -> Verdict:
    """Refused correctly: not verified, and one of the ``expect`` checks failed."""
    failed = failed_checks(report)
    seen = json.dumps(failed, ensure_ascii=False)[:400]
    if any(marker in reason for reason in failed.values() for marker in CRASH_MARKERS):
        return Verdict(Outcome.CRASHED, seen)
    if report.verified:
        return Verdict(Outcome.ACCEPTED, "verified")
    if not failed:
        return Verdict(Outcome.ACCEPTED, "no check failed (not verified only for a skip)")
    if expect and not set(expect) & set(failed):
        return Verdict(Outcome.OTHER_REASON, seen)
    return Verdict(Outcome.REFUSED, seen)


def from_status(status: int, refused: Collection[int], body: str = "") -> Verdict:
    """Refused correctly: an answer whose status is one of ``refused``; a 5xx is a crash."""
    seen = f"HTTP {status}: {body[:300]}"
    if status >= 500:
        return Verdict(Outcome.CRASHED, seen)
    if status in refused:
        return Verdict(Outcome.REFUSED, seen)
    if 400 <= status < 500:
        return Verdict(Outcome.OTHER_REASON, seen)
    return Verdict(Outcome.ACCEPTED, seen)


def refused_if(condition: bool, seen: str) -> Verdict:
    """Refused correctly when ``condition`` holds, accepted wrongly otherwise."""
    return Verdict(Outcome.REFUSED if condition else Outcome.ACCEPTED, seen)


# ------------------------------------------------------------------ building blocks


def fixed_key(label: str, kind: str = "Ed25519") -> PrivateKey:
    """A deterministic key for the corpus."""
    return PrivateKey.from_raw(kind, hashlib.sha256(f"musette-corpus/{label}".encode()).digest())


def b64json(value: Any) -> str:
    return b64url_encode(json.dumps(value, ensure_ascii=False).encode())


def raw_jws(
    header: dict[str, Any] | bytes, payload: dict[str, Any] | bytes, key: PrivateKey
) -> str:
    """A compact JWS over exactly these header and payload bytes (no normalisation)."""
    head = header if isinstance(header, bytes) else json.dumps(header).encode()
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = f"{b64url_encode(head)}.{b64url_encode(body)}"
    return f"{signing_input}.{b64url_encode(key.sign(signing_input.encode('ascii')))}"
