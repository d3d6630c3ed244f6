"""Export everything, import into a fresh wallet: identical credentials, history, spheres, tags."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.unit.wallet.testkit import Holder, IssuerKit, principal_of, sign_up
from wallet.service import history


def _record_presentation(wallet: TestClient, holder: Holder, cid: str) -> None:
    res = wallet.app.state.resources  # type: ignore[attr-defined]

    with res.sessions.begin() as session:
        who = principal_of(holder, session)
        history.record(
            session,
            who,
            "presented",
            {
                "verifier": "redirect_uri:https://v.example/cb",
                "credentials": [{"credential_id": cid, "claims": "all"}],
            },
        )


def _snapshot(holder: Holder) -> dict[str, Any]:
    creds = holder.get("/api/credentials").json()["credentials"]
    full = {c["id"]: holder.get(f"/api/credentials/{c['id']}").json() for c in creds}
    keep = ("format", "sphere", "tags", "title", "issuer", "credential", "created_at", "source")
    return {
        "credentials": {cid: {k: c.get(k) for k in keep} for cid, c in full.items()},
        "history": holder.get("/api/history").json()["entries"],
        "spheres": holder.get("/api/credentials/spheres").json(),
        "identities": sorted(i["did"] for i in holder.get("/api/identities").json()),
    }


def populate(first: TestClient, kit: IssuerKit) -> tuple[Holder, dict[str, Any]]:
    """Alice with a second identity, three formats, spheres, tags and a presentation."""
    alice = sign_up(first, "alice@example.org")
    alice.post("/api/identities", json={"method": "key", "key_type": "P-256", "label": "travail"})
    a = alice.import_credential(
        kit.ldp(alice.did, name="Animatrice"), sphere="association", tags=["jeunesse"]
    )
    alice.import_credential(
        kit.vc_jwt(alice.did, name="Développeuse"), sphere="work", tags=["python", "web"]
    )
    alice.import_credential(kit.sd_jwt(alice.did, name="Note 4,8/5"), sphere="Plateformes")
    _record_presentation(first, alice, a["id"])
    return alice, _snapshot(alice)


def assert_same_wallet(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert after["credentials"] == before["credentials"]
    assert after["history"] == before["history"]
    assert after["spheres"] == before["spheres"]
    assert set(before["identities"]) <= set(after["identities"])


def test_export_then_import_into_a_fresh_wallet_is_lossless(
    make_wallet: Callable[..., TestClient], kit: IssuerKit
) -> None:
    alice, before = populate(make_wallet("first"), kit)

    archive = alice.get("/api/export")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zf:
        names = set(zf.namelist())
        assert {"manifest.json", "credentials.json", "history.json", "identities.json"} <= names
        assert sum(n.endswith(".json") and n.startswith("credentials/") for n in names) == 1
        assert sum(n.endswith(".jwt") for n in names) == 1
        assert sum(n.endswith(".sdjwt") for n in names) == 1
        assert json.loads(zf.read("manifest.json"))["format"] == "musette-wallet-export"

    second = make_wallet("second")
    alice2 = sign_up(second, "alice@example.org")
    resp = alice2.post(
        "/api/import", files={"file": ("musette-wallet.zip", archive.content, "application/zip")}
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["refused"] == []
    assert_same_wallet(before, _snapshot(alice2))


def test_a_tampered_archive_credential_is_refused(
    make_wallet: Callable[..., TestClient], kit: IssuerKit
) -> None:
    first = make_wallet("first")
    alice = sign_up(first, "alice@example.org")
    cid = alice.import_credential(kit.ldp(alice.did, name="Vrai"))["id"]
    data = alice.get("/api/export").content
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == f"credentials/{cid}.json":
                body = body.replace(b"Vrai", b"Faux")
            dst.writestr(item, body)
    second = make_wallet("second")
    bob = sign_up(second, "bob@example.org")
    resp = bob.post("/api/import", files={"file": ("x.zip", out.getvalue(), "application/zip")})
    assert resp.status_code == 200
    assert resp.json()["imported"] == []
    assert bob.get("/api/credentials").json()["credentials"] == []
