"""Corpus, family Web: the three services' pages and APIs attacked from a browser's side.

* CSRF: every state-changing route that a signed-in browser session can reach, sent with the
  session cookie but without, or with a wrong, CSRF token: refused (403). The routes come from
  the apps themselves; ``test_every_state_changing_route_is_tried`` fails when a new one
  appears, until it is listed here (or excluded, with the reason).
* XSS: a credential whose name, description, criteria, achievement and issuer names carry
  ``<script>`` and ``"><img onerror>``, shown on the wallet's credential page, the public
  share page and the verifier's result page: escaped, never raw.
* Open redirects: ``next=`` pointing at another origin, in every sign-in form and page.
* IDOR: a second account or organisation walks the routes with path parameters from the
  OpenAPI documents with the first one's identifiers.
* Session fixation: a session id planted before sign-in is replaced; sign-out ends it.
* CORS: from another origin, with the session cookie, no private route of the three services
  lets that origin read its answer; the public protocol endpoints allow any origin, never
  credentials.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.proofs.data_integrity import JCS, add_proof
from tests.integration.issuer.conftest import Clock, Env, Wallet
from tests.integration.issuer.conftest import make_settings as issuer_settings
from tests.integration.verifier.conftest import NOW, Served, make_fetcher
from tests.integration.verifier.conftest import make_settings as verifier_settings
from tests.integration.wallet.test_wallet_isolation import BODIES, PARAM, _pending
from tests.security.corpus import Case, Outcome, Verdict, assert_refused, from_status, params
from tests.unit.wallet.testkit import Holder, IssuerKit, sign_up, wallet_settings

FAMILY = "Web"
DEMO_ADMIN = "demo@association.example"


#: these cases sign in many times from one address: throttling has its own tests
MANY = "10000/minute"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def demo_password(client: TestClient) -> str:
    data_dir = client.app.state.resources.settings.data_dir  # type: ignore[attr-defined]
    return Path(data_dir, "demo-admin.txt").read_text().strip()


ISSUER_SESSION, WALLET_SESSION, VERIFIER_SESSION = (
    "musette_issuer_session",
    "musette_wallet_session",
    "musette_verifier_session",
)


def walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every route of an app, included routers too (FastAPI nests them)."""
    for route in routes:
        if hasattr(route, "original_router"):
            ctx = route.include_context
            yield from walk(
                route.original_router.routes, prefix + (getattr(ctx, "prefix", "") or "")
            )
        elif hasattr(route, "methods"):
            yield prefix + route.path, route


def state_changing(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, route in walk(app.routes)
        for method in (route.methods or set())
        if method in {"POST", "PUT", "PATCH", "DELETE"}
    }


# ------------------------------------------------------------------ the three services


@dataclass
class Issuer:
    env: Env
    browser: TestClient  # the demo admin's console session
    csrf: str
    other_key: str
    ids: dict[str, str] = field(default_factory=dict)


@dataclass
class WalletSite:
    app: FastAPI
    client: TestClient
    alice: Holder
    bob: Holder
    browser: TestClient  # alice's browser session
    csrf: str
    bobs: dict[str, str] = field(default_factory=dict)
    alices: dict[str, str] = field(default_factory=dict)


@dataclass
class VerifierSite:
    app: FastAPI
    client: TestClient
    key: str
    other_key: str
    browser: TestClient  # the demo recruiter's session
    csrf: str
    ids: dict[str, str] = field(default_factory=dict)


@dataclass
class Sites:
    issuer: Issuer
    wallet: WalletSite
    verifier: VerifierSite


def _issuer(folder: Path) -> Generator[Issuer, None, None]:
    from issuer.demo import seed_demo
    from issuer.main import create_app
    from issuer.service.orgs import create_api_key, create_org, get_org

    settings = issuer_settings(folder, rate_limit_signin=MANY)
    seed_demo(settings)
    clock = Clock()
    app = create_app(settings, clock=clock)
    res = app.state.resources
    with res.sessions.begin() as session:
        org = get_org(session, "demo-association")
        row, key = create_api_key(session, org, "corpus", "test", clock())
        key_id = str(row.id)
        other = create_org(
            session,
            res.key_store(session),
            base_url="http://testserver",
            slug="other-employer",
            kind="employer",
            name="Other Employer",
            now=clock(),
        )
        _, other_key = create_api_key(session, other, "corpus", "test", clock())
    with TestClient(app) as client, TestClient(app) as browser:
        env = Env(client, settings, clock, key)
        Wallet(env).receive()
        credentials = client.get("/admin/orgs/demo-association/credentials", headers=env.auth)
        page = browser.get("/signin")
        signed = browser.post(
            "/signin",
            data={
                "csrf_token": csrf_of(page.text),
                "email": DEMO_ADMIN,
                "password": demo_password(browser),
                "next": "/console",
            },
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        csrf = csrf_of(browser.get("/console").text)
        created = env.offer()
        yield Issuer(
            env,
            browser,
            csrf,
            other_key,
            {
                "slug": "demo-association",
                "achievement": "volunteer",
                "key_id": key_id,
                "credential_id": credentials.json()[0]["id"],
                "batch_id": "batch-x",
                "offer_id": created.get("offer_id", "offer-x"),
                "purpose": "revocation",
                "seq": "1",
            },
        )


def _wallet(folder: Path) -> Generator[WalletSite, None, None]:
    from wallet.main import create_app

    app = create_app(wallet_settings(folder, rate_limit_signin=MANY))
    with TestClient(app) as client, TestClient(app) as browser:
        alice, bob = sign_up(client, "alice@example.org"), sign_up(client, "bob@example.org")
        session = browser.post(
            "/api/session", json={"email": alice.email, "password": "correct horse battery"}
        )
        assert session.status_code in (200, 201), session.text
        site = WalletSite(app, client, alice, bob, browser, session.json()["csrf_token"])
        kit = IssuerKit()
        for who, ids in ((bob, site.bobs), (alice, site.alices)):
            cred = who.import_credential(kit.ldp(who.did, name=f"{who.email} secret badge"))
            share = who.post(f"/api/credentials/{cred['id']}/shares").json()
            experience = who.post(
                "/api/experiences",
                json={
                    "title": f"{who.email} secret job",
                    "organisation": "Corp",
                    "start_date": "2020-01-01",
                },
            ).json()
            ids.update(
                credential_id=cred["id"],
                share_id=share["id"],
                token=share["url"].rsplit("/", 1)[1],
                identity_id=who.post("/api/identities", json={"method": "key"}).json()["id"],
                token_id=who.post("/api/tokens", json={"name": "second"}).json()["id"],
                offer_id=_pending(client, who, "offer"),
                request_id=_pending(client, who, "request"),
                experience_id=experience["id"],
                endorsement_request_id=who.post(
                    f"/api/experiences/{experience['id']}/requests"
                ).json()["id"],
                profile_id=who.post(
                    "/api/profiles",
                    json={
                        "title": f"{who.email} secret profile",
                        "credentials": [{"credential_id": cred["id"]}],
                    },
                ).json()["id"],
                index="0",
            )
        site.bobs["token"] += "-guess"
        yield site


def _verifier(folder: Path) -> Generator[VerifierSite, None, None]:
    from verifier.demo import DEMO_EMAIL, DEMO_KEY_FILE, DEMO_PASSWORD, seed_demo
    from verifier.main import create_app
    from verifier.service import accounts

    settings = verifier_settings(folder, rate_limit_signin=MANY)
    app = create_app(settings, fetcher=make_fetcher(Served()), clock=lambda: NOW)
    with TestClient(app) as client, TestClient(app) as browser:
        seed_demo(settings)
        key = (Path(settings.data_dir) / DEMO_KEY_FILE).read_text().strip()
        res = app.state.resources
        with res.sessions.begin() as session:
            other = accounts.create_account(
                session, "other@recruiter.example", "other-recruiter-pw", res.hasher, NOW
            )
            other_key = accounts.create_api_key(session, other.id, "corpus", NOW)
        browser.get("/signin")
        token = browser.cookies.get("musette_verifier_csrf") or ""
        ok = browser.post(
            "/signin",
            data={
                "email": DEMO_EMAIL,
                "password": DEMO_PASSWORD,
                "next": "/registry",
                "csrf_token": token,
            },
            follow_redirects=False,
        )
        assert ok.status_code == 303, ok.text
        browser.cookies.set(
            VERIFIER_SESSION, ok.headers["set-cookie"].split(";")[0].split("=", 1)[1]
        )
        csrf = browser.get("/registry").text.split('name="csrf_token" value="')[1].split('"')[0]
        auth = {"Authorization": f"Bearer {key}"}
        entry = client.post(
            "/trust/issuers",
            json={"kind": "did", "value": "did:web:corpus.example", "name": "Corpus"},
            headers=auth,
        )
        verification = client.post("/verifications", json={"credential": "a.b.c"}, headers=auth)
        request = client.post("/oid4vp/requests", json={"template": "any-badge"}, headers=auth)
        ids = {
            "entry_id": str(entry.json()["id"]),
            "verification_id": verification.json()["id"],
            "request_id": request.json()["request_id"]
            if "request_id" in request.json()
            else request.json()["result_url"].rstrip("/").rsplit("/", 1)[1],
        }
        yield VerifierSite(app, client, key, other_key, browser, csrf, ids)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    folder = tmp_path_factory.mktemp("web")
    for name in "iwv":
        (folder / name).mkdir()
    issuer, wallet, verifier = _issuer(folder / "i"), _wallet(folder / "w"), _verifier(folder / "v")
    try:
        yield Sites(next(issuer), next(wallet), next(verifier))
    finally:
        for gen in (issuer, wallet, verifier):
            gen.close()


# ------------------------------------------------------------------ CSRF

#: (service, method, path) -> why it is not a CSRF target
NOT_SESSION_ROUTES: dict[tuple[str, str, str], str] = {
    **{
        ("issuer", "POST", p): "OpenID4VCI endpoint: no cookie, a code or token"
        for p in ("/orgs/{slug}/token", "/orgs/{slug}/nonce", "/orgs/{slug}/credential")
    },
    ("issuer", "POST", "/admin/login"): "JSON sign-in: a cross-site form cannot send JSON",
    ("issuer", "POST", "/signin"): "anonymous form: its own case (double-submit cookie)",
    ("wallet", "POST", "/api/accounts"): "JSON sign-up: a cross-site form cannot send JSON",
    ("wallet", "POST", "/api/session"): "JSON sign-in: a cross-site form cannot send JSON",
    ("wallet", "POST", "/signin"): "anonymous form: its own case (double-submit cookie)",
    ("wallet", "POST", "/signup"): "anonymous form: its own case (double-submit cookie)",
    ("wallet", "POST", "/recover"): "anonymous form: its own case (double-submit cookie)",
    ("wallet", "POST", "/api/recover"): "JSON recovery: a cross-site form cannot send JSON",
    (
        "wallet",
        "POST",
        "/api/endorse/{token}/deliver",
    ): "endorsement delivery from another wallet: no cookie, the single-use token is the capability",
    (
        "verifier",
        "POST",
        "/oid4vp/response/{key}",
    ): "OpenID4VP direct_post: the state is the credential",
    ("verifier", "POST", "/verifications"): "anonymous verification API (no session state)",
    ("verifier", "POST", "/challenges"): "anonymous challenge API (single-use, no session state)",
    ("verifier", "POST", "/credentials/verify"): "VC-API verification (no session state)",
    ("verifier", "POST", "/presentations/verify"): "VC-API verification (no session state)",
    ("verifier", "POST", "/signin"): "anonymous form: its own case",
    ("verifier", "POST", "/login"): "the old address: a permanent redirect (308) to /signin",
    ("verifier", "POST", "/verify"): "check form: its own case",
}

CSRF_ROUTES: dict[str, list[tuple[str, str]]] = {
    "issuer": [
        ("POST", "/admin/logout"),
        ("POST", "/admin/orgs/{slug}/keys/rotate"),
        ("PATCH", "/admin/orgs/{slug}/association"),
        ("POST", "/console/profile"),
        ("POST", "/admin/orgs/{slug}/api-keys"),
        ("DELETE", "/admin/orgs/{slug}/api-keys/{key_id}"),
        ("POST", "/admin/orgs/{slug}/achievements"),
        ("PATCH", "/admin/orgs/{slug}/achievements/{achievement}"),
        ("DELETE", "/admin/orgs/{slug}/achievements/{achievement}"),
        ("POST", "/admin/orgs/{slug}/offers"),
        ("POST", "/admin/orgs/{slug}/credentials"),
        ("POST", "/admin/orgs/{slug}/credentials/{credential_id}/status"),
        ("POST", "/admin/orgs/{slug}/achievements/{achievement}/batches/preview"),
        ("POST", "/admin/orgs/{slug}/achievements/{achievement}/batches"),
        ("POST", "/credentials/issue"),
        ("POST", "/credentials/status"),
        ("POST", "/orgs/{slug}/credentials/issue"),
        ("POST", "/orgs/{slug}/credentials/status"),
        ("POST", "/signout"),
        ("POST", "/console/achievements/new"),
        ("POST", "/console/achievements/{slug}"),
        ("POST", "/console/achievements/{slug}/issue"),
        ("POST", "/console/offers/{offer_id}/email"),
        ("POST", "/console/credentials/{credential_id}/status"),
        ("POST", "/console/achievements/{slug}/batch"),
        ("POST", "/console/achievements/{slug}/batch/confirm"),
    ],
    "wallet": sorted(
        {
            ("POST", "/api/credentials"),
            ("POST", "/api/credentials/upload"),
            ("DELETE", "/api/session"),
            ("DELETE", "/api/me"),
            ("POST", "/api/tokens"),
            ("DELETE", "/api/tokens/{token_id}"),
            ("POST", "/api/identities"),
            ("POST", "/api/identities/{identity_id}/default"),
            ("DELETE", "/api/identities/{identity_id}"),
            ("PATCH", "/api/credentials/{credential_id}"),
            ("DELETE", "/api/credentials/{credential_id}"),
            ("POST", "/api/offers"),
            ("POST", "/api/offers/{offer_id}/accept"),
            ("POST", "/api/offers/{offer_id}/decline"),
            ("POST", "/api/presentations"),
            ("POST", "/api/presentations/{request_id}/consent"),
            ("POST", "/api/presentations/{request_id}/preview"),
            ("POST", "/present/{request_id}/review"),
            ("POST", "/api/presentations/{request_id}/decline"),
            ("POST", "/api/export"),
            ("POST", "/api/import"),
            ("POST", "/api/credentials/{credential_id}/shares"),
            ("DELETE", "/api/shares/{share_id}"),
            ("POST", "/api/experiences"),
            ("DELETE", "/api/experiences/{experience_id}"),
            ("POST", "/api/experiences/{experience_id}/requests"),
            ("DELETE", "/api/endorsement-requests/{endorsement_request_id}"),
            ("POST", "/api/endorse/{token}"),
            ("POST", "/signout"),
            ("POST", "/credentials/{credential_id}/edit"),
            ("POST", "/credentials/{credential_id}/delete"),
            ("POST", "/credentials/{credential_id}/publish"),
            ("POST", "/shares/{share_id}/unpublish"),
            ("POST", "/receive"),
            ("POST", "/receive/{offer_id}/accept"),
            ("POST", "/receive/{offer_id}/decline"),
            ("POST", "/import"),
            ("POST", "/present"),
            ("POST", "/present/{request_id}/consent"),
            ("POST", "/present/{request_id}/decline"),
            ("POST", "/archive/export"),
            ("POST", "/archive/import"),
            ("POST", "/experiences"),
            ("POST", "/experiences/{experience_id}/requests"),
            ("POST", "/endorsement-requests/{endorsement_request_id}/revoke"),
            ("POST", "/experiences/{experience_id}/delete"),
            ("POST", "/endorse/{token}"),
            ("POST", "/export"),
            ("POST", "/credentials/{credential_id}/linkedin"),
            ("POST", "/api/endorse-remote"),
            ("POST", "/endorse-remote"),
            ("POST", "/api/profiles"),
            ("DELETE", "/api/profiles/{profile_id}"),
            ("POST", "/profiles"),
            ("POST", "/profiles/{profile_id}/revoke"),
            ("POST", "/api/me/password"),
            ("POST", "/api/me/recovery-kit"),
            ("POST", "/account/password"),
            ("POST", "/account/recovery-kit"),
        }
    ),
    "verifier": [
        ("POST", "/trust/issuers"),
        ("PATCH", "/trust/issuers/{entry_id}"),
        ("DELETE", "/trust/issuers/{entry_id}"),
        ("POST", "/trust/issuers/import"),
        ("POST", "/oid4vp/requests"),
        ("POST", "/logout"),
        ("POST", "/requests"),
        ("POST", "/registry/add"),
        ("POST", "/registry/{entry_id}/rename"),
        ("POST", "/registry/{entry_id}/delete"),
        ("POST", "/registry/import"),
        ("POST", "/registry/{entry_id}/kind"),
    ],
}


#: a body the batch routes accept, so their refusal is the token's (or the org's) doing
BATCH_BODY = {"csv": "nom;courriel\nCamille Martin;camille@example.org\n"}


def _fill(path: str, ids: dict[str, str]) -> str:
    return PARAM.sub(lambda m: ids.get(m.group(1), "x"), path)


def _session(sites: Sites, service: str) -> tuple[TestClient, dict[str, str], str]:
    if service == "issuer":
        return sites.issuer.browser, sites.issuer.ids, sites.issuer.csrf
    if service == "wallet":
        return sites.wallet.browser, sites.wallet.alices, sites.wallet.csrf
    return sites.verifier.browser, sites.verifier.ids, sites.verifier.csrf


def csrf_case(service: str, method: str, path: str, token: str | None) -> Case:
    def run(sites: Sites) -> Verdict:
        client, ids, _ = _session(sites, service)
        url = _fill(path, ids)
        form = {} if token is None else {"csrf_token": token}
        headers = {} if token is None else {"X-CSRF-Token": token}
        api = path.startswith(
            ("/api/", "/admin/", "/trust/", "/oid4vp/", "/credentials/", "/orgs/")
        )
        body = BATCH_BODY if path.endswith(("/batches", "/batches/preview")) else {}
        kwargs: dict[str, Any] = {"json": body, "headers": headers} if api else {"data": form}
        response = client.request(method, url, follow_redirects=False, **kwargs)
        return from_status(response.status_code, {403}, response.text)

    which = "no-token" if token is None else "wrong-token"
    return Case(FAMILY, f"csrf/{service}/{method} {path}/{which}", "TM-WEB-CSRF", run)


def anonymous_form_case(service: str, path: str, xfail: str | None = None) -> Case:
    """A sign-in/sign-up form posted cross-site: no double-submit cookie, no field."""

    def run(sites: Sites) -> Verdict:
        app = app_of(sites, service)
        with TestClient(app) as fresh:
            # the right password: only the missing token may refuse it
            from verifier.demo import DEMO_EMAIL, DEMO_PASSWORD

            logins: dict[str, Callable[[], tuple[str, str]]] = {
                "issuer": lambda: (DEMO_ADMIN, demo_password(fresh)),
                "wallet": lambda: ("alice@example.org", "correct horse battery"),
                "verifier": lambda: (DEMO_EMAIL, DEMO_PASSWORD),
            }
            email, password = logins[service]()
            data = {"email": email, "password": password, "next": "/"}
            if path == "/signup":
                data["email"] = "csrf-victim@example.org"
                data["password"] = "correct horse battery"
            response = fresh.post(path, data=data, follow_redirects=False)
            return from_status(response.status_code, {403}, response.text)

    return Case(FAMILY, f"csrf/{service}/anonymous POST {path}", "TM-WEB-CSRF", run, xfail)


def verify_form_case(sites: Sites) -> Verdict:
    """A signed-in recruiter's check form, posted without the token: nothing stored for them."""
    client = sites.verifier.browser
    response = client.post("/verify", data={"credential": "a.b.c"}, follow_redirects=False)
    if response.status_code != 303:
        return from_status(response.status_code, {403, 400}, response.text)
    # stored: under the recruiter's account (shown to them), or anonymously
    page = client.get(response.headers["location"])
    anonymous = TestClient(sites.verifier.app).get(response.headers["location"])
    stored_for_them = page.status_code == 200 and anonymous.status_code == 404
    return Verdict(
        Outcome.ACCEPTED if stored_for_them else Outcome.REFUSED, f"HTTP {response.status_code}"
    )


CSRF_CASES = [
    csrf_case(service, method, path, token)
    for service, routes in CSRF_ROUTES.items()
    for method, path in routes
    for token in (None, "wrong-token")
]
CSRF_CASES += [
    anonymous_form_case("issuer", "/signin"),
    anonymous_form_case("wallet", "/signin"),
    anonymous_form_case("wallet", "/signup"),
    anonymous_form_case("wallet", "/recover"),
    anonymous_form_case("verifier", "/signin"),
    Case(FAMILY, "csrf/verifier/POST /verify/no-token", "TM-WEB-CSRF", verify_form_case),
]


# ------------------------------------------------------------------ XSS

PAYLOADS = {
    "script": '<script>alert("{marker}")</script>',
    "img-onerror": '"><img src=x onerror=alert("{marker}")>',
}
FIELDS: dict[str, tuple[str, ...]] = {
    "credential-name": ("name",),
    "achievement-name": ("credentialSubject", "achievement", "name"),
    "achievement-description": ("credentialSubject", "achievement", "description"),
    "criteria-narrative": ("credentialSubject", "achievement", "criteria", "narrative"),
    "issuer-name": ("issuer", "name"),
}
#: what each page shows (a field a page does not show cannot be injected there)
#: (the credential's own ``name`` is not shown: the pages title it with the achievement's)
PAGE_FIELDS = {
    "wallet-credential-page": [f for f in FIELDS if f != "credential-name"],
    "wallet-share-page": ["achievement-name", "achievement-description", "issuer-name"],
    "verifier-result-page": [f for f in FIELDS if f != "credential-name"],
    "verifier-answer-page": [f for f in FIELDS if f != "credential-name"],
}


def hostile_credential(holder_did: str, field_name: str, payload: str) -> dict[str, Any]:
    kit = IssuerKit()
    doc = copy.deepcopy(kit.unsigned(holder_did))
    target = doc
    path = FIELDS[field_name]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = payload
    return add_proof(doc, kit.key.sign, kit.kid, cryptosuite=JCS)


def answered_request_page(sites: Sites, field_name: str, payload: str) -> str:
    """The recruiter's request page after a wallet answered with the hostile credential."""
    from tests.integration.verifier.test_verifier_oid4vp import _answer, _present, _request_object
    from tests.unit.verifier.builders import badge

    v = sites.verifier
    links = v.client.post(
        "/oid4vp/requests",
        json={"template": "any-badge"},
        headers={"Authorization": f"Bearer {v.key}"},
    ).json()
    obj = _request_object(v.client, links)
    credential = badge()
    target = credential
    for step in FIELDS[field_name][:-1]:
        target = target[step]
    target[FIELDS[field_name][-1]] = payload
    qid, presentation = _present("jwt_vc_json", credential, obj)
    _answer(v.client, obj, {qid: [presentation]})
    request_id = links["result_url"].rstrip("/").rsplit("/", 1)[1]
    return str(v.browser.get(f"/requests/{request_id}").text)


def xss_case(where: str, field_name: str, kind: str) -> Case:
    marker = f"xss-{field_name}-{kind}"
    payload = PAYLOADS[kind].format(marker=marker)

    def run(sites: Sites) -> Verdict:
        w = sites.wallet
        credential = hostile_credential(w.alice.did, field_name, payload)
        if where == "verifier-answer-page":
            html = answered_request_page(sites, field_name, payload)
        elif where == "verifier-result-page":
            client = TestClient(sites.verifier.app)
            sent = client.post(
                "/verify",
                files={"file": ("c.json", json.dumps(credential).encode(), "application/json")},
                follow_redirects=False,
            )
            if sent.status_code != 303:
                return from_status(sent.status_code, set(), sent.text)
            html = client.get(sent.headers["location"]).text
        else:
            cred = w.alice.import_credential(credential)
            if where == "wallet-credential-page":
                html = w.browser.get(f"/credentials/{cred['id']}").text
            else:
                share = w.alice.post(f"/api/credentials/{cred['id']}/shares").json()
                html = w.client.get(urlsplit(share["url"]).path).text
        if payload in html or "<script>alert" in html or "<img src=x" in html:
            return Verdict(Outcome.ACCEPTED, "the payload is in the page unescaped")
        if marker not in html:
            return Verdict(Outcome.OTHER_REASON, f"{field_name} is not shown on {where}")
        return Verdict(Outcome.REFUSED, "escaped")

    return Case(FAMILY, f"xss/{where}/{field_name}/{kind}", "TM-WEB-XSS", run)


XSS_CASES = [
    xss_case(where, field_name, kind)
    for where, fields in PAGE_FIELDS.items()
    for field_name in fields
    for kind in PAYLOADS
]


# ------------------------------------------------------------------ open redirects

TARGETS = {
    "absolute": "https://evil.example/",
    "scheme-relative": "//evil.example/",
    "backslash": "/\\evil.example/",
    "double-backslash": "\\\\evil.example/",
    "scheme-no-slashes": "https:evil.example",
    "encoded-slashes": "/%2F%2Fevil.example",
    "leading-space": " //evil.example/",
    "tab-inside": "/\t/evil.example/",
    "javascript": "javascript:alert(1)",
}
SIGN_IN = {"issuer": "/signin", "wallet": "/signin", "verifier": "/signin"}


def _local(location: str, host: str = "testserver") -> bool:
    resolved = urlsplit(urljoin(f"http://{host}/here", location.strip()))
    return (
        resolved.scheme in {"http", "https"}
        and resolved.netloc == host
        and not location.strip().lower().startswith("javascript:")
    )


def redirect_post_case(service: str, name: str) -> Case:
    target = TARGETS[name]

    def run(sites: Sites) -> Verdict:
        app = app_of(sites, service)
        with TestClient(app) as fresh:
            page = fresh.get(SIGN_IN[service])
            data = {"next": target}
            if service == "issuer":
                data |= {
                    "csrf_token": csrf_of(page.text),
                    "email": DEMO_ADMIN,
                    "password": demo_password(fresh),
                }
            elif service == "wallet":
                data |= {
                    "csrf_token": fresh.cookies.get("musette_wallet_csrf") or "",
                    "email": "alice@example.org",
                    "password": "correct horse battery",
                }
            else:
                from verifier.demo import DEMO_EMAIL, DEMO_PASSWORD

                data |= {
                    "email": DEMO_EMAIL,
                    "password": DEMO_PASSWORD,
                    "csrf_token": fresh.cookies.get("musette_verifier_csrf") or "",
                }
            response = fresh.post(SIGN_IN[service], data=data, follow_redirects=False)
        if response.status_code != 303:
            return Verdict(Outcome.OTHER_REASON, f"sign-in failed: HTTP {response.status_code}")
        location = response.headers["location"]
        return Verdict(
            Outcome.REFUSED if _local(location) else Outcome.ACCEPTED, f"Location: {location}"
        )

    return Case(
        FAMILY, f"open-redirect/{service}/POST {SIGN_IN[service]}/{name}", "TM-WEB-REDIRECT", run
    )


def redirect_page_case(service: str, name: str) -> Case:
    target = TARGETS[name]

    def run(sites: Sites) -> Verdict:
        app = app_of(sites, service)
        html = TestClient(app).get(SIGN_IN[service], params={"next": target}).text
        found = re.search(r'name="next" value="([^"]*)"', html)
        if found is None:
            return Verdict(Outcome.OTHER_REASON, "no next field on the page")
        value = found.group(1).replace("&#34;", '"').replace("&amp;", "&").replace("&#39;", "'")
        # the field is posted back, and the redirect after sign-in percent-encodes it as
        # Starlette's RedirectResponse does: judge what the browser would be sent to
        value = quote(value, safe=":/%#?=@[]!$&'()*+,;")
        return Verdict(Outcome.REFUSED if _local(value) else Outcome.ACCEPTED, f"next={value}")

    return Case(
        FAMILY, f"open-redirect/{service}/GET {SIGN_IN[service]}/{name}", "TM-WEB-REDIRECT", run
    )


REDIRECT_CASES = [
    make(service, name)
    for service in SIGN_IN
    for name in TARGETS
    for make in (redirect_post_case, redirect_page_case)
]


# ------------------------------------------------------------------ IDOR

ISSUER_ADMIN_ROUTES = [
    ("GET", "/admin/orgs/{slug}"),
    ("POST", "/admin/orgs/{slug}/keys/rotate"),
    ("PATCH", "/admin/orgs/{slug}/association"),
    ("POST", "/admin/orgs/{slug}/api-keys"),
    ("GET", "/admin/orgs/{slug}/api-keys"),
    ("DELETE", "/admin/orgs/{slug}/api-keys/{key_id}"),
    ("GET", "/admin/orgs/{slug}/achievements"),
    ("POST", "/admin/orgs/{slug}/achievements"),
    ("GET", "/admin/orgs/{slug}/achievements/{achievement}"),
    ("PATCH", "/admin/orgs/{slug}/achievements/{achievement}"),
    ("DELETE", "/admin/orgs/{slug}/achievements/{achievement}"),
    ("POST", "/admin/orgs/{slug}/offers"),
    ("POST", "/admin/orgs/{slug}/credentials"),
    ("GET", "/admin/orgs/{slug}/credentials"),
    ("GET", "/admin/orgs/{slug}/credentials/{credential_id}"),
    ("GET", "/admin/orgs/{slug}/credentials/{credential_id}/download"),
    ("POST", "/admin/orgs/{slug}/credentials/{credential_id}/status"),
    ("POST", "/admin/orgs/{slug}/achievements/{achievement}/batches/preview"),
    ("POST", "/admin/orgs/{slug}/achievements/{achievement}/batches"),
    ("GET", "/admin/orgs/{slug}/achievements/{achievement}/batches/template.csv"),
    ("GET", "/admin/orgs/{slug}/batches/{batch_id}"),
    ("GET", "/admin/orgs/{slug}/batches/{batch_id}/results.csv"),
    ("POST", "/orgs/{slug}/credentials/issue"),
    ("POST", "/orgs/{slug}/credentials/status"),
]


def issuer_idor_case(method: str, path: str) -> Case:
    def run(sites: Sites) -> Verdict:
        i = sites.issuer
        url = _fill(path, i.ids)
        body = BATCH_BODY if path.endswith(("/batches", "/batches/preview")) else {}
        response = i.env.client.request(
            method, url, json=body, headers={"Authorization": f"Bearer {i.other_key}"}
        )
        return from_status(response.status_code, {401, 403, 404}, response.text)

    return Case(FAMILY, f"idor/issuer/other-org/{method} {path}", "TM-WEB-IDOR", run)


def issuer_console_idor(sites: Sites) -> Verdict:
    """Another org's admin opens this org's credential in the console."""
    i = sites.issuer
    other = TestClient(i.env.client.app)
    other.cookies.set(ISSUER_SESSION, "x")
    response = i.env.client.get(
        f"/admin/orgs/other-employer/credentials/{i.ids['credential_id']}",
        headers={"Authorization": f"Bearer {i.other_key}"},
    )
    return from_status(response.status_code, {404, 403}, response.text)


def wallet_idor_routes() -> list[tuple[str, str]]:
    return [
        ("get", "/api/credentials/{credential_id}"),
        ("patch", "/api/credentials/{credential_id}"),
        ("delete", "/api/credentials/{credential_id}"),
        ("post", "/api/credentials/{credential_id}/shares"),
        ("delete", "/api/shares/{share_id}"),
        ("delete", "/api/tokens/{token_id}"),
        ("post", "/api/identities/{identity_id}/default"),
        ("delete", "/api/identities/{identity_id}"),
        ("get", "/api/offers/{offer_id}"),
        ("post", "/api/offers/{offer_id}/accept"),
        ("post", "/api/offers/{offer_id}/decline"),
        ("get", "/api/presentations/{request_id}"),
        ("post", "/api/presentations/{request_id}/consent"),
        ("post", "/api/presentations/{request_id}/decline"),
        ("post", "/api/presentations/{request_id}/preview"),
        ("post", "/present/{request_id}/review"),
        ("get", "/api/experiences/{experience_id}"),
        ("delete", "/api/experiences/{experience_id}"),
        ("post", "/api/experiences/{experience_id}/requests"),
        ("delete", "/api/endorsement-requests/{endorsement_request_id}"),
        ("get", "/credentials/{credential_id}"),
        ("post", "/credentials/{credential_id}/edit"),
        ("post", "/credentials/{credential_id}/delete"),
        ("post", "/credentials/{credential_id}/publish"),
        ("post", "/shares/{share_id}/unpublish"),
        ("get", "/receive/{offer_id}"),
        ("post", "/receive/{offer_id}/accept"),
        ("post", "/present/{request_id}/consent"),
        ("get", "/experiences/{experience_id}"),
        ("post", "/experiences/{experience_id}/delete"),
        ("post", "/endorsement-requests/{endorsement_request_id}/revoke"),
        ("get", "/s/{token}"),
        ("get", "/api/credentials/{credential_id}/raw"),
        ("get", "/credentials/{credential_id}/image"),
        ("post", "/experiences/{experience_id}/requests"),
        ("post", "/credentials/{credential_id}/linkedin"),
        ("delete", "/api/profiles/{profile_id}"),
        ("get", "/profiles/{profile_id}"),
        ("post", "/profiles/{profile_id}/revoke"),
        ("get", "/p/{token}"),
        ("get", "/p/{token}/{index}/raw"),
    ]


def wallet_idor_case(method: str, path: str) -> Case:
    def run(sites: Sites) -> Verdict:
        w = sites.wallet
        url = _fill(path, w.bobs)
        extra = dict(BODIES.get((method, path), {}))
        if method in {"post", "patch"} and not extra:
            extra = {"json": {}}
        page = not path.startswith("/api/")
        client = w.browser if page else w.client
        headers = {"X-CSRF-Token": w.csrf} if page else w.alice.auth
        if page and "data" in extra:
            extra["data"] = {**extra["data"], "csrf_token": w.csrf}
        response = client.request(
            method.upper(), url, headers=headers, follow_redirects=False, **extra
        )
        body = response.content.replace(url.encode(), b"")
        secrets = [
            w.bobs[k]
            for k in ("credential_id", "share_id", "identity_id", "experience_id", "profile_id")
        ]
        secrets += [w.bob.did, "bob@example.org secret"]
        leaked = [s for s in secrets if s.encode() in body]
        if leaked:
            return Verdict(Outcome.ACCEPTED, f"leaks {leaked[0][:30]}")
        return from_status(response.status_code, {400, 401, 403, 404, 409, 422}, response.text)

    return Case(FAMILY, f"idor/wallet/other-account/{method.upper()} {path}", "TM-WEB-IDOR", run)


def verifier_idor(kind: str) -> Callable[[Sites], Verdict]:
    def run(sites: Sites) -> Verdict:
        v = sites.verifier
        other = {"Authorization": f"Bearer {v.other_key}"}
        if kind == "api-verification-other-account":
            r = v.client.get(f"/verifications/{v.ids['verification_id']}", headers=other)
        elif kind == "api-verification-anonymous":
            r = TestClient(v.app).get(f"/verifications/{v.ids['verification_id']}")
        elif kind == "result-page-anonymous":
            r = TestClient(v.app).get(f"/results/{v.ids['verification_id']}")
        else:  # request page of another recruiter, read anonymously
            r = TestClient(v.app).get(f"/requests/{v.ids['request_id']}", follow_redirects=False)
            return from_status(r.status_code, {303, 401, 403, 404}, r.text)
        return from_status(r.status_code, {401, 403, 404}, r.text)

    return run


IDOR_CASES = [issuer_idor_case(m, p) for m, p in ISSUER_ADMIN_ROUTES]
IDOR_CASES.append(
    Case(
        FAMILY,
        "idor/issuer/other-org/credential-under-own-slug",
        "TM-WEB-IDOR",
        issuer_console_idor,
    )
)
IDOR_CASES += [wallet_idor_case(m, p) for m, p in wallet_idor_routes()]
IDOR_CASES += [
    Case(FAMILY, f"idor/verifier/{kind}", "TM-WEB-IDOR", verifier_idor(kind))
    for kind in (
        "api-verification-other-account",
        "api-verification-anonymous",
        "result-page-anonymous",
        "request-page-anonymous",
    )
]


# ------------------------------------------------------------------ session fixation


def _sign_in(service: str, sites: Sites, client: TestClient) -> Any:
    if service == "issuer":
        page = client.get("/signin")
        data = {
            "csrf_token": csrf_of(page.text),
            "email": DEMO_ADMIN,
            "password": demo_password(client),
            "next": "/console",
        }
        return client.post("/signin", data=data, follow_redirects=False)
    if service == "wallet":
        client.get("/signin")
        data = {
            "csrf_token": client.cookies.get("musette_wallet_csrf") or "",
            "email": "alice@example.org",
            "password": "correct horse battery",
        }
        return client.post("/signin", data=data, follow_redirects=False)
    from verifier.demo import DEMO_EMAIL, DEMO_PASSWORD

    client.get("/signin")
    token = client.cookies.get("musette_verifier_csrf") or ""
    return client.post(
        "/signin",
        data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )


def app_of(sites: Sites, service: str) -> Any:
    """The app of one of the three services."""
    return {
        "issuer": sites.issuer.env.client.app,
        "wallet": sites.wallet.app,
        "verifier": sites.verifier.app,
    }[service]


COOKIES = {"issuer": ISSUER_SESSION, "wallet": WALLET_SESSION, "verifier": VERIFIER_SESSION}
PRIVATE_PAGE = {"issuer": "/console", "wallet": "/", "verifier": "/registry"}


def _set_cookie(response: Any, name: str) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return str(header.split(";")[0].split("=", 1)[1])
    return None


def _signed_in(app: FastAPI, service: str, value: str) -> bool:
    probe = TestClient(app)
    probe.cookies.set(COOKIES[service], value)
    r = probe.get(PRIVATE_PAGE[service], follow_redirects=False)
    return r.status_code == 200 and ("signout" in r.text or "logout" in r.text)


def fixation_case(service: str, kind: str) -> Case:
    def run(sites: Sites) -> Verdict:
        app = app_of(sites, service)
        client = TestClient(app)
        planted = "attacker-planted-session-id-0123456789"
        client.cookies.set(COOKIES[service], planted)
        first = _sign_in(service, sites, client)
        issued = _set_cookie(first, COOKIES[service])
        if issued is None:
            return Verdict(
                Outcome.OTHER_REASON, f"no session cookie set at sign-in (HTTP {first.status_code})"
            )
        if kind == "planted-id-replaced":
            return Verdict(
                Outcome.REFUSED
                if issued != planted and not _signed_in(app, service, planted)
                else Outcome.ACCEPTED,
                "",
            )
        if kind == "new-id-at-each-sign-in":
            client.cookies.set(COOKIES[service], issued)
            again = _set_cookie(_sign_in(service, sites, client), COOKIES[service])
            return Verdict(Outcome.REFUSED if again and again != issued else Outcome.ACCEPTED, "")
        # sign-out ends the session on the server, not only in the browser
        assert _signed_in(app, service, issued), "the issued session does not sign in"
        client.cookies.set(COOKIES[service], issued)
        page = client.get(PRIVATE_PAGE[service])
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        out = {"issuer": "/signout", "wallet": "/signout", "verifier": "/logout"}[service]
        client.post(
            out, data={"csrf_token": token.group(1) if token else ""}, follow_redirects=False
        )
        return Verdict(
            Outcome.ACCEPTED if _signed_in(app, service, issued) else Outcome.REFUSED, ""
        )

    return Case(FAMILY, f"session/{service}/{kind}", "TM-WEB-SESSION", run)


SESSION_CASES = [
    fixation_case(service, kind)
    for service in COOKIES
    for kind in ("planted-id-replaced", "new-id-at-each-sign-in", "old-id-dead-after-sign-out")
]

# --------------------------------------------------------------------------- CORS

ATTACKER = "https://attacker.example"


def _public_patterns(service: str) -> tuple[str, ...]:
    from issuer.api.oid4vci import PUBLIC_PATHS as ISSUER_PUBLIC
    from verifier.api.requests import PUBLIC_PATHS as VERIFIER_PUBLIC
    from verifier.api.well_known import PUBLIC_PATHS as VERIFIER_WELL_KNOWN

    return {
        "issuer": ISSUER_PUBLIC,
        "wallet": (),  # the holder's routes are all private
        "verifier": VERIFIER_PUBLIC + VERIFIER_WELL_KNOWN,
    }[service]


def cors_case(service: str, kind: str) -> Case:
    """Every route of the service, from another origin with the session cookie: a private
    route never lets that origin read the answer (no Access-Control-Allow-Origin, preflight
    or not); a public one allows any origin but never credentials, nor echoes the origin."""

    def run(sites: Sites) -> Verdict:
        app = app_of(sites, service)
        public = re.compile("|".join(f"(?:{p})" for p in _public_patterns(service)) or "(?!)")
        client = TestClient(app)
        client.cookies.set(COOKIES[service], "a-session-the-attacker-hopes-the-browser-sends")
        leaks, tried = [], 0
        for path, route in walk(app.routes):
            concrete = re.sub(r"\{[^}]+\}", "x", path)
            if (public.fullmatch(concrete) is not None) != (kind == "public-no-credentials"):
                continue
            for method in sorted(route.methods - {"HEAD"}):
                tried += 1
                answers = [
                    client.options(
                        concrete,
                        headers={
                            "Origin": ATTACKER,
                            "Access-Control-Request-Method": method,
                            "Access-Control-Request-Headers": "content-type",
                        },
                    )
                ]
                if method == "GET":
                    answers.append(client.get(concrete, headers={"Origin": ATTACKER}))
                for answer in answers:
                    allowed = answer.headers.get("access-control-allow-origin")
                    credentials = answer.headers.get("access-control-allow-credentials")
                    if kind == "private-routes" and allowed is not None:
                        leaks.append(f"{method} {path}: allow-origin {allowed}")
                    if kind == "public-no-credentials" and (credentials or allowed != "*"):
                        leaks.append(f"{method} {path}: allow-origin {allowed}, {credentials}")
        if tried == 0:
            return Verdict(Outcome.OTHER_REASON, "no route of this kind")
        return Verdict(Outcome.ACCEPTED if leaks else Outcome.REFUSED, "; ".join(leaks[:5]))

    return Case(FAMILY, f"cors/{service}/{kind}", "TM-WEB-CORS", run)


CORS_CASES = [
    cors_case("issuer", "private-routes"),
    cors_case("issuer", "public-no-credentials"),
    cors_case("wallet", "private-routes"),
    cors_case("verifier", "private-routes"),
    cors_case("verifier", "public-no-credentials"),
]

CASES = CSRF_CASES + XSS_CASES + REDIRECT_CASES + IDOR_CASES + SESSION_CASES + CORS_CASES


@pytest.mark.parametrize("case", params(CASES))
def test_hostile(case: Case, sites: Sites) -> None:
    assert_refused(case, sites)


def test_every_state_changing_route_is_tried(sites: Sites) -> None:
    apps = {
        "issuer": sites.issuer.env.client.app,
        "wallet": sites.wallet.app,
        "verifier": sites.verifier.app,
    }
    for service, app in apps.items():
        found = state_changing(app)  # type: ignore[arg-type]
        known = set(CSRF_ROUTES[service]) | {
            (m, p) for s, m, p in NOT_SESSION_ROUTES if s == service
        }
        assert found <= known, (
            f"{service}: add to CSRF_ROUTES or NOT_SESSION_ROUTES: {found - known}"
        )


def test_the_session_forms_accept_the_right_token(sites: Sites) -> None:
    """The refusals above are the token's doing: the same session with its token passes."""
    w = sites.wallet
    ok = w.browser.post(
        "/api/tokens", json={"name": "with-token"}, headers={"X-CSRF-Token": w.csrf}
    )
    assert ok.status_code == 201, ok.text
    v = sites.verifier
    ok = v.browser.post(
        "/registry/add",
        data={"csrf_token": v.csrf, "kind": "did", "value": "did:web:ok.example", "name": "OK"},
        follow_redirects=False,
    )
    assert ok.status_code in (200, 303), ok.text


#: wallet routes with a path parameter that no other account is ever refused on, and why
WALLET_PUBLIC = {
    ("get", "/s/{token}/raw"): "a public share: the unguessable token is the capability",
    ("get", "/endorse/{token}"): "an endorsement link: the token is the capability",
    ("post", "/endorse/{token}"): "an endorsement link: the token is the capability",
    ("post", "/api/endorse/{token}"): "an endorsement link: the token is the capability",
    ("get", "/api/endorse/{token}"): "an endorsement link: the token is the capability",
    ("get", "/api/endorse/{token}/request"): "an endorsement link: the token is the capability",
    ("post", "/api/endorse/{token}/deliver"): "an endorsement link: the token is the capability",
    (
        "post",
        "/receive/{offer_id}/decline",
    ): "declining only deletes the caller's own pending offer",
    ("post", "/present/{request_id}/decline"): "declining only deletes the caller's own request",
    ("get", "/present/{request_id}"): "tried by test_wallet_isolation (page of a pending request)",
}


def test_every_route_with_an_identifier_is_walked(sites: Sites) -> None:
    """The IDOR lists cover every route with a path parameter in the OpenAPI documents."""
    issuer_doc = sites.issuer.env.client.app.openapi()  # type: ignore[attr-defined]
    issuer_routes = {
        (method.upper(), path)
        for path, ops in issuer_doc["paths"].items()
        for method in ops
        if path.startswith(("/admin/orgs/{slug}", "/orgs/{slug}/credentials/"))
    }
    assert issuer_routes <= set(ISSUER_ADMIN_ROUTES), issuer_routes - set(ISSUER_ADMIN_ROUTES)
    wallet_doc = sites.wallet.app.openapi()
    wallet_routes = {
        (method, path)
        for path, ops in wallet_doc["paths"].items()
        for method in ops
        if PARAM.search(path) and method in {"get", "post", "put", "patch", "delete"}
    }
    walked = set(wallet_idor_routes()) | set(WALLET_PUBLIC)
    assert wallet_routes <= walked, wallet_routes - walked
