"""The journeys across the real issuer, wallet and verifier over real HTTP on 127.0.0.1.

Nothing is mocked: the services run as ``musette up`` runs them (tests/stack.py), with
the demo data, and talk to each other only through OpenID4VCI, OpenID4VP, did:web and the
Bitstring Status List. The test drives them through their public APIs and command lines.
"""

from __future__ import annotations

import html
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from musette.up import UpConfig
from shared.did import DidResolver, did_web_from_url
from shared.net.fetch import HttpFetcher
from shared.protocols.oid4vp import decode_request_object
from tests.demo_clients import demo_issuer_client
from tests.other_wallet import Answer, build_answer, open_wallet

ORG = "demo-association"
ACHIEVEMENT = "volunteer"
FORMATS = ("ldp_vc", "jwt_vc_json", "dc+sd-jwt")
QUERY_IDS = {"ldp_vc": "badge_ldp", "jwt_vc_json": "badge_jwt", "dc+sd-jwt": "badge_sd_jwt"}
WALLET_EMAIL = "demo@musette.example"
WALLET_PASSWORD = "musette-demo"  # the demo account `musette up` prints
TRUSTED_NAME = "Association Démo"


@dataclass
class Clients:
    """One authenticated HTTP client per service, as their own users would have."""

    config: UpConfig
    issuer: httpx2.Client
    wallet: httpx2.Client
    verifier: httpx2.Client

    @property
    def issuer_did(self) -> str:
        """The demo association's did:web, which signs its credentials."""
        return did_web_from_url(f"{self.config.base_url('issuer')}/orgs/{ORG}")

    # ----------------------------------------------------------------- issuer (admin API)

    def offer(
        self, fmt: str, *, tx_code: bool = False, hours: str = "42", suspendable: bool = False
    ) -> dict[str, Any]:
        body = {
            "achievement": ACHIEVEMENT,
            "recipient": {"name": "Camille Martin"},
            "subject": {"role": "Encadrante bénévole", "results": {"hours": hours}},
            "formats": [fmt],
            "tx_code": tx_code,
            "suspendable": suspendable,
        }
        resp = self.issuer.post(f"/admin/orgs/{ORG}/offers", json=body)
        assert resp.status_code == 201, resp.text
        out: dict[str, Any] = resp.json()
        return out

    def issued(self) -> list[dict[str, Any]]:
        resp = self.issuer.get(f"/admin/orgs/{ORG}/credentials")
        assert resp.status_code == 200, resp.text
        rows: list[dict[str, Any]] = resp.json()
        return rows

    def set_status(self, credential_id: str, action: str) -> dict[str, Any]:
        resp = self.issuer.post(
            f"/admin/orgs/{ORG}/credentials/{credential_id}/status",
            json={"action": action, "reason": f"e2e: {action}"},
        )
        assert resp.status_code == 200, resp.text
        out: dict[str, Any] = resp.json()
        return out

    # ----------------------------------------------------------------- wallet (holder API)

    def receive(
        self, offer_uri: str, *, tx_code: str | None = None, sphere: str = "association"
    ) -> list[dict[str, Any]]:
        opened = self.wallet.post("/api/offers", json={"offer": offer_uri})
        assert opened.status_code == 201, opened.text
        pending = opened.json()
        body: dict[str, Any] = {"sphere": sphere}
        if tx_code is not None:
            body["tx_code"] = tx_code
        accepted = self.wallet.post(f"/api/offers/{pending['id']}/accept", json=body)
        assert accepted.status_code == 201, accepted.text
        creds: list[dict[str, Any]] = accepted.json()["credentials"]
        return creds

    def wallet_credential(self, credential_id: str) -> dict[str, Any]:
        resp = self.wallet.get(f"/api/credentials/{credential_id}")
        assert resp.status_code == 200, resp.text
        out: dict[str, Any] = resp.json()
        return out

    def open_request(self, request_uri: str) -> dict[str, Any]:
        resp = self.wallet.post("/api/presentations", json={"request": request_uri})
        assert resp.status_code == 201, resp.text
        out: dict[str, Any] = resp.json()
        return out

    def consent(self, pending_id: str, selections: dict[str, Any] | None = None) -> dict[str, Any]:
        resp = self.wallet.post(
            f"/api/presentations/{pending_id}/consent", json={"selections": selections or {}}
        )
        assert resp.status_code == 200, resp.text
        out: dict[str, Any] = resp.json()
        return out

    # ----------------------------------------------------------------- verifier

    def request(self, template: str, prefix: str | None = None) -> dict[str, Any]:
        """A request; with no prefix, the verifier's default (signed, by reference)."""
        body: dict[str, Any] = {"template": template}
        if prefix is not None:
            body["client_id_prefix"] = prefix
        resp = self.verifier.post("/oid4vp/requests", json=body)
        assert resp.status_code == 201, resp.text
        out: dict[str, Any] = resp.json()
        return out

    def result(self, links: dict[str, Any]) -> dict[str, Any]:
        resp = httpx2.get(links["result_url"])
        assert resp.status_code == 200, resp.text
        out: dict[str, Any] = resp.json()
        return out

    def verify(self, credential: Any) -> dict[str, Any]:
        resp = self.verifier.post("/verifications", json={"credential": credential})
        assert resp.status_code == 200, resp.text
        out: dict[str, Any] = resp.json()
        return out


def _issuer_client(config: UpConfig) -> httpx2.Client:
    return demo_issuer_client(config, "e2e")


def _wallet_client(
    config: UpConfig, email: str = WALLET_EMAIL, password: str = WALLET_PASSWORD
) -> httpx2.Client:
    base = config.base_url("wallet")
    with httpx2.Client(base_url=base) as holder:
        signed_in = holder.post("/api/session", json={"email": email, "password": password})
        assert signed_in.status_code == 200, signed_in.text
        token = holder.post(
            "/api/tokens",
            json={"name": "e2e"},
            headers={"X-CSRF-Token": signed_in.json()["csrf_token"]},
        )
        assert token.status_code == 201, token.text
    return httpx2.Client(
        base_url=base, headers={"Authorization": f"Bearer {token.json()['token']}"}, timeout=30
    )


def _verifier_client(config: UpConfig) -> httpx2.Client:
    key = (config.data_dir / "verifier" / "demo-recruiter-api-key.txt").read_text().strip()
    return httpx2.Client(
        base_url=config.base_url("verifier"),
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,  # as the wallet's: a page that revalidates a status list, on a busy machine
    )


@pytest.fixture(scope="module")
def clients(stack_config: UpConfig) -> Iterator[Clients]:
    issuer = _issuer_client(stack_config)
    wallet = _wallet_client(stack_config)
    verifier = _verifier_client(stack_config)
    with issuer, wallet, verifier:
        yield Clients(stack_config, issuer, wallet, verifier)


# --------------------------------------------------------------------------- helpers


def _checks(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every named check of a presentation report and of the credentials inside it."""
    found = {c["name"]: c for c in report.get("checks", [])}
    for sub in report.get("credentials", []):
        found.update(_checks(sub))
    return found


def _presented(result: dict[str, Any], fmt: str) -> dict[str, Any]:
    """The verifier's report of the one presentation answering the query for ``fmt``."""
    presentations = result["result"]["presentations"]
    assert list(presentations) == [QUERY_IDS[fmt]], presentations
    (report,) = presentations[QUERY_IDS[fmt]]
    out: dict[str, Any] = report
    return out


def _credential_claims(report: dict[str, Any]) -> dict[str, Any]:
    """The claims the verifier read from the (only) credential of a presentation."""
    creds = report.get("credentials") or [report]
    out: dict[str, Any] = creds[0]["credential"]
    return out


def _issued_id(clients: Clients, fmt: str, before: set[str]) -> str:
    """The issuer's record of the credential just delivered in ``fmt``."""
    (row,) = [r for r in clients.issued() if r["id"] not in before and r["format"] == fmt]
    out: str = row["id"]
    return out


def _present(
    clients: Clients,
    template: str,
    fmt: str,
    credential_id: str,
    prefix: str | None = None,
    **extra: Any,
) -> Any:
    """A fresh request at the verifier, answered by the wallet with one credential."""
    links = clients.request(template, prefix)
    pending = clients.open_request(links["request_uri"])
    qid = QUERY_IDS[fmt]
    options = next(q for q in pending["queries"] if q["id"] == qid)["options"]
    assert credential_id in {o["credential_id"] for o in options}
    answer = clients.consent(pending["id"], {qid: {"credential_id": credential_id, **extra}})
    return links, pending, answer, clients.result(links)


# --------------------------------------------------------------------------- journey 1


@pytest.mark.parametrize("tx_code", [False, True], ids=["no-tx-code", "tx-code"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_journey1_wallet_receives_the_volunteer_badge(
    clients: Clients, fmt: str, tx_code: bool
) -> None:
    before = {r["id"] for r in clients.issued()}
    offer = clients.offer(fmt, tx_code=tx_code, hours="37")
    assert ("tx_code" in offer) is tx_code
    opened = clients.wallet.post("/api/offers", json={"offer": offer["offer_uri"]})
    assert opened.status_code == 201, opened.text
    preview = opened.json()
    assert preview["issuer_name"] == TRUSTED_NAME
    assert preview["trusted"] is True  # the wallet's own small registry (musette up)
    assert [c["format"] for c in preview["credentials"]] == [fmt]
    assert (preview["tx_code"] is not None) is tx_code
    body: dict[str, Any] = {"sphere": "association"}
    if tx_code:
        body["tx_code"] = offer["tx_code"]
    accepted = clients.wallet.post(f"/api/offers/{preview['id']}/accept", json=body)
    assert accepted.status_code == 201, accepted.text
    (cred,) = accepted.json()["credentials"]

    stored = clients.wallet_credential(cred["id"])  # read back at once: it is committed
    assert stored["format"] == fmt
    assert stored["title"] == "Bénévole — encadrement"
    assert stored["issuer"] == clients.issuer_did
    assert stored["issuer_name"] == TRUSTED_NAME
    assert stored["trusted_issuer"] is True
    assert stored["achievement_type"] == "CommunityService"
    assert stored["sphere"] == "association"
    assert stored["holder_identity"]  # bound to one of the person's keys
    # the issuer recorded exactly this issuance, bound to the wallet's key
    issued = [r for r in clients.issued() if r["id"] not in before]
    assert [(r["format"], r["revoked"], r["suspended"]) for r in issued] == [(fmt, False, False)]
    assert issued[0]["status_list_index"] is not None
    # and what the wallet stored verifies on its own at the verifier (did:web, status list)
    report = clients.verify(stored["credential"])
    assert report["verified"] is True, _checks(report)
    assert report["issuer"] == clients.issuer_did
    # the offer was single use
    again = clients.wallet.post("/api/offers", json={"offer": offer["offer_uri"]})
    if again.status_code == 201:
        refused = clients.wallet.post(f"/api/offers/{again.json()['id']}/accept", json=body)
        assert refused.status_code >= 400, refused.text
        assert "invalid_grant" in refused.text
    else:
        assert again.status_code >= 400


def test_journey1_wrong_tx_code_is_refused_and_nothing_is_stored(clients: Clients) -> None:
    offer = clients.offer("jwt_vc_json", tx_code=True)
    before = {c["id"] for c in clients.wallet.get("/api/credentials").json()["credentials"]}
    opened = clients.wallet.post("/api/offers", json={"offer": offer["offer_uri"]}).json()
    wrong = "0" * len(offer["tx_code"]) if offer["tx_code"] != "0" * len(offer["tx_code"]) else "1"
    refused = clients.wallet.post(f"/api/offers/{opened['id']}/accept", json={"tx_code": wrong})
    assert refused.status_code >= 400
    assert "invalid_grant" in refused.text
    after = {c["id"] for c in clients.wallet.get("/api/credentials").json()["credentials"]}
    assert after == before


def test_journey1_and_2_through_the_command_lines(
    clients: Clients,
    stack_config: UpConfig,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`musette issuer offer` → `musette wallet receive` → `musette verifier request` →
    `musette wallet present --yes --json`, on the running stack's data folder."""
    from musette.cli import main

    for name, port in stack_config.ports.items():
        monkeypatch.setenv(f"MUSETTE_{name.upper()}_PORT", str(port))
        monkeypatch.delenv(f"MUSETTE_{name.upper()}_BASE_URL", raising=False)
        monkeypatch.delenv(f"MUSETTE_{name.upper()}_PUBLIC_URL", raising=False)
    monkeypatch.setenv("MUSETTE_DEV", "1")  # the stack is an http demo: development mode
    data = str(stack_config.data_dir)

    def run(*argv: str) -> dict[str, Any]:
        capsys.readouterr()
        assert main(list(argv)) == 0, capsys.readouterr().err
        out: dict[str, Any] = json.loads(capsys.readouterr().out)
        return out

    offer = run(
        "issuer",
        "offer",
        "--data-dir",
        data,
        "--org",
        ORG,
        "--achievement",
        ACHIEVEMENT,
        "--recipient",
        "Camille Martin",
        "--format",
        "dc+sd-jwt",
        "--tx-code",
        "--json",
    )
    assert offer["offer_uri"].startswith("openid-credential-offer://")
    # each command that opens the account reads its password on standard input
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{WALLET_PASSWORD}\n" * 2))
    received = run(
        "wallet",
        "--data-dir",
        data,
        "receive",
        offer["offer_uri"],
        "--account",
        WALLET_EMAIL,
        "--tx-code",
        offer["tx_code"],
        "--json",
    )
    (cred,) = received["credentials"]
    assert cred["format"] == "dc+sd-jwt"
    request = run("verifier", "--data-dir", data, "request", "--template", "volunteering", "--json")
    assert request["request_uri"].startswith("openid4vp://")
    answer = run(
        "wallet",
        "--data-dir",
        data,
        "present",
        request["request_uri"],
        "--account",
        WALLET_EMAIL,
        "--credential",
        cred["id"],
        "--yes",
        "--json",
    )
    assert answer["status"] == 200, answer
    result = clients.result(request)
    assert result["status"] == "answered"
    assert result["verified"] is True, result


# --------------------------------------------------------------------------- journey 2


@pytest.fixture(scope="module")
def received(clients: Clients) -> dict[str, dict[str, Any]]:
    """One freshly received volunteer badge per format (the wallet's stored view)."""
    out = {}
    for fmt in FORMATS:
        offer = clients.offer(fmt)
        (cred,) = clients.receive(offer["offer_uri"])
        out[fmt] = clients.wallet_credential(cred["id"])
    return out


@pytest.mark.parametrize(
    ("template", "prefix"),
    [("any-badge", None), ("volunteering", None), ("any-badge", "redirect_uri")],
    ids=["any-badge", "volunteering", "any-badge-by-value"],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_journey2_wallet_presents_to_the_verifier(
    clients: Clients,
    received: dict[str, dict[str, Any]],
    fmt: str,
    template: str,
    prefix: str | None,
) -> None:
    """The default request (signed with the verifier's did:web key, by reference) and the
    unsigned redirect_uri: one (by value), answered in each format."""
    links, pending, answer, result = _present(
        clients, template, fmt, received[fmt]["id"], prefix=prefix
    )
    assert pending["verifier"]["client_id"] == links["client_id"]
    if prefix is None:
        assert links["client_id"].startswith("decentralized_identifier:did:web:")
    else:
        assert links["client_id"].startswith("redirect_uri:")
        assert "request_uri=" not in links["request_uri"]
    assert answer["status"] == 200, answer
    assert result["status"] == "answered"
    assert result["verified"] is True, result["result"]["problems"]
    assert result["result"]["problems"] == []
    report = _presented(result, fmt)
    assert report["verified"] is True
    checks = _checks(report)
    for name in ("format", "proof", "issuer_key", "validity", "status", "trust"):
        assert checks[name]["status"] == "passed", (name, checks[name])
    # bound to this request: nonce and the full client_id (prefix included)
    bound = [c for c in checks.values() if c["name"] in {"challenge", "key_binding"}]
    assert bound, checks
    assert all(c["status"] == "passed" for c in bound), checks
    assert checks["holder_binding"]["status"] == "passed"
    trust = (report.get("credentials") or [report])[0]["trust"]
    assert trust["trusted"] is True
    assert trust["registry_name"] == TRUSTED_NAME
    assert trust["issuer"] == clients.issuer_did
    claims = _credential_claims(report)
    if fmt == "dc+sd-jwt":
        # only what the query asked for (the achievement is always disclosed): nothing of
        # credentialSubject (the person's name, role and hours) reaches the verifier
        assert "credentialSubject" not in claims
        assert claims["achievement"]["name"] == "Bénévole — encadrement"
    else:
        assert claims["credentialSubject"]["achievement"]["achievementType"] == "CommunityService"
    # and the person's history says who was shown what
    history = clients.wallet.get("/api/history", params={"kind": "presented"}).json()
    (entry,) = [e for e in history["entries"] if e["id"] == answer["history_id"]]
    assert entry["verifier"] == links["client_id"]
    assert [c["credential_id"] for c in entry["credentials"]] == [received[fmt]["id"]]


def test_journey2_sd_jwt_reveals_only_the_chosen_claims(
    clients: Clients, received: dict[str, dict[str, Any]]
) -> None:
    """The person chooses to show their hours: the subject and its results are disclosed,
    and nothing else that was selectively disclosable (their name) reaches the verifier."""
    cred = received["dc+sd-jwt"]
    chosen = [["credentialSubject", "result", None, "value"]]
    _, pending, answer, result = _present(
        clients, "any-badge", "dc+sd-jwt", cred["id"], disclose=chosen
    )
    option = next(
        o
        for q in pending["queries"]
        if q["id"] == QUERY_IDS["dc+sd-jwt"]
        for o in q["options"]
        if o["credential_id"] == cred["id"]
    )
    assert option["selective"] is True
    assert answer["status"] == 200, answer
    assert result["verified"] is True, result["result"]["problems"]
    claims = _credential_claims(_presented(result, "dc+sd-jwt"))
    subject = claims["credentialSubject"]
    assert [r["value"] for r in subject["result"]] == ["42"]
    # the recipient's name (an undisclosed array element) stayed in the wallet
    assert subject.get("identifier", []) == []
    assert "id" not in subject


@pytest.mark.parametrize("prefix", [None, "redirect_uri"], ids=["signed", "by-value"])
def test_journey2_encrypted_answer_with_direct_post_jwt(
    clients: Clients, received: dict[str, dict[str, Any]], prefix: str | None
) -> None:
    """OpenID4VP 1.0 §8.3.1: the verifier asks for direct_post.jwt and publishes a key of this
    request in client_metadata.jwks; our wallet encrypts its answer to it (ECDH-ES JWE in the
    ``response`` field) and our verifier decrypts it and runs the usual checks. By value, the
    key is in the link's client_metadata (JSON text the wallet must decode)."""
    fmt = "dc+sd-jwt"
    body: dict[str, Any] = {"template": "volunteering", "response_mode": "direct_post.jwt"}
    if prefix is not None:
        body["client_id_prefix"] = prefix
    created = clients.verifier.post("/oid4vp/requests", json=body)
    assert created.status_code == 201, created.text
    links = created.json()
    if prefix is None:
        request_object = httpx2.get(links["request_object_uri"])
        assert request_object.status_code == 200
        _, claims = decode_request_object(request_object.text)
    else:
        query = parse_qs(urlsplit(links["request_uri"]).query)
        assert "request_uri" not in query
        claims = {"client_metadata": json.loads(query["client_metadata"][0])}
        claims["response_mode"] = query["response_mode"][0]
    assert claims["response_mode"] == "direct_post.jwt"
    (key,) = claims["client_metadata"]["jwks"]["keys"]
    assert (key["use"], key["alg"], key["crv"]) == ("enc", "ECDH-ES", "P-256")
    assert "d" not in key
    pending = clients.open_request(links["request_uri"])
    assert pending["verifier"]["encrypted"] is True
    qid = QUERY_IDS[fmt]
    answer = clients.consent(pending["id"], {qid: {"credential_id": received[fmt]["id"]}})
    assert answer["status"] == 200, answer
    result = clients.result(links)
    assert result["status"] == "answered"
    assert result["response_mode"] == "direct_post.jwt"
    assert result["verified"] is True, result["result"]["problems"]
    report = _presented(result, fmt)
    checks = _checks(report)
    for name in ("proof", "status", "trust", "holder_binding"):
        assert checks[name]["status"] == "passed", (name, checks[name])
    bound = [c for c in checks.values() if c["name"] in {"challenge", "key_binding"}]
    assert bound, checks
    assert all(c["status"] == "passed" for c in bound), checks
    # the request is used up: the same request cannot be answered twice
    again = httpx2.post(links["response_uri"], data={"response": "a.b.c.d.e"})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_request"


# --------------------------------------------------------------------------- revocation


def _recruiters_page(clients: Clients, links: dict[str, Any], lang: str = "fr") -> str:
    """The recruiter's request page, as the signed-in recruiter reads it (after the poll)."""
    resp = clients.verifier.get(f"/requests/{links['id']}", params={"lang": lang})
    assert resp.status_code == 200, resp.text
    return html.unescape(resp.text)


def _blocked_in_our_wallet(clients: Clients, credential_id: str, fmt: str, state: str) -> None:
    """Our wallet flags the badge with the reason and refuses to present it."""
    pending = clients.open_request(clients.request("any-badge")["request_uri"])
    options = next(q for q in pending["queries"] if q["id"] == QUERY_IDS[fmt])["options"]
    (option,) = [o for o in options if o["credential_id"] == credential_id]
    assert option["blocked"] is True
    assert option["status"]["state"] == state
    refused = clients.wallet.post(
        f"/api/presentations/{pending['id']}/consent",
        json={"selections": {QUERY_IDS[fmt]: {"credential_id": credential_id}}},
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["type"].endswith("#credential-blocked")


@pytest.mark.parametrize("fmt", FORMATS)
def test_revoke_then_ask_again_at_once_the_recruiters_page_reads_revoked(
    clients: Clients, holder: Any, fmt: str
) -> None:
    """No waiting. The verifier fetched the list seconds ago and the issuer says
    max-age=300, yet the next answer reads "Révoqué": the page's verdict revalidates first."""
    before = {r["id"] for r in clients.issued()}
    (cred,) = clients.receive(clients.offer(fmt)["offer_uri"])
    issued_id = _issued_id(clients, fmt, before)
    first_links, *_, first = _present(clients, "volunteering", fmt, cred["id"])
    assert first["verified"] is True, first["result"]["problems"]
    assert "✔ Vérifié" in _recruiters_page(clients, first_links)

    revoked = clients.set_status(issued_id, "revoke")
    assert revoked["revoked"] is True
    assert [h["action"] for h in revoked["history"]] == ["revoke"]
    # our wallet will not send it any more...
    _blocked_in_our_wallet(clients, cred["id"], fmt, "revoked")
    # ...so another wallet (one that does not check) answers the recruiter's next request
    links = clients.request("volunteering")
    answered = _post(_build_answer(holder, links, cred["id"], QUERY_IDS[fmt]))
    assert answered.status_code == 400  # the verifier refused the answer...
    result = clients.result(links)
    assert result["status"] == "answered"  # ...and keeps the failed result for the recruiter
    assert result["verified"] is False
    checks = _checks(_presented(result, fmt))
    assert checks["status"]["status"] == "failed", checks["status"]
    assert "revoked" in checks["status"]["reason"]  # a badge's default entry is revocation
    assert checks["proof"]["status"] == "passed"  # only the status changed
    assert checks["trust"]["status"] == "passed"
    fr = _recruiters_page(clients, links)
    assert 'data-verdict="revoked"' in fr
    assert "✘ Révoqué" in fr
    assert "Statut consulté le" in fr
    assert "✘ Revoked" in _recruiters_page(clients, links, "en")
    # through POST /verifications once the window has passed (0 s in this stack)
    dropped = clients.verify(clients.wallet_credential(cred["id"])["credential"])
    assert dropped["verified"] is False
    status = _checks(dropped)["status"]
    assert status["status"] == "failed"
    assert "revoked" in status["reason"]
    assert status["details"]["checked_at"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_suspended_badge_fails_then_passes_again_once_unsuspended(
    clients: Clients, holder: Any, fmt: str
) -> None:
    before = {r["id"] for r in clients.issued()}
    (cred,) = clients.receive(clients.offer(fmt, suspendable=True)["offer_uri"])
    issued_id = _issued_id(clients, fmt, before)

    assert clients.set_status(issued_id, "suspend")["suspended"] is True
    _blocked_in_our_wallet(clients, cred["id"], fmt, "suspended")
    links = clients.request("any-badge")
    _post(_build_answer(holder, links, cred["id"], QUERY_IDS[fmt]))
    suspended = clients.result(links)
    assert suspended["verified"] is False
    status = _checks(_presented(suspended, fmt))["status"]
    assert status["status"] == "failed"
    assert "suspend" in status["reason"]
    assert "✘ Suspendu" in _recruiters_page(clients, links)

    after = clients.set_status(issued_id, "unsuspend")
    assert after["suspended"] is False
    assert [h["action"] for h in after["history"]] == ["suspend", "unsuspend"]
    *_, reinstated = _present(clients, "any-badge", fmt, cred["id"])
    assert reinstated["verified"] is True, reinstated["result"]["problems"]
    assert _checks(_presented(reinstated, fmt))["status"]["status"] == "passed"


def test_a_refusal_reaches_the_recruiter_at_once(clients: Clients) -> None:
    """The person refuses in the wallet; the wallet sends access_denied
    (OpenID4VP 1.0 §8.5) and the recruiter's page reads "Refusé", long before expiry."""
    links = clients.request("volunteering")
    pending = clients.open_request(links["request_uri"])
    declined = clients.wallet.post(f"/api/presentations/{pending['id']}/decline")
    assert declined.status_code == 204, declined.text
    result = clients.result(links)
    assert result["status"] == "refused"
    assert result["result"]["error"] == "access_denied"
    fr = _recruiters_page(clients, links)
    assert 'data-verdict="refused"' in fr
    assert "✘ Refusé" in fr
    assert "data-qr hidden" in fr


# --------------------------------------------------------------------------- refusals


@pytest.fixture(scope="module")
def holder(stack_config: UpConfig) -> Iterator[Any]:
    """Another wallet, on the same account's data, that posts what the test tells it to."""
    with open_wallet(stack_config) as res:
        yield res


def _build_answer(
    holder: Any,
    links: dict[str, Any],
    credential_id: str,
    qid: str,
    *,
    audience: str | None = None,
    disclose: list[tuple[Any, ...]] | None = None,
) -> Answer:
    return build_answer(
        holder,
        WALLET_EMAIL,
        links["request_uri"],
        credential_id,
        qid,
        audience=audience,
        disclose=disclose,
        password=WALLET_PASSWORD,
    )


def _post(answer: Answer) -> httpx2.Response:
    return answer.post()


@pytest.mark.parametrize("fmt", FORMATS)
def test_refused_a_replayed_presentation(
    clients: Clients, holder: Any, received: dict[str, dict[str, Any]], fmt: str
) -> None:
    links = clients.request("any-badge")
    answer = _build_answer(holder, links, received[fmt]["id"], QUERY_IDS[fmt])
    first = _post(answer)
    assert first.status_code == 200, first.text
    assert clients.result(links)["verified"] is True
    # the same presentation (same nonce) again, to the same response URI
    again = _post(answer)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_request"
    assert "replay" in again.json()["error_description"]
    assert clients.result(links)["verified"] is True  # the first answer stands
    # and to a fresh request (a new nonce): the presentation is bound to the old one
    other = clients.request("any-badge")
    replayed = httpx2.post(
        _build_answer(holder, other, received[fmt]["id"], QUERY_IDS[fmt]).response_uri,
        data={**answer.form, "state": _state_of(holder, other)},
        timeout=30,
    )
    assert replayed.status_code == 400, replayed.text
    result = clients.result(other)
    assert result["verified"] is False
    assert any("nonce" in p for p in result["result"]["problems"]), result["result"]["problems"]


def _state_of(holder: Any, links: dict[str, Any]) -> str:
    from shared.did import DidResolver
    from wallet.service import presentation_request

    resolver = DidResolver(holder.fetcher, allow_http=True)
    state: str = presentation_request.resolve_request(
        holder.fetcher, resolver, links["request_uri"]
    ).claims["state"]
    return state


@pytest.mark.parametrize("fmt", FORMATS)
def test_refused_a_presentation_for_another_verifier(
    clients: Clients, holder: Any, received: dict[str, dict[str, Any]], fmt: str
) -> None:
    links = clients.request("any-badge")
    other = "redirect_uri:https://other-verifier.example/oid4vp/response/x"
    answer = _build_answer(holder, links, received[fmt]["id"], QUERY_IDS[fmt], audience=other)
    refused = _post(answer)
    assert refused.status_code == 400, refused.text
    result = clients.result(links)
    assert result["verified"] is False
    checks = _checks(_presented(result, fmt))
    failed = [c for c in checks.values() if c["status"] == "failed"]
    assert failed, checks
    assert any("client_id" in p or "aud" in p for p in result["result"]["problems"]), result


def test_refused_a_presentation_missing_a_required_claim(
    clients: Clients, holder: Any, received: dict[str, dict[str, Any]]
) -> None:
    """The `rating` template requires a result's value; an SD-JWT answer that keeps the
    results undisclosed is refused by the DCQL check (the proof is fine). Disclosed, the
    volunteer badge's hours are still refused: hours are not a rating."""
    cred = received["dc+sd-jwt"]["id"]
    qid = QUERY_IDS["dc+sd-jwt"]
    links = clients.request("rating")
    refused = _post(_build_answer(holder, links, cred, qid, disclose=[]))
    assert refused.status_code == 400, refused.text
    result = clients.result(links)
    assert result["verified"] is False
    assert result["result"]["dcql_problems"], result["result"]
    checks = _checks(_presented(result, "dc+sd-jwt"))
    assert checks["proof"]["status"] == "passed"  # the credential itself is genuine
    assert checks["rating"]["status"] == "failed"  # no value disclosed: no rating to read
    # with the claim disclosed, the DCQL check passes, and the rating check refuses the hours
    links = clients.request("rating")
    path = ("credentialSubject", "result", None, "value")
    refused = _post(_build_answer(holder, links, cred, qid, disclose=[path]))
    assert refused.status_code == 400, refused.text
    result = clients.result(links)
    assert result["verified"] is False
    assert result["result"]["dcql_problems"] == []
    rating = _checks(_presented(result, "dc+sd-jwt"))["rating"]
    assert rating["status"] == "failed"
    assert rating["reason"].startswith("no rating here")


# ---------------------------------------------------------------- reference verifier libraries

INTEROP = Path(__file__).parents[1] / "interop"


def _node(script: str, *args: str, stdin: str | None = None) -> Any:
    done = subprocess.run(
        ["node", str(INTEROP / script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return json.loads(done.stdout)


@pytest.mark.interop
def test_issued_badges_verify_with_the_reference_libraries(
    clients: Clients, received: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """What the issuer issues (did:web, over OpenID4VCI) verifies with Digital Bazaar's
    @digitalbazaar/vc (ldp_vc), jose (jwt_vc_json) and @sd-jwt/sd-jwt-vc (dc+sd-jwt).
    The oracles check proofs and issuer keys; status is Musette's own check (see above)."""
    if shutil.which("node") is None or not (INTEROP / "node_modules").is_dir():
        pytest.skip("Node and `npm ci` in tests/interop are needed for the reference libraries")
    ldp = received["ldp_vc"]["credential"]
    did = ldp["issuer"]["id"] if isinstance(ldp["issuer"], dict) else ldp["issuer"]
    fetcher = HttpFetcher(allow_loopback=True)
    document = DidResolver(fetcher, allow_http=True).resolve(did)
    docs = tmp_path / "did-docs.json"
    docs.write_text(json.dumps({did: document.raw}))
    signed = tmp_path / "ldp.json"
    signed.write_text(json.dumps(ldp))
    result = _node("verify_di.mjs", "--did-docs", str(docs), "--ignore-status", str(signed))
    assert result["verified"] is True, result

    vm = ldp["proof"]["verificationMethod"]
    jwk = document.verification_method(vm, "assertionMethod").public_key.to_jwk()
    cases = [
        {
            "kind": "jwt",
            "token": received["jwt_vc_json"]["credential"],
            "jwk": jwk,
            "alg": "EdDSA",
            "typ": "JWT",
        },
        {
            "kind": "sd-jwt-vc",
            "token": received["dc+sd-jwt"]["credential"],
            "jwk": jwk,
            "nonce": None,
            "aud": None,
        },
    ]
    results = _node("verify_jose_sdjwt.mjs", stdin=json.dumps(cases))
    assert [r["verified"] for r in results] == [True, True], results
    # and a tampered one is refused by the same oracle (the oracle is not a rubber stamp)
    tampered = dict(ldp, name="Something else")
    signed.write_text(json.dumps(tampered))
    assert (
        _node("verify_di.mjs", "--did-docs", str(docs), "--ignore-status", str(signed))["verified"]
        is False
    )


# --------------------------------------------------------------------------- journey 3


def _new_wallet_account(config: UpConfig, email: str) -> httpx2.Client:
    """A second person on the same wallet instance, with an API token."""
    password = "colleague-password"
    with httpx2.Client(base_url=config.base_url("wallet")) as anon:
        created = anon.post("/api/accounts", json={"email": email, "password": password})
        assert created.status_code == 201, created.text
    return _wallet_client(config, email, password)


def test_journey3_a_colleague_endorses_an_experience_and_the_verifier_shows_who(
    clients: Clients, stack_config: UpConfig
) -> None:
    """Person A describes an experience and sends a link; colleague B (same wallet, own
    account) endorses it, attaching the association's badge as proof of the relationship;
    A presents the endorsement over OpenID4VP; the verifier names B and the proof level."""
    with _new_wallet_account(stack_config, "colleague@e2e.example") as bob:
        # B holds a badge from the (trusted) demo association, issued to B's own DID
        offer = clients.offer("ldp_vc")
        opened = bob.post("/api/offers", json={"offer": offer["offer_uri"]})
        assert opened.status_code == 201, opened.text
        accepted = bob.post(f"/api/offers/{opened.json()['id']}/accept", json={})
        assert accepted.status_code == 201, accepted.text
        (badge,) = accepted.json()["credentials"]
        bob_did = badge["subject"]

        # A describes the experience and creates a link
        exp = clients.wallet.post(
            "/api/experiences",
            json={
                "title": "Coordinatrice",
                "organisation": "Association Démo",
                "start_date": "2023-09-01",
                "description": "Accueil des bénévoles.",
            },
        )
        assert exp.status_code == 201, exp.text
        link = clients.wallet.post(f"/api/experiences/{exp.json()['id']}/requests")
        assert link.status_code == 201, link.text
        path = link.json()["url"].removeprefix(stack_config.base_url("wallet"))

        # B endorses it with the badge as proof
        done = bob.post(
            path.replace("/endorse/", "/api/endorse/"),
            json={
                "comment": "Elle a coordonné quarante bénévoles avec moi.",
                "name": "Bruno Colin",
                "proof_credential_id": badge["id"],
            },
        )
        assert done.status_code == 201, done.text
        assert done.json()["endorser"] == bob_did
        again = bob.post(
            path.replace("/endorse/", "/api/endorse/"), json={"comment": "bis", "name": "B"}
        )
        assert again.status_code == 410
        assert again.json()["type"].endswith("#endorsement-link-used")

    # A holds it, attached to the experience
    (endorsement,) = clients.wallet.get(f"/api/experiences/{exp.json()['id']}").json()[
        "endorsements"
    ]
    assert endorsement["endorser"] == bob_did

    # A presents it to the verifier (OpenID4VP, template "endorsement")
    links = clients.request("endorsement")
    pending = clients.open_request(links["request_uri"])
    answer = clients.consent(
        pending["id"], {"endorsement_ldp": {"credential_id": endorsement["credential_id"]}}
    )
    assert answer["status"] == 200, answer
    result = clients.result(links)
    assert result["verified"] is True, result["result"]["problems"]
    (report,) = result["result"]["presentations"]["endorsement_ldp"]
    credential = (report.get("credentials") or [report])[0]
    attestation = credential["attestation"]
    assert attestation["endorser"] == bob_did
    assert attestation["endorser_name"] == "Bruno Colin"
    assert attestation["comment"] == "Elle a coordonné quarante bénévoles avec moi."
    assert attestation["level"] == "verified-credential", attestation
    assert attestation["proven_by"]["issuer"] == clients.issuer_did
    assert attestation["proven_by"]["trusted"] is True
    assert attestation["proven_by"]["registry_name"] == TRUSTED_NAME

    # and the recruiter's result page says so, in French and in English
    for lang, words in (("fr", "Relation prouvée"), ("en", "Relationship proven")):
        html = clients.verifier.get(
            f"/requests/{links['id']}?lang={lang}", headers={"Accept": "text/html"}
        )
        assert html.status_code == 200, html.text
        assert "Bruno Colin" in html.text
        assert words in html.text
