"""The consent screen of OpenID4VP: one choice per DCQL credential set, who asks in words,
what is revealed in words, and exactly that is sent."""

from __future__ import annotations

import html as htmllib
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.proofs.data_integrity import JCS, add_proof
from shared.proofs.sd_jwt_vc import issue_ob3_sd_jwt_vc
from tests.integration.wallet.test_wallet_pages import csrf_of, page, sign_in
from tests.unit.wallet.fake_verifier import FakeVerifier, dcql
from tests.unit.wallet.testkit import Holder, IssuerKit, holder_jwk, serve, sign_up
from verifier.service.templates import TEMPLATES
from wallet.disclosure import readable_facts
from wallet.i18n import translator

NBSP = "\u00a0"
HOURS_ID = "urn:example:hours"


def volunteer(kit: IssuerKit, did: str, hours: str = "220") -> dict[str, Any]:
    """An OB 3.0 volunteering badge with a role, the hours as a result and the name."""
    doc = kit.unsigned(did, name="Bénévole — encadrement")
    subject = doc["credentialSubject"]
    subject["role"] = "Encadrante bénévole"
    subject["result"] = [{"type": ["Result"], "resultDescription": HOURS_ID, "value": hours}]
    subject["identifier"] = [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": "Camille Martin",
        }
    ]
    subject["achievement"]["resultDescription"] = [
        {"id": HOURS_ID, "type": ["ResultDescription"], "name": "Heures", "resultType": "ext:Hours"}
    ]
    return doc


def ldp_badge(kit: IssuerKit, did: str) -> dict[str, Any]:
    return add_proof(volunteer(kit, did), kit.key.sign, kit.kid, cryptosuite=JCS)


def sd_badge(kit: IssuerKit, did: str) -> str:
    return issue_ob3_sd_jwt_vc(
        volunteer(kit, did), issuer_key=kit.key, kid=kit.kid, holder_jwk=holder_jwk(did)
    )


def open_api(holder: Holder, link: str) -> dict[str, Any]:
    resp = holder.post("/api/presentations", json={"request": link})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def sent_queries(verifier: FakeVerifier) -> list[str]:
    """The credential query ids of the last vp_token the verifier received."""
    return sorted(json.loads(verifier.received[-1]["vp_token"]))


# --------------------------------------------------------------------------- one choice


def test_one_request_in_three_formats_is_one_choice(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit
) -> None:
    """The recruiter's template: one badge, offered in three formats (one credential set with
    three options). The API groups them as one set; the default answer sends ONE credential."""
    ldp = alice.import_credential(ldp_badge(kit, alice.did))["id"]
    link = verifier.request_link(TEMPLATES["any-badge"].dcql)
    pending = open_api(alice, link)
    (cset,) = pending["sets"]
    assert cset["required"] is True
    assert [o["query_ids"] for o in cset["options"]] == [
        ["badge_ldp"],
        ["badge_jwt"],
        ["badge_sd_jwt"],
    ]
    assert [o["available"] for o in cset["options"]] == [True, False, False]
    assert pending["selected_query_ids"] == ["badge_ldp"]
    answer = alice.post(f"/api/presentations/{pending['id']}/consent", json={})
    assert answer.status_code == 200, answer.text
    assert sent_queries(verifier) == ["badge_ldp"]
    logged = alice.get("/api/history").json()["entries"][0]["credentials"]
    assert [c["credential_id"] for c in logged] == [ldp]


def test_two_alternatives_of_one_set_are_refused_and_nothing_is_sent(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit
) -> None:
    """The bug: a badge pre-selected in "section 1" and the chosen one in
    "section 3" both went out. Alternatives of one credential set are one choice."""
    ldp = alice.import_credential(ldp_badge(kit, alice.did))["id"]
    sd = alice.import_credential(sd_badge(kit, alice.did))["id"]
    pending = open_api(alice, verifier.request_link(TEMPLATES["any-badge"].dcql))
    both = {"badge_ldp": {"credential_id": ldp}, "badge_sd_jwt": {"credential_id": sd}}
    for path in ("preview", "consent"):
        resp = alice.post(f"/api/presentations/{pending['id']}/{path}", json={"selections": both})
        assert resp.status_code == 400, resp.text
        assert resp.json()["type"].endswith("#invalid-input")
        assert "alternatives" in resp.json()["detail"]
    assert verifier.received == []
    # one of them is fine, and only it is sent
    one = {"badge_sd_jwt": {"credential_id": sd, "disclose": []}}
    preview = alice.post(f"/api/presentations/{pending['id']}/preview", json={"selections": one})
    assert preview.status_code == 200, preview.text
    assert [a["query_id"] for a in preview.json()["answers"]] == ["badge_sd_jwt"]
    assert verifier.received == []  # a preview sends nothing
    sent = alice.post(f"/api/presentations/{pending['id']}/consent", json={"selections": one})
    assert sent.status_code == 200, sent.text
    assert sent_queries(verifier) == ["badge_sd_jwt"]


def test_optional_set_is_not_sent_unless_chosen(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit
) -> None:
    alice.import_credential(ldp_badge(kit, alice.did))
    query = dcql("ldp_vc", qid="wanted")
    query["credentials"].append(dcql("ldp_vc", qid="extra")["credentials"][0])
    query["credential_sets"] = [
        {"options": [["wanted"]]},
        {"options": [["extra"]], "required": False},
    ]
    pending = open_api(alice, verifier.request_link(query))
    assert [s["required"] for s in pending["sets"]] == [True, False]
    assert pending["selected_query_ids"] == ["wanted"]  # nothing beyond what is required
    sign_in(alice.client, alice)
    html = page(alice.client, f"/present/{pending['id']}")
    assert re.search(r'id="none-1" name="choice__1" value="" checked', html)
    assert len(re.findall(r'name="choice__0"[^>]*checked', html)) == 1
    assert len(re.findall(r'name="choice__1"[^>]*checked', html)) == 1  # "send nothing"


def test_no_matching_badge_is_one_message(
    verifier: FakeVerifier, alice: Holder, wallet: TestClient
) -> None:
    link = verifier.request_link(TEMPLATES["volunteering"].dcql)
    sign_in(wallet, alice)
    html = page(wallet, "/present?" + link.split("?", 1)[1])
    assert html.count("Aucun de vos badges ne répond à cette demande.") == 1
    assert "sur 3" not in html
    assert re.search(r"<button type=\"submit\" disabled>", html)


# --------------------------------------------------------------------------- the pages


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_consent_then_summary_then_exactly_that_is_sent(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit, wallet: TestClient, lang: str
) -> None:
    alice.import_credential(ldp_badge(kit, alice.did))
    sd = alice.import_credential(sd_badge(kit, alice.did))["id"]
    link = verifier.request_link(TEMPLATES["volunteering"].dcql)
    sign_in(wallet, alice)
    html = page(wallet, "/present?" + link.split("?", 1)[1], lang)
    # one group, two badges to choose from, one chosen; no "1 of 3"
    assert html.count("<fieldset") == 1
    assert len(re.findall(r'type="radio"[^>]*name="choice__0"', html)) == 2
    assert len(re.findall(r'name="choice__0"[^>]*checked', html)) == 1
    # who asks: the verifier's name, never the wallet's; the identifier folded away
    who = html[html.index('id="who-asks"') : html.index("</section>")]
    assert "Recruteur Démo" in who
    assert "Musette" not in who
    technical = who[who.index("<details") :]
    assert "redirect_uri:" in technical
    assert "redirect_uri:" not in who[: who.index("<details")]
    # tick boxes in words with their values: "Heures : 220", "Votre nom : Camille Martin"
    colon = f"{NBSP}: " if lang == "fr" else ": "
    assert f"Heures{colon}220" in html
    assert ("Votre nom" if lang == "fr" else "Your name") + colon + "Camille Martin" in html
    boxes = re.findall(r'type="checkbox"[^>]*name="disclose__[^>]*> <span>([^<]*)</span>', html)
    assert len(boxes) >= 3, boxes
    assert not [b for b in boxes if "\u203a" in b], boxes  # never "Résultats > 1 > Valeur"
    # the person picks the SD-JWT badge and ticks only the hours
    hours = re.search(rf'name="disclose__badge_sd_jwt__{sd}" value="([^"]*result\.0[^"]*)"', html)
    assert hours, html
    review = wallet.post(
        f"/present/{re.search(r'/present/([^/]+)/review', html).group(1)}/review",  # type: ignore[union-attr]
        data={
            "csrf_token": csrf_of(html),
            "choice__0": f"badge_sd_jwt|{sd}",
            f"disclose__badge_sd_jwt__{sd}": hours.group(1),
        },
        headers={"Accept-Language": lang},
    )
    assert review.status_code == 200, review.text
    summary = htmllib.unescape(review.text)
    card = summary.split('class="card sent"', 1)[1].split("<details", 1)[0]
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", card))
    assert facts["Heures"] == "220"
    assert facts["Badge"] == "Bénévole — encadrement"
    assert ("Rôle" if lang == "fr" else "Role") in facts  # the subject comes with its result
    assert ("Votre nom" if lang == "fr" else "Your name") not in facts
    assert "Camille Martin" not in card
    assert verifier.received == []  # nothing sent before "I agree"
    found = re.search(r"/present/([^/]+)/consent", summary)
    chosen = re.search(r'name="selections" value="([^"]+)"', review.text)
    assert found is not None
    assert chosen is not None
    sent = wallet.post(
        f"/present/{found.group(1)}/consent",
        data={"csrf_token": csrf_of(summary), "selections": htmllib.unescape(chosen.group(1))},
        headers={"Accept-Language": lang},
    )
    assert sent.status_code == 200, sent.text
    assert sent_queries(verifier) == ["badge_sd_jwt"]
    report = verifier.reports[-1]
    shown = report.get("credential") or report["credentials"][0]["credential"]
    assert [r["value"] for r in shown["credentialSubject"]["result"]] == ["220"]
    assert shown["credentialSubject"]["role"] == "Encadrante bénévole"
    assert shown["credentialSubject"].get("identifier", []) == []
    # the summary the person read is, word for word, what the verifier decoded
    decoded = readable_facts(shown, "dc+sd-jwt", lang, translator(lang))
    assert {f["label"]: f["value"] for f in decoded} == facts
    # the history says who (by name) was shown what (in words)
    history = page(wallet, "/history", lang)
    assert "Recruteur Démo" in history
    assert f"Heures{colon}220" in history


def test_known_verifier_with_a_logo(make_wallet: Any, kit: IssuerKit) -> None:
    fake = FakeVerifier()
    app = fake.app()
    logo = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'

    @app.get("/logo.svg")
    def _logo() -> Any:
        from fastapi.responses import Response

        return Response(logo, media_type="image/svg+xml")

    with serve(app) as base:
        fake.base = base
        wallet = make_wallet("known", known_verifiers={base: "Recrutement Connu"})
        holder = sign_up(wallet, "k@example.org")
        holder.import_credential(ldp_badge(kit, holder.did))
        link = fake.request_link(
            dcql("ldp_vc"),
            client_metadata={
                "logo_uri": f"{base}/logo.svg",
                "client_name#en": "Known Recruiting",
            },
        )
        pending = open_api(holder, link)
        assert pending["verifier"]["known"] is True
        assert pending["verifier"]["known_name"] == "Recrutement Connu"
        assert pending["verifier"]["logo"].startswith("data:image/svg+xml;base64,")
        sign_in(wallet, holder)
        fr = page(wallet, f"/present/{pending['id']}", "fr")
        assert "Dans votre liste de vérificateurs connus" in fr
        assert "Recruteur Démo" in fr
        en = page(wallet, f"/present/{pending['id']}", "en")
        assert "Known Recruiting" in en  # client_name#en (RFC 7591 §2.2)
        # a logo that is not an image is not shown
        bad = fake.request_link(dcql("ldp_vc"), client_metadata={"logo_uri": f"{base}/request/x"})
        assert open_api(holder, bad)["verifier"]["logo"] is None
        assert open_api(holder, bad)["verifier"]["known"] is True


def test_unknown_verifier_says_so(verifier: FakeVerifier, alice: Holder, kit: IssuerKit) -> None:
    alice.import_credential(ldp_badge(kit, alice.did))
    pending = open_api(alice, verifier.request_link(dcql("ldp_vc")))
    assert pending["verifier"]["known"] is False
    sign_in(alice.client, alice)
    html = page(alice.client, f"/present/{pending['id']}")
    assert "Absent de votre liste de vérificateurs connus" in html


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    "metadata",
    [
        {"client_name": 42, "logo_uri": ["x"]},
        {"client_name": "x" * 5000, "logo_uri": "javascript:alert(1)"},
        {"client_name#": "", "logo_uri": "file:///etc/passwd"},
    ],
)
def test_hostile_client_metadata_is_shown_safely(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit, metadata: dict[str, Any]
) -> None:
    alice.import_credential(ldp_badge(kit, alice.did))
    pending = open_api(alice, verifier.request_link(dcql("ldp_vc"), client_metadata=metadata))
    shown = pending["verifier"]
    assert shown["logo"] is None
    assert shown["name"] is None or len(shown["name"]) <= 200


@pytest.mark.parametrize(
    "form",
    [
        {"choice__0": "nope|nope"},
        {"choice__0": "badge|"},
        {"choice__0": "||;;|"},
        {"choice__7": "badge|x"},
        {"selections": "{not json"},
        {"selections": "[1, 2]"},
        {"selections": '{"badge": {"credential_id": 3}}'},
        {"selections": '{"badge": "not an object"}'},
        {"selections": '{"badge": {"disclose": "credentialSubject"}}'},
    ],
)
def test_hostile_consent_forms_are_refused_with_nothing_sent(
    verifier: FakeVerifier,
    alice: Holder,
    kit: IssuerKit,
    wallet: TestClient,
    form: dict[str, str],
) -> None:
    alice.import_credential(ldp_badge(kit, alice.did))
    pending = open_api(alice, verifier.request_link(dcql("ldp_vc")))
    sign_in(wallet, alice)
    html = page(wallet, f"/present/{pending['id']}")
    for step in ("review", "consent"):
        resp = wallet.post(
            f"/present/{pending['id']}/{step}", data={"csrf_token": csrf_of(html), **form}
        )
        assert resp.status_code == 400, resp.text
        assert "Choisissez un badge pour chaque demande" in htmllib.unescape(resp.text)
    assert verifier.received == []


def test_a_verifier_calling_itself_like_the_wallet_is_not_shown_so(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit
) -> None:
    """ "Qui demande : Musette" was the bug: the wallet never shows its own name as the
    verifier's."""
    alice.import_credential(ldp_badge(kit, alice.did))
    link = verifier.request_link(dcql("ldp_vc"), client_metadata={"client_name": " MUSETTE "})
    pending = open_api(alice, link)
    sign_in(alice.client, alice)
    html = page(alice.client, f"/present/{pending['id']}")
    who = html[html.index('id="who-asks"') : html.index("</section>")]
    assert "Un vérificateur qui ne donne pas son nom" in who
    assert "MUSETTE" not in who


# --------------------------------------------------------------------------- reveal less


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_sd_jwt_copy_of_a_badge_is_chosen_by_default(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit, wallet: TestClient, lang: str
) -> None:
    """docs/decisions/reveal-less.md: the person holds one badge whole (JSON-LD) and in SD-JWT; the
    verifier prefers JSON-LD, but the copy where the person chooses the parts is the default, the
    page says what cannot be hidden in each format, and the default sends only that copy."""
    alice.import_credential(ldp_badge(kit, alice.did))
    sd = alice.import_credential(sd_badge(kit, alice.did))["id"]
    link = verifier.request_link(TEMPLATES["any-badge"].dcql)
    sign_in(wallet, alice)
    html = htmllib.unescape(page(wallet, "/present?" + link.split("?", 1)[1], lang))
    (checked,) = re.findall(r'name="choice__0" value="([^"]+)"[^>]*checked', html)
    assert checked == f"badge_sd_jwt|{sd}"
    _ = translator(lang)
    whole = _(
        "In the {format} format, this badge sends all its contents: you cannot hide any "
        "part of it, including:",
        format="JSON-LD",
    )
    parts = _(
        "In the {format} format, you choose the parts of this badge you show.", format="SD-JWT"
    )
    copy = _(
        "You also hold this badge in the SD-JWT format, where you choose the parts: "
        "choose that copy to show less."
    )
    assert whole in html
    assert parts in html
    assert copy in html
    assert ("Au format" if lang == "fr" else "In the") in whole  # a translated sentence
    # the API default is the same copy, and it is what is sent
    pending = open_api(alice, verifier.request_link(TEMPLATES["any-badge"].dcql))
    assert pending["selected_query_ids"] == ["badge_sd_jwt"]
    answer = alice.post(f"/api/presentations/{pending['id']}/consent", json={})
    assert answer.status_code == 200, answer.text
    assert sent_queries(verifier) == ["badge_sd_jwt"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_hashed_name_is_said_not_shown(lang: str, kit: IssuerKit) -> None:
    """A salted hash of the name reads "identity hashed", never ``sha256$…``."""
    doc = volunteer(kit, "did:example:alice")
    doc["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": True,
            "identityHash": "sha256$" + "ab" * 32,
            "salt": "cd",
        }
    ]
    facts = {f["label"]: f["value"] for f in readable_facts(doc, "ldp_vc", lang, translator(lang))}
    awarded = "Décerné à" if lang == "fr" else "Awarded to"
    assert facts[awarded] == translator(lang)(
        "identity hashed (can be checked against a name you are given)"
    )
    assert "sha256$" not in str(facts)
