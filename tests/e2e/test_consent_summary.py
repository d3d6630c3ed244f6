"""What the person is shown before consenting is exactly what the recruiter receives,
for every request template of the verifier and every format, through
the real issuer, wallet and verifier over HTTP (tests/stack.py), with direct_post and with
the encrypted direct_post.jwt (which the verifier decrypts before reading).

For each case: the wallet's summary (``POST /api/presentations/{id}/preview``, what the
consent page renders) names one credential for the one credential set of the request; the
verifier's decoded ``vp_token`` holds exactly that credential for that query, and its claims
are the summary's claims, the same facts in words in French and in English.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

from musette.up import UpConfig
from tests.demo_clients import demo_issuer_client
from tests.e2e.ratings import rating_offer
from verifier.service.templates import TEMPLATES
from wallet.disclosure import readable_facts
from wallet.i18n import translator

ORG = "demo-association"
FORMATS = ("ldp_vc", "jwt_vc_json", "dc+sd-jwt")
PASSWORD = "correct horse battery staple"
WORK = "e2e-work-experience"
#: which of the person's badges answers each template
BADGE_OF = {
    "volunteering": "volunteer",
    "volunteer-hours": "cec-volunteer",  # 220 hours on the board in 2026
    "any-badge": "volunteer",
    "rating": "rating",  # a fresh one per case (a newer rating supersedes the older)
    "work-experience": "work",
    "endorsement": "endorsement",
}


def _cases() -> list[tuple[str, str]]:
    cases = []
    for name, template in TEMPLATES.items():
        for query in template.dcql["credentials"]:
            # a colleague's endorsement is signed as a Data Integrity credential only
            if name == "endorsement" and query["format"] != "ldp_vc":
                continue
            cases.append((name, query["format"]))
    return cases


@dataclass
class Person:
    wallet: httpx2.Client
    #: badge kind -> format -> wallet credential id
    badges: dict[str, dict[str, str]]


def new_account(base: str, email: str) -> httpx2.Client:
    with httpx2.Client(base_url=base, timeout=30) as anon:
        made = anon.post("/api/accounts", json={"email": email, "password": PASSWORD})
        assert made.status_code == 201, made.text
        session = anon.post("/api/session", json={"email": email, "password": PASSWORD})
        assert session.status_code == 200, session.text
        token = anon.post(
            "/api/tokens",
            json={"name": "e2e"},
            headers={"X-CSRF-Token": session.json()["csrf_token"]},
        )
        assert token.status_code == 201, token.text
    return httpx2.Client(
        base_url=base, timeout=60, headers={"Authorization": f"Bearer {token.json()['token']}"}
    )


def accept_offer(wallet: httpx2.Client, offer_uri: str) -> str:
    """Receive the one credential of an offer; its id in the wallet."""
    opened = wallet.post("/api/offers", json={"offer": offer_uri})
    assert opened.status_code == 201, opened.text
    accepted = wallet.post(f"/api/offers/{opened.json()['id']}/accept", json={})
    assert accepted.status_code == 201, accepted.text
    (cred,) = accepted.json()["credentials"]
    out: str = cred["id"]
    return out


def receive_badge(
    issuer: httpx2.Client, wallet: httpx2.Client, achievement: str, cec: bool = False
) -> dict[str, str]:
    """The badge in each format (one offer per format: the wallet keeps one per offer);
    ``cec``: with a CEC role (board) and a period in 2026."""
    subject: dict[str, Any] = {"role": "Encadrante bénévole"}
    if cec:
        subject = {
            "cec_role": "board",
            "activity_start_date": "2026-01-05T09:00:00Z",
            "activity_end_date": "2026-11-30T18:00:00Z",
        }
    if achievement == "volunteer":
        subject["results"] = {"hours": "220"}
    out = {}
    for fmt in FORMATS:
        offer = issuer.post(
            f"/admin/orgs/{ORG}/offers",
            json={
                "achievement": achievement,
                "recipient": {"name": "Camille Martin"},
                "subject": subject,
                "formats": [fmt],
            },
        )
        assert offer.status_code == 201, offer.text
        out[fmt] = accept_offer(wallet, offer.json()["offer_uri"])
    return out


def endorsed(person: httpx2.Client, colleague: httpx2.Client) -> str:
    experience = person.post(
        "/api/experiences",
        json={
            "title": "Développeuse",
            "organisation": "ACME",
            "start_date": "2022-01-03",
        },
    )
    assert experience.status_code == 201, experience.text
    link = person.post(f"/api/experiences/{experience.json()['id']}/requests")
    assert link.status_code == 201, link.text
    token = link.json()["url"].rsplit("/endorse/", 1)[1]
    done = colleague.post(
        f"/api/endorse/{token}", json={"comment": "Une collègue remarquable.", "name": "Bob Martin"}
    )
    assert done.status_code == 201, done.text
    got = person.get(f"/api/experiences/{experience.json()['id']}").json()
    (endorsement,) = got["endorsements"]
    return str(endorsement["credential_id"])


@pytest.fixture(scope="module")
def person(stack_config: UpConfig) -> Iterator[Person]:
    base = stack_config.base_url("wallet")
    suffix = secrets.token_hex(4)
    with (
        demo_issuer_client(stack_config, "e2e-consent") as issuer,
        new_account(base, f"consent-{suffix}@example.org") as wallet,
        new_account(base, f"colleague-{suffix}@example.org") as colleague,
    ):
        made = issuer.post(
            f"/admin/orgs/{ORG}/achievements",
            json={
                "id": WORK,
                "achievement_type": "ext:WorkExperience",
                "name": {"fr": "Expérience — animation", "en": "Experience — facilitation"},
                "description": {"fr": "Animation d'ateliers.", "en": "Running workshops."},
                "criteria": {"fr": "Six mois d'animation.", "en": "Six months of workshops."},
            },
        )
        assert made.status_code in {201, 409}, made.text
        badges = {
            "volunteer": receive_badge(issuer, wallet, "volunteer"),
            "cec-volunteer": receive_badge(issuer, wallet, "volunteer", cec=True),
            "work": receive_badge(issuer, wallet, WORK),
            "endorsement": {"ldp_vc": endorsed(wallet, colleague)},
        }
        yield Person(wallet, badges)


def verifier_client(config: UpConfig) -> httpx2.Client:
    key = (config.data_dir / "verifier" / "demo-recruiter-api-key.txt").read_text().strip()
    return httpx2.Client(
        base_url=config.base_url("verifier"), timeout=60, headers={"Authorization": f"Bearer {key}"}
    )


def _facts(claims: Any, fmt: str, lang: str) -> list[dict[str, str]]:
    return readable_facts(claims, fmt, lang, translator(lang))


@pytest.mark.parametrize("mode", ["direct_post", "direct_post.jwt"])
@pytest.mark.parametrize(("template", "fmt"), _cases())
def test_the_summary_is_what_the_verifier_decodes(
    stack_config: UpConfig, person: Person, template: str, fmt: str, mode: str
) -> None:
    if template == "rating":
        credential_id = accept_offer(person.wallet, rating_offer(stack_config, fmt))
    else:
        credential_id = person.badges[BADGE_OF[template]][fmt]
    query = next(q for q in TEMPLATES[template].dcql["credentials"] if q["format"] == fmt)
    qid = query["id"]
    with verifier_client(stack_config) as verifier:
        created = verifier.post(
            "/oid4vp/requests", json={"template": template, "response_mode": mode}
        )
        assert created.status_code == 201, created.text
        links = created.json()
    wallet = person.wallet
    opened = wallet.post("/api/presentations", json={"request": links["request_uri"]})
    assert opened.status_code == 201, opened.text
    pending = opened.json()
    # who asks: the verifier's own name, and the wallet knows it
    assert pending["verifier"]["name"] == "Recrutement Démo"
    assert pending["verifier"]["known"] is True
    assert pending["verifier"]["logo"].startswith("data:image/svg+xml;base64,")
    # one request, one choice: its formats are the options of one required set
    (cset,) = pending["sets"]
    assert cset["required"] is True
    assert [qid] in [o["query_ids"] for o in cset["options"]]
    choice = {qid: {"credential_id": credential_id}}
    preview = wallet.post(
        f"/api/presentations/{pending['id']}/preview", json={"selections": choice}
    )
    assert preview.status_code == 200, preview.text
    (shown,) = preview.json()["answers"]
    assert (shown["query_id"], shown["credential_id"]) == (qid, credential_id)
    sent = wallet.post(f"/api/presentations/{pending['id']}/consent", json={"selections": choice})
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == 200, sent.json()

    result = httpx2.get(links["result_url"], timeout=30).json()
    assert result["status"] == "answered"
    assert result["response_mode"] == mode
    assert result["verified"] is True, result["result"]["problems"]
    # the decoded (and, with direct_post.jwt, decrypted) vp_token: one credential, this one
    presentations = result["result"]["presentations"]
    assert list(presentations) == [qid]
    (report,) = presentations[qid]
    (credential,) = report.get("credentials") or [report]
    decoded = credential["credential"]
    assert decoded == shown["disclosed"]
    for lang in ("fr", "en"):
        facts = _facts(shown["disclosed"], fmt, lang)
        assert facts, shown["disclosed"]
        assert _facts(decoded, fmt, lang) == facts
    if fmt == "dc+sd-jwt":  # only what the template asks: never the person's name
        assert "Camille Martin" not in str(decoded)
