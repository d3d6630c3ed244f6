"""What the wallet keeps, read as its operator would: the same on SQLite and PostgreSQL.

An account imports a badge in each format (Data Integrity, VC-JWT, SD-JWT VC) with a
distinctive name, describes an experience with distinctive words, publishes a share link; then every row
of every table is read (tests/leaks.py) and must hold none of those values, no credential
piece, no link token, no password or API token, and no private key of the holder (taken
from the holder's own export) nor the master secret, in base64url, base64 or hex.
The same test runs on SQLite every time and on PostgreSQL when MUSETTE_TEST_POSTGRES_URL
is set (tests/e2e/test_nothing_leaks.py does it after the full journeys over HTTP).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.databases import DIALECTS, database_url
from tests.leaks import key_material, leaks
from tests.unit.wallet.testkit import PASSWORD, IssuerKit, sign_up, wallet_settings
from wallet.main import create_app

CLAIMS = ("Camille Martin-Lefèvre", "Trésorière adjointe", "Atelier de réparation solidaire")


def _pieces(credential: object) -> list[str]:
    """Long runs of a credential's text: JWT segments, proofValue, ids."""
    text = credential if isinstance(credential, str) else json.dumps(credential)
    return [p[-32:] for p in re.findall(r"[A-Za-z0-9_\-]{32,}", text)]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_nothing_of_an_account_is_readable_at_rest(dialect: str, tmp_path: Path) -> None:
    kit = IssuerKit()
    with database_url(dialect, tmp_path, "wallet_at_rest") as url:
        settings = wallet_settings(tmp_path / "w", database_url=url)
        with TestClient(create_app(settings)) as client:
            holder = sign_up(client, "personne@example.org")
            name, role, title = CLAIMS
            issued = [
                kit.ldp(holder.did, name=title),
                kit.vc_jwt(holder.did, name=f"{title} (JWT)"),
                kit.sd_jwt(holder.did, name=f"{title} (SD-JWT)"),
            ]
            held = [holder.import_credential(c, sphere="association") for c in issued]
            exp = holder.post(
                "/api/experiences",
                json={
                    "title": role,
                    "organisation": name,
                    "start_date": "2024-01-01",
                    "description": title,
                },
            )
            assert exp.status_code == 201, exp.text
            share = holder.post(f"/api/credentials/{held[0]['id']}/shares")
            assert share.status_code == 201, share.text
            archive = holder.get("/api/export")
            assert archive.status_code == 200
            with zipfile.ZipFile(io.BytesIO(archive.content)) as zf:
                keys = [i["private_jwk"] for i in json.loads(zf.read("identities.json"))]
        master = (tmp_path / "w" / "master.key").read_text().strip()
        searched = [*CLAIMS, PASSWORD, holder.token, share.json()["url"].rsplit("/", 1)[-1]]
        # the holder's DID is in clear (identities.did, a public key): not its pieces
        searched += [p for c in issued for p in _pieces(c) if p not in holder.did]
        searched += [m for k in keys for m in key_material(k)] + key_material({"d": master})
        assert len(searched) > 20
        problems = leaks(url, searched)
    assert problems == [], "\n".join(problems)
