"""Wallet test kit: settings over SQLite, holders signed up through the API, an issuer kit that
signs OB 3.0 credentials in every format the wallet keeps, and a real-HTTP server helper."""

from __future__ import annotations

import copy
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi.testclient import TestClient
from starlette.types import ASGIApp

from shared.did import did_key_from_public, verification_method_id
from shared.keys import PrivateKey
from shared.proofs.data_integrity import JCS, add_proof
from shared.proofs.sd_jwt_vc import issue_ob3_sd_jwt_vc
from shared.proofs.vc_jwt import sign_vc_jwt
from tests.conftest import load_json
from wallet.settings import WalletSettings

PASSWORD = "correct horse battery"


def wallet_settings(folder: Path, **changes: Any) -> WalletSettings:
    folder.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{folder / 'wallet.db'}",
        "data_dir": str(folder),
        "base_url": "http://testserver",
        "dev": True,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
    }
    values.update(changes)
    return WalletSettings(**values)


@dataclass
class Holder:
    """A signed-up account, used through its API token."""

    client: TestClient
    email: str
    token: str
    did: str
    account_id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self.auth, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.client.post(url, headers=self.auth, **kw)

    def import_credential(self, credential: Any, **extra: Any) -> dict[str, Any]:
        resp = self.post("/api/credentials", json={"credential": credential, **extra})
        assert resp.status_code == 201, resp.text
        return dict(resp.json())


def sign_up(client: TestClient, email: str) -> Holder:
    resp = client.post("/api/accounts", json={"email": email, "password": PASSWORD})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    session = client.post("/api/session", json={"email": email, "password": PASSWORD})
    csrf = session.json()["csrf_token"]
    token = client.post("/api/tokens", json={"name": "tests"}, headers={"X-CSRF-Token": csrf})
    assert token.status_code == 201, token.text
    client.cookies.clear()
    return Holder(client, email, token.json()["token"], body["identity"]["did"], body["id"])


@dataclass
class IssuerKit:
    """An issuer (did:key, Ed25519) that signs OB 3.0 credentials for a holder."""

    key: PrivateKey = field(default_factory=lambda: PrivateKey.generate("Ed25519"))

    @property
    def did(self) -> str:
        return did_key_from_public(self.key.public_key)

    @property
    def kid(self) -> str:
        return verification_method_id(self.did)

    def unsigned(
        self, subject: str, name: str = "Bénévole — encadrement", **changes: Any
    ) -> dict[str, Any]:
        doc = copy.deepcopy(load_json("peers", "ob3-credential.unsigned.json"))
        doc["id"] = f"urn:uuid:{time.time_ns():032x}"
        doc["issuer"] = {**doc["issuer"], "id": self.did, "name": "Association des Musiciens"}
        doc["credentialSubject"]["id"] = subject
        doc["credentialSubject"]["achievement"]["name"] = name
        doc["credentialSubject"]["achievement"]["achievementType"] = "CommunityService"
        doc.update(changes)
        return dict(doc)

    def ldp(self, subject: str, **changes: Any) -> dict[str, Any]:
        return add_proof(
            self.unsigned(subject, **changes), self.key.sign, self.kid, cryptosuite=JCS
        )

    def vc_jwt(self, subject: str, **changes: Any) -> str:
        return sign_vc_jwt(self.unsigned(subject, **changes), self.key, self.kid, profile="vc+jwt")

    def sd_jwt(self, subject: str, **changes: Any) -> str:
        """Bound (cnf) to the key of ``subject``, a did:jwk."""
        return issue_ob3_sd_jwt_vc(
            self.unsigned(subject, **changes),
            issuer_key=self.key,
            kid=self.kid,
            holder_jwk=holder_jwk(subject),
        )


def holder_jwk(did: str) -> dict[str, Any]:
    """The public JWK inside a did:jwk."""
    from shared.encoding.base64url import b64url_decode

    return dict(json.loads(b64url_decode(did.removeprefix("did:jwk:"))))


@contextmanager
def serve(app: ASGIApp, port: int = 0) -> Iterator[str]:
    """Serve ``app`` over real HTTP on 127.0.0.1 (``port``, or a free one); yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def principal_of(holder: Holder, session: Any) -> Any:
    """The holder's opened account, as its API token opens it (the wallet holds no other key:
    docs/decisions/person-held-keys.md)."""
    from wallet.service import accounts

    res = holder.client.app.state.resources  # type: ignore[attr-defined]
    who = accounts.principal_for_api_token(session, res.master, holder.token)
    assert who is not None, "the holder's API token no longer opens the account"
    return who
