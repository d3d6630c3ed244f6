"""The ``rating`` template over OpenID4VP: only a rating, on its scale, from a trusted platform.

Every negative case (hours offered as a rating, a rating on another scale,
a rating past its period, an untrusted platform) in each format, and the recruiter's choice
of threshold and scale.
"""

from __future__ import annotations

from typing import Any, TypedDict

import pytest
from fastapi.testclient import TestClient

from tests.integration.verifier.conftest import auth
from tests.integration.verifier.test_verifier_oid4vp import (
    FORMATS,
    _answer,
    _new,
    _present,
    _request_object,
)
from tests.unit.verifier.builders import (
    HOLDER_P256,
    ISSUER,
    badge,
    did,
    sd_jwt_presentation,
    sd_jwt_vc,
)


def _trust(client: TestClient, key: str, issuer_kind: str | None = "platform") -> None:
    body: dict[str, Any] = {"kind": "did", "value": did(ISSUER), "name": "Plateforme Test"}
    if issuer_kind is not None:
        body["issuer_kind"] = issuer_kind
    resp = client.post("/trust/issuers", json=body, headers=auth(key))
    assert resp.status_code == 201, resp.text
    assert resp.json()["issuer_kind"] == issuer_kind


def _ask(client: TestClient, key: str, **parameters: str) -> tuple[dict[str, Any], Any]:
    resp = client.post(
        "/oid4vp/requests",
        json={"template": "rating", "parameters": parameters or None},
        headers=auth(key),
    )
    assert resp.status_code == 201, resp.text
    links = resp.json()
    return links, _request_object(client, links)


def _result(client: TestClient, links: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = client.get(
        links["result_url"].removeprefix("https://verifier.example")
    ).json()
    return out


def _checks(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {c["name"]: c for c in report.get("checks", [])}
    for sub in report.get("credentials", []):
        found.update(_checks(sub))
    return found


def _answered(
    client: TestClient, key: str, fmt: str, credential: dict[str, Any], **parameters: str
) -> tuple[int, dict[str, Any]]:
    links, obj = _ask(client, key, **parameters)
    qid, presentation = _present(fmt, credential, obj)
    resp = _answer(client, obj, {qid: [presentation]})
    result = _result(client, links)
    assert result["status"] == "answered"
    (report,) = result["result"]["presentations"][qid]
    return resp.status_code, report


class RatingBadge(TypedDict):
    """badge() arguments of a rated badge."""

    rating: str
    count: str
    achievement_type: str


RATING: RatingBadge = {"rating": "4.8", "count": "230", "achievement_type": "Achievement"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("parameters", "ok"),
    [
        ({}, True),  # the default: at least 4.5 out of 5
        ({"minimum": "4.5", "scale": "5"}, True),
        ({"minimum": "9", "scale": "10"}, True),
        ({"minimum": "4.8", "scale": "5"}, True),  # exactly the threshold
        ({"minimum": "4.9", "scale": "5"}, False),
        ({"minimum": "97", "scale": "100"}, False),
    ],
    ids=["default", "4.5/5", "9/10", "4.8/5", "4.9/5", "97/100"],
)
def test_a_4_8_out_of_5_rating_against_thresholds(
    client: TestClient, api_key: str, fmt: str, parameters: dict[str, str], ok: bool
) -> None:
    _trust(client, api_key)
    status, report = _answered(client, api_key, fmt, badge(**RATING), **parameters)
    assert (status == 200) is ok, report
    rating = _checks(report)["rating"]
    assert rating["status"] == ("passed" if ok else "failed"), rating
    assert "4.8 out of 5" in rating["reason"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_hours_offered_as_a_rating_are_refused(client: TestClient, api_key: str, fmt: str) -> None:
    """The bug: 220 volunteer hours passed "a rating of at least 4.5"."""
    _trust(client, api_key)
    status, report = _answered(client, api_key, fmt, badge(hours="220"))
    assert status == 400
    rating = _checks(report)["rating"]
    assert rating["status"] == "failed"
    assert rating["reason"].startswith("no rating here")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_count_of_ratings_is_not_a_rating(client: TestClient, api_key: str, fmt: str) -> None:
    _trust(client, api_key)
    credential = badge(count="230", achievement_type="Achievement")
    status, report = _answered(client, api_key, fmt, credential)
    assert status == 400
    assert _checks(report)["rating"]["status"] == "failed"


@pytest.mark.parametrize(
    ("rating", "scale", "ok"),
    [
        ("9.6", ("0", "10"), True),  # 4.8 out of 5 on a scale of 10
        ("8", ("0", "10"), False),  # 8/10 is 4 out of 5
        ("96", ("0", "100"), True),
        ("4.5", ("1", "5"), True),  # a 1-to-5 star scale: 4.5 out of 5 is 4.5 out of 5
        ("6", ("0", "5"), False),  # outside its own scale
        ("4.8", None, False),  # no scale: cannot be compared
        ("1", ("-2", "2"), False),  # a scale below zero has no "out of" reading
    ],
)
def test_a_rating_on_another_scale_is_normalised(
    client: TestClient, api_key: str, rating: str, scale: tuple[str, str] | None, ok: bool
) -> None:
    _trust(client, api_key)
    credential = badge(rating=rating, scale=scale, achievement_type="Achievement")
    status, report = _answered(client, api_key, "jwt_vc_json", credential)
    assert (status == 200) is ok, report
    assert _checks(report)["rating"]["status"] == ("passed" if ok else "failed")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_rating_past_its_period_is_refused(client: TestClient, api_key: str, fmt: str) -> None:
    """The platform says until when its rating holds (validUntil); after that it is refused,
    however good the rating."""
    _trust(client, api_key)
    credential = badge(**RATING, valid_until="2026-06-30T00:00:00Z")
    status, report = _answered(client, api_key, fmt, credential)
    assert status == 400
    checks = _checks(report)
    assert checks["validity"]["status"] == "failed"
    assert checks["rating"]["status"] == "passed"  # the number alone would have passed


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_untrusted_platform_is_refused(client: TestClient, api_key: str, fmt: str) -> None:
    status, report = _answered(client, api_key, fmt, badge(**RATING))
    assert status == 400
    trust = _checks(report)["trust"]
    assert trust["status"] == "failed"
    assert "not in the trust registry" in trust["reason"]


@pytest.mark.parametrize("issuer_kind", ["association", None])
def test_a_trusted_issuer_that_is_not_a_platform_is_refused(
    client: TestClient, api_key: str, issuer_kind: str | None
) -> None:
    _trust(client, api_key, issuer_kind)
    status, report = _answered(client, api_key, "ldp_vc", badge(**RATING))
    assert status == 400
    trust = _checks(report)["trust"]
    assert trust["status"] == "failed"
    assert "must be a platform" in trust["reason"]
    assert trust["details"]["required_kinds"] == ["platform"]


def test_sd_jwt_with_only_the_average_disclosed(client: TestClient, api_key: str) -> None:
    """The worker shows the average and keeps the number of ratings and the period to
    themselves: the verifier accepts it and its report holds no count."""
    _trust(client, api_key)
    credential = badge(**RATING)
    credential["credentialSubject"]["activityStartDate"] = "2026-01-01T00:00:00Z"
    credential["credentialSubject"]["activityEndDate"] = "2026-06-30T00:00:00Z"
    links, obj = _ask(client, api_key)
    presentation = sd_jwt_presentation(
        sd_jwt_vc(credential),
        nonce=obj["nonce"],
        audience=obj["client_id"],
        disclose=(
            ("credentialSubject",),
            ("credentialSubject", "result", 0),
            ("credentialSubject", "result", 0, "value"),
        ),
        holder=HOLDER_P256,
    )
    resp = _answer(client, obj, {"badge_sd_jwt": [presentation]})
    assert resp.status_code == 200, resp.text
    (report,) = _result(client, links)["result"]["presentations"]["badge_sd_jwt"]
    (credential_report,) = report.get("credentials") or [report]
    assert _checks(report)["rating"]["status"] == "passed"
    subject = credential_report["credential"]["credentialSubject"]
    assert [r.get("value") for r in subject["result"]] == ["4.8"]
    assert "230" not in [str(r.get("value")) for r in subject["result"]]  # no count disclosed
    assert "activityStartDate" not in subject
    assert "activityEndDate" not in subject


@pytest.mark.parametrize(
    "parameters",
    [
        {"minimum": "6", "scale": "5"},
        {"minimum": "abc"},
        {"scale": "0"},
        {"minimum": "-1"},
        {"minimum": "NaN"},
        {"minimum": "1e999999"},
        {"threshold": "4"},
        {"minimum": "1" * 50},
    ],
)
def test_bad_parameters_are_a_problem_not_a_request(
    client: TestClient, api_key: str, parameters: dict[str, str]
) -> None:
    resp = client.post(
        "/oid4vp/requests",
        json={"template": "rating", "parameters": parameters},
        headers=auth(api_key),
    )
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["detail"]


def test_other_templates_take_no_parameters(client: TestClient, api_key: str) -> None:
    resp = client.post(
        "/oid4vp/requests",
        json={"template": "any-badge", "parameters": {"minimum": "4"}},
        headers=auth(api_key),
    )
    assert resp.status_code == 400
    assert "takes no parameter" in resp.json()["detail"]


def test_the_request_keeps_its_parameters(client: TestClient, api_key: str) -> None:
    """A request made for "9 out of 10" is judged by 9 out of 10, whatever the default."""
    _trust(client, api_key)
    links = _new(client, api_key, "rating")
    assert links["id"]
    templates = client.get("/oid4vp/templates").json()["templates"]
    (rating,) = [t for t in templates if t["name"] == "rating"]
    assert rating["parameters"] == ["minimum", "scale"]
    assert rating["policy"]["rating"] == {"minimum": "4.5", "scale": "5"}
    assert rating["policy"]["issuer_kinds"] == ["platform"]


def test_a_dropped_in_credential_is_judged_by_a_rating_policy(
    client: TestClient, api_key: str
) -> None:
    """POST /verifications takes the same policy: a recruiter may check a rating file too."""
    from tests.unit.verifier.builders import ldp_vc

    _trust(client, api_key)
    policy = {"issuer_kinds": ["platform"], "rating": {"minimum": "9", "scale": "10"}}
    for credential, ok in ((badge(**RATING), True), (badge(hours="220"), False)):
        resp = client.post(
            "/verifications",
            json={"credential": ldp_vc(credential), "policy": policy},
            headers=auth(api_key),
        )
        assert resp.status_code == 200, resp.text
        out = resp.json()
        assert out["verified"] is ok, out
        assert out["policy"]["rating"] == {"minimum": "9", "scale": "10"}
        assert _checks(out)["rating"]["status"] == ("passed" if ok else "failed")


@pytest.mark.parametrize("issuer_kind", ["pirate", "Platform", 7])
def test_the_registry_refuses_an_unknown_issuer_kind(
    client: TestClient, api_key: str, issuer_kind: Any
) -> None:
    body = {"kind": "did", "value": did(ISSUER), "name": "X", "issuer_kind": issuer_kind}
    resp = client.post("/trust/issuers", json=body, headers=auth(api_key))
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")


def test_the_registry_sets_an_issuer_kind_later(client: TestClient, api_key: str) -> None:
    _trust(client, api_key, None)
    (entry,) = [
        e
        for e in client.get("/trust/issuers", headers=auth(api_key)).json()["issuers"]
        if e["value"] == did(ISSUER)
    ]
    assert entry["issuer_kind"] is None
    patched = client.patch(
        f"/trust/issuers/{entry['id']}", json={"issuer_kind": "platform"}, headers=auth(api_key)
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["issuer_kind"] == "platform"
    assert patched.json()["name"] == "Plateforme Test"  # the rest is kept
    status, _report = _answered(client, api_key, "jwt_vc_json", badge(**RATING))
    assert status == 200


# ------------------------------------------------------------- the other templates, likewise


def _answer_template(
    client: TestClient, key: str, template: str, fmt: str, credential: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    links = _new(client, key, template)
    obj = _request_object(client, links)
    qid, presentation = _present(fmt, credential, obj)
    resp = _answer(client, obj, {qid: [presentation]})
    return resp.status_code, _result(client, links)["result"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("template", ["volunteering", "work-experience"])
def test_a_rating_is_not_volunteering_nor_work_experience(
    client: TestClient, api_key: str, fmt: str, template: str
) -> None:
    _trust(client, api_key)
    status, result = _answer_template(client, api_key, template, fmt, badge(**RATING))
    assert status == 400
    assert result["dcql_problems"], result  # achievementType is not one the template asks


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("template", ["volunteering", "work-experience", "any-badge", "rating"])
def test_every_template_refuses_a_badge_past_its_validity(
    client: TestClient, api_key: str, fmt: str, template: str
) -> None:
    _trust(client, api_key)
    kinds = {"work-experience": "ext:WorkExperience", "rating": "Achievement"}
    credential = badge(
        achievement_type=kinds.get(template, "CommunityService"),
        valid_until="2026-06-30T00:00:00Z",
        rating="4.8" if template == "rating" else None,
        hours=None if template == "rating" else "40",
    )
    status, result = _answer_template(client, api_key, template, fmt, credential)
    assert status == 400
    (report,) = next(iter(result["presentations"].values()))
    assert _checks(report)["validity"]["status"] == "failed"
