"""Node's `jose` opens a passphrase-protected wallet export: the no-lock-in promise.

``decrypt_wallet_archive.mjs`` runs ``jose`` 6.2.17 ``compactDecrypt`` with only the
passphrase (PBES2-HS512+A256KW, A256GCM) and hands back the ZIP, which must be the same
archive Musette imports: the same manifest, credential files and history.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.wallet.testkit import IssuerKit, sign_up, wallet_settings
from wallet.main import create_app

pytestmark = pytest.mark.interop

HERE = Path(__file__).parent
SCRIPT = HERE / "decrypt_wallet_archive.mjs"
NODE_TIMEOUT_S = 60
PASS = "cinq petits chats très blancs"


def _jose(jwe: str, passphrase: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (HERE / "node_modules" / "jose").is_dir():
        pytest.skip("node_modules/jose missing: run `npm ci` in tests/interop")
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps({"jwe": jwe, "passphrase": passphrase}),
        capture_output=True,
        text=True,
        cwd=HERE,
        timeout=NODE_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _contents(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        out = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(out.pop("manifest.json"))
    manifest.pop("exported_at")
    return {"manifest": manifest, **out}


def test_jose_opens_a_protected_wallet_export(tmp_path: Path) -> None:
    kit = IssuerKit()
    with TestClient(create_app(wallet_settings(tmp_path / "w"))) as wallet:
        alice = sign_up(wallet, "alice@example.org")
        alice.import_credential(
            kit.ldp(alice.did, name="Animatrice"), sphere="association", tags=["jeunesse"]
        )
        alice.import_credential(kit.sd_jwt(alice.did, name="Note 4,8/5"), sphere="work")
        plain = alice.get("/api/export").content
        locked = alice.post("/api/export", json={"passphrase": PASS})
        assert locked.status_code == 200, locked.text

    opened = _jose(locked.text, PASS)
    assert opened["ok"], opened
    assert opened["header"]["alg"] == "PBES2-HS512+A256KW"
    assert opened["header"]["enc"] == "A256GCM"
    assert opened["header"]["cty"] == "zip"
    archive = base64.b64decode(opened["plaintext"])
    assert _contents(archive) == _contents(plain)
    names = set(zipfile.ZipFile(io.BytesIO(archive)).namelist())
    assert sum(n.endswith(".sdjwt") for n in names) == 1

    refused = _jose(locked.text, PASS + " ")
    assert refused == {"ok": False, "error": "ERR_JWE_DECRYPTION_FAILED"}
