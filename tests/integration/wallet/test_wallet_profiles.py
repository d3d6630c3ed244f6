"""Application profiles: a chosen set of badges at one link, each item with its live verdict
in words; exactly what was chosen is published; 410 once withdrawn or expired."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.net.fetch import HttpFetcher
from shared.proofs.sd_jwt import parse_disclosure, parse_sd_jwt
from tests.integration.wallet.test_wallet_pages import csrf_of, page, sign_in
from tests.integration.wallet.test_wallet_status import StatusIssuer
from tests.unit.verifier.builders import badge, ldp_vc
from tests.unit.wallet.testkit import Holder, IssuerKit, sign_up
from wallet.service import accounts, profiles

VERIFIED = {
    "fr": "Vérifié\u00a0: authentique et valide aujourd'hui.",
    "en": "It verifies: authentic and valid today.",
}
SELF = {"fr": "Auto-déclaré\u00a0:", "en": "Self-declared:"}


def make_profile(
    client: TestClient,
    holder: Holder,
    ids: list[str],
    *,
    parts: dict[str, list[str]] | None = None,
    days: str = "30",
    title: str = "Candidature — Orchestre",
) -> str:
    """Through the form, as a browser does; returns the public URL's path."""
    sign_in(client, holder)
    form = page(client, "/profiles")
    data: dict[str, object] = {
        "csrf_token": csrf_of(form),
        "title": title,
        "days": days,
        "credential": ids,
    }
    for cid, chosen in (parts or {}).items():
        data[f"part-{cid}"] = chosen
    made = client.post("/profiles", data=data, follow_redirects=False)
    assert made.status_code == 303, made.text
    owner = page(client, made.headers["location"])
    assert "<svg" in owner  # the QR code
    found = re.search(r'id="profile-url" readonly value="[^"]*(/p/[^"]+)"', owner)
    assert found, owner
    client.cookies.clear()  # from now on a visitor
    return found.group(1)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_public_page_says_each_verdict_in_words(
    wallet: TestClient, alice: Holder, kit: IssuerKit, lang: str
) -> None:
    one = alice.import_credential(kit.vc_jwt(alice.did, name="Chef de pupitre"))["id"]
    two = alice.import_credential(kit.ldp(alice.did, name="Trésorière"))["id"]
    url = make_profile(wallet, alice, [one, two])
    public = page(wallet, url, lang)
    assert "Candidature — Orchestre" in public
    assert "Chef de pupitre" in public
    assert "Trésorière" in public
    assert public.count(VERIFIED[lang]) == 2
    assert "Association des Musiciens" in public
    assert '"@context"' not in public  # words, not raw JSON


REVOKED = {
    "fr": "Révoqué\u00a0: l'émetteur a retiré ce badge.",
    "en": "Revoked: the issuer withdrew this credential.",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_badge_revoked_at_the_issuer_reads_revoked_at_once(
    make_wallet: Callable[..., TestClient], lang: str
) -> None:
    issuer = StatusIssuer()
    fetcher = HttpFetcher(
        allow_loopback=True, resolve=lambda host, port: ["127.0.0.1"], transport=issuer
    )
    client = make_wallet("status", fetcher=fetcher)
    camille = sign_up(client, "camille@example.org")
    kept = camille.import_credential(ldp_vc(badge(subject=camille.did, status_index=3)))["id"]
    other = camille.import_credential(ldp_vc(badge(subject=camille.did, status_index=4)))["id"]
    url = make_profile(client, camille, [kept, other])
    assert page(client, url, lang).count(VERIFIED[lang]) == 2
    issuer.revoked = (3,)
    public = page(client, url, lang)
    assert public.count(REVOKED[lang]) == 1
    assert public.count(VERIFIED[lang]) == 1
    assert 'data-verdict="revoked"' in public
    assert "data-status" not in public  # the owner's "cannot be presented" is not the public's


def test_a_self_declared_badge_says_so(wallet: TestClient, alice: Holder) -> None:
    me = IssuerKit()
    cid = alice.import_credential(me.ldp(me.did, name="Régisseuse"))["id"]  # issuer = subject
    public = page(wallet, make_profile(wallet, alice, [cid]), "en")
    assert SELF["en"] in public
    assert VERIFIED["en"] not in public


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_endorsement_says_who_endorsed(
    wallet: TestClient, alice: Holder, bob: Holder, lang: str
) -> None:
    made = alice.post(
        "/api/experiences",
        json={"title": "Régie son", "organisation": "Festival", "start_date": "2025-06-01"},
    )
    assert made.status_code == 201, made.text
    asked = alice.post(f"/api/experiences/{made.json()['id']}/requests")
    token = asked.json()["url"].rsplit("/endorse/", 1)[1]
    done = bob.post(f"/api/endorse/{token}", json={"comment": "Fiable.", "name": "Bob Martin"})
    assert done.status_code == 201, done.text
    endorsement = next(
        c["id"]
        for c in alice.get("/api/credentials").json()["credentials"]
        if "EndorsementCredential" in c.get("types", [])
    )
    public = page(wallet, make_profile(wallet, alice, [endorsement]), lang)
    said = "Recommandé par Bob Martin." if lang == "fr" else "Endorsed by Bob Martin."
    assert said in public
    assert VERIFIED[lang] in public


def _disclosures(raw: str) -> list[object]:
    return [parse_disclosure(d).value for d in parse_sd_jwt(raw).disclosures]


def test_an_unchosen_disclosure_appears_nowhere(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    cid = alice.import_credential(kit.sd_jwt(alice.did, name="Choriste"))["id"]
    url = make_profile(wallet, alice, [cid])  # no part ticked
    public = page(wallet, url, "fr")
    assert "Choriste" in public
    assert VERIFIED["fr"] in public  # a presentation without Key Binding still verifies
    assert alice.did not in public
    links = re.findall(r'href="(/p/[^"]+/raw)"', public)
    assert links
    for link in links:
        raw = wallet.get(link).text
        assert alice.did not in raw
        assert all(alice.did not in str(v) for v in _disclosures(raw))
    # ticking the subject's id publishes it, and only then
    sign_in(wallet, alice)
    form = page(wallet, "/profiles")
    boxes = re.findall(rf'name="part-{cid}" value="(\d+)"', form)
    assert boxes
    chosen = make_profile(wallet, alice, [cid], parts={cid: boxes})
    raw = wallet.get(re.findall(r'href="(/p/[^"]+/raw)"', page(wallet, chosen, "fr"))[0]).text
    assert any(alice.did in str(v) for v in _disclosures(raw))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_withdrawn_profile_answers_410(
    wallet: TestClient, alice: Holder, kit: IssuerKit, lang: str
) -> None:
    cid = alice.import_credential(kit.vc_jwt(alice.did))["id"]
    url = make_profile(wallet, alice, [cid])
    sign_in(wallet, alice)
    listing = page(wallet, "/profiles")
    pid = re.search(r'href="/profiles/([0-9a-f]{32})"', listing)
    assert pid
    owner = page(wallet, f"/profiles/{pid.group(1)}")
    revoked = wallet.post(
        f"/profiles/{pid.group(1)}/revoke",
        data={"csrf_token": csrf_of(owner)},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    wallet.cookies.clear()
    gone = wallet.get(url, headers={"Accept": "text/html", "Accept-Language": lang})
    assert gone.status_code == 410
    assert ("Profil retiré" if lang == "fr" else "Profile withdrawn") in htmllib.unescape(gone.text)
    assert wallet.get(f"{url}/0/raw").status_code == 410
    api = wallet.get(url, headers={"Accept": "application/json"})
    assert api.json()["type"].endswith("profile-revoked")


def test_an_expired_profile_answers_410(
    wallet: TestClient, alice: Holder, kit: IssuerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = alice.import_credential(kit.vc_jwt(alice.did))["id"]
    url = make_profile(wallet, alice, [cid], days="2")
    assert wallet.get(url).status_code == 200
    later = accounts.now() + timedelta(days=2, seconds=1)
    monkeypatch.setattr(profiles, "now", lambda: later)
    gone = wallet.get(url, headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert gone.status_code == 410
    assert "Profil expiré" in htmllib.unescape(gone.text)


def post_form(client: TestClient, holder: Holder, data: dict[str, object]) -> Any:
    """The profile form posted by a signed-in browser, asking for a problem+json answer."""
    sign_in(client, holder)
    token = csrf_of(page(client, "/profiles"))
    return client.post(
        "/profiles",
        data={"csrf_token": token, **data},
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )


@pytest.mark.parametrize("days", ["0", "366", "-1", "abc", "1e3"])
def test_an_expiry_out_of_range_is_refused(
    wallet: TestClient, alice: Holder, kit: IssuerKit, days: str
) -> None:
    cid = alice.import_credential(kit.vc_jwt(alice.did))["id"]
    resp = post_form(wallet, alice, {"title": "T", "days": days, "credential": [cid]})
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("part", ["9", "x", "-1", "0.5"])
def test_a_part_that_does_not_exist_is_refused(
    wallet: TestClient, alice: Holder, kit: IssuerKit, part: str
) -> None:
    cid = alice.import_credential(kit.sd_jwt(alice.did))["id"]
    resp = post_form(wallet, alice, {"title": "T", "credential": [cid], f"part-{cid}": [part]})
    assert resp.status_code == 400, resp.text


def test_another_account_can_neither_see_nor_withdraw_a_profile(
    wallet: TestClient, alice: Holder, bob: Holder, kit: IssuerKit
) -> None:
    cid = alice.import_credential(kit.vc_jwt(alice.did))["id"]
    url = make_profile(wallet, alice, [cid])
    sign_in(wallet, alice)
    pid = re.search(r'href="/profiles/([0-9a-f]{32})"', page(wallet, "/profiles"))
    assert pid
    sign_in(wallet, bob)
    form = page(wallet, "/profiles")
    seen = wallet.get(f"/profiles/{pid.group(1)}", headers={"Accept": "application/json"})
    assert seen.status_code == 404
    tried = wallet.post(
        f"/profiles/{pid.group(1)}/revoke",
        data={"csrf_token": csrf_of(form)},
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )
    assert tried.status_code == 404
    # bob cannot put alice's badge in his own profile either
    stolen = wallet.post(
        "/profiles",
        data={"csrf_token": csrf_of(form), "title": "T", "credential": [cid]},
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )
    assert stolen.status_code == 404
    wallet.cookies.clear()
    assert wallet.get(url).status_code == 200  # still open


def test_profile_tokens_are_unguessable_and_never_stored(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    from sqlalchemy import select

    from wallet.db.models import Profile

    cid = alice.import_credential(kit.vc_jwt(alice.did, name="Secret du coffre"))["id"]
    made = [
        alice.post(
            "/api/profiles", json={"title": f"P{n}", "credentials": [{"credential_id": cid}]}
        )
        for n in range(3)
    ]
    assert all(m.status_code == 201 for m in made), made[0].text
    tokens = [m.json()["url"].rsplit("/p/", 1)[1] for m in made]
    assert len(set(tokens)) == 3
    assert all(len(t) >= 43 for t in tokens)  # 256 random bits, base64url
    with wallet.app.state.resources.sessions.begin() as session:  # type: ignore[attr-defined]
        rows = list(session.scalars(select(Profile)))
    stored = b"".join(r.ct + r.owner_ct + r.token_hash.encode() for r in rows)
    assert all(t.encode() not in stored for t in tokens)
    assert b"Secret du coffre" not in stored  # encrypted, not in clear
    wallet.cookies.clear()
    assert wallet.get(f"/p/{tokens[0]}").status_code == 200
    for guess in (tokens[0][:-1] + ("A" if tokens[0][-1] != "A" else "B"), "x", "../s", "%00"):
        assert wallet.get(f"/p/{guess}").status_code == 404
    # the API lists the owner's profiles only, and withdrawing is the owner's alone
    listed = alice.get("/api/profiles").json()
    assert [p["title"] for p in listed] == ["P2", "P1", "P0"]
    gone = wallet.delete(f"/api/profiles/{listed[0]['id']}", headers=alice.auth)
    assert gone.status_code == 204
    assert wallet.get(f"/p/{tokens[2]}").status_code == 410


def test_the_api_refuses_hostile_selections(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    cid = alice.import_credential(kit.sd_jwt(alice.did))["id"]
    for body in (
        {"title": "T", "credentials": []},
        {"title": "", "credentials": [{"credential_id": cid}]},
        {"title": "T", "credentials": [{"credential_id": cid}, {"credential_id": cid}]},
        {"title": "T", "credentials": [{"credential_id": cid, "disclose": [["nope"]]}]},
        {"title": "T", "credentials": [{"credential_id": cid, "disclose": [[]]}]},
        {"title": "T", "days": 0, "credentials": [{"credential_id": cid}]},
        {"title": "T" * 201, "credentials": [{"credential_id": cid}]},
        {"title": "T", "credentials": [{"credential_id": cid}], "extra": 1},
    ):
        resp = alice.post("/api/profiles", json=body)
        assert resp.status_code in (400, 422), (body, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")
    assert (
        alice.post(
            "/api/profiles", json={"title": "T", "credentials": [{"credential_id": "nope"}]}
        ).status_code
        == 404
    )


def test_profile_links_are_throttled_per_address(
    make_wallet: Callable[..., TestClient], kit: IssuerKit
) -> None:
    client = make_wallet(rate_limit_links="3/minute")
    camille = sign_up(client, "camille@example.org")
    cid = camille.import_credential(kit.vc_jwt(camille.did))["id"]
    made = camille.post(
        "/api/profiles", json={"title": "T", "credentials": [{"credential_id": cid}]}
    )
    token = made.json()["url"].rsplit("/p/", 1)[1]
    assert client.get(f"/p/{token}").status_code == 200
    assert client.get("/p/" + "x" * 43).status_code == 404  # a guess counts too
    assert client.get(f"/p/{token}/0/raw").status_code == 200
    assert client.get(f"/p/{token}").status_code == 429


def test_what_the_person_types_is_escaped(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    cid = alice.import_credential(kit.vc_jwt(alice.did))["id"]
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    made = alice.post(
        "/api/profiles", json={"title": hostile, "credentials": [{"credential_id": cid}]}
    )
    public = wallet.get("/p/" + made.json()["url"].rsplit("/p/", 1)[1]).text
    assert "<script>alert(1)" not in public
    assert "<img src=x" not in public
    assert "&lt;script&gt;" in public
