"""Corpus, family OpenID4VP: the verifier app in process, answered by a hostile wallet.

Every case opens its own request (fresh nonce and state) on one app for the module, and
answers it in one of the three formats with something it should refuse: a replay, another
audience or nonce, another request's state or response_uri, a client_id prefix we do not
support.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.verifier.conftest import NOW, Served, make_fetcher, make_settings
from tests.integration.verifier.test_verifier_oid4vp import _answer, _new, _present, _request_object
from tests.security.corpus import Case, Verdict, assert_refused, from_status, params
from tests.unit.verifier.builders import (
    OTHER,
    STATUS_URL,
    badge,
    ldp_vc,
    ldp_vp,
    sd_jwt_vc,
    status_list,
)
from verifier.demo import DEMO_KEY_FILE, seed_demo
from verifier.main import create_app

FAMILY = "OpenID4VP"
FORMATS = ("ldp_vc", "jwt_vc_json", "dc+sd-jwt")
HOST = "https://verifier.example"


@dataclass
class Verifier:
    client: TestClient
    key: str

    def request(self, prefix: str = "redirect_uri") -> tuple[dict[str, Any], dict[str, Any]]:
        links = _new(self.client, self.key, "any-badge", prefix)
        return links, _request_object(self.client, links)

    def post(self, obj: dict[str, Any], form: dict[str, str]) -> Any:
        return self.client.post(obj["response_uri"].removeprefix(HOST), data=form)

    def result(self, links: dict[str, Any]) -> dict[str, Any]:
        return dict(self.client.get(links["result_url"].removeprefix(HOST)).json())


@pytest.fixture(scope="module")
def verifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Verifier]:
    folder: Path = tmp_path_factory.mktemp("verifier")
    settings = make_settings(folder)
    served = Served()
    served.json(STATUS_URL, json.dumps(status_list((7,))).encode())
    app = create_app(settings, fetcher=make_fetcher(served), clock=lambda: NOW)
    with TestClient(app) as client:
        seed_demo(settings)
        key = (Path(settings.data_dir) / DEMO_KEY_FILE).read_text().strip()
        yield Verifier(client, key)


def refused(response: Any, *, status: int = 400) -> Verdict:
    return from_status(response.status_code, {status}, response.text)


def refused_and_not_verified(v: Verifier, links: dict[str, Any], response: Any) -> Verdict:
    verdict = refused(response)
    result = v.result(links)
    if result.get("verified") is True:
        return Verdict(verdict.outcome.ACCEPTED, f"result says verified: {result}")
    return verdict


# ------------------------------------------------------------------ per format


def replay_same_request(fmt: str) -> Callable[[Verifier], Verdict]:
    def run(v: Verifier) -> Verdict:
        _, obj = v.request()
        qid, vp = _present(fmt, badge(), obj)
        assert _answer(v.client, obj, {qid: [vp]}).status_code == 200
        return refused(_answer(v.client, obj, {qid: [vp]}))

    return run


def replay_to_another_request(fmt: str) -> Callable[[Verifier], Verdict]:
    def run(v: Verifier) -> Verdict:
        _, first = v.request()
        links, second = v.request()
        qid, vp = _present(fmt, badge(), first)
        assert _answer(v.client, first, {qid: [vp]}).status_code == 200
        return refused_and_not_verified(v, links, _answer(v.client, second, {qid: [vp]}))

    return run


def audience(fmt: str, aud: Callable[[dict[str, Any]], str]) -> Callable[[Verifier], Verdict]:
    def run(v: Verifier) -> Verdict:
        links, obj = v.request()
        qid, vp = _present(fmt, badge(), obj, aud=aud(obj))
        return refused_and_not_verified(v, links, _answer(v.client, obj, {qid: [vp]}))

    return run


def nonce_of_another_request(fmt: str) -> Callable[[Verifier], Verdict]:
    def run(v: Verifier) -> Verdict:
        _, first = v.request()
        links, second = v.request()
        qid, vp = _present(fmt, badge(), {**second, "nonce": first["nonce"]})
        return refused_and_not_verified(v, links, _answer(v.client, second, {qid: [vp]}))

    return run


def state_reused(fmt: str) -> Callable[[Verifier], Verdict]:
    """A second, valid-looking answer to a request already answered."""

    def run(v: Verifier) -> Verdict:
        _, obj = v.request()
        qid, vp = _present(fmt, badge(), obj)
        assert _answer(v.client, obj, {qid: [vp]}).status_code == 200
        qid, other = _present(fmt, badge(name="Présidente"), obj)
        return refused(_answer(v.client, obj, {qid: [other]}))

    return run


def state_of_another_request(fmt: str) -> Callable[[Verifier], Verdict]:
    """Answer for request A, posted to A's response_uri with B's state."""

    def run(v: Verifier) -> Verdict:
        _, first = v.request()
        links, second = v.request()
        qid, vp = _present(fmt, badge(), first)
        form = {"vp_token": json.dumps({qid: [vp]}), "state": second["state"]}
        response = v.post(first, form)
        return refused_and_not_verified(v, links, response)

    return run


def response_uri_of_another_request(fmt: str) -> Callable[[Verifier], Verdict]:
    """Answer for request A (its state), posted to B's response_uri."""

    def run(v: Verifier) -> Verdict:
        links, first = v.request()
        _, second = v.request()
        qid, vp = _present(fmt, badge(), first)
        form = {"vp_token": json.dumps({qid: [vp]}), "state": first["state"]}
        if first["response_uri"] == second["response_uri"]:
            # one response_uri for every request: the state decides; B's state is not sent
            return refused_and_not_verified(
                v, links, v.post(second, {**form, "state": second["state"]})
            )
        return refused_and_not_verified(v, links, v.post(second, form))

    return run


def revoked(fmt: str) -> Callable[[Verifier], Verdict]:
    def run(v: Verifier) -> Verdict:
        links, obj = v.request()
        qid, vp = _present(fmt, badge(status_index=7), obj)
        return refused_and_not_verified(v, links, _answer(v.client, obj, {qid: [vp]}))

    return run


PER_FORMAT: list[tuple[str, str, Callable[[str], Callable[[Verifier], Verdict]]]] = [
    ("vp-token-replayed", "TM-VP-REPLAY", replay_same_request),
    ("vp-token-replayed-to-another-request", "TM-VP-REPLAY", replay_to_another_request),
    ("aud-bare-response-uri", "TM-VP-AUD", lambda f: audience(f, lambda o: o["response_uri"])),
    (
        "aud-another-verifier",
        "TM-VP-AUD",
        lambda f: audience(f, lambda o: "redirect_uri:https://attacker.example/cb"),
    ),
    (
        "aud-another-prefix",
        "TM-VP-AUD",
        lambda f: audience(f, lambda o: "decentralized_identifier:did:web:verifier.example"),
    ),
    ("nonce-of-another-request", "TM-VP-AUD", nonce_of_another_request),
    ("state-reused", "TM-VP-STATE", state_reused),
    ("state-of-another-request", "TM-VP-STATE", state_of_another_request),
    ("response-uri-of-another-request", "TM-VP-STATE", response_uri_of_another_request),
    ("revoked-credential", "TM-STATUS-BIT", revoked),
]

# ------------------------------------------------------------------ once


def prefix(value: str) -> Callable[[Verifier], Verdict]:
    def run(v: Verifier) -> Verdict:
        response = v.client.post(
            "/oid4vp/requests",
            json={"template": "any-badge", "client_id_prefix": value},
            headers={"Authorization": f"Bearer {v.key}"},
        )
        return from_status(response.status_code, {400, 422}, response.text)

    return run


def form(
    build: Callable[[dict[str, Any]], dict[str, str]], status: int = 400
) -> Callable[[Verifier], Verdict]:
    def run(v: Verifier) -> Verdict:
        links, obj = v.request()
        return refused_and_not_verified(v, links, v.post(obj, build(obj)))

    return run


def holder_not_subject(v: Verifier) -> Verdict:
    links, obj = v.request()
    vp = ldp_vp([ldp_vc(badge())], challenge=obj["nonce"], domain=obj["client_id"], holder=OTHER)
    return refused_and_not_verified(v, links, _answer(v.client, obj, {"badge_ldp": [vp]}))


def sd_jwt_without_kb(v: Verifier) -> Verdict:
    links, obj = v.request()
    return refused_and_not_verified(
        v, links, _answer(v.client, obj, {"badge_sd_jwt": [sd_jwt_vc(badge())]})
    )


def bare_credential_no_presentation(v: Verifier) -> Verdict:
    links, obj = v.request()
    return refused_and_not_verified(
        v, links, _answer(v.client, obj, {"badge_ldp": [ldp_vc(badge())]})
    )


def get_unknown(path: str) -> Callable[[Verifier], Verdict]:
    def run(v: Verifier) -> Verdict:
        return from_status(v.client.get(path).status_code, {404})

    return run


def answered_after_expiry(v: Verifier) -> Verdict:
    links, obj = v.request()
    qid, vp = _present("ldp_vc", badge(), obj)
    original = v.client.app.state.resources  # type: ignore[attr-defined]
    del original
    # the clock is fixed for the module: an answer to a request whose state is forged as
    # expired is the same as an unknown state
    form_data = {"vp_token": json.dumps({qid: [vp]}), "state": obj["state"] + "x"}
    return refused_and_not_verified(v, links, v.post(obj, form_data))


def vp(obj: dict[str, Any]) -> str:
    qid, presentation = _present("ldp_vc", badge(), obj)
    return json.dumps({qid: [presentation]})


ONCE: list[tuple[str, str, Callable[[Verifier], Verdict]]] = [
    ("client-id-prefix-x509-san-dns", "TM-VP-PREFIX", prefix("x509_san_dns")),
    ("client-id-prefix-https-federation", "TM-VP-PREFIX", prefix("https")),
    ("client-id-prefix-openid-federation", "TM-VP-PREFIX", prefix("openid_federation")),
    ("client-id-prefix-pre-registered", "TM-VP-PREFIX", prefix("pre-registered")),
    ("client-id-prefix-verifier-attestation", "TM-VP-PREFIX", prefix("verifier_attestation")),
    ("client-id-prefix-empty", "TM-VP-PREFIX", prefix("")),
    (
        "client-id-prefix-with-colon-value",
        "TM-VP-PREFIX",
        prefix("redirect_uri:https://attacker.example/cb"),
    ),
    ("state-missing", "TM-VP-STATE", form(lambda o: {"vp_token": vp(o)})),
    ("state-made-up", "TM-VP-STATE", form(lambda o: {"vp_token": vp(o), "state": "made-up"})),
    ("state-forged-suffix", "TM-VP-STATE", answered_after_expiry),
    ("vp-token-missing", "TM-VP-REPLAY", form(lambda o: {"state": o["state"]})),
    (
        "vp-token-not-json",
        "TM-VP-REPLAY",
        form(lambda o: {"vp_token": "{nope", "state": o["state"]}),
    ),
    (
        "vp-token-a-list",
        "TM-VP-REPLAY",
        form(lambda o: {"vp_token": "[1, 2]", "state": o["state"]}),
    ),
    (
        "vp-token-unknown-query",
        "TM-VP-REPLAY",
        form(lambda o: {"vp_token": json.dumps({"other": ["x"]}), "state": o["state"]}),
    ),
    (
        "vp-token-empty-object",
        "TM-VP-REPLAY",
        form(lambda o: {"vp_token": "{}", "state": o["state"]}),
    ),
    (
        "vp-token-deep-json",
        "TM-VP-REPLAY",
        form(lambda o: {"vp_token": "[" * 5000 + "]" * 5000, "state": o["state"]}),
    ),
    (
        "vp-token-string-not-array",
        "TM-VP-REPLAY",
        form(lambda o: {"vp_token": json.dumps({"badge_ldp": "x"}), "state": o["state"]}),
    ),
    ("holder-not-subject", "TM-VP-AUD", holder_not_subject),
    ("sd-jwt-without-key-binding", "TM-SD-KB", sd_jwt_without_kb),
    ("credential-without-presentation", "TM-VP-AUD", bare_credential_no_presentation),
    ("request-object-unknown", "TM-VP-STATE", get_unknown("/oid4vp/requests/unknown/object")),
]

CASES = [
    Case(FAMILY, f"{fmt}/{name}", threat, make(fmt))
    for fmt in FORMATS
    for name, threat, make in PER_FORMAT
]
CASES += [Case(FAMILY, name, threat, run) for name, threat, run in ONCE]


@pytest.mark.parametrize("case", params(CASES))
def test_hostile(case: Case, verifier: Verifier) -> None:
    assert_refused(case, verifier)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_honest_answer_verifies(verifier: Verifier, fmt: str) -> None:
    links, obj = verifier.request()
    qid, vp = _present(fmt, badge(), obj)
    assert _answer(verifier.client, obj, {qid: [vp]}).status_code == 200
    assert verifier.result(links)["verified"] is True
