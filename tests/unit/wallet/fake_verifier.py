"""A small OpenID4VP 1.0 verifier (request_uri, DCQL, direct_post) for wallet tests.

It verifies what it receives with the shared ``verify_credential()`` against its nonce and
its FULL client_id (prefix included), and records every response it gets.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from shared.did import did_key_from_public, verification_method_id
from shared.keys import PrivateKey
from shared.proofs.jose import sign_jws
from shared.protocols.oid4vp import build_request_object, encode_unsigned_request_object
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
    ) -> str:
        rid = secrets.token_urlsafe(8)
        response_uri = response_uri or f"{self.base}/response/{rid}"
        if client_id is None:
            client_id = (
                f"decentralized_identifier:{self.did}" if signed else f"redirect_uri:{response_uri}"
            )
        nonce = secrets.token_urlsafe(16)
        claims = build_request_object(
            client_id=client_id, response_uri=response_uri, nonce=nonce, state=rid, dcql_query=query,
            client_metadata={"client_name": "Recruteur Démo"},
        )  # fmt: skip
        if signed:
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
            vp_token = json.loads(form["vp_token"])
            verdicts = {}
            for qid, items in vp_token.items():
                assert isinstance(items, list)
                ctx = VerifyContext(
                    challenge=expect["nonce"], domain=expect["client_id"],
                    nonce=expect["nonce"], audience=expect["client_id"],
                )  # fmt: skip
                report = verify_credential(items[0], ctx)
                self.reports.append(report.to_json())
                verdicts[qid] = report.verified
            return {"verified": all(verdicts.values()), "state": form.get("state")}

        return app
