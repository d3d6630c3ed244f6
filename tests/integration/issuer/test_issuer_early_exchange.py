"""The OpenID4VCI exchange's early routes (offer GET, token, nonce, credential: issuer/api/
oid4vci.py, servicekit/early.py) answer exactly as the full FastAPI routes do.

Each scenario runs twice on fresh, identical issuers: once with the early routes, once with
them bypassed. Both runs must give the same answers (status, headers, bodies with their
random values masked), errors included; the first run must have been answered early where
the early routes take the request, and by the full route where they hand it over."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers
from starlette.formparsers import FormParser

from issuer.api import oid4vci
from issuer.api.oid4vci import early_token_form
from servicekit.early import ServiceApp
from shared.protocols.oid4vci import PRE_AUTHORIZED_GRANT
from tests.integration.issuer.conftest import Clock, Env, Wallet, demo_issuer
from tests.run_async import run_async

TOKEN = "/orgs/demo-association/token"
TOKEN_FORM = "application/x-www-form-urlencoded"
CREDENTIAL = "/orgs/demo-association/credential"
#: values drawn at random (or from random ids) in each run
RANDOM = {"access_token", "c_nonce", "credential", "pre-authorized_code", "notification_id"}
HEADERS = (
    "content-type",
    "cache-control",
    "www-authenticate",
    "retry-after",
    "access-control-allow-origin",
    "vary",
)

Scenario = Callable[[Env, Wallet], list[Any]]


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: "<random>" if k in RANDOM or (k == "instance" and "/offers/" in v) else _masked(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def answer(response: Any) -> tuple[Any, ...]:
    kind = response.headers.get("content-type", "")
    body = _masked(response.json()) if "json" in kind else response.text
    return (response.status_code, {h: response.headers.get(h) for h in HEADERS}, body)


def run(
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    scenario: Scenario,
    *,
    early: bool,
    start: datetime,
    **overrides: Any,
) -> tuple[list[tuple[Any, ...]], list[str]]:
    """The scenario's answers, and the routes FastAPI's router handled."""
    full: list[str] = []
    original = APIRoute.handle

    async def handle(self: APIRoute, scope: Any, receive: Any, send: Any) -> None:
        full.append(f"{scope['method']} {self.path}")
        await original(self, scope, receive, send)

    async def front_bypass(
        self: ServiceApp, route: Any, scope: Any, receive: Any, send: Any
    ) -> None:
        await FastAPI.__call__(self, scope, receive, send)

    folder = tmp_path / ("early" if early else "full")
    folder.mkdir()
    with monkeypatch.context() as patch:
        patch.setattr(APIRoute, "handle", handle)
        patch.setattr(oid4vci, "_KNOWN_ORGS", set())  # the first nonce goes the full way
        if not early:
            # the issuer's early routes answer in front of its stack (servicekit/early.py)
            patch.setattr(ServiceApp, "_early", front_bypass)
        with demo_issuer(folder, Clock(start), **overrides) as env:
            answers = [answer(r) for r in scenario(env, Wallet(env))]
    return answers, [r for r in full if r.split()[1].startswith("/orgs/")]


def same_answers(
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    scenario: Scenario,
    handled: list[str],
    **overrides: Any,
) -> list[tuple[Any, ...]]:
    """Asserts both runs answer alike and that, with the early routes, FastAPI handled only
    ``handled`` (the requests handed over); returns the answers."""
    start = datetime.now(UTC).replace(microsecond=0)  # both runs at the same moments
    early, routed = run(tmp_path, monkeypatch, scenario, early=True, start=start, **overrides)
    full, routed_full = run(tmp_path, monkeypatch, scenario, early=False, start=start, **overrides)
    assert len(routed_full) >= len(full)  # every answer compared with went through FastAPI
    assert early == full
    assert routed == handled, routed
    return early


def _form(offer: dict[str, Any]) -> dict[str, str]:
    code = offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    return {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}


def the_whole_exchange(env: Env, wallet: Wallet) -> list[Any]:
    created = env.offer(formats=["jwt_vc_json", "ldp_vc", "dc+sd-jwt"])
    offer_uri = parse_qs(urlsplit(created["offer_uri"]).query)["credential_offer_uri"][0]
    answers = [env.client.get(urlsplit(offer_uri).path)]
    offer = answers[0].json()
    answers.append(wallet.token(offer))
    access = answers[-1].json()["access_token"]
    answers.append(env.client.post("/orgs/demo-association/nonce"))
    proof = wallet.proof(answers[-1].json()["c_nonce"])
    return [
        *answers,
        wallet.credential(access, "volunteer_jwt_vc_json", proof),
        wallet.credential(access, "volunteer_ldp_vc"),
        # a used code, a used offer, a used nonce, the same configuration twice
        wallet.token(offer),
        env.client.get(urlsplit(offer_uri).path),
        wallet.credential(access, "volunteer_sd_jwt", proof),
        wallet.credential(access, "volunteer_ldp_vc"),
    ]


def test_the_whole_exchange_is_answered_early(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = same_answers(
        tmp_path,
        monkeypatch,
        the_whole_exchange,
        # the organisation is not known yet to the early nonce
        handled=["POST /orgs/{slug}/nonce"],
    )
    assert [a[0] for a in answers] == [200, 200, 200, 200, 200, 400, 410, 400, 400]
    assert answers[5][2]["error"] == "invalid_grant"
    assert answers[6][0] == 410
    assert answers[6][2]["type"].endswith("#offer-used")
    assert answers[7][2]["error"] == "invalid_nonce"
    assert answers[8][2]["error"] == "credential_request_denied"


def token_errors(env: Env, wallet: Wallet) -> list[Any]:
    offer = wallet.resolve(env.offer()["offer_uri"])
    post = env.client.post
    form = _form(offer)
    answers = [
        post(TOKEN, data={**form, "pre-authorized_code": "nope"}),  # unknown code
        post(TOKEN, data={**form, "grant_type": "authorization_code"}),
        post(TOKEN, data={"grant_type": PRE_AUTHORIZED_GRANT}),  # no code
        post("/orgs/nobody/token", data=form),  # unknown organisation
        post("/orgs/nobody/token", data={"grant_type": "x"}),
    ]
    env.clock.advance(minutes=10, seconds=1)
    return [*answers, post(TOKEN, data=form)]  # expired


def test_token_errors_are_answered_early_as_by_the_full_route(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = same_answers(tmp_path, monkeypatch, token_errors, handled=[])
    assert [(a[0], a[2]["error"]) for a in answers] == [
        (400, "invalid_grant"),
        (400, "unsupported_grant_type"),
        (400, "invalid_request"),
        (404, "invalid_request"),
        (404, "invalid_request"),
        (400, "invalid_grant"),
    ]


def unusual_token_requests(env: Env, wallet: Wallet) -> list[Any]:
    """Requests the early token route hands over (before counting anything)."""
    form = _form(wallet.resolve(env.offer()["offer_uri"]))
    pair = f"grant_type={PRE_AUTHORIZED_GRANT}&pre-authorized_code="
    code = form["pre-authorized_code"]
    kind = {"content-type": "application/x-www-form-urlencoded"}
    post = env.client.post
    return [
        post(TOKEN, data={**form, "tx_code": "123456"}),  # a tx_code the offer has not
        post(TOKEN, data={**form, "resource": "https://elsewhere.example"}),
        post(TOKEN, data={**form, "client_id": "wallet"}),  # a field the route ignores
        post(TOKEN, content=f"{pair}{code}&pre-authorized_code=nope", headers=kind),  # twice
        post(TOKEN, content=f"{pair}", headers=kind),  # empty: reads as absent
        post(TOKEN, content=f"{pair}%ff{code}", headers=kind),  # not UTF-8
        post(TOKEN, json=form),  # not a form
        post(TOKEN, data=form, headers={"Origin": "https://wallet.example"}),  # CORS
        post(TOKEN, data=form, headers={"Accept": "text/html"}),  # a browser: used by now
        post(f"{TOKEN}?x=1", data=form),
    ]


def test_unusual_token_requests_go_the_full_way(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = same_answers(
        tmp_path, monkeypatch, unusual_token_requests, handled=["POST /orgs/{slug}/token"] * 10
    )
    assert [a[0] for a in answers] == [400, 400, 200, 400, 400, 400, 400, 400, 400, 400]
    assert answers[7][1]["access-control-allow-origin"] == "*"


def test_an_oversized_token_request_is_refused_as_before(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def scenario(env: Env, wallet: Wallet) -> list[Any]:
        offer = wallet.resolve(env.offer()["offer_uri"])
        form = _form(offer)
        big = {**form, "pre-authorized_code": "a" * 3000}

        def chunks() -> Iterator[bytes]:
            yield f"grant_type={PRE_AUTHORIZED_GRANT}&pre-authorized_code=".encode()
            yield b"b" * 3000

        def with_the_code() -> Iterator[bytes]:
            yield urlencode(form).encode()
            yield b"&padding=" + b"c" * 3000

        kind = {"content-type": "application/x-www-form-urlencoded"}
        return [
            env.client.post(TOKEN, data=big),
            env.client.post(TOKEN, content=chunks(), headers=kind),  # streamed, no length
            # the offer's own code, streamed past the limit: refused, nothing redeemed
            env.client.post(TOKEN, content=with_the_code(), headers=kind),
            wallet.token(offer),
        ]

    answers = same_answers(
        tmp_path,
        monkeypatch,
        scenario,
        # the declared length is refused before any route (BodyLimitMiddleware); the early
        # token route hands a streamed body past the limit over, and the full one refuses it
        handled=["POST /orgs/{slug}/token"] * 2,
        max_body_bytes=2000,
    )
    assert [a[0] for a in answers] == [413, 413, 413, 200]
    # the same problem, declared or streamed (not the 400 of FastAPI's form parsing)
    assert answers[0] == answers[1]
    assert answers[0][1]["content-type"] == "application/problem+json"
    assert answers[0][2]["type"].endswith("#payload-too-large")


def test_the_token_rate_limit_counts_early_requests(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def scenario(env: Env, wallet: Wallet) -> list[Any]:
        offers = [wallet.resolve(env.offer()["offer_uri"]) for _ in range(3)]
        return [
            *(wallet.token(offer) for offer in offers),
            env.client.post(TOKEN, data=_form(offers[2]), headers={"Accept": "text/html"}),
        ]

    answers = same_answers(
        tmp_path,
        monkeypatch,
        scenario,
        handled=["POST /orgs/{slug}/token"],  # the browser's
        rate_limit_token="2/minute",
    )
    assert [a[0] for a in answers] == [200, 200, 429, 429]
    assert answers[2][1]["retry-after"] is not None
    assert answers[2][2]["type"].endswith("#rate-limited")
    assert "<html" in answers[3][2]


def credential_errors(env: Env, wallet: Wallet) -> list[Any]:
    offer = wallet.resolve(env.offer(formats=["ldp_vc"])["offer_uri"])
    access = wallet.token(offer).json()["access_token"]
    bearer = {"Authorization": f"Bearer {access}"}
    kind = {"content-type": "application/json"}
    post = env.client.post
    body = {"credential_configuration_id": "volunteer_ldp_vc"}
    answers = [
        post(CREDENTIAL, json=body),  # no token
        post(CREDENTIAL, json=body, headers={"Authorization": "Bearer nope"}),
        post(CREDENTIAL, json=body, headers={"Authorization": "Basic abc"}),
        post("/orgs/nobody/credential", json=body, headers=bearer),
        post(CREDENTIAL, content=b"{not json", headers={**bearer, **kind}),
        post(CREDENTIAL, content=b"", headers={**bearer, **kind}),
        post(CREDENTIAL, content=b'{"a": 1, "a": 2}', headers={**bearer, **kind}),
        post(CREDENTIAL, json={**body, "proofs": {"jwt": ["x.y.z"]}}, headers=bearer),
        wallet.credential(access, "volunteer_jwt_vc_json"),  # not in the offer
        wallet.credential(access, "volunteer_ldp_vc", wallet.proof(None)),  # no nonce
        # handed over: a CORS request, a browser, another content type, a query
        post(CREDENTIAL, json=body, headers={**bearer, "Origin": "https://wallet.example"}),
        post(CREDENTIAL, json=body, headers={**bearer, "Accept": "text/html"}),
        post(CREDENTIAL, content=b"{}", headers={**bearer, "content-type": "text/plain"}),
        post(f"{CREDENTIAL}?x=1", json=body, headers=bearer),
    ]
    env.clock.advance(days=2)
    return [*answers, wallet.credential(access, "volunteer_ldp_vc")]  # an expired token


def test_credential_errors_are_answered_early_as_by_the_full_route(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = same_answers(
        tmp_path,
        monkeypatch,
        credential_errors,
        handled=["POST /orgs/{slug}/nonce"] + ["POST /orgs/{slug}/credential"] * 4,
    )
    errors = [
        a[2]["error"] if isinstance(a[2], dict) and "error" in a[2] else a[0] for a in answers
    ]
    assert errors == [
        "invalid_token",
        "invalid_token",
        "invalid_token",
        "invalid_request",
        "invalid_credential_request",
        "invalid_credential_request",
        "invalid_credential_request",
        "invalid_proof",
        "unknown_credential_configuration",
        "invalid_proof",
        "invalid_proof",
        "invalid_proof",
        "invalid_credential_request",  # "{}" names no configuration
        "invalid_proof",
        "invalid_token",
    ]
    assert answers[0][1]["www-authenticate"] == 'Bearer error="invalid_token"'
    assert answers[10][1]["access-control-allow-origin"] == "*"


def test_an_oversized_credential_request_is_refused_as_before(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def scenario(env: Env, wallet: Wallet) -> list[Any]:
        offer = wallet.resolve(env.offer(formats=["ldp_vc"])["offer_uri"])
        access = wallet.token(offer).json()["access_token"]
        headers = {"Authorization": f"Bearer {access}", "content-type": "application/json"}

        def chunks() -> Iterator[bytes]:
            yield b'{"pad": "'
            yield b"x" * 3000
            yield b'"}'

        return [
            env.client.post(CREDENTIAL, content=b" " * 3000, headers=headers),
            env.client.post(CREDENTIAL, content=chunks(), headers=headers),
            wallet.credential(access, "volunteer_ldp_vc"),
        ]

    answers = same_answers(
        tmp_path,
        monkeypatch,
        scenario,
        # the declared length is refused before any route (BodyLimitMiddleware)
        handled=["POST /orgs/{slug}/credential", "POST /orgs/{slug}/nonce"],
        max_body_bytes=2000,
    )
    assert [a[0] for a in answers] == [413, 413, 200]
    assert answers[0][2]["type"].endswith("#payload-too-large")
    assert answers[1][2]["type"].endswith("#payload-too-large")


def offer_errors(env: Env, wallet: Wallet) -> list[Any]:
    created = env.offer()
    path = urlsplit(wallet.resolve(created["offer_uri"])["credential_issuer"]).path
    offer_uri = parse_qs(urlsplit(created["offer_uri"]).query)["credential_offer_uri"][0]
    other = env.offer(tx_code=True)
    other_uri = parse_qs(urlsplit(other["offer_uri"]).query)["credential_offer_uri"][0]
    get = env.client.get
    answers = [
        get(f"{path}/offers/nope"),
        get("/orgs/nobody/offers/nope"),
        get(urlsplit(offer_uri).path.replace("demo-association", "nobody")),
        get(f"{path}/offers/nope", headers={"Accept": "text/html"}),  # the page
        get(f"{path}/offers/nope", headers={"Origin": "https://wallet.example"}),
        get(f"{path}/offers/nope?x=1"),
        get(urlsplit(other_uri).path),  # with a tx_code
    ]
    env.clock.advance(days=30)
    return [*answers, get(urlsplit(offer_uri).path)]  # expired


def test_offer_errors_are_answered_early_as_by_the_full_route(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = same_answers(
        tmp_path, monkeypatch, offer_errors, handled=["GET /orgs/{slug}/offers/{offer_id}"] * 3
    )
    assert [a[0] for a in answers] == [404, 404, 404, 404, 404, 404, 200, 410]
    assert "<html" in answers[3][2]
    assert "tx_code" in answers[6][2]["grants"][PRE_AUTHORIZED_GRANT]
    assert answers[7][2]["type"].endswith("#offer-expired")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"grant_type=x&grant_type=x",
        b"grant_type=x&pre-authorized_code=",
        b"grant_type=x&pre-authorized_code",
        b"grant_type=x;pre-authorized_code=y",
        b"grant_type=x&pre-authorized_code=y&",
        b"grant%5Ftype=x&pre-authorized_code=y",
        b"grant_type=x&pre-authorized_code=%zz",
        b"grant_type=x&pre-authorized_code=%ff",  # no UTF-8 text
        b"grant_type=x&pre-authorized_code=\xc3\xa9",
        b"grant_type=x&pre-authorized_code=a b",
        b"grant_type=x&tx_code=1&pre-authorized_code=y",
    ],
)
def test_the_early_token_form_leaves_anything_unusual_to_the_full_route(body: bytes) -> None:
    assert early_token_form(body) is None


def test_the_early_token_form_reads_percent_and_plus_as_the_full_route() -> None:
    assert early_token_form(b"pre-authorized_code=a%2Bb+c&grant_type=urn%3Ax") == {
        "pre-authorized_code": "a+b c",
        "grant_type": "urn:x",
    }


async def _full_route_form(body: bytes) -> dict[str, str]:
    """The token form as the full route reads it: Starlette's form parser, then FastAPI's
    rule for a ``str | None`` form field (the last value; an empty one is absent)."""

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    form = await FormParser(Headers({"content-type": TOKEN_FORM}), stream()).parse()
    fields = {"grant_type", "pre-authorized_code", "tx_code", "resource"}
    return {k: v for k in fields if isinstance(v := form.get(k), str) and v}


_NAMES = st.sampled_from(
    ["grant_type"] * 4 + ["pre-authorized_code"] * 4 + ["tx_code", "grant%5Ftype", ""]
)
_VALUE_PIECES = [*"aZ9+-._~*", "%3A", "%2B", "%2b", "%20", "%C3%A9", "%ff", "%4", "é", ";", " "]
_VALUES = st.lists(st.sampled_from(_VALUE_PIECES), max_size=6).map("".join)
_PAIRS = st.lists(st.tuples(_NAMES, st.sampled_from(["="] * 5 + [""]), _VALUES), max_size=3)


@settings(max_examples=500, deadline=None)
@given(_PAIRS)
def test_an_early_token_form_is_the_form_the_full_route_reads(
    pairs: list[tuple[str, str, str]],
) -> None:
    """Whatever the body, a form the early route takes is the one the full route reads."""
    body = "&".join(name + equals + value for name, equals, value in pairs).encode()
    early = early_token_form(body)
    if early is not None:
        assert early == run_async(_full_route_form(body))
