"""Corpus, family OpenID4VCI: the issuer app in process, attacked at its token and credential
endpoints by a wallet that reuses, steals, forges or replays.

One app for the module (SQLite in a temporary folder); every case makes its own offer, so
cases do not depend on each other. A case that moves the clock puts it back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from issuer.demo import seed_demo
from issuer.main import create_app
from issuer.service.orgs import create_api_key, create_org, get_org
from shared.encoding import b64url_encode
from shared.keys import PrivateKey
from shared.protocols.oid4vci import PRE_AUTHORIZED_GRANT, PROOF_TYP
from tests.integration.issuer.conftest import BASE, Clock, Env, Wallet, make_settings
from tests.security.corpus import Case, Verdict, assert_refused, from_status, params, raw_jws

FAMILY = "OpenID4VCI"
TOKEN, CREDENTIAL = "/orgs/demo-association/token", "/orgs/demo-association/credential"
CONFIG, OTHER_CONFIG = "volunteer_ldp_vc", "volunteer_jwt_vc_json"


@dataclass
class Issuer:
    env: Env
    other_org: str

    def wallet(self) -> Wallet:
        return Wallet(self.env)

    def offer(self, wallet: Wallet, **body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        created = self.env.offer(**body)
        return created, wallet.resolve(created["offer_uri"])

    def token(self, wallet: Wallet, **body: Any) -> str:
        created, offer = self.offer(wallet, **body)
        response = wallet.token(offer, created.get("tx_code"))
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def issued(self) -> int:
        response = self.env.client.get(
            "/admin/orgs/demo-association/credentials", headers=self.env.auth
        )
        return len(response.json())


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    folder = tmp_path_factory.mktemp("issuer")
    settings = make_settings(folder)
    seed_demo(settings)
    clock = Clock()
    app = create_app(settings, clock=clock)
    res = app.state.resources
    with res.sessions.begin() as session:
        org = get_org(session, "demo-association")
        _, api_key = create_api_key(session, org, "corpus", "test", clock())
        other = create_org(
            session,
            res.key_store(session),
            base_url=BASE,
            slug="other-employer",
            kind="employer",
            name="Other Employer",
            now=clock(),
        )
        create_api_key(session, other, "corpus", "test", clock())
    with TestClient(app) as client:
        yield Issuer(Env(client, settings, clock, api_key), "other-employer")


def oauth_refused(response: Any, *errors: str, status: int = 400) -> Verdict:
    """Refused with one of the OAuth ``errors`` (and ``status``)."""
    verdict = from_status(response.status_code, {status}, response.text)
    if verdict.outcome.value == "refused correctly":
        error = response.json().get("error")
        if errors and error not in errors:
            return Verdict(verdict.outcome.OTHER_REASON, f"error {error}: {response.text[:200]}")
    return verdict


def back_in_time(clock: Clock, **delta: float) -> Callable[[], None]:
    clock.advance(**delta)
    return lambda: setattr(clock, "now", clock.now - timedelta(**delta))


# ------------------------------------------------------------------ token endpoint


def code_reused(i: Issuer) -> Verdict:
    w = i.wallet()
    _, offer = i.offer(w)
    assert w.token(offer).status_code == 200
    return oauth_refused(w.token(offer), "invalid_grant")


def code_reused_by_another_wallet(i: Issuer) -> Verdict:
    _, offer = i.offer(i.wallet())
    assert i.wallet().token(offer).status_code == 200
    return oauth_refused(i.wallet().token(offer), "invalid_grant")


def code_at_another_org(i: Issuer) -> Verdict:
    w = i.wallet()
    _, offer = i.offer(w)
    code = offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    return oauth_refused(
        i.env.client.post(f"/orgs/{i.other_org}/token", data=form), "invalid_grant"
    )


def code_expired(i: Issuer) -> Verdict:
    w = i.wallet()
    _, offer = i.offer(w)
    restore = back_in_time(i.env.clock, minutes=10, seconds=1)
    try:
        return oauth_refused(w.token(offer), "invalid_grant")
    finally:
        restore()


def code_value(value: str) -> Callable[[Issuer], Verdict]:
    def run(i: Issuer) -> Verdict:
        form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": value}
        return oauth_refused(
            i.env.client.post(TOKEN, data=form), "invalid_grant", "invalid_request"
        )

    return run


def grant(form: dict[str, str]) -> Callable[[Issuer], Verdict]:
    def run(i: Issuer) -> Verdict:
        return oauth_refused(
            i.env.client.post(TOKEN, data=form),
            "unsupported_grant_type",
            "invalid_request",
            "invalid_grant",
        )

    return run


def tx_code_missing(i: Issuer) -> Verdict:
    w = i.wallet()
    _, offer = i.offer(w, tx_code=True)
    return oauth_refused(w.token(offer), "invalid_request")


def tx_code_wrong(i: Issuer) -> Verdict:
    w = i.wallet()
    created, offer = i.offer(w, tx_code=True)
    wrong = "000000" if created["tx_code"] != "000000" else "111111"
    return oauth_refused(w.token(offer, wrong), "invalid_grant")


def tx_code_right_after_six_wrong(i: Issuer) -> Verdict:
    w = i.wallet()
    created, offer = i.offer(w, tx_code=True)
    wrong = "000000" if created["tx_code"] != "000000" else "111111"
    for _ in range(6):
        w.token(offer, wrong)
    return oauth_refused(w.token(offer, created["tx_code"]), "invalid_grant")


def tx_code_of_another_offer(i: Issuer) -> Verdict:
    w = i.wallet()
    first, _ = i.offer(w, tx_code=True)
    second, offer = i.offer(w, tx_code=True)
    if first["tx_code"] == second["tx_code"]:
        return Verdict(from_status(400, {400}).outcome, "same code drawn twice; nothing to try")
    return oauth_refused(w.token(offer, first["tx_code"]), "invalid_grant")


def resource_elsewhere(i: Issuer) -> Verdict:
    w = i.wallet()
    _, offer = i.offer(w)
    return oauth_refused(w.token(offer, resource="https://elsewhere.example"), "invalid_target")


# ------------------------------------------------------------------ credential endpoint


def nonce_reused(i: Issuer) -> Verdict:
    w = i.wallet()
    token = i.token(w)
    nonce = w.nonce()
    assert w.credential(token, CONFIG, w.proof(nonce)).status_code == 200
    return oauth_refused(w.credential(token, OTHER_CONFIG, w.proof(nonce)), "invalid_nonce")


def nonce_of_another_wallet(i: Issuer) -> Verdict:
    a, b = i.wallet(), i.wallet()
    nonce = a.nonce()
    assert a.credential(i.token(a), CONFIG, a.proof(nonce)).status_code == 200
    return oauth_refused(b.credential(i.token(b), CONFIG, b.proof(nonce)), "invalid_nonce")


def nonce_expired(i: Issuer) -> Verdict:
    w = i.wallet()
    token = i.token(w)
    nonce = w.nonce()
    restore = back_in_time(i.env.clock, minutes=5, seconds=1)
    try:
        return oauth_refused(
            w.credential(token, CONFIG, w.proof(nonce)), "invalid_nonce", "invalid_token"
        )
    finally:
        restore()


def nonce_made_up(i: Issuer) -> Verdict:
    w = i.wallet()
    return oauth_refused(
        w.credential(i.token(w), CONFIG, w.proof("made-up-nonce")), "invalid_nonce"
    )


def nonce_missing(i: Issuer) -> Verdict:
    w = i.wallet()
    return oauth_refused(
        w.credential(i.token(w), CONFIG, w.proof(None)), "invalid_proof", "invalid_nonce"
    )


def proof_audience(audience: str) -> Callable[[Issuer], Verdict]:
    def run(i: Issuer) -> Verdict:
        w = i.wallet()
        token = i.token(w)
        proof = w.proof(w.nonce(), audience=audience)
        return oauth_refused(w.credential(token, CONFIG, proof), "invalid_proof")

    return run


def proof_time(**delta: float) -> Callable[[Issuer], Verdict]:
    def run(i: Issuer) -> Verdict:
        w = i.wallet()
        token = i.token(w)
        proof = w.proof(w.nonce(), issued_at=i.env.clock() + timedelta(**delta))
        return oauth_refused(w.credential(token, CONFIG, proof), "invalid_proof")

    return run


def forged_proof(
    header: Callable[[Wallet], dict[str, Any]],
    payload: Callable[[Issuer, Wallet, str], dict[str, Any]] | None = None,
    signer: Callable[[Wallet], PrivateKey] | None = None,
    raw: Callable[[str], str] | None = None,
) -> Callable[[Issuer], Verdict]:
    def run(i: Issuer) -> Verdict:
        w = i.wallet()
        token = i.token(w)
        nonce = w.nonce()
        claims = (payload or default_claims)(i, w, nonce)
        jwt = raw_jws(header(w), claims, (signer or (lambda x: x.key))(w))
        if raw is not None:
            jwt = raw(jwt)
        return oauth_refused(w.credential(token, CONFIG, jwt), "invalid_proof", "invalid_nonce")

    return run


def default_claims(i: Issuer, w: Wallet, nonce: str) -> dict[str, Any]:
    return {"aud": i.env.org_base, "iat": int(i.env.clock().timestamp()), "nonce": nonce}


def head(**extra: Any) -> Callable[[Wallet], dict[str, Any]]:
    def build(w: Wallet) -> dict[str, Any]:
        out = {"alg": "EdDSA", "typ": PROOF_TYP, "kid": w.kid, **extra}
        return {k: v for k, v in out.items() if v is not None}

    return build


def hs256_with_public_jwk(jwt: str) -> str:
    h, b, _ = jwt.split(".")
    header = json.loads(__import__("base64").urlsafe_b64decode(h + "=" * (-len(h) % 4)))
    header["alg"] = "HS256"
    h2 = b64url_encode(json.dumps(header).encode())
    secret = json.dumps(header["jwk"]).encode()
    mac = hmac.new(secret, f"{h2}.{b}".encode(), hashlib.sha256).digest()
    return f"{h2}.{b}.{b64url_encode(mac)}"


def token_of_another_holder(i: Issuer) -> Verdict:
    """Bob replays Alice's access token after she received her credential."""
    alice, bob = i.wallet(), i.wallet()
    token = i.token(alice)
    assert alice.credential(token, CONFIG).status_code == 200
    return oauth_refused(
        bob.credential(token, CONFIG), "credential_request_denied", "invalid_token", status=400
    )


def token_of_another_holder_other_format(i: Issuer) -> Verdict:
    """Bob uses Alice's token for the other format of her offer, bound to his own key."""
    alice, bob = i.wallet(), i.wallet()
    token = i.token(alice)
    assert alice.credential(token, CONFIG).status_code == 200
    response = bob.credential(token, OTHER_CONFIG)
    if response.status_code == 401:
        return from_status(401, {401}, response.text)
    return oauth_refused(response, "credential_request_denied", "invalid_proof")


def token_of_another_org(i: Issuer) -> Verdict:
    w = i.wallet()
    token = i.token(w)
    response = i.env.client.post(
        f"/orgs/{i.other_org}/credential",
        json={"credential_configuration_id": CONFIG, "proofs": {"jwt": [w.proof(w.nonce())]}},
        headers={"Authorization": f"Bearer {token}"},
    )
    return from_status(response.status_code, {400, 401}, response.text)


def bearer(value: Callable[[Issuer, Wallet], str]) -> Callable[[Issuer], Verdict]:
    def run(i: Issuer) -> Verdict:
        w = i.wallet()
        return from_status(w.credential(value(i, w), CONFIG).status_code, {401})

    return run


def pre_authorized_code_as_token(i: Issuer, w: Wallet) -> str:
    _, offer = i.offer(w)
    return str(offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"])


def token_expired(i: Issuer) -> Verdict:
    w = i.wallet()
    token = i.token(w)
    restore = back_in_time(i.env.clock, hours=2)
    try:
        nonce = w.nonce()
        return oauth_refused(
            w.credential(token, CONFIG, w.proof(nonce)), "invalid_token", status=401
        )
    finally:
        restore()


def configuration_not_offered(i: Issuer) -> Verdict:
    w = i.wallet()
    token = i.token(w, formats=["ldp_vc"])
    return oauth_refused(w.credential(token, OTHER_CONFIG), "unknown_credential_configuration")


def same_configuration_twice(i: Issuer) -> Verdict:
    w = i.wallet()
    token = i.token(w)
    assert w.credential(token, CONFIG).status_code == 200
    return oauth_refused(w.credential(token, CONFIG), "credential_request_denied")


def request_body(body: Callable[[Wallet], Any]) -> Callable[[Issuer], Verdict]:
    def run(i: Issuer) -> Verdict:
        w = i.wallet()
        token = i.token(w)
        response = i.env.client.post(
            CREDENTIAL, json=body(w), headers={"Authorization": f"Bearer {token}"}
        )
        return oauth_refused(
            response,
            "invalid_credential_request",
            "invalid_proof",
            "unknown_credential_configuration",
        )

    return run


def offer_of_another_org(i: Issuer) -> Verdict:
    created = i.env.offer()
    uri = created["offer_uri"]
    from urllib.parse import parse_qs, urlsplit

    path = urlsplit(parse_qs(urlsplit(uri).query)["credential_offer_uri"][0]).path
    response = i.env.client.get(path.replace("demo-association", i.other_org))
    return from_status(response.status_code, {404})


OTHER_KEY = PrivateKey.generate("Ed25519")

CASES_SPEC: list[tuple[str, str, Callable[[Issuer], Verdict]]] = [
    ("pre-authorized-code-reused", "TM-VCI-CODE", code_reused),
    ("pre-authorized-code-reused-by-another-wallet", "TM-VCI-CODE", code_reused_by_another_wallet),
    ("pre-authorized-code-at-another-org", "TM-VCI-CODE", code_at_another_org),
    ("pre-authorized-code-expired", "TM-VCI-CODE", code_expired),
    ("pre-authorized-code-unknown", "TM-VCI-CODE", code_value("nope")),
    ("pre-authorized-code-empty", "TM-VCI-CODE", code_value("")),
    ("pre-authorized-code-10k", "TM-VCI-CODE", code_value("A" * 10_000)),
    ("pre-authorized-code-sql-like", "TM-VCI-CODE", code_value("' OR 1=1 --")),
    (
        "grant-type-authorization-code",
        "TM-VCI-CODE",
        grant({"grant_type": "authorization_code", "code": "x"}),
    ),
    ("grant-type-client-credentials", "TM-VCI-CODE", grant({"grant_type": "client_credentials"})),
    ("grant-type-missing", "TM-VCI-CODE", grant({"pre-authorized_code": "x"})),
    ("tx-code-missing", "TM-VCI-CODE", tx_code_missing),
    ("tx-code-wrong", "TM-VCI-CODE", tx_code_wrong),
    ("tx-code-right-after-six-wrong", "TM-VCI-CODE", tx_code_right_after_six_wrong),
    ("tx-code-of-another-offer", "TM-VCI-CODE", tx_code_of_another_offer),
    ("resource-of-another-issuer", "TM-VCI-CODE", resource_elsewhere),
    ("c-nonce-reused", "TM-VCI-NONCE", nonce_reused),
    ("c-nonce-of-another-wallet", "TM-VCI-NONCE", nonce_of_another_wallet),
    ("c-nonce-expired", "TM-VCI-NONCE", nonce_expired),
    ("c-nonce-made-up", "TM-VCI-NONCE", nonce_made_up),
    ("c-nonce-missing", "TM-VCI-NONCE", nonce_missing),
    ("proof-for-another-org", "TM-VCI-PROOF", proof_audience(f"{BASE}/orgs/other-employer")),
    (
        "proof-for-another-host",
        "TM-VCI-PROOF",
        proof_audience("https://other.example/orgs/demo-association"),
    ),
    ("proof-for-the-bare-host", "TM-VCI-PROOF", proof_audience(BASE)),
    ("proof-expired", "TM-VCI-PROOF", proof_time(hours=-1)),
    ("proof-from-the-future", "TM-VCI-PROOF", proof_time(hours=1)),
    (
        "proof-alg-none",
        "TM-VCI-PROOF",
        forged_proof(head(alg="none"), raw=lambda j: j.rsplit(".", 1)[0] + "."),
    ),
    (
        "proof-alg-hs256-public-jwk",
        "TM-VCI-PROOF",
        forged_proof(
            lambda w: {"alg": "EdDSA", "typ": PROOF_TYP, "jwk": w.key.public_key.to_jwk()},
            raw=hs256_with_public_jwk,
        ),
    ),
    ("proof-typ-jwt", "TM-VCI-PROOF", forged_proof(head(typ="JWT"))),
    ("proof-typ-missing", "TM-VCI-PROOF", forged_proof(head(typ=None))),
    (
        "proof-signature-tampered",
        "TM-VCI-PROOF",
        forged_proof(
            head(), raw=lambda j: j[:-6] + ("AAAAAA" if not j.endswith("AAAAAA") else "BBBBBB")
        ),
    ),
    (
        "proof-kid-of-another-holder",
        "TM-VCI-PROOF",
        forged_proof(head(), signer=lambda w: OTHER_KEY),
    ),
    (
        "proof-kid-and-jwk",
        "TM-VCI-PROOF",
        forged_proof(lambda w: {**head()(w), "jwk": w.key.public_key.to_jwk()}),
    ),
    (
        "proof-jwk-with-private-d",
        "TM-VCI-PROOF",
        forged_proof(
            lambda w: {
                "alg": "EdDSA",
                "typ": PROOF_TYP,
                "jwk": {**w.key.public_key.to_jwk(), "d": "AAAA"},
            }
        ),
    ),
    ("proof-jku", "TM-VCI-PROOF", forged_proof(head(jku="https://attacker.example/jwks"))),
    ("proof-crit", "TM-VCI-PROOF", forged_proof(head(crit=["x"], x=1))),
    (
        "proof-aud-missing",
        "TM-VCI-PROOF",
        forged_proof(
            head(), payload=lambda i, w, n: {"iat": int(i.env.clock().timestamp()), "nonce": n}
        ),
    ),
    (
        "proof-aud-list-with-other-first",
        "TM-VCI-PROOF",
        forged_proof(
            head(),
            payload=lambda i, w, n: {
                "aud": ["https://x.example"],
                "iat": int(i.env.clock().timestamp()),
                "nonce": n,
            },
        ),
    ),
    (
        "proof-iat-string",
        "TM-VCI-PROOF",
        forged_proof(
            head(), payload=lambda i, w, n: {"aud": i.env.org_base, "iat": "now", "nonce": n}
        ),
    ),
    ("proof-not-a-jwt", "TM-VCI-PROOF", forged_proof(head(), raw=lambda j: "not-a-jwt")),
    ("token-of-another-holder", "TM-VCI-TOKEN", token_of_another_holder),
    ("token-of-another-holder-other-format", "TM-VCI-TOKEN", token_of_another_holder_other_format),
    ("token-of-another-org", "TM-VCI-TOKEN", token_of_another_org),
    ("token-made-up", "TM-VCI-TOKEN", bearer(lambda i, w: "made-up-token")),
    ("token-is-the-pre-authorized-code", "TM-VCI-TOKEN", bearer(pre_authorized_code_as_token)),
    ("token-is-an-admin-api-key", "TM-VCI-TOKEN", bearer(lambda i, w: i.env.api_key)),
    ("token-expired", "TM-VCI-TOKEN", token_expired),
    ("configuration-not-offered", "TM-VCI-TOKEN", configuration_not_offered),
    ("same-configuration-twice", "TM-VCI-TOKEN", same_configuration_twice),
    (
        "request-proof-and-proofs",
        "TM-VCI-PROOF",
        request_body(
            lambda w: {
                "credential_configuration_id": CONFIG,
                "proofs": {"jwt": [w.proof(w.nonce())]},
                "proof": {"proof_type": "jwt", "jwt": w.proof(w.nonce())},
            }
        ),
    ),
    (
        "request-proofs-not-a-list",
        "TM-VCI-PROOF",
        request_body(
            lambda w: {"credential_configuration_id": CONFIG, "proofs": {"jwt": w.proof(w.nonce())}}
        ),
    ),
    (
        "request-unknown-proof-type",
        "TM-VCI-PROOF",
        request_body(lambda w: {"credential_configuration_id": CONFIG, "proofs": {"ldp_vp": [{}]}}),
    ),
    (
        "request-draft-format-shape",
        "TM-VCI-PROOF",
        request_body(
            lambda w: {
                "format": "ldp_vc",
                "credential_definition": {"type": ["VerifiableCredential"]},
            }
        ),
    ),
    ("offer-fetched-at-another-org", "TM-VCI-CODE", offer_of_another_org),
]

CASES = [Case(FAMILY, name, threat, run) for name, threat, run in CASES_SPEC]


@pytest.mark.parametrize("case", params(CASES))
def test_hostile(case: Case, issuer: Issuer) -> None:
    before = issuer.issued()
    assert_refused(case, issuer)
    # what a case issues, it issues to its own legitimate first request only
    assert issuer.issued() - before <= 1


def test_the_honest_wallet_receives(issuer: Issuer) -> None:
    w = issuer.wallet()
    token = issuer.token(w)
    assert w.credential(token, CONFIG).status_code == 200
    assert w.credential(token, OTHER_CONFIG).status_code == 200
