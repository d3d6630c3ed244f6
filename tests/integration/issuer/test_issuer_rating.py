"""A platform issues a rating: an OB 3.0 result described as ext:Rating
on its scale, the number of ratings as ext:RatingCount, the period as activity dates, and in
SD-JWT VC each of average, count and period separately disclosable."""

from __future__ import annotations

import json
from typing import Any

import pytest

from issuer.service.orgs import create_api_key, get_org
from shared.proofs.sd_jwt import parse_disclosure, parse_sd_jwt
from shared.verify.credential import verify_credential
from tests.integration.issuer.conftest import BASE, Env

PERIOD = {
    "activity_start_date": "2026-01-01T00:00:00Z",
    "activity_end_date": "2026-06-30T00:00:00Z",
}


@pytest.fixture
def platform_key(env: Env) -> str:
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        org = get_org(session, "demo-platform")
        assert org.kind == "platform"
        _, key = create_api_key(session, org, "tests", "test", env.clock())
    return key


def _issue(env: Env, key: str, fmt: str, **subject: Any) -> Any:
    body = {
        "achievement": "rating",
        "recipient": {"name": "Samir Haddad"},
        "subject": {"results": {"rating": "4.8", "count": "230"}, **PERIOD, **subject},
        "format": fmt,
        "subject_id": "did:example:samir",
    }
    return env.client.post(
        "/admin/orgs/demo-platform/credentials",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
    )


@pytest.mark.parametrize("fmt", ["ldp_vc", "jwt_vc_json", "dc+sd-jwt"])
def test_a_rating_verifies_in_each_format(env: Env, platform_key: str, fmt: str) -> None:
    resp = _issue(env, platform_key, fmt)
    assert resp.status_code == 201, resp.text
    credential = resp.json()["credential"]
    data = credential if isinstance(credential, str) else json.dumps(credential).encode()
    report = verify_credential(data, env.verify_ctx())
    assert report.verified, [(c.name, c.reason) for c in report.checks]
    assert report.issuer == "did:web:testserver:orgs:demo-platform"


def test_the_rating_in_open_badges_terms(env: Env, platform_key: str) -> None:
    resp = _issue(env, platform_key, "ldp_vc")
    assert resp.status_code == 201, resp.text
    doc = resp.json()["credential"]
    subject = doc["credentialSubject"]
    descriptions = {d["id"]: d for d in subject["achievement"]["resultDescription"]}
    url = f"{BASE}/orgs/demo-platform/achievements/rating"
    rating = descriptions[f"{url}#result-rating"]
    assert rating["type"] == ["ResultDescription"]
    assert rating["resultType"] == "ext:Rating"
    assert (rating["valueMin"], rating["valueMax"]) == ("0", "5")
    assert descriptions[f"{url}#result-count"]["resultType"] == "ext:RatingCount"
    results = {r["resultDescription"]: r["value"] for r in subject["result"]}
    assert results == {f"{url}#result-rating": "4.8", f"{url}#result-count": "230"}
    assert subject["activityStartDate"] == "2026-01-01T00:00:00Z"
    assert subject["activityEndDate"] == "2026-06-30T00:00:00Z"
    # a rating holds a year after its period: then a newer one is expected
    assert doc["validUntil"] == "2027-06-30T00:00:00Z"
    assert doc["issuer"]["name"] == "Plateforme Démo"


def test_sd_jwt_average_count_and_period_are_separately_disclosable(
    env: Env, platform_key: str
) -> None:
    resp = _issue(env, platform_key, "dc+sd-jwt")
    assert resp.status_code == 201, resp.text
    disclosures = [parse_disclosure(d) for d in parse_sd_jwt(resp.json()["credential"]).disclosures]
    named = {d.name: d.value for d in disclosures if d.name is not None}
    assert named["activityStartDate"] == "2026-01-01T00:00:00Z"
    assert named["activityEndDate"] == "2026-06-30T00:00:00Z"
    values = sorted(d.value for d in disclosures if d.name == "value")
    assert values == ["230", "4.8"]  # each result's value has its own disclosure
    elements = [d for d in disclosures if d.is_array_element]
    assert (
        len([e for e in elements if isinstance(e.value, dict) and "resultDescription" in e.value])
        == 2
    )


@pytest.mark.parametrize(
    ("subject", "words"),
    [
        ({"results": {"rating": "6", "count": "230"}}, "at most 5"),
        ({"results": {"rating": "-1"}}, "at least 0"),
        ({"results": {"rating": "4.8", "count": "2.5"}}, "must be whole"),
        ({"activity_start_date": None, "activity_end_date": None}, "needs its period"),
        (
            {"activity_start_date": "2026-07-01T00:00:00Z"},
            "ends before it starts",
        ),
    ],
)
def test_a_rating_that_does_not_hold_together_is_refused(
    env: Env, platform_key: str, subject: dict[str, Any], words: str
) -> None:
    resp = _issue(env, platform_key, "ldp_vc", **subject)
    assert resp.status_code == 400, resp.text
    assert words in resp.json()["detail"]
    # and so is an offer, before anything is signed
    offer = env.client.post(
        "/admin/orgs/demo-platform/offers",
        json={
            "achievement": "rating",
            "recipient": {"name": "Samir Haddad"},
            "subject": {"results": {"rating": "4.8", "count": "230"}, **PERIOD, **subject},
        },
        headers={"Authorization": f"Bearer {platform_key}"},
    )
    assert offer.status_code == 400, offer.text


# ------------------------------------------------------------------ a newer rating replaces


def _verify(env: Env, credential: Any) -> dict[str, Any]:
    data = credential if isinstance(credential, str) else json.dumps(credential).encode()
    report = verify_credential(data, env.verify_ctx())
    return {c.name: (c.status.value, c.reason) for c in report.checks}


def _history(env: Env, key: str, credential_id: str) -> list[dict[str, Any]]:
    resp = env.client.get(
        f"/admin/orgs/demo-platform/credentials/{credential_id}",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert resp.status_code == 200, resp.text
    history: list[dict[str, Any]] = resp.json()["history"]
    return history


@pytest.mark.parametrize("fmt", ["ldp_vc", "dc+sd-jwt"])
def test_a_new_rating_of_the_same_person_supersedes_the_previous_one(
    env: Env, platform_key: str, fmt: str
) -> None:
    first = _issue(env, platform_key, fmt).json()
    assert _verify(env, first["credential"])["status"][0] == "passed"
    second = _issue(
        env,
        platform_key,
        fmt,
        results={"rating": "4.9", "count": "310"},
        activity_start_date="2026-07-01T00:00:00Z",
        activity_end_date="2026-12-31T00:00:00Z",
    ).json()
    status, reason = _verify(env, first["credential"])["status"]
    assert status == "failed"
    assert reason.startswith("superseded by its issuer")
    assert _verify(env, second["credential"])["status"][0] == "passed"
    (event,) = _history(env, platform_key, first["id"])
    assert event["action"] == "supersede"
    assert event["reason"] == f"superseded by {second['id']}"
    # revoking the current rating ends it too (its only entry is the supersession one)
    revoked = env.client.post(
        f"/admin/orgs/demo-platform/credentials/{second['id']}/status",
        json={"action": "revoke", "reason": "fraude aux avis"},
        headers={"Authorization": f"Bearer {platform_key}"},
    )
    assert revoked.status_code == 200, revoked.text
    assert _verify(env, second["credential"])["status"][0] == "failed"


def test_another_persons_rating_is_not_superseded(env: Env, platform_key: str) -> None:
    mine = _issue(env, platform_key, "ldp_vc").json()
    body = {
        "achievement": "rating",
        "recipient": {"name": "Lina Moreau"},
        "subject": {"results": {"rating": "4.1"}, **PERIOD},
        "format": "ldp_vc",
        "subject_id": "did:example:lina",
    }
    theirs = env.client.post(
        "/admin/orgs/demo-platform/credentials",
        json=body,
        headers={"Authorization": f"Bearer {platform_key}"},
    )
    assert theirs.status_code == 201, theirs.text
    assert _verify(env, mine["credential"])["status"][0] == "passed"
    assert _history(env, platform_key, mine["id"]) == []


def test_copies_of_one_offer_in_several_formats_do_not_supersede_each_other(
    env: Env, platform_key: str
) -> None:
    from issuer.schemas import SubjectIn
    from issuer.service.achievements import get_achievement
    from issuer.service.issuance import Holder, issue_credential

    offer = env.client.post(
        "/admin/orgs/demo-platform/offers",
        json={
            "achievement": "rating",
            "recipient": {"name": "Samir Haddad"},
            "subject": {"results": {"rating": "4.8"}, **PERIOD},
            "formats": ["ldp_vc", "jwt_vc_json"],
        },
        headers={"Authorization": f"Bearer {platform_key}"},
    )
    assert offer.status_code == 201, offer.text
    offer_id = offer.json()["offer_id"]
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    subject = SubjectIn.model_validate({"results": {"rating": "4.8"}, **PERIOD})
    with res.sessions.begin() as session:
        org = get_org(session, "demo-platform")
        achievement = get_achievement(session, org, "rating")
        rows = [
            issue_credential(
                session,
                res.key_store(session),
                org,
                f"{BASE}/orgs/demo-platform",
                achievement,
                fmt=fmt,
                recipient_name="Samir Haddad",
                recipient_email=None,
                subject=subject,
                language="fr",
                holder=Holder(did="did:example:samir"),
                now=env.clock(),
                actor="test",
                offer_id=offer_id,
            )
            for fmt in ("ldp_vc", "jwt_vc_json")
        ]
        documents = [r.document for r in rows]
    for text in documents:
        credential = text if not text.startswith("{") else json.loads(text)
        assert _verify(env, credential)["status"][0] == "passed"


@pytest.mark.parametrize("value", ["1e999999999", "1e-999999999"])
def test_a_number_too_large_to_write_out_is_refused(
    env: Env, platform_key: str, value: str
) -> None:
    resp = _issue(env, platform_key, "ldp_vc", results={"rating": "4.8", "count": value})
    assert resp.status_code == 400, resp.text[:300]
    assert "too large or too small" in resp.json()["detail"]
