"""Journey 4: a platform hands back a worker's rating, and a recruiter's "rating of
at least X out of Y" accepts only that, over real HTTP between the three running services.

The demo platform's offers are made with ``musette issuer offer --org demo-platform
--achievement rating --rating 4.8 --scale 5 --count 230 --period 2026-01-01/2026-06-30``; the
wallet receives and presents through its API; the verifier's requests carry the recruiter's
threshold and scale.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from musette.up import UpConfig
from shared.did import DidResolver
from shared.net.fetch import HttpFetcher
from shared.protocols.oid4vp import decode_request_object
from tests.e2e.ratings import rating_offer
from tests.e2e.test_journeys import (
    FORMATS,
    INTEROP,
    QUERY_IDS,
    Clients,
    _build_answer,
    _checks,
    _issuer_client,
    _node,
    _post,
    _presented,
    _verifier_client,
    _wallet_client,
)


@pytest.fixture(scope="module")
def clients(stack_config: UpConfig) -> Iterator[Clients]:
    issuer = _issuer_client(stack_config)
    wallet = _wallet_client(stack_config)
    verifier = _verifier_client(stack_config)
    with issuer, wallet, verifier:
        yield Clients(stack_config, issuer, wallet, verifier)


def _mentions_count(document: Any) -> bool:
    """Whether any value of ``document`` is the number of ratings (230): a value, not a
    substring, since ids, nonces and timestamps may contain those digits."""
    if isinstance(document, dict):
        return any(_mentions_count(v) for v in document.values())
    if isinstance(document, list):
        return any(_mentions_count(v) for v in document)
    return str(document) == "230"


def _rating(clients: Clients, config: UpConfig, fmt: str) -> str:
    """A fresh 4.8/5 rating (230 ratings, first half of 2026) in the wallet, its id. Each
    supersedes the holder's earlier ratings (a new offer is a new rating), so every test
    receives its own."""
    (cred,) = clients.receive(rating_offer(config, fmt), sphere="work")
    out: str = cred["id"]
    return out


@pytest.fixture(scope="module")
def volunteer(clients: Clients) -> dict[str, dict[str, Any]]:
    """One volunteer badge of 220 hours per format (the association's, not a rating)."""
    out = {}
    for fmt in FORMATS:
        (cred,) = clients.receive(clients.offer(fmt, hours="220")["offer_uri"])
        out[fmt] = clients.wallet_credential(cred["id"])
    return out


def _ask(clients: Clients, **parameters: str) -> dict[str, Any]:
    resp = clients.verifier.post(
        "/oid4vp/requests", json={"template": "rating", "parameters": parameters or None}
    )
    assert resp.status_code == 201, resp.text
    out: dict[str, Any] = resp.json()
    return out


def _answer_with(
    clients: Clients, links: dict[str, Any], fmt: str, credential_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Our wallet answers the request with this credential (what the query asks, no more)."""
    pending = clients.open_request(links["request_uri"])
    qid = QUERY_IDS[fmt]
    options = next(q for q in pending["queries"] if q["id"] == qid)["options"]
    assert credential_id in {o["credential_id"] for o in options}
    answer = clients.consent(pending["id"], {qid: {"credential_id": credential_id}})
    return answer, clients.result(links)


def test_the_wallet_previews_the_platform_as_trusted(
    clients: Clients, stack_config: UpConfig
) -> None:
    opened = clients.wallet.post(
        "/api/offers", json={"offer": rating_offer(stack_config, "ldp_vc")}
    )
    assert opened.status_code == 201, opened.text
    preview = opened.json()
    assert preview["issuer_name"] == "Plateforme Démo"
    assert preview["trusted"] is True  # the wallet's own small registry (musette up)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_rating_template_refuses_a_volunteer_badge(
    clients: Clients, volunteer: dict[str, dict[str, Any]], fmt: str
) -> None:
    """The bug: 220 hours from a trusted association passed "a rating of at least
    4.5". Now the verifier refuses them: hours are not a rating, an association not a platform."""
    links = _ask(clients)
    answer, result = _answer_with(clients, links, fmt, volunteer[fmt]["id"])
    assert answer["status"] == 400, answer
    assert result["status"] == "answered"
    assert result["verified"] is False
    checks = _checks(_presented(result, fmt))
    assert checks["proof"]["status"] == "passed"  # a genuine badge...
    assert checks["rating"]["status"] == "failed"  # ...but no rating
    assert checks["rating"]["reason"].startswith("no rating here")
    assert checks["trust"]["status"] == "failed"  # and its issuer is not a platform
    assert "must be a platform" in checks["trust"]["reason"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("parameters", "ok"),
    [({}, True), ({"minimum": "9", "scale": "10"}, True), ({"minimum": "4.9"}, False)],
    ids=["4.5-out-of-5", "9-out-of-10", "4.9-out-of-5"],
)
def test_a_4_8_rating_from_the_demo_platform(
    clients: Clients,
    stack_config: UpConfig,
    fmt: str,
    parameters: dict[str, str],
    ok: bool,
) -> None:
    links = _ask(clients, **parameters)
    answer, result = _answer_with(clients, links, fmt, _rating(clients, stack_config, fmt))
    assert (answer["status"] == 200) is ok, answer
    assert result["verified"] is ok, result["result"]["problems"]
    checks = _checks(_presented(result, fmt))
    assert checks["rating"]["status"] == ("passed" if ok else "failed")
    assert "4.8 out of 5" in checks["rating"]["reason"]
    assert checks["trust"]["status"] == "passed"
    assert checks["trust"]["details"]["issuer_kind"] == "platform"
    assert checks["trust"]["details"]["registry_name"] == "Plateforme Démo"


def _recruiter_page(config: UpConfig, request_id: str) -> str:
    from verifier.demo import DEMO_EMAIL, DEMO_PASSWORD

    with httpx2.Client(base_url=config.base_url("verifier"), timeout=30) as browser:
        browser.get("/signin")  # the sign-in form's double-submit token (login CSRF)
        token = browser.cookies.get("musette_verifier_csrf") or ""
        signed_in = browser.post(
            "/signin",
            data={
                "email": DEMO_EMAIL,
                "password": DEMO_PASSWORD,
                "next": "/requests/new",
                "csrf_token": token,
            },
        )
        assert signed_in.status_code in {200, 303}, signed_in.text
        page = browser.get(f"/requests/{request_id}?lang=fr")
        assert page.status_code == 200, page.text
        return page.text


def test_sd_jwt_rating_shows_the_average_and_not_the_count(
    clients: Clients, stack_config: UpConfig
) -> None:
    """Our wallet reveals only what the request asks (the average); the recruiter's report
    has the average and neither the number of ratings nor the period."""
    fmt = "dc+sd-jwt"
    links = _ask(clients)
    answer, result = _answer_with(clients, links, fmt, _rating(clients, stack_config, fmt))
    assert answer["status"] == 200, answer
    assert result["verified"] is True, result["result"]["problems"]
    report = _presented(result, fmt)
    (credential,) = [c["credential"] for c in report.get("credentials") or [report]]
    subject = credential["credentialSubject"]
    assert [r["value"] for r in subject["result"]] == ["4.8"]
    assert not _mentions_count(result)  # the number of ratings was not disclosed
    assert "activityStartDate" not in subject
    assert "activityEndDate" not in subject
    page = _recruiter_page(stack_config, links["id"])
    assert "4,8 sur 5" in page
    assert not re.search(r"(?<![\w.,])230(?![\w.,])", page)
    assert "Nombre d&#39;avis" not in page
    assert "Sa note atteint ce que vous demandez\u00a0: au moins 4,5 sur 5." in page


@pytest.mark.interop
def test_sd_jwt_sd_jwt_vc_agrees_on_the_disclosed_claims(
    clients: Clients, stack_config: UpConfig
) -> None:
    """``@sd-jwt/sd-jwt-vc`` 0.19 verifies the presentation with only the average disclosed
    (KB-JWT included) and reads the same claims as our verifier: the average, no count."""
    if shutil.which("node") is None or not (INTEROP / "node_modules").is_dir():
        pytest.skip("Node and `npm ci` in tests/interop are needed for the reference libraries")
    from wallet import settings_for_up
    from wallet.main import open_resources

    fmt = "dc+sd-jwt"
    qid = QUERY_IDS[fmt]
    links = _ask(clients)
    _, request_claims = decode_request_object(httpx2.get(links["request_object_uri"]).text)
    path = ("credentialSubject", "result", 0, "value")
    settings = settings_for_up(stack_config.data_dir / "wallet", stack_config.base_urls(), True)
    with open_resources(settings) as holder:
        answer = _build_answer(
            holder, links, _rating(clients, stack_config, fmt), qid, disclose=[path]
        )
    (presentation,) = json.loads(answer.form["vp_token"])[qid]
    accepted = _post(answer)
    assert accepted.status_code == 200, accepted.text
    ours = _presented(clients.result(links), fmt)
    (our_claims,) = [c["credential"] for c in ours.get("credentials") or [ours]]

    from shared.encoding.base64url import b64url_decode

    kid = json.loads(b64url_decode(presentation.split(".", 1)[0]))["kid"]
    did = kid.split("#", 1)[0]
    document = DidResolver(HttpFetcher(allow_loopback=True), allow_http=True).resolve(did)
    jwk = document.verification_method(kid, "assertionMethod").public_key.to_jwk()
    case = {
        "kind": "sd-jwt-vc",
        "token": presentation,
        "jwk": jwk,
        "nonce": request_claims["nonce"],
        "aud": links["client_id"],
    }
    (oracle,) = _node("verify_jose_sdjwt.mjs", stdin=json.dumps([case]))
    assert oracle["verified"] is True, oracle
    theirs = oracle["claims"]["credentialSubject"]
    assert [r["value"] for r in theirs["result"]] == ["4.8"]
    assert theirs["result"] == our_claims["credentialSubject"]["result"]
    assert "activityStartDate" not in theirs
    assert not _mentions_count(oracle["claims"])
    assert oracle["claims"]["achievement"] == our_claims["achievement"]


def test_a_newer_rating_supersedes_the_older_one(clients: Clients, stack_config: UpConfig) -> None:
    """The platform rates the same person again: the verifier refuses the older rating as
    superseded (its supersession status bit) and accepts the newer one. Last in this file:
    it supersedes every earlier rating of this wallet's holder."""
    fmt = "ldp_vc"
    (older,) = clients.receive(rating_offer(stack_config, fmt), sphere="work")
    (newer,) = clients.receive(rating_offer(stack_config, fmt), sphere="work")
    answer, result = _answer_with(clients, _ask(clients), fmt, older["id"])
    assert answer["status"] == 400, answer
    status = _checks(_presented(result, fmt))["status"]
    assert status["status"] == "failed"
    assert status["reason"].startswith("superseded by its issuer")
    answer, result = _answer_with(clients, _ask(clients), fmt, newer["id"])
    assert answer["status"] == 200, answer
    assert result["verified"] is True, result["result"]["problems"]
