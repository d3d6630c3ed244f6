"""The journeys of test_journeys.py on two instances of each service (see conftest.py),
then the steps that matter pinned to given instances, and races on both instances at once.

Alternating, an offer created on A is redeemed on B, a nonce from B is used on A, and so on;
the tests below pin such pairs explicitly and say which instance served what.
"""

from __future__ import annotations

import html
import itertools
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from issuer.db.models import Batch, Offer, StatusAllocation
from shared.protocols.oid4vci import PRE_AUTHORIZED_GRANT, parse_credential_offer
from tests.e2e.test_journeys import *  # noqa: F403 - every journey runs again on the pair
from tests.e2e.test_journeys import (
    FORMATS,
    QUERY_IDS,
    WALLET_EMAIL,
    WALLET_PASSWORD,
    Clients,
    _build_answer,
    _present,
)
from tests.instances import TwoInstances
from tests.tx_codes import count_tx_code_comparisons

ORG_PATH = "/orgs/demo-association"


def _both(instances: list[str]) -> None:
    assert set(instances) == {"A", "B"}, instances


# --------------------------------------------------------------------------- issuance


def test_offer_created_on_a_is_redeemed_on_b_with_a_nonce_from_a_used_on_b(
    pair: TwoInstances, clients: Clients
) -> None:
    issuer = pair.proxies["issuer"]
    issuer.pin("POST", r"/admin/orgs/[^/]+/offers$", "A")
    issuer.pin("GET", r"/orgs/[^/]+/offers/", "B")
    issuer.pin("POST", r"/orgs/[^/]+/token$", "B")
    issuer.pin("POST", r"/orgs/[^/]+/nonce$", "A")
    issuer.pin("POST", r"/orgs/[^/]+/credential$", "B")
    wallet = pair.proxies["wallet"]
    wallet.pin("POST", r"^/api/offers$", "A")
    wallet.pin("POST", r"^/api/offers/[^/]+/accept$", "B")
    start = len(issuer.log)
    offer = clients.offer("jwt_vc_json", tx_code=True)
    creds = clients.receive(offer["offer_uri"], tx_code=offer["tx_code"])
    (cred,) = creds
    stored = clients.wallet_credential(cred["id"])
    assert stored["format"] == "jwt_vc_json"
    assert clients.verify(stored["credential"])["verified"] is True
    steps = [(s.method, s.path.rsplit("/", 1)[-1], s.instance) for s in issuer.log[start:]]
    assert ("POST", "offers", "A") in steps
    assert ("POST", "token", "B") in steps
    assert ("POST", "nonce", "A") in steps
    assert ("POST", "credential", "B") in steps
    assert wallet.served("POST", r"^/api/offers")[-2:] == ["A", "B"]


def test_consecutive_issuer_requests_alternate_without_pins(
    pair: TwoInstances, clients: Clients
) -> None:
    issuer = pair.proxies["issuer"]
    start = len(issuer.log)
    offer = clients.offer("dc+sd-jwt")
    clients.receive(offer["offer_uri"])
    served = [s.instance for s in issuer.log[start:]]
    assert len(served) >= 5, issuer.log[start:]
    assert all(a != b for a, b in itertools.pairwise(served)), served


# --------------------------------------------------------------------------- presentation


def test_openid4vp_request_from_a_fetched_and_answered_on_b_result_read_on_a(
    pair: TwoInstances, clients: Clients, received: dict[str, dict[str, Any]]
) -> None:
    verifier = pair.proxies["verifier"]
    verifier.pin("POST", r"^/oid4vp/requests$", "A")
    verifier.pin("GET", r"^/oid4vp/request/", "B")
    verifier.pin("POST", r"^/oid4vp/response/", "B")
    verifier.pin("GET", r"^/oid4vp/requests/", "A")
    fmt = "jwt_vc_json"
    start = len(verifier.log)
    _, _, _, result = _present(clients, "any-badge", fmt, received[fmt]["id"])
    assert result["verified"] is True, result
    log = verifier.log[start:]
    created = [s.instance for s in log if s.method == "POST" and s.path == "/oid4vp/requests"]
    answered = [s.instance for s in log if s.method == "POST" and "response" in s.path]
    fetched = [
        s.instance for s in log if s.method == "GET" and s.path.startswith("/oid4vp/request/")
    ]
    read = [s.instance for s in log if s.method == "GET" and s.path.startswith("/oid4vp/requests/")]
    assert created == ["A"], log
    assert answered == ["B"], log
    assert set(fetched) == {"B"}, log
    assert set(read) == {"A"}, log


def test_wallet_consent_reviewed_on_a_sent_on_b(
    pair: TwoInstances, clients: Clients, received: dict[str, dict[str, Any]]
) -> None:
    """The wallet's pages: sign-in on A, the request opened on B, review on A, send on B."""
    wallet = pair.proxies["wallet"]
    wallet.pin("POST", r"^/signin$", "A")
    wallet.pin("POST", r"^/present$", "B")
    wallet.pin("POST", r"^/present/[^/]+/review$", "A")
    wallet.pin("POST", r"^/present/[^/]+/consent$", "B")
    links = clients.request("any-badge")
    base = pair.config.base_url("wallet")
    with httpx2.Client(base_url=base, timeout=60) as browser:
        page = browser.get("/signin")
        csrf = _hidden(page.text, "csrf_token")
        signed = browser.post(
            "/signin", data={"email": WALLET_EMAIL, "password": WALLET_PASSWORD, "csrf_token": csrf}
        )
        assert signed.status_code == 303, signed.text
        form = browser.get("/present")
        assert form.status_code == 200
        opened = browser.post(
            "/present",
            data={"link": links["request_uri"], "csrf_token": _hidden(form.text, "csrf_token")},
        )
        assert opened.status_code == 200, opened.text
        action = re.search(r'action="(/present/[^"/]+)/review"', opened.text)
        assert action is not None, opened.text
        data = {"csrf_token": _hidden(opened.text, "csrf_token")}
        # what the page ticks by itself: the person only reviews and agrees
        for name, value in re.findall(r'name="([^"]+)" value="([^"]*)" checked', opened.text):
            data[name] = html.unescape(value)
        assert any(name.startswith("choice__") for name in data), opened.text
        review = browser.post(f"{action.group(1)}/review", data=data)
        assert review.status_code == 200, review.text
        sent = browser.post(
            f"{action.group(1)}/consent",
            data={
                "csrf_token": _hidden(review.text, "csrf_token"),
                "selections": _hidden(review.text, "selections"),
            },
        )
        assert sent.status_code == 200, sent.text
    assert clients.result(links)["verified"] is True
    assert wallet.served("POST", r"^/signin$")[-1] == "A"
    assert wallet.served("POST", r"/review$")[-1] == "A"
    assert wallet.served("POST", r"/consent$")[-1] == "B"


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, f"no {name} in the page"
    return html.unescape(found.group(1))


# --------------------------------------------------------------------------- sessions


def test_session_and_csrf_from_a_valid_on_b(pair: TwoInstances) -> None:
    """The issuer's admin API: sign in on A, then a CSRF-protected call on B."""
    issuer = pair.proxies["issuer"]
    issuer.pin("POST", r"^/admin/login$", "A")
    issuer.pin("POST", r"/api-keys$", "B")
    password = (pair.config.data_dir / "issuer" / "demo-admin.txt").read_text().strip()
    with httpx2.Client(base_url=pair.config.base_url("issuer"), timeout=30) as admin:
        login = admin.post(
            "/admin/login", json={"email": "demo@association.example", "password": password}
        )
        assert login.status_code == 200, login.text
        key = admin.post(
            f"/admin{ORG_PATH}/api-keys",
            json={"name": "pair"},
            headers={"X-CSRF-Token": login.json()["csrf_token"]},
        )
        assert key.status_code == 201, key.text
        forged = admin.post(
            f"/admin{ORG_PATH}/api-keys",
            json={"name": "pair"},
            headers={"X-CSRF-Token": "not-the-token"},
        )
        assert forged.status_code == 403, forged.text
    assert issuer.served("POST", r"/api-keys$")[-2:] == ["B", "B"]


def test_verifier_console_signed_in_on_a_asks_on_b(pair: TwoInstances) -> None:
    """The recruiter's console: sign-in and the form's CSRF token from A, the request on B."""
    verifier = pair.proxies["verifier"]
    verifier.pin("GET", r"^/signin$", "A")
    verifier.pin("POST", r"^/signin$", "A")
    verifier.pin("GET", r"^/requests/new$", "A")
    verifier.pin("POST", r"^/requests$", "B")
    with httpx2.Client(base_url=pair.config.base_url("verifier"), timeout=60) as browser:
        browser.get("/signin")
        token = browser.cookies.get("musette_verifier_csrf") or ""
        signed = browser.post(
            "/signin",
            data={
                "email": "recruteur@demo.musette.example",
                "password": "musette-recruteur-demo",
                "next": "/requests/new",
                "csrf_token": token,
            },
        )
        assert signed.status_code == 303, signed.text
        form = browser.get("/requests/new")
        assert form.status_code == 200, form.text
        made = browser.post(
            "/requests",
            data={"template": "any-badge", "csrf_token": _hidden(form.text, "csrf_token")},
        )
        assert made.status_code == 303, made.text
        shown = browser.get(made.headers["location"])
        assert shown.status_code == 200, shown.text
        assert "openid4vp://" in html.unescape(shown.text)
        forged = browser.post("/requests", data={"template": "any-badge", "csrf_token": "x" * 32})
        assert forged.status_code == 403, forged.text
    assert verifier.served("POST", r"^/requests$")[-2:] == ["B", "B"]


BATCH_CSV = (
    "nom;courriel;rôle;début;fin;heures;récit\r\n"
    "Léa Dubois;;Encadrante;01/03/2026;30/06/2026;7,5;A encadré\r\n"
    "Sam Taylor;;Cuisine;2026-03-01;;12;A cuisiné\r\n"
)


def test_batch_previewed_on_a_confirmed_on_both_at_once_is_issued_once(
    pair: TwoInstances, issuer_db: Engine
) -> None:
    """The issuer console: sign-in on A, the CSV checked on B, the confirmation (a double
    click) posted to A and B at once: one batch, one offer per line."""
    issuer = pair.proxies["issuer"]
    issuer.pin("POST", r"^/signin$", "A")
    issuer.pin("POST", r"/batch$", "B")
    page = "/console/achievements/volunteer/batch"
    password = (pair.config.data_dir / "issuer" / "demo-admin.txt").read_text().strip()
    with httpx2.Client(base_url=pair.config.base_url("issuer"), timeout=60) as browser:
        signin = browser.get("/signin")
        signed = browser.post(
            "/signin",
            data={
                "csrf_token": _hidden(signin.text, "csrf_token"),
                "email": "demo@association.example",
                "password": password,
                "next": "/console",
            },
        )
        assert signed.status_code == 303, signed.text
        form = browser.get(page)
        assert form.status_code == 200, form.text
        filename = f"pair-{len(issuer.log)}.csv"
        preview = browser.post(
            page,
            data={"csrf_token": _hidden(form.text, "csrf_token"), "formats": "ldp_vc"},
            files={"file": (filename, BATCH_CSV.encode(), "text/csv")},
        )
        assert preview.status_code == 200, preview.text
        confirm = preview.text[preview.text.index(f'action="{page}/confirm"') :]
        fields = [
            (k, (None, html.unescape(v)))
            for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm)
        ]
        start = len(issuer.log)
        answers = _at_once([lambda: browser.post(f"{page}/confirm", files=fields)] * 2)
    assert sorted(a.status_code for a in answers) == [200, 303], [a.text for a in answers]
    _both([s.instance for s in issuer.log[start:] if s.path.endswith("/batch/confirm")])
    with Session(issuer_db) as session:
        batches = session.scalars(select(Batch).where(Batch.filename == filename)).all()
        assert len(batches) == 1
        offers = session.scalars(select(Offer).where(Offer.batch_id == batches[0].id)).all()
        assert len(offers) == 2
    redirected = next(a for a in answers if a.status_code == 303)
    assert redirected.headers["location"] == f"/console/batches/{batches[0].id}"


def test_every_journey_used_both_instances_of_each_service(pair: TwoInstances) -> None:
    for proxy in pair.proxies.values():
        _both([s.instance for s in proxy.log])


# --------------------------------------------------------------------------- at once, on both


def _at_once(calls: list[Callable[[], httpx2.Response]]) -> list[httpx2.Response]:
    """Run every call in its own thread, released together; their answers in call order."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx2.Response]) -> httpx2.Response:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _pre_authorized_code(offer: dict[str, Any]) -> str:
    query = parse_qs(urlsplit(offer["offer_uri"]).query)
    document = httpx2.get(query["credential_offer_uri"][0], timeout=30)
    assert document.status_code == 200, document.text
    code = parse_credential_offer(document.json()).pre_authorized_code
    assert code is not None
    return code


def _token(pair: TwoInstances, code: str, tx_code: str | None = None) -> httpx2.Response:
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    if tx_code is not None:
        form["tx_code"] = tx_code
    url = f"{pair.config.base_url('issuer')}{ORG_PATH}/token"
    return httpx2.post(url, data=form, timeout=60)


@pytest.fixture(scope="module")
def issuer_db(pair: TwoInstances) -> Iterator[Engine]:
    """The issuer's database, read directly to count what the two instances wrote."""
    engine = create_engine(pair.settings["issuer"].database_url)
    yield engine
    engine.dispose()


def test_one_pre_authorized_code_redeemed_on_both_at_once_gives_one_token(
    pair: TwoInstances, clients: Clients
) -> None:
    code = _pre_authorized_code(clients.offer("jwt_vc_json"))
    issuer = pair.proxies["issuer"]
    start = len(issuer.log)
    answers = _at_once([lambda: _token(pair, code), lambda: _token(pair, code)])
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 400], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 400)
    assert refused.json()["error"] == "invalid_grant"
    _both([s.instance for s in issuer.log[start:] if s.path.endswith("/token")])


def test_twenty_wrong_tx_codes_on_both_at_once_count_no_more_than_allowed(
    pair: TwoInstances, clients: Clients, issuer_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer = clients.offer("jwt_vc_json", tx_code=True)
    code = _pre_authorized_code(offer)
    right = offer["tx_code"]
    wrong = "000000" if right != "000000" else "111111"
    # both instances run in this process: one patch counts the codes either compares
    compared = count_tx_code_comparisons(monkeypatch)
    issuer = pair.proxies["issuer"]
    start = len(issuer.log)
    answers = _at_once([lambda: _token(pair, code, wrong) for _ in range(20)])
    assert [a.status_code for a in answers] == [400] * 20, [a.text for a in answers]
    assert {a.json()["error"] for a in answers} == {"invalid_grant"}
    allowed = pair.settings["issuer"].tx_code_max_attempts
    assert len(compared) <= allowed, compared
    _both([s.instance for s in issuer.log[start:] if s.path.endswith("/token")])
    offer_id = urlsplit(parse_qs(urlsplit(offer["offer_uri"]).query)["credential_offer_uri"][0])
    with Session(issuer_db) as session:
        row = session.get(Offer, offer_id.path.rsplit("/", 1)[-1])
        assert row is not None
        assert (row.tx_attempts, row.state) == (allowed, "dead")
    # dead on both instances: the right code is refused too, and not even compared
    before = len(compared)
    late = [_token(pair, code, right), _token(pair, code, right)]
    assert [a.status_code for a in late] == [400, 400]
    assert len(compared) == before


ISSUES_AT_ONCE = 40


def test_status_indexes_taken_on_both_instances_at_once_are_all_different(
    pair: TwoInstances, clients: Clients, issuer_db: Engine
) -> None:
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:subject", "name": "Someone"},
    }
    body = {
        "credential": credential,
        "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}},
    }
    issuer = pair.proxies["issuer"]
    start = len(issuer.log)
    answers = _at_once(
        [lambda: clients.issuer.post("/credentials/issue", json=body, timeout=120)] * ISSUES_AT_ONCE
    )
    assert [a.status_code for a in answers] == [201] * ISSUES_AT_ONCE, [a.text for a in answers]
    entries = [a.json()["verifiableCredential"]["credentialStatus"] for a in answers]
    slots = {(e[0]["statusListCredential"], e[0]["statusListIndex"]) for e in entries}
    assert len(slots) == ISSUES_AT_ONCE
    served = [s.instance for s in issuer.log[start:] if s.path == "/credentials/issue"]
    assert sorted(served) == ["A"] * (ISSUES_AT_ONCE // 2) + ["B"] * (ISSUES_AT_ONCE // 2)
    ids = {
        a.json()["verifiableCredential"]["id"].removeprefix("urn:uuid:").replace("-", "")
        for a in answers
    }
    with Session(issuer_db) as session:
        taken = session.execute(
            select(StatusAllocation.seq, StatusAllocation.idx).where(
                StatusAllocation.credential_id.in_(ids)
            )
        ).all()
    assert len(taken) == len(set(taken)) == ISSUES_AT_ONCE


def test_one_openid4vp_response_posted_to_both_at_once_is_accepted_once(
    pair: TwoInstances, clients: Clients, holder: Any, received: dict[str, dict[str, Any]]
) -> None:
    fmt = "dc+sd-jwt"
    links = clients.request("any-badge")
    answer = _build_answer(holder, links, received[fmt]["id"], QUERY_IDS[fmt])
    verifier = pair.proxies["verifier"]
    start = len(verifier.log)
    answers = _at_once([answer.post, answer.post])
    assert sorted(a.status_code for a in answers) == [200, 400], [a.text for a in answers]
    _both([s.instance for s in verifier.log[start:] if s.path.startswith("/oid4vp/response/")])
    result = clients.result(links)
    assert result["status"] == "answered"
    assert result["verified"] is True, result


def test_one_consent_sent_to_both_wallet_instances_at_once_is_sent_once(
    pair: TwoInstances, clients: Clients, received: dict[str, dict[str, Any]]
) -> None:
    """A double click on "send" landing on A and on B: one presentation leaves the wallet."""
    fmt = "jwt_vc_json"
    links = clients.request("any-badge")
    pending = clients.open_request(links["request_uri"])
    body = {"selections": {QUERY_IDS[fmt]: {"credential_id": received[fmt]["id"]}}}
    url = f"/api/presentations/{pending['id']}/consent"
    wallet, verifier = pair.proxies["wallet"], pair.proxies["verifier"]
    start, answered_before = len(wallet.log), len(verifier.served("POST", r"^/oid4vp/response/"))
    answers = _at_once([lambda: clients.wallet.post(url, json=body)] * 2)
    # the second waited for the first, then found the request answered, as a later send would
    assert sorted(a.status_code for a in answers) == [200, 404], [a.text for a in answers]
    sent = next(a for a in answers if a.status_code == 200)
    assert sent.json()["status"] == 200, sent.text
    gone = next(a for a in answers if a.status_code == 404)
    assert gone.json()["type"].endswith("#not-found")
    _both([s.instance for s in wallet.log[start:] if s.path == url])
    assert len(verifier.served("POST", r"^/oid4vp/response/")) == answered_before + 1
    result = clients.result(links)
    assert result["status"] == "answered"
    assert result["verified"] is True, result


def test_one_offer_accepted_on_both_wallet_instances_at_once_is_stored_once(
    pair: TwoInstances, clients: Clients
) -> None:
    """A double click on "accept" landing on A and on B: one badge in the wallet."""
    offer = clients.offer("dc+sd-jwt")
    opened = clients.wallet.post("/api/offers", json={"offer": offer["offer_uri"]})
    assert opened.status_code == 201, opened.text
    url = f"/api/offers/{opened.json()['id']}/accept"
    before = clients.wallet.get("/api/credentials")
    assert before.status_code == 200, before.text
    wallet = pair.proxies["wallet"]
    start = len(wallet.log)
    answers = _at_once([lambda: clients.wallet.post(url, json={"sphere": "association"})] * 2)
    statuses = sorted(a.status_code for a in answers)
    assert statuses[0] == 201, [a.text for a in answers]
    assert 400 <= statuses[1] < 500, [a.text for a in answers]  # refused, never a 500
    _both([s.instance for s in wallet.log[start:] if s.path == url])
    after = clients.wallet.get("/api/credentials")
    assert len(after.json()["credentials"]) == len(before.json()["credentials"]) + 1


__all__ = ["FORMATS", "QUERY_IDS", "_build_answer"]
