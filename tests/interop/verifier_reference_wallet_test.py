"""A REFERENCE wallet presents to our verifier: the holder side of @openid4vc/openid4vp 0.4.x
with the `dcql` package on Node (verifier_reference_wallet.mjs), over real HTTP on 127.0.0.1.

The verifier runs as `musette up` runs it (tests/e2e/conftest.py) and is driven through its
JSON API: a recruiter creates a request from a template, the reference wallet opens the
`openid4vp://` link, runs the DCQL query against what it holds, presents with direct_post, and
the verifier's answer and stored result are read back. It presents in dc+sd-jwt (with a KB-JWT)
and jwt_vc_json (a VP JWT), both issued in Node by a did:jwk issuer, and is refused for a
replay, a presentation meant for another verifier and one that leaves out a required claim.
"""

from __future__ import annotations

import json
import select
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.e2e.test_journeys import _verifier_client

pytestmark = pytest.mark.interop

HERE = Path(__file__).parent
SCRIPT = HERE / "verifier_reference_wallet.mjs"
NODE = shutil.which("node")
HAVE_LIBS = all(
    (HERE / "node_modules" / name).exists()
    for name in ("@openid4vc/openid4vp", "dcql", "@sd-jwt/sd-jwt-vc", "jose", "@digitalbazaar/vc")
)
#: how long to wait for one line from the script before calling it hung (not a timing check)
ANSWER_TIMEOUT_S = 60
FORMATS = ("dc+sd-jwt", "jwt_vc_json", "ldp_vc")
QUERY_IDS = {"ldp_vc": "badge_ldp", "jwt_vc_json": "badge_jwt", "dc+sd-jwt": "badge_sd_jwt"}
OTHER_VERIFIER = "redirect_uri:https://other-verifier.example/oid4vp/response/x"


class ReferenceWallet:
    """The Node wallet: one JSON command per line on stdin, one JSON answer per line."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        started = self._read()
        self.issuer_did: str = started["issuer_did"]
        self.holder_did: str = started["holder_did"]
        #: the ldp_vc credential is signed by a did:key (Data Integrity, eddsa-rdfc-2022)
        self.ldp_issuer_did: str = started["ldp_issuer_did"]

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], ANSWER_TIMEOUT_S)
        line = self.proc.stdout.readline() if ready else b""
        if not line:
            self.proc.kill()
            _, err = self.proc.communicate(timeout=10)
            pytest.fail(f"the reference wallet did not answer: {err.decode()[-2000:]}")
        out: dict[str, Any] = json.loads(line)
        return out

    def present(self, link: str, fmt: str, **options: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        command = {"link": link, "format": fmt, **options}
        self.proc.stdin.write(json.dumps(command).encode() + b"\n")
        self.proc.stdin.flush()
        return self._read()


@pytest.fixture(scope="module")
def reference_wallet() -> Iterator[ReferenceWallet]:
    if NODE is None or not HAVE_LIBS:
        pytest.skip("node or tests/interop/node_modules missing (cd tests/interop && npm ci)")
    with subprocess.Popen(
        [NODE, str(SCRIPT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=HERE,
    ) as proc:
        try:
            yield ReferenceWallet(proc)
        finally:
            assert proc.stdin is not None
            proc.stdin.close()  # the script exits when its stdin closes
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def verifier(stack_config: Any, reference_wallet: ReferenceWallet) -> Iterator[httpx2.Client]:
    """The recruiter's API client; the reference wallet's issuer is trusted while it runs."""
    with _verifier_client(stack_config) as client:
        ids = []
        for did in (reference_wallet.issuer_did, reference_wallet.ldp_issuer_did):
            added = client.post(
                "/trust/issuers",
                json={
                    "kind": "did",
                    "value": did,
                    "name": "Émetteur Node",
                    "issuer_kind": "platform",  # the rating template trusts only platforms
                },
            )
            assert added.status_code == 201, added.text
            ids.append(added.json()["id"])
        try:
            yield client
        finally:
            for entry in ids:
                client.delete(f"/trust/issuers/{entry}")


def _request(verifier: httpx2.Client, template: str, prefix: str | None = None) -> Any:
    """A request; with no prefix, the verifier's default one (what `musette verifier request`
    and the console create)."""
    body = (
        {"template": template}
        if prefix is None
        else {"template": template, "client_id_prefix": prefix}
    )
    resp = verifier.post("/oid4vp/requests", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def _result(links: dict[str, Any]) -> dict[str, Any]:
    resp = httpx2.get(links["result_url"])
    assert resp.status_code == 200, resp.text
    out: dict[str, Any] = resp.json()
    return out


def _accepted(answer: dict[str, Any], links: dict[str, Any], fmt: str) -> dict[str, Any]:
    assert answer["ok"] is True, answer
    assert answer["query_id"] == QUERY_IDS[fmt]
    assert answer["client"]["effective"] == links["client_id"]
    (response,) = answer["responses"]
    assert response["status"] == 200, response
    result = _result(links)
    assert result["status"] == "answered"
    assert result["verified"] is True, result["result"]["problems"]
    assert result["result"]["problems"] == []
    (report,) = result["result"]["presentations"][QUERY_IDS[fmt]]
    assert report["verified"] is True
    return result


@pytest.mark.parametrize("template", ["any-badge", "volunteering", "rating"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_reference_wallet_presents_and_is_accepted(
    reference_wallet: ReferenceWallet, verifier: httpx2.Client, fmt: str, template: str
) -> None:
    """The default request: signed with the verifier's did:web key, fetched by reference; the
    library verifies the JAR (RFC 9101) through its verifyJwt callback."""
    links = _request(verifier, template)
    assert links["client_id"].startswith("decentralized_identifier:did:web:")
    answer = reference_wallet.present(links["request_uri"], fmt)
    result = _accepted(answer, links, fmt)
    assert answer["client"] == {
        "prefix": "decentralized_identifier",
        "effective": links["client_id"],
        "signed": True,
    }
    assert answer["version"] == 100  # the library read it as OpenID4VP 1.0 final
    (report,) = result["result"]["presentations"][QUERY_IDS[fmt]]
    trust = (report.get("credentials") or [report])[0]["trust"]
    issuer = reference_wallet.ldp_issuer_did if fmt == "ldp_vc" else reference_wallet.issuer_did
    assert trust["issuer"] == issuer
    assert trust["trusted"] is True
    assert trust["registry_name"] == "Émetteur Node"


@pytest.mark.parametrize("fmt", FORMATS)
def test_reference_wallet_answers_an_unsigned_redirect_uri_request_by_value(
    reference_wallet: ReferenceWallet, verifier: httpx2.Client, fmt: str
) -> None:
    """OpenID4VP 1.0 §5.9.3: a redirect_uri: request is unsigned, so it travels by value (the
    library refuses an unsigned request object by reference); it reads the JSON parameters
    from the link and answers at the response_uri the client_id names."""
    links = _request(verifier, "any-badge", prefix="redirect_uri")
    assert links["client_id"].startswith("redirect_uri:")
    assert "request_uri=" not in links["request_uri"]
    answer = reference_wallet.present(links["request_uri"], fmt)
    _accepted(answer, links, fmt)
    assert answer["client"] == {
        "prefix": "redirect_uri",
        "effective": links["client_id"],
        "signed": False,
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_refused_a_replayed_reference_presentation(
    reference_wallet: ReferenceWallet, verifier: httpx2.Client, fmt: str
) -> None:
    links = _request(verifier, "any-badge")
    answer = reference_wallet.present(links["request_uri"], fmt, submissions=2)
    assert answer["ok"] is True, answer
    first, again = answer["responses"]
    assert first["status"] == 200, first
    assert again["status"] == 400, again
    assert again["body"]["error"] == "invalid_request"
    assert "replay" in again["body"]["error_description"]
    assert _result(links)["verified"] is True  # the first answer stands


@pytest.mark.parametrize("fmt", FORMATS)
def test_refused_a_reference_presentation_for_another_verifier(
    reference_wallet: ReferenceWallet, verifier: httpx2.Client, fmt: str
) -> None:
    links = _request(verifier, "any-badge")
    answer = reference_wallet.present(links["request_uri"], fmt, audience=OTHER_VERIFIER)
    assert answer["ok"] is True, answer
    (refused,) = answer["responses"]
    assert refused["status"] == 400, refused
    result = _result(links)
    assert result["verified"] is False
    problems = result["result"]["problems"]
    assert any("client_id" in p or "aud" in p for p in problems), problems


def test_refused_a_reference_presentation_missing_a_required_claim(
    reference_wallet: ReferenceWallet, verifier: httpx2.Client
) -> None:
    """`rating` requires a result's value: an SD-JWT presentation that keeps
    credentialSubject undisclosed verifies as a credential but fails the DCQL check."""
    fmt = "dc+sd-jwt"
    links = _request(verifier, "rating")
    answer = reference_wallet.present(links["request_uri"], fmt, disclose=[["achievement", "name"]])
    assert answer["ok"] is True, answer
    assert answer["disclosed"] == {"achievement": {"name": True}}
    (refused,) = answer["responses"]
    assert refused["status"] == 400, refused
    result = _result(links)
    assert result["verified"] is False
    assert result["result"]["dcql_problems"], result["result"]
    (report,) = result["result"]["presentations"][QUERY_IDS[fmt]]
    checks = {c["name"]: c for r in [report, *report.get("credentials", [])] for c in r["checks"]}
    assert checks["proof"]["status"] == "passed"  # the credential is fine; the claim is missing
    assert checks["rating"]["status"] == "failed"  # so no rating can be read
