"""The console's association profile and volunteer issue form (docs/decisions/cec-rules.md), in
French and English."""

from __future__ import annotations

import html as htmllib

import pytest
from fastapi.testclient import TestClient

from issuer.db.models import Offer
from issuer.demo import DEMO_ASSOCIATION_PROFILE
from issuer.service.orgs import get_org
from tests.integration.issuer.conftest import Env
from tests.integration.issuer.test_issuer_pages import form_csrf, get, post, signin


@pytest.fixture
def admin(env: Env) -> TestClient:
    signin(env.client)
    return env.client


def _org(env: Env) -> dict[str, object]:
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        org = get_org(session, "demo-association")
        return {
            "rna": org.rna,
            "siren": org.siren,
            "declared_on": org.declared_on,
            "field": org.activity_field,
            "valideur_email": org.valideur_email,
        }


GOOD = {
    "rna": "W751234567",
    "siren": "732829320",
    "declared_on": "2015-03-01",
    "field": "culturel",
    "valideur_name": "Claire Dupont",
    "valideur_email": "claire@association.example",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_profile_form_saves_the_association(admin: TestClient, env: Env, lang: str) -> None:
    page = htmllib.unescape(get(admin, "/console/organisation", lang).text)
    heading = {
        "fr": "L'association (compte d'engagement citoyen)",
        "en": "The association (Compte d'engagement citoyen)",
    }[lang]
    assert heading in page
    assert {
        "fr": "mise en valeur du patrimoine artistique",
        "en": "enhancing the artistic heritage",
    }[lang] in page
    resp = post(
        admin,
        "/console/profile",
        {"csrf_token": form_csrf(admin, "/console/organisation"), **GOOD},
        lang,
    )
    assert resp.status_code == 303, resp.text
    saved = _org(env)
    assert (saved["rna"], saved["siren"], saved["field"]) == ("W751234567", "732829320", "culturel")
    again = get(admin, "/console/organisation", lang).text
    assert 'value="W751234567"' in again
    assert 'value="culturel" selected' in again


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_profile_form_names_each_wrong_field(admin: TestClient, env: Env, lang: str) -> None:
    bad = {
        **GOOD,
        "rna": "W12",
        "siren": "732829321",
        "field": "commerce",
        "declared_on": "2999-01-01",
    }
    resp = post(
        admin,
        "/console/profile",
        {"csrf_token": form_csrf(admin, "/console/organisation"), **bad},
        lang,
    )
    assert resp.status_code == 422
    text = htmllib.unescape(resp.text)
    expected = {
        "fr": (
            "Un numéro RNA s'écrit W suivi de 9 chiffres",
            "son dernier chiffre ne correspond pas",
            "Choisissez un domaine d'activité",
            "pas dans le futur",
        ),
        "en": (
            "An RNA number is W followed by 9 digits",
            "its last digit did not match",
            "Choose a field of activity",
            "not in the future",
        ),
    }[lang]
    for words in expected:
        assert words in text, words
    assert 'id="rna" name="rna" value="W12"' in text  # what was typed is kept
    # nothing saved, not even the good fields: the demo association's facts are unchanged
    assert _org(env)["rna"] == DEMO_ASSOCIATION_PROFILE["rna"]
    assert _org(env)["valideur_email"] == DEMO_ASSOCIATION_PROFILE["valideur_email"]


def test_the_profile_form_needs_its_csrf_token(admin: TestClient, env: Env) -> None:
    resp = post(admin, "/console/profile", GOOD)
    assert resp.status_code == 403
    assert _org(env)["rna"] == DEMO_ASSOCIATION_PROFILE["rna"]


def _issue(admin: TestClient, lang: str = "fr", **fields: str) -> object:
    path = "/console/achievements/volunteer/issue"
    data = {
        "csrf_token": form_csrf(admin, path),
        "recipient_name": "Léa Dubois",
        "cec_role": "board",
        "year": "2025",
        "hours": "150",
        "formats": ["ldp_vc"],
        "language": lang,
        **fields,
    }
    return post(admin, path, data, lang)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_issue_form_offers_the_closed_role_and_a_civil_year(
    admin: TestClient, env: Env, lang: str
) -> None:
    page = htmllib.unescape(get(admin, "/console/achievements/volunteer/issue", lang).text)
    for words in {
        "fr": (
            "Fonction dans l'association",
            "Encadrement d'autres bénévoles",
            "Une année civile entière",
        ),
        "en": ("Role in the association", "Supervising other volunteers", "A whole civil year"),
    }[lang]:
        assert words in page
    assert page.count('name="cec_role"') == 4
    resp = _issue(admin, lang)
    assert resp.status_code == 303, resp.text  # type: ignore[attr-defined]
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        offer = session.query(Offer).filter(Offer.recipient_name == "Léa Dubois").one()
        assert offer is not None
        subject = offer.subject
    assert subject["cec_role"] == "board"
    assert subject["activity_start_date"].startswith("2025-01-01")
    assert subject["activity_end_date"].startswith("2025-12-31")


@pytest.mark.parametrize(
    ("fields", "fr", "en"),
    [
        (
            {"hours": "9000"},
            "Plus d'heures que la période n'en contient",
            "More hours than the period holds",
        ),
        (
            {"year": "", "start": "2025-03-01", "end": "2025-03-02", "hours": "49"},
            "Plus d'heures que la période",
            "More hours than the period",
        ),
        ({"year": ""}, "Indiquez l'année civile", "Give the civil year"),
        (
            {"year": "", "start": "2024-12-01", "end": "2025-01-31"},
            "délivrez un badge par année",
            "issue one badge per year",
        ),
        ({"hours": ""}, "le CEC les compte", "the CEC counts them"),
        ({"cec_role": "president"}, "Choisissez une fonction", "Choose a role"),
        ({"year": "deux mille"}, "Indiquez une année", "Give a year"),
        ({"start": "2025-01-01"}, "pas les deux", "not both"),
    ],
)
def test_the_issue_form_refuses_what_the_cec_would(
    admin: TestClient, fields: dict[str, str], fr: str, en: str
) -> None:
    for lang, words in (("fr", fr), ("en", en)):
        resp = _issue(admin, lang, **fields)
        assert resp.status_code == 422, resp.text  # type: ignore[attr-defined]
        assert words in htmllib.unescape(resp.text), words  # type: ignore[attr-defined]
