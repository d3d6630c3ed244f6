"""The recruiter asks for "at least N hours in year Y, eligible role" in the console and reads
the verdict in plain words (fr and en): the hours, their year and the role."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.model.cec import role_label
from tests.integration.verifier.conftest import auth
from tests.integration.verifier.test_verifier_pages import _answer_request, sign_in, verdict_of
from tests.unit.verifier.builders import ISSUER, badge, did

NBSP = "\u00a0"


@pytest.fixture
def csrf(client: TestClient, api_key: str) -> str:
    return sign_in(client)


def _trust(client: TestClient, api_key: str, kind: str = "association") -> None:
    body = {"kind": "did", "value": did(ISSUER), "name": "Asso Test", "issuer_kind": kind}
    assert client.post("/trust/issuers", json=body, headers=auth(api_key)).status_code == 201


def _create(client: TestClient, csrf: str, **form: str) -> tuple[str, Any]:
    fields = {f"volunteer-hours-{k}": v for k, v in form.items()}
    created = client.post(
        "/requests?lang=fr",
        data={"template": "volunteer-hours", "csrf_token": csrf, **fields},
        follow_redirects=False,
    )
    if created.status_code != 303:
        return "", created
    location = created.headers["location"]
    return location.split("/requests/")[1].split("?")[0], client.get(location)


def _volunteer(hours: str, role: str, start: str, end: str) -> dict[str, Any]:
    return badge(
        hours=hours,
        subject_extra={
            "role": role_label(role),
            "activityStartDate": f"{start}T09:00:00Z",
            "activityEndDate": f"{end}T18:00:00Z",
        },
    )


def test_the_form_offers_hours_year_and_role(client: TestClient, csrf: str) -> None:
    fr = client.get("/requests/new?lang=fr").text
    assert 'name="volunteer-hours-min_hours"' in fr
    assert 'name="volunteer-hours-year"' in fr
    assert 'name="volunteer-hours-eligible_role"' in fr
    assert "Bénévolat d&#39;au moins N heures dans l&#39;année, rôle éligible" in fr
    assert (
        f"des heures de bénévolat{NBSP}: au moins 200 heures, dans un rôle éligible "
        "(direction ou encadrement)" in fr
    )
    assert "le badge doit venir d&#39;une association inscrite au registre de confiance" in fr
    en = client.get("/requests/new?lang=en").text
    assert "Volunteering of at least N hours in a year, eligible role" in en
    assert "Minimum hours" in en


def test_220_hours_of_supervision_in_2026_meet_200_in_2026(
    client: TestClient, csrf: str, api_key: str
) -> None:
    _trust(client, api_key)
    request_id, page = _create(client, csrf, min_hours="200", year="2026", eligible_role="true")
    assert request_id, page.text
    assert "au moins 200 heures en 2026" in page.text
    _answer_request(
        client, request_id, _volunteer("220", "supervision", "2026-03-01", "2026-06-30")
    )
    fr = client.get(f"/requests/{request_id}?lang=fr").text
    assert (
        f"Il atteste 220 heures en 2026, rôle{NBSP}: encadrement de bénévoles, ce qui répond à "
        f"votre demande{NBSP}: au moins 200 heures en 2026, dans un rôle éligible" in fr
    )
    assert "Heures de bénévolat" in fr
    assert verdict_of(fr) == "verified"
    en = client.get(f"/requests/{request_id}?lang=en").text
    assert (
        "It records 220 hours in 2026, role: supervising other volunteers, which meets what "
        "you asked: at least 200 hours in 2026, in an eligible role" in en
    )


@pytest.mark.parametrize(
    ("credential", "fr_words"),
    [
        (
            _volunteer("220", "other", "2026-03-01", "2026-06-30"),
            f"Il atteste 220 heures en 2026, rôle{NBSP}: autre fonction bénévole, ce qui ne "
            "répond pas",
        ),
        (
            _volunteer("220", "board", "2025-11-01", "2026-02-28"),
            f"Il atteste 220 heures, rôle{NBSP}: membre de l&#39;instance de direction, ce qui "
            "ne répond pas",
        ),
        (
            badge(rating="4.8", name="Note"),
            "Il n&#39;atteste aucune heure de bénévolat (une note ou d&#39;autres nombres ne "
            "sont pas des heures)",
        ),
    ],
    ids=["other-role", "across-two-years", "a-rating"],
)
def test_what_does_not_meet_reads_why(
    client: TestClient, csrf: str, api_key: str, credential: dict[str, Any], fr_words: str
) -> None:
    _trust(client, api_key)
    request_id, _page = _create(client, csrf, year="2026")
    _answer_request(client, request_id, credential)
    fr = client.get(f"/requests/{request_id}?lang=fr").text
    assert fr_words in fr
    assert verdict_of(fr) != "verified"


def test_a_platform_is_not_an_association(client: TestClient, csrf: str, api_key: str) -> None:
    _trust(client, api_key, "platform")
    request_id, _page = _create(client, csrf)
    _answer_request(client, request_id, _volunteer("220", "board", "2026-03-01", "2026-06-30"))
    en = client.get(f"/requests/{request_id}?lang=en").text
    assert "but not as an association: volunteer hours are accepted only from an association" in en
    assert verdict_of(en) != "verified"


@pytest.mark.parametrize("form", [{"year": "l'an dernier"}, {"min_hours": "0"}])
def test_bad_parameters_are_refused_in_plain_words(
    client: TestClient, csrf: str, form: dict[str, str]
) -> None:
    request_id, page = _create(client, csrf, **form)
    assert request_id == ""
    assert page.status_code == 400
    assert "Vérifiez le nombre d&#39;heures minimal" in page.text


def _api_request(client: TestClient, api_key: str, parameters: Any) -> Any:
    return client.post(
        "/oid4vp/requests",
        json={"template": "volunteer-hours", "parameters": parameters},
        headers=auth(api_key),
    )


@pytest.mark.parametrize(
    ("parameters", "fr_words"),
    [
        ({"min_hours": 100, "year": 2025, "eligible_role": False}, "au moins 100 heures en 2025)"),
        (
            {"min_hours": "150", "year": None, "eligible_role": None},
            "au moins 150 heures, dans un rôle éligible (direction ou encadrement))",
        ),
        (None, "au moins 200 heures, dans un rôle éligible (direction ou encadrement))"),
    ],
)
def test_the_api_takes_json_numbers_booleans_and_nulls(
    client: TestClient, csrf: str, api_key: str, parameters: Any, fr_words: str
) -> None:
    created = _api_request(client, api_key, parameters)
    assert created.status_code == 201, created.text
    page = client.get(f"/requests/{created.json()['id']}?lang=fr")
    assert page.status_code == 200
    assert fr_words in page.text


@pytest.mark.parametrize(
    ("parameters", "words"),
    [
        ({"eligible_role": 1}, "true or false"),
        ({"year": 2025.5}, "must be a year"),
        ({"min_hours": "1e400"}, "at most 8784"),
        ({"min_hours": "-1"}, "zero or more"),
        ({"hours": 200}, "takes no parameter"),
    ],
)
def test_bad_api_parameters_are_a_problem(
    client: TestClient, api_key: str, parameters: dict[str, Any], words: str
) -> None:
    resp = _api_request(client, api_key, parameters)
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert words in resp.json()["detail"]
