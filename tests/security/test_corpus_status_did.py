"""Corpus, families Status lists and DIDs.

Credentials are signed for real and checked with the real fetcher (address checks, size
cap, JSON limits) on an in-process transport: public names resolve to a public address,
private ones to what an attacker would point them at. Nothing leaves the machine.
"""

from __future__ import annotations

import copy
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest

from shared.did import did_key_from_public
from shared.encoding import b64url_encode
from shared.encoding.multibase import multibase_encode
from shared.keys import PrivateKey
from shared.net.fetch import HttpFetcher
from shared.proofs.data_integrity import JCS, add_proof
from shared.proofs.vc_jwt import sign_vc_jwt
from shared.status import generate_encoded_list
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from tests.integration.verifier.conftest import NOW
from tests.security.corpus import Case, Verdict, assert_refused, from_report, params
from tests.unit.verifier.builders import CREATED, ISSUER, OTHER, VC_V2, badge, did, key, kid

STATUS, DIDS = "Status lists", "DIDs"
LIST_URL = "https://issuer.example/status/3"
PUBLIC = "93.184.215.14"
#: names an attacker controls, resolving to private addresses
PRIVATE_NAMES = {
    "localhost": "127.0.0.1",
    "internal.example": "10.0.0.5",
    "rebind.example": "169.254.169.254",
}
#: fixed on the engine branch (shared/verify/status.py;
#: docs/decisions/engine-time-and-status-list-issuer.md)
P256 = key("corpus-p256", "P-256")


def resolve(host: str, port: int) -> list[str]:
    host = host.strip("[]")
    if host in PRIVATE_NAMES:
        return [PRIVATE_NAMES[host]]
    if host[:1].isdigit() or ":" in host:
        return [host]
    return [PUBLIC]


@dataclass
class Web:
    """What the in-process transport serves: url -> (status, headers, body)."""

    pages: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        url = str(request.url)
        self.log.append(url)
        status, headers, body = self.pages.get(url, (404, {}, b""))
        return httpx2.Response(status, headers=headers, content=body)

    def json(self, url: str, doc: Any) -> None:
        body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        self.pages[url] = (200, {"content-type": "application/json"}, body)

    def ctx(self) -> VerifyContext:
        fetcher = HttpFetcher(resolve=resolve, transport=httpx2.MockTransport(self.handler))
        return VerifyContext(fetcher=fetcher, clock=lambda: NOW)


# ------------------------------------------------------------------ status lists


def bits(*revoked: int, size: int = 16 * 1024) -> bytes:
    raw = bytearray(size)
    for index in revoked:
        raw[index // 8] |= 0x80 >> (index % 8)
    return bytes(raw)


def status_list(
    *revoked: int,
    signer: PrivateKey = ISSUER,
    purpose: str = "revocation",
    encoded: str | None = None,
    url: str = LIST_URL,
    **extra: Any,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did(signer),
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded or generate_encoded_list(bits(*revoked)),
        },
        **extra,
    }
    return add_proof(doc, signer.sign, kid(signer), cryptosuite=JCS, created=CREATED)


def gzip_bomb(size: int) -> str:
    zipper = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    data = b"".join(zipper.compress(block) for _ in range(size >> 20)) + zipper.flush()
    return multibase_encode(data, "u")


def credential(index: Any = "3", **entry: Any) -> dict[str, Any]:
    doc = badge(status_index=3, status_url=entry.pop("url", LIST_URL))
    doc["credentialStatus"]["statusListIndex"] = index
    for name, value in entry.items():
        if value is None:
            doc["credentialStatus"].pop(name, None)
        else:
            doc["credentialStatus"][name] = value
    return doc


FORMATS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "vc+jwt": lambda doc: sign_vc_jwt(doc, ISSUER, kid(ISSUER), profile="vc+jwt"),
    "ldp_vc": lambda doc: add_proof(
        doc, ISSUER.sign, kid(ISSUER), cryptosuite=JCS, created=CREATED
    ),
}


@dataclass(frozen=True)
class StatusCase:
    name: str
    threat: str
    served: Callable[[Web], None]
    doc: Callable[[], dict[str, Any]] = credential
    xfail: str | None = None


def serve_list(*revoked: int, url: str = LIST_URL, **kw: Any) -> Callable[[Web], None]:
    return lambda web: web.json(url, status_list(*revoked, url=url, **kw))


def serve_doc(make: Callable[[], Any], url: str = LIST_URL) -> Callable[[Web], None]:
    return lambda web: web.json(url, make())


def tampered_list() -> dict[str, Any]:
    doc = status_list()
    doc["credentialSubject"]["encodedList"] = generate_encoded_list(bits(7))
    return doc


def unsigned_list() -> dict[str, Any]:
    doc = status_list()
    doc.pop("proof")
    return doc


def redirect_to(target: str) -> Callable[[Web], None]:
    def serve(web: Web) -> None:
        web.pages[LIST_URL] = (302, {"location": target}, b"")

    return serve


def serve_bomb(web: Web) -> None:
    """Built when the case runs, not when the module is collected."""
    serve_list(encoded=gzip_bomb(64 << 20))(web)


def nothing(web: Web) -> None:
    return None


def big_list(web: Web) -> None:
    doc = status_list()
    doc["padding"] = "x" * 2_000_000
    web.json(LIST_URL, doc)


def error_500(web: Web) -> None:
    web.pages[LIST_URL] = (500, {}, b"oops")


def not_json(web: Web) -> None:
    web.pages[LIST_URL] = (200, {"content-type": "application/json"}, b"<html>hi</html>")


def deep_json(web: Web) -> None:
    web.pages[LIST_URL] = (200, {}, b"[" * 10_000 + b"]" * 10_000)


def badge_as_list() -> dict[str, Any]:
    return add_proof(badge(), ISSUER.sign, kid(ISSUER), cryptosuite=JCS, created=CREATED)


STATUS_CASES = [
    StatusCase("revoked-bit-set", "TM-STATUS-BIT", serve_list(3)),
    StatusCase("revoked-neighbour-bits-set", "TM-STATUS-BIT", serve_list(0, 1, 2, 3, 4, 5, 6, 7)),
    StatusCase(
        "suspended-bit-set",
        "TM-STATUS-BIT",
        serve_list(3, purpose="suspension"),
        lambda: credential(statusPurpose="suspension"),
    ),
    StatusCase("list-unreachable-404", "TM-STATUS-FETCH", nothing),
    StatusCase("list-answers-500", "TM-STATUS-FETCH", error_500),
    StatusCase("list-not-json", "TM-STATUS-FETCH", not_json),
    StatusCase("list-json-10000-deep", "TM-STATUS-FETCH", deep_json),
    StatusCase("list-2-mb", "TM-STATUS-FETCH", big_list),
    StatusCase(
        "list-at-loopback",
        "TM-SSRF",
        serve_list(url="https://127.0.0.1/s"),
        lambda: credential(url="https://127.0.0.1/s"),
    ),
    StatusCase(
        "list-at-metadata-address",
        "TM-SSRF",
        nothing,
        lambda: credential(url="https://169.254.169.254/latest/meta-data"),
    ),
    StatusCase(
        "list-at-private-name",
        "TM-SSRF",
        serve_list(url="https://internal.example/s"),
        lambda: credential(url="https://internal.example/s"),
    ),
    StatusCase(
        "list-at-ipv6-unique-local",
        "TM-SSRF",
        nothing,
        lambda: credential(url="https://[fd00::1]/s"),
    ),
    StatusCase(
        "list-over-plain-http",
        "TM-SSRF",
        serve_list(url="http://issuer.example/s"),
        lambda: credential(url="http://issuer.example/s"),
    ),
    StatusCase("list-file-url", "TM-SSRF", nothing, lambda: credential(url="file:///etc/passwd")),
    StatusCase(
        "list-url-with-credentials",
        "TM-SSRF",
        nothing,
        lambda: credential(url="https://user:pw@issuer.example/s"),
    ),
    StatusCase("list-redirects-to-private", "TM-SSRF", redirect_to("https://10.0.0.9/s")),
    StatusCase("list-redirects-to-loopback-name", "TM-SSRF", redirect_to("https://localhost/s")),
    StatusCase(
        "list-signed-by-another-issuer",
        "TM-STATUS-ISSUER",
        serve_list(signer=OTHER),
    ),
    StatusCase("list-unsigned", "TM-STATUS-SIG", serve_doc(unsigned_list)),
    StatusCase("list-bits-changed-after-signing", "TM-STATUS-SIG", serve_doc(tampered_list)),
    StatusCase("list-expired", "TM-STATUS-SIG", serve_list(validUntil="2026-02-01T00:00:00Z")),
    StatusCase("list-is-a-badge", "TM-STATUS-SIG", serve_doc(badge_as_list)),
    StatusCase("gzip-bomb-64-mb", "TM-STATUS-BOMB", serve_bomb),
    StatusCase(
        "encoded-list-not-gzip", "TM-STATUS-BOMB", serve_list(encoded=multibase_encode(bits(), "u"))
    ),
    StatusCase(
        "encoded-list-not-multibase", "TM-STATUS-BOMB", serve_list(encoded="%%%not-base64%%%")
    ),
    StatusCase(
        "encoded-list-too-short",
        "TM-STATUS-BOMB",
        serve_list(encoded=multibase_encode(zlib.compress(bytes(16)), "u")),
    ),
    StatusCase("wrong-purpose", "TM-STATUS-PURPOSE", serve_list(purpose="suspension")),
    StatusCase(
        "purpose-missing-in-entry",
        "TM-STATUS-PURPOSE",
        serve_list(),
        lambda: credential(statusPurpose=None),
    ),
    StatusCase("index-out-of-range", "TM-STATUS-INDEX", serve_list(), lambda: credential("200000")),
    StatusCase("index-negative", "TM-STATUS-INDEX", serve_list(), lambda: credential("-1")),
    StatusCase("index-not-a-number", "TM-STATUS-INDEX", serve_list(), lambda: credential("three")),
    StatusCase("index-decimal", "TM-STATUS-INDEX", serve_list(), lambda: credential("3.5")),
    StatusCase("index-huge", "TM-STATUS-INDEX", serve_list(), lambda: credential("9" * 40)),
    StatusCase(
        "list-url-missing",
        "TM-STATUS-INDEX",
        serve_list(),
        lambda: credential(statusListCredential=None),
    ),
]


def _status_case(fmt: str, case: StatusCase) -> Case:
    def run() -> Verdict:
        web = Web()
        case.served(web)
        report = verify_credential(FORMATS[fmt](case.doc()), web.ctx())
        verdict = from_report(report, ("status",))
        leaked = [u for u in web.log if not u.startswith(("https://issuer.example/", LIST_URL))]
        if leaked:  # a refused address must never be asked
            return Verdict(verdict.outcome.ACCEPTED, f"fetched {leaked}")
        return verdict

    return Case(STATUS, f"{fmt}/{case.name}", case.threat, run, case.xfail)


# ------------------------------------------------------------------ DIDs


def jwk_did(jwk: dict[str, Any]) -> str:
    return "did:jwk:" + b64url_encode(json.dumps(jwk).encode())


def web_document(host_did: str, signer: PrivateKey, **change: Any) -> dict[str, Any]:
    vm = {
        "id": f"{host_did}#key-1",
        "type": "Multikey",
        "controller": host_did,
        "publicKeyMultibase": signer.public_key.to_multikey(),
    }
    doc: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": host_did,
        "verificationMethod": [vm],
        "assertionMethod": [vm["id"]],
    }
    for name, value in change.items():
        if name == "vm":
            vm.update(value)
        elif value is None:
            doc.pop(name, None)
        else:
            doc[name] = value
    return doc


@dataclass(frozen=True)
class DidCase:
    name: str
    threat: str
    issuer: str
    kid: str
    signer: PrivateKey = OTHER
    served: dict[str, Any] = field(default_factory=dict)


WEB = "did:web:issuer.example"
WEB_URL = "https://issuer.example/.well-known/did.json"
ED_X = OTHER.public_key.to_jwk()["x"]

DID_CASES = [
    DidCase("did-web-loopback", "TM-SSRF", "did:web:127.0.0.1", "did:web:127.0.0.1#key-1"),
    DidCase(
        "did-web-loopback-port",
        "TM-SSRF",
        "did:web:127.0.0.1%3A8001",
        "did:web:127.0.0.1%3A8001#key-1",
    ),
    DidCase("did-web-localhost", "TM-SSRF", "did:web:localhost", "did:web:localhost#key-1"),
    DidCase("did-web-private-10", "TM-SSRF", "did:web:10.0.0.1", "did:web:10.0.0.1#key-1"),
    DidCase(
        "did-web-metadata", "TM-SSRF", "did:web:169.254.169.254", "did:web:169.254.169.254#key-1"
    ),
    DidCase(
        "did-web-private-name",
        "TM-SSRF",
        "did:web:internal.example",
        "did:web:internal.example#key-1",
    ),
    DidCase(
        "did-web-ipv6-loopback", "TM-SSRF", "did:web:%5B%3A%3A1%5D", "did:web:%5B%3A%3A1%5D#key-1"
    ),
    DidCase(
        "did-web-userinfo",
        "TM-SSRF",
        "did:web:user%40issuer.example",
        "did:web:user%40issuer.example#key-1",
    ),
    DidCase(
        "did-web-path-traversal",
        "TM-SSRF",
        "did:web:issuer.example:..:..:admin",
        "did:web:issuer.example:..:..:admin#key-1",
    ),
    DidCase(
        "did-web-document-id-differs",
        "TM-DID-DOC",
        WEB,
        f"{WEB}#key-1",
        served={WEB_URL: web_document("did:web:attacker.example", OTHER)},
    ),
    DidCase(
        "did-web-vm-controller-differs",
        "TM-DID-DOC",
        WEB,
        f"{WEB}#key-1",
        served={WEB_URL: web_document(WEB, OTHER, vm={"controller": "did:web:attacker.example"})},
    ),
    DidCase(
        "did-web-key-only-for-authentication",
        "TM-DID-DOC",
        WEB,
        f"{WEB}#key-1",
        served={
            WEB_URL: web_document(WEB, OTHER, assertionMethod=None, authentication=[f"{WEB}#key-1"])
        },
    ),
    DidCase(
        "did-web-key-type-mismatch",
        "TM-DID-KEYTYPE",
        WEB,
        f"{WEB}#key-1",
        served={
            WEB_URL: web_document(
                WEB,
                OTHER,
                vm={
                    "type": "JsonWebKey",
                    "publicKeyMultibase": None,
                    "publicKeyJwk": P256.public_key.to_jwk(),
                },
            )
        },
    ),
    DidCase(
        "did-web-vm-elsewhere",
        "TM-DID-DOC",
        WEB,
        "did:web:attacker.example#key-1",
        served={
            "https://attacker.example/.well-known/did.json": web_document(
                "did:web:attacker.example", OTHER
            )
        },
    ),
    DidCase(
        "did-web-document-not-json",
        "TM-DID-DOC",
        WEB,
        f"{WEB}#key-1",
        served={WEB_URL: b"<html></html>"},
    ),
    DidCase(
        "did-web-document-a-list",
        "TM-DID-DOC",
        WEB,
        f"{WEB}#key-1",
        served={WEB_URL: [web_document(WEB, OTHER)]},
    ),
    DidCase(
        "did-web-private-key-in-document",
        "TM-DID-DOC",
        WEB,
        f"{WEB}#key-1",
        served={
            WEB_URL: web_document(
                WEB,
                OTHER,
                vm={
                    "publicKeyMultibase": None,
                    "publicKeyJwk": {**OTHER.public_key.to_jwk(), "d": "AAAA"},
                    "type": "JsonWebKey",
                },
            )
        },
    ),
    DidCase("did-key-bad-multibase", "TM-DID-MALFORMED", "did:key:z0OIl", "did:key:z0OIl#z0OIl"),
    DidCase("did-key-not-base58", "TM-DID-MALFORMED", "did:key:uAAAA", "did:key:uAAAA#uAAAA"),
    DidCase("did-key-empty", "TM-DID-MALFORMED", "did:key:", "did:key:#x"),
    DidCase(
        "did-key-x25519",
        "TM-DID-KEYTYPE",
        "did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc",
        "did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc#z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc",
    ),
    DidCase(
        "did-key-truncated",
        "TM-DID-MALFORMED",
        did_key_from_public(OTHER.public_key)[:-6],
        did_key_from_public(OTHER.public_key)[:-6] + "#k",
    ),
    DidCase(
        "did-key-fragment-of-other-key",
        "TM-DID-MALFORMED",
        did(OTHER),
        did(OTHER) + "#" + did(ISSUER).removeprefix("did:key:"),
    ),
    DidCase("did-key-p256-signs-as-ed25519", "TM-DID-KEYTYPE", did(P256), kid(P256), signer=OTHER),
    DidCase("did-jwk-not-base64", "TM-DID-MALFORMED", "did:jwk:***", "did:jwk:***#0"),
    DidCase(
        "did-jwk-not-an-object",
        "TM-DID-MALFORMED",
        "did:jwk:" + b64url_encode(b"[1]"),
        "did:jwk:" + b64url_encode(b"[1]") + "#0",
    ),
    DidCase(
        "did-jwk-symmetric-oct",
        "TM-DID-KEYTYPE",
        jwk_did({"kty": "oct", "k": "c2VjcmV0"}),
        jwk_did({"kty": "oct", "k": "c2VjcmV0"}) + "#0",
    ),
    DidCase(
        "did-jwk-with-private-d",
        "TM-DID-MALFORMED",
        jwk_did({**OTHER.public_key.to_jwk(), "d": "AAAA"}),
        jwk_did({**OTHER.public_key.to_jwk(), "d": "AAAA"}) + "#0",
    ),
    DidCase(
        "did-jwk-unknown-kty",
        "TM-DID-KEYTYPE",
        jwk_did({"kty": "XYZ", "x": ED_X}),
        jwk_did({"kty": "XYZ", "x": ED_X}) + "#0",
    ),
    DidCase(
        "did-jwk-wrong-fragment",
        "TM-DID-MALFORMED",
        jwk_did(OTHER.public_key.to_jwk()),
        jwk_did(OTHER.public_key.to_jwk()) + "#1",
    ),
    DidCase(
        "did-jwk-ed25519-signed-by-p256",
        "TM-DID-KEYTYPE",
        jwk_did(OTHER.public_key.to_jwk()),
        jwk_did(OTHER.public_key.to_jwk()) + "#0",
        signer=P256,
    ),
    DidCase("did-method-unsupported", "TM-DID-MALFORMED", "did:example:123", "did:example:123#k"),
    DidCase(
        "did-not-a-did", "TM-DID-MALFORMED", "https://issuer.example", "mailto:x@issuer.example#k"
    ),
]


def _did_token(case: DidCase) -> str:
    from tests.security.corpus import raw_jws

    doc = badge()
    doc["issuer"] = {**doc["issuer"], "id": case.issuer}
    payload = {**copy.deepcopy(doc), "iss": case.issuer}
    return raw_jws(
        {"alg": case.signer.jws_alg, "typ": "vc+jwt", "kid": case.kid}, payload, case.signer
    )


def _did_case(case: DidCase) -> Case:
    def run() -> Verdict:
        web = Web()
        for url, doc in case.served.items():
            web.json(url, doc)
        report = verify_credential(_did_token(case), web.ctx())
        verdict = from_report(report, ("issuer_key", "proof", "format"))
        leaked = [
            u
            for u in web.log
            if not u.startswith(("https://issuer.example/", "https://attacker.example/"))
        ]
        if leaked:
            return Verdict(verdict.outcome.ACCEPTED, f"fetched {leaked}")
        return verdict

    return Case(DIDS, case.name, case.threat, run)


CASES = [_status_case(fmt, c) for fmt in FORMATS for c in STATUS_CASES]
CASES += [_did_case(c) for c in DID_CASES]


@pytest.mark.parametrize("case", params(CASES))
def test_hostile(case: Case) -> None:
    assert_refused(case)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_clear_status_verifies(fmt: str) -> None:
    web = Web()
    serve_list(7)(web)
    report = verify_credential(FORMATS[fmt](credential()), web.ctx())
    assert report.verified, report.to_json()


def test_a_did_web_issuer_verifies() -> None:
    case = DidCase("control", "", WEB, f"{WEB}#key-1", served={WEB_URL: web_document(WEB, OTHER)})
    web = Web()
    web.json(WEB_URL, web_document(WEB, OTHER))
    report = verify_credential(_did_token(case), web.ctx())
    assert report.verified, report.to_json()
