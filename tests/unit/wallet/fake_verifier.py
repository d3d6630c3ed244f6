"""A small OpenID4VP 1.0 verifier (request_uri, DCQL, direct_post, direct_post.jwt) for
wallet tests.

It verifies what it receives with the shared ``verify_credential()`` against its nonce and
its FULL client_id (prefix included), and records every response it gets. Encrypted answers
(direct_post.jwt) are decrypted here with jwcrypto directly, not with the wallet's own
``shared.protocols.response_encryption``, so the two sides are not checked by one module.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from jwcrypto.jwe import JWE
from jwcrypto.jwk import JWK

from shared.did import did_key_from_public, verification_method_id
from shared.keys import PrivateKey
from shared.proofs.jose import sign_jws
from shared.protocols.oid4vp import (
    authorization_request_by_value,
    build_request_object,
    encode_unsigned_request_object,
)
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential

OB_IRI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"


def dcql(fmt: str, claims: list[list[Any]] | None = None, qid: str = "badge") -> dict[str, Any]:
    query: dict[str, Any] = {"id": qid, "format": fmt}
    if fmt == "dc+sd-jwt":
        query["meta"] = {
            "vct_values": ["https://purl.imsglobal.org/spec/ob/v3p0#OpenBadgeCredential"]
        }
    else:
        query["meta"] = {"type_values": [[OB_IRI]]}
    if claims:
        query["claims"] = [{"path": p} for p in claims]
    return {"credentials": [query]}


@dataclass
class FakeVerifier:
    base: str = ""
    key: PrivateKey = field(default_factory=lambda: PrivateKey.generate("Ed25519"))
    requests: dict[str, str] = field(default_factory=dict)
    expected: dict[str, dict[str, str]] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    #: the ECDH-ES key of direct_post.jwt requests, and the JWE headers received
    enc_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    jwe_headers: list[dict[str, Any]] = field(default_factory=list)

    def enc_jwk(self, **members: Any) -> dict[str, Any]:
        """The public encryption JWK (``use`` enc, ``alg`` ECDH-ES, ``kid``), members overridden."""
        public = JWK.from_pyca(self.enc_key.public_key()).export_public(as_dict=True)
        return {**public, "use": "enc", "alg": "ECDH-ES", "kid": "enc-1", **members}

    @property
    def did(self) -> str:
        return did_key_from_public(self.key.public_key)

    def request_link(
        self,
        query: dict[str, Any],
        *,
        signed: bool = False,
        client_id: str | None = None,
        response_uri: str | None = None,
        tamper: bool = False,
        response_mode: str = "direct_post",
        client_metadata: dict[str, Any] | None = None,
        x5c: tuple[PrivateKey, list[str]] | None = None,
        by_value: bool = False,
    ) -> str:
        """The link. ``x5c``: sign with that key under that certificate chain (x509_* client
        ids); ``by_value``: the request's parameters in the link itself (unsigned)."""
        rid = secrets.token_urlsafe(8)
        response_uri = response_uri or f"{self.base}/response/{rid}"
        if client_id is None:
            client_id = (
                f"decentralized_identifier:{self.did}" if signed else f"redirect_uri:{response_uri}"
            )
        nonce = secrets.token_urlsafe(16)
        metadata: dict[str, Any] = {"client_name": "Recruteur Démo"}
        if response_mode == "direct_post.jwt" and client_metadata is None:
            metadata["jwks"] = {"keys": [self.enc_jwk()]}
        metadata.update(client_metadata or {})
        claims = build_request_object(
            client_id=client_id,
            response_uri=response_uri,
            nonce=nonce,
            state=rid,
            dcql_query=query,
            client_metadata=metadata,
            response_mode=response_mode,
        )
        if by_value:
            self.expected[rid] = {"nonce": nonce, "client_id": client_id}
            return authorization_request_by_value(claims)
        if x5c is not None:
            token = sign_jws(claims, x5c[0], {"typ": "oauth-authz-req+jwt", "x5c": x5c[1]})
        elif signed:
            token = sign_jws(
                claims,
                self.key,
                {"typ": "oauth-authz-req+jwt", "kid": verification_method_id(self.did)},
            )
            if tamper:
                head, _body, sig = token.split(".")
                claims["nonce"] = "forged"
                from shared.encoding.base64url import b64url_encode

                token = ".".join([head, b64url_encode(json.dumps(claims).encode()), sig])
        else:
            token = encode_unsigned_request_object(claims)
        self.requests[rid] = token
        self.expected[rid] = {"nonce": nonce, "client_id": client_id}
        return "openid4vp://?" + urlencode(
            {"client_id": client_id, "request_uri": f"{self.base}/request/{rid}"}
        )

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/request/{rid}")
        def get_request(rid: str) -> Any:
            return PlainTextResponse(
                self.requests[rid], media_type="application/oauth-authz-req+jwt"
            )

        @app.post("/response/{rid}")
        async def response(rid: str, request: Request) -> Any:
            form = {k: str(v) for k, v in (await request.form()).items()}
            self.received.append(form)
            expect = self.expected[rid]
            if "error" in form:  # OpenID4VP 1.0 §8.5: the holder refused
                return {}
            if "response" in form:
                jwe = JWE()
                jwe.allowed_algs = ["ECDH-ES", "A128GCM", "A256GCM"]
                jwe.deserialize(form["response"], key=JWK.from_pyca(self.enc_key))
                self.jwe_headers.append(dict(jwe.jose_header))
                payload = json.loads(jwe.payload)
                vp_token, state = payload["vp_token"], payload.get("state")
            else:
                vp_token, state = json.loads(form["vp_token"]), form.get("state")
            verdicts = {}
            for qid, items in vp_token.items():
                assert isinstance(items, list)
                ctx = VerifyContext(
                    challenge=expect["nonce"],
                    domain=expect["client_id"],
                    nonce=expect["nonce"],
                    audience=expect["client_id"],
                )
                report = verify_credential(items[0], ctx)
                self.reports.append(report.to_json())
                verdicts[qid] = report.verified
            return {"verified": all(verdicts.values()), "state": state}

        return app
