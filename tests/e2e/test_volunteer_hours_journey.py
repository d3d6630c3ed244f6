"""docs/decisions/volunteer-hours-template.md: "volunteering of at least N hours in year Y, eligible
role" means what it says, over real HTTP between the three running services, in every format.

The demo association offers volunteer badges through its admin API with a CEC role, the
hours and a period; the wallet receives and presents through its API; the verifier's request
carries the recruiter's minimum and year. Only an ``ext:VolunteerHours`` result counts, in the
asked year, in a board or supervision role, from an issuer the registry lists as an
association.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from musette.up import UpConfig
from tests.e2e.ratings import rating_offer
from tests.e2e.test_journeys import (
    ACHIEVEMENT,
    FORMATS,
    ORG,
    QUERY_IDS,
    Clients,
    _checks,
    _issuer_client,
    _presented,
    _verifier_client,
    _wallet_client,
)

IN_2026 = ("2026-01-05T09:00:00Z", "2026-11-30T18:00:00Z")
IN_2025 = ("2025-01-05T09:00:00Z", "2025-11-30T18:00:00Z")


@pytest.fixture(scope="module")
def clients(stack_config: UpConfig) -> Iterator[Clients]:
    issuer = _issuer_client(stack_config)
    wallet = _wallet_client(stack_config)
    verifier = _verifier_client(stack_config)
    with issuer, wallet, verifier:
        yield Clients(stack_config, issuer, wallet, verifier)


def _volunteer(
    clients: Clients, fmt: str, *, role: str, hours: str, period: tuple[str, str]
) -> str:
    """A volunteer badge from the demo association, through its admin API: its wallet id."""
    body = {
        "achievement": ACHIEVEMENT,
        "recipient": {"name": "Camille Martin"},
        "subject": {
            "cec_role": role,
            "activity_start_date": period[0],
            "activity_end_date": period[1],
            "results": {"hours": hours},
        },
        "formats": [fmt],
    }
    offered = clients.issuer.post(f"/admin/orgs/{ORG}/offers", json=body)
    assert offered.status_code == 201, offered.text
    (cred,) = clients.receive(offered.json()["offer_uri"])
    out: str = cred["id"]
    return out


def _ask(clients: Clients, **parameters: str) -> dict[str, Any]:
    resp = clients.verifier.post(
        "/oid4vp/requests", json={"template": "volunteer-hours", "parameters": parameters}
    )
    assert resp.status_code == 201, resp.text
    out: dict[str, Any] = resp.json()
    return out


def _answer_with(
    clients: Clients, links: dict[str, Any], fmt: str, credential_id: str
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Our wallet answers with this credential; (its answer, the verifier's checks)."""
    pending = clients.open_request(links["request_uri"])
    qid = QUERY_IDS[fmt]
    options = next(q for q in pending["queries"] if q["id"] == qid)["options"]
    assert credential_id in {o["credential_id"] for o in options}
    answer = clients.consent(pending["id"], {qid: {"credential_id": credential_id}})
    result = clients.result(links)
    assert result["status"] == "answered"
    assert result["verified"] is (answer["status"] == 200), result
    return answer, _checks(_presented(result, fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_220_hours_on_the_board_in_2026_meet_200_in_2026(clients: Clients, fmt: str) -> None:
    credential_id = _volunteer(clients, fmt, role="board", hours="220", period=IN_2026)
    links = _ask(clients, min_hours="200", year="2026")
    answer, checks = _answer_with(clients, links, fmt, credential_id)
    assert answer["status"] == 200, answer
    volunteering = checks["volunteering"]
    assert volunteering["status"] == "passed", volunteering
    assert volunteering["details"]["hours"] == "220"
    assert volunteering["details"]["period_year"] == 2026
    assert volunteering["details"]["role"] == "board"
    assert checks["trust"]["status"] == "passed"
    assert checks["trust"]["details"]["issuer_kind"] == "association"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("badge", "why"),
    [
        ({"role": "board", "hours": "199", "period": IN_2026}, "199 hours is fewer than 200"),
        ({"role": "other", "hours": "220", "period": IN_2026}, "not one the CEC counts"),
        ({"role": "board", "hours": "220", "period": IN_2025}, "in 2025, not 2026"),
    ],
    ids=["199-hours", "other-role", "another-year"],
)
def test_what_does_not_meet_200_hours_in_2026_is_refused(
    clients: Clients, fmt: str, badge: dict[str, Any], why: str
) -> None:
    credential_id = _volunteer(clients, fmt, **badge)
    links = _ask(clients, min_hours="200", year="2026")
    answer, checks = _answer_with(clients, links, fmt, credential_id)
    assert answer["status"] == 400, answer
    assert checks["proof"]["status"] == "passed"  # a genuine badge...
    assert checks["trust"]["status"] == "passed"  # ...from the trusted association...
    assert checks["volunteering"]["status"] == "failed"  # ...that is not what was asked
    assert why in checks["volunteering"]["reason"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_rating_is_not_volunteer_hours(
    clients: Clients, stack_config: UpConfig, fmt: str
) -> None:
    """A 4.8/5 rating of 230 ratings from the trusted platform: no number of it is hours, and
    a platform is not an association."""
    (cred,) = clients.receive(rating_offer(stack_config, fmt), sphere="work")
    links = _ask(clients, min_hours="1", eligible_role="false")
    answer, checks = _answer_with(clients, links, fmt, cred["id"])
    assert answer["status"] == 400, answer
    assert checks["volunteering"]["status"] == "failed"
    assert checks["volunteering"]["reason"].startswith("no volunteer hours here")
    assert checks["trust"]["status"] == "failed"
    assert "must be" in checks["trust"]["reason"]


def test_bad_parameters_are_a_problem(clients: Clients) -> None:
    resp = clients.verifier.post(
        "/oid4vp/requests",
        json={"template": "volunteer-hours", "parameters": {"year": "1e9", "min_hours": "100"}},
    )
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert "volunteering.year" in resp.json()["detail"]
