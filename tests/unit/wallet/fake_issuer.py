"""A small OpenID4VCI 1.0 issuer (pre-authorized code) built from the spec, for wallet tests.

Its credential issuer identifier has a path (``<base>/issuer``), so the wallet must insert the
well-known segment between host and path (RFC 8414 §3.1). ``modes`` switch on hostile
behaviours: ``wrong_issuer`` (metadata names another issuer), ``tampered`` (a credential whose
proof fails), ``huge`` (a 20 MB credential), ``fail:<configuration>`` (that one credential is
refused). ``dpop`` makes it an issuer that REQUIRES DPoP (RFC 9449): advertised in its
authorization server metadata, server nonces on both the token and the credential endpoint,
``token_type`` DPoP, ``ath`` and the key thumbprint checked; ``dpop_unadvertised`` requires it
without saying so. ``jwt_vc_issuer`` issues SD-JWT VCs whose ``iss`` is an http(s) URL, with
the key published at ``/.well-known/jwt-vc-issuer/sd`` (SD-JWT VC §4) instead of a DID.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse

from shared.protocols.oid4vci import (
    PRE_AUTHORIZED_GRANT,
    Oid4vciError,
    validate_proof_jwt,
)
from tests.unit.wallet.testkit import IssuerKit

CONFIGS = {
    "volunteer_ldp": {
        "format": "ldp_vc",
        "cryptographic_binding_methods_supported": ["did:jwk", "did:key"],
    },
    "volunteer_jwt": {
        "format": "jwt_vc_json",
        "cryptographic_binding_methods_supported": ["did:jwk", "did:key"],
    },
    "volunteer_sd": {"format": "dc+sd-jwt", "cryptographic_binding_methods_supported": ["jwk"]},
}


@dataclass
class DpopServer:
    """The server side of RFC 9449 as a strict issuer does it: nonces it hands out (§8-9),
    proofs checked for typ, alg, signature, htm, htu, iat, jti reuse, nonce and ath."""

    nonces: set[str] = field(default_factory=set)
    seen_jti: set[str] = field(default_factory=set)
    #: access token -> the thumbprint of the key it is bound to
    bound: dict[str, str] = field(default_factory=dict)
    proofs: list[dict[str, Any]] = field(default_factory=list)

    def _refuse(self, status: int, error: str) -> JSONResponse:
        nonce = secrets.token_urlsafe(12)
        self.nonces.add(nonce)
        headers = {"DPoP-Nonce": nonce}
        if status == 401:
            headers["WWW-Authenticate"] = f'DPoP error="{error}"'
        return JSONResponse({"error": error}, status_code=status, headers=headers)

    def check(
        self, request: Request, url: str, access_token: str | None
    ) -> tuple[JSONResponse | None, str | None]:
        """(refusal, None) or (None, the proof key's thumbprint)."""
        from shared.keys import PublicKey
        from shared.proofs.jose import jwk_thumbprint, parse_jws, verify_jws
        from shared.protocols.dpop import access_token_hash

        status = 400 if access_token is None else 401
        proof = request.headers.get("dpop")
        if not proof:
            return self._refuse(status, "invalid_dpop_proof"), None
        try:
            jws = parse_jws(proof)
            key = PublicKey.from_jwk(jws.header["jwk"])
            verify_jws(jws, key, algorithms={"ES256", "EdDSA"})
        except Exception:
            return self._refuse(status, "invalid_dpop_proof"), None
        claims = jws.payload
        self.proofs.append({"header": jws.header, "claims": claims})
        ok = (
            jws.header.get("typ") == "dpop+jwt"
            and claims.get("htm") == "POST"
            and claims.get("htu") == url
            and abs(claims.get("iat", 0) - datetime.now(UTC).timestamp()) < 300
            and claims.get("jti") not in self.seen_jti
            and (access_token is None or claims.get("ath") == access_token_hash(access_token))
        )
        if not ok:
            return self._refuse(status, "invalid_dpop_proof"), None
        if claims.get("nonce") not in self.nonces:
            return self._refuse(status, "use_dpop_nonce"), None
        self.seen_jti.add(claims["jti"])
        return None, jwk_thumbprint(key)


@dataclass
class FakeIssuer:
    kit: IssuerKit = field(default_factory=IssuerKit)
    base: str = ""
    modes: set[str] = field(default_factory=set)
    offers: dict[str, dict[str, Any]] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, list[str]] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    credential_requests: int = 0
    #: offer id -> problem code answered with 410 (offer-used, offer-expired), as our issuer does
    gone: dict[str, str] = field(default_factory=dict)

    dpop: DpopServer = field(default_factory=lambda: DpopServer())

    @property
    def issuer_id(self) -> str:
        return f"{self.base}/issuer"

    @property
    def sd_issuer(self) -> str:
        """The SD-JWT VC ``iss`` of the ``jwt_vc_issuer`` mode (a URL with a path)."""
        return f"{self.base}/sd"

    def offer(self, *configs: str, tx_code: str | None = None) -> str:
        """Create an offer; returns its credential_offer_uri."""
        code = secrets.token_urlsafe(16)
        grant: dict[str, Any] = {"pre-authorized_code": code}
        if tx_code:
            grant["tx_code"] = {
                "length": len(tx_code),
                "input_mode": "numeric",
                "description": "PIN",
            }
        offer_id = secrets.token_urlsafe(8)
        self.offers[offer_id] = {
            "credential_issuer": self.issuer_id,
            "credential_configuration_ids": list(configs),
            "grants": {PRE_AUTHORIZED_GRANT: grant},
        }
        self.codes[code] = {"configs": list(configs), "tx_code": tx_code}
        return f"{self.base}/offers/{offer_id}"

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/offers/{offer_id}")
        def get_offer(offer_id: str) -> Any:
            if offer_id in self.gone or offer_id not in self.offers:
                code = self.gone.get(offer_id, "offer-unknown")
                return JSONResponse(
                    {
                        "type": f"{self.base}/problems#{code}",
                        "status": 410 if offer_id in self.gone else 404,
                    },
                    status_code=410 if offer_id in self.gone else 404,
                    media_type="application/problem+json",
                )
            return self.offers[offer_id]

        @app.get("/.well-known/openid-credential-issuer/issuer")
        def metadata() -> Any:
            configs = {
                k: {
                    **v,
                    "proof_types_supported": {
                        "jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}
                    },
                    "credential_metadata": {
                        "display": [{"name": f"Bénévole ({k})", "locale": "fr-FR"}]
                    },
                }
                for k, v in CONFIGS.items()
            }
            return {
                "credential_issuer": self.issuer_id + ("/" if "wrong_issuer" in self.modes else ""),
                "credential_endpoint": f"{self.base}/credential",
                "nonce_endpoint": f"{self.base}/nonce",
                "display": [{"name": "Association des Musiciens", "locale": "fr-FR"}],
                "credential_configurations_supported": configs,
            }

        @app.get("/.well-known/oauth-authorization-server/issuer")
        def as_metadata() -> Any:
            meta = {
                "issuer": self.issuer_id,
                "token_endpoint": f"{self.base}/token",
                "pre-authorized_grant_anonymous_access_supported": True,
            }
            if "dpop" in self.modes:
                meta["dpop_signing_alg_values_supported"] = ["RS512", "ES256"]
            return meta

        @app.get("/.well-known/jwt-vc-issuer/sd")
        def jwt_vc_issuer() -> Any:
            jwk = {**self.kit.key.public_key.to_jwk(), "kid": "sd-key-1", "use": "sig"}
            named = self.sd_issuer + ("-other" if "jwt_vc_issuer_mismatch" in self.modes else "")
            return {"issuer": named, "jwks": {"keys": [jwk]}}

        @app.post("/token")
        async def token(request: Request) -> Any:
            form = {k: str(v) for k, v in (await request.form()).items()}
            self.token_requests.append(form)
            jkt = None
            if self.modes & {"dpop", "dpop_unadvertised"}:
                refusal, jkt = self.dpop.check(request, f"{self.base}/token", None)
                if refusal is not None:
                    return refusal
            grant = self.codes.get(form.get("pre-authorized_code", ""))
            if form.get("grant_type") != PRE_AUTHORIZED_GRANT or grant is None:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            if grant["tx_code"] and form.get("tx_code") != grant["tx_code"]:
                return JSONResponse(
                    {"error": "invalid_grant", "error_description": "wrong tx_code"},
                    status_code=400,
                )
            if form.get("resource") != self.issuer_id or "client_id" in form:
                return JSONResponse({"error": "invalid_request"}, status_code=400)
            del self.codes[form["pre-authorized_code"]]
            access = secrets.token_urlsafe(16)
            self.tokens[access] = grant["configs"]
            if jkt is not None:  # RFC 9449 §5: the token is bound to the proof's key
                self.dpop.bound[access] = jkt
                return {"access_token": access, "token_type": "DPoP", "expires_in": 300}
            return {"access_token": access, "token_type": "Bearer", "expires_in": 300}

        @app.post("/nonce")
        def nonce() -> Any:
            value = secrets.token_urlsafe(16)
            self.nonces.add(value)
            return JSONResponse({"c_nonce": value}, headers={"Cache-Control": "no-store"})

        def take_nonce(value: str) -> bool:
            if value in self.nonces:
                self.nonces.remove(value)
                return True
            return False

        @app.post("/credential")
        async def credential(request: Request, authorization: str = Header("")) -> Any:
            self.credential_requests += 1
            scheme, _, access = authorization.partition(" ")
            if access in self.dpop.bound:
                if scheme != "DPoP":
                    return JSONResponse({"error": "invalid_token"}, status_code=401)
                refusal, jkt = self.dpop.check(request, f"{self.base}/credential", access)
                if refusal is not None:
                    return refusal
                if jkt != self.dpop.bound[access]:
                    return JSONResponse({"error": "invalid_dpop_proof"}, status_code=401)
            elif scheme != "Bearer":
                return JSONResponse({"error": "invalid_token"}, status_code=401)
            configs = self.tokens.get(access)
            body = await request.json()
            cid = body.get("credential_configuration_id")
            if configs is None or cid not in configs:
                return JSONResponse({"error": "invalid_token"}, status_code=401)
            if f"fail:{cid}" in self.modes:
                return JSONResponse(
                    {"error": "invalid_credential_request", "error_description": "not today"},
                    status_code=400,
                )
            try:
                proof = validate_proof_jwt(
                    body["proofs"]["jwt"][0],
                    audience=self.issuer_id,
                    nonces=take_nonce,
                    now=datetime.now(UTC),
                )
            except Oid4vciError as err:
                return JSONResponse(
                    {"error": err.error, "error_description": err.detail}, status_code=400
                )
            fmt = CONFIGS[cid]["format"]
            if "huge" in self.modes:
                return {"credentials": [{"credential": "x" * 20_000_000}]}
            if fmt == "ldp_vc":
                issued: Any = self.kit.ldp(proof.holder_did)
                if "tampered" in self.modes:
                    issued["credentialSubject"]["achievement"]["name"] = "Forged"
            elif fmt == "jwt_vc_json":
                issued = self.kit.vc_jwt(proof.holder_did)
            else:
                from shared.proofs.sd_jwt_vc import issue_ob3_sd_jwt_vc

                unsigned = self.kit.unsigned(proof.holder_did)
                kid = self.kit.kid
                if "jwt_vc_issuer" in self.modes:  # iss an URL, the key in its metadata
                    unsigned["issuer"] = {**unsigned["issuer"], "id": self.sd_issuer}
                    kid = "sd-key-1"
                issued = issue_ob3_sd_jwt_vc(
                    unsigned, issuer_key=self.kit.key, kid=kid, holder_jwk=proof.jwk
                )
            return {"credentials": [{"credential": issued}]}

        return app
