"""A passphrase-protected export (JWE, PBES2-HS512+A256KW, A256GCM): lossless, and refusals
that import nothing. Uses the real 600,000 iterations, so each lock or unlock costs ~0.3 s."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.encoding import passphrase_jwe as pj
from shared.encoding.base64url import b64url_decode, b64url_encode
from tests.integration.wallet.test_wallet_pages import csrf_of, page, sign_in
from tests.integration.wallet.test_wallet_portability import (
    _snapshot,
    assert_same_wallet,
    populate,
)
from tests.unit.wallet.testkit import Holder, IssuerKit, sign_up
from wallet.service import portability

PASS = "une phrase secrète assez longue"


def _upload(data: bytes, name: str = "musette-wallet.zip.jwe") -> dict[str, Any]:
    return {"file": (name, data, "application/jose")}


def _empty(holder: Holder) -> bool:
    return bool(
        holder.get("/api/credentials").json()["credentials"] == []
        and holder.get("/api/history").json()["entries"] == []
    )


def _assert_problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    assert body["type"].endswith(f"#{code}")
    assert set(body["message"]) == {"fr", "en"}
    assert body["message"]["fr"] != body["message"]["en"]
    return body


def _forged(header: dict[str, Any]) -> bytes:
    """A JWE-shaped file with this header (refused before any key derivation)."""
    parts = [b64url_encode(json.dumps(header).encode())] + [b64url_encode(b"x" * 16)] * 4
    return ".".join(parts).encode()


def test_protected_export_then_import_into_a_fresh_wallet_is_lossless(
    make_wallet: Callable[..., TestClient], kit: IssuerKit
) -> None:
    alice, before = populate(make_wallet("first"), kit)

    locked = alice.post("/api/export", json={"passphrase": PASS})
    assert locked.status_code == 200, locked.text
    assert locked.headers["content-type"] == "application/jose"
    assert 'filename="musette-wallet.zip.jwe"' in locked.headers["content-disposition"]
    assert locked.headers["cache-control"] == "no-store"
    header = json.loads(b64url_decode(locked.text.split(".")[0]))
    assert header["alg"] == "PBES2-HS512+A256KW"
    assert header["enc"] == "A256GCM"
    assert header["p2c"] >= 600_000
    assert len(b64url_decode(header["p2s"])) >= 16
    assert b"Animatrice" not in locked.content

    second = make_wallet("second")
    alice2 = sign_up(second, "alice@example.org")
    resp = alice2.post("/api/import", files=_upload(locked.content), data={"passphrase": PASS})
    assert resp.status_code == 200, resp.text
    assert resp.json()["refused"] == []
    assert resp.json()["encrypted"] is True
    assert_same_wallet(before, _snapshot(alice2))


def test_export_without_passphrase_is_unchanged(alice: Holder, kit: IssuerKit) -> None:
    alice.import_credential(kit.ldp(alice.did, name="Claire"))
    for resp in (alice.get("/api/export"), alice.post("/api/export", json={})):
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "application/zip"
        assert 'filename="musette-wallet.zip"' in resp.headers["content-disposition"]
        assert "manifest.json" in zipfile.ZipFile(io.BytesIO(resp.content)).namelist()


def test_wrong_or_missing_passphrase_imports_nothing(
    make_wallet: Callable[..., TestClient], kit: IssuerKit
) -> None:
    alice = sign_up(make_wallet("first"), "alice@example.org")
    cid = alice.import_credential(kit.ldp(alice.did, name="Animatrice"))["id"]
    locked = alice.post("/api/export", json={"passphrase": PASS}).content
    bob = sign_up(make_wallet("second"), "bob@example.org")
    identities = bob.get("/api/identities").json()

    wrong = bob.post("/api/import", files=_upload(locked), data={"passphrase": PASS + "!"})
    body = _assert_problem(wrong, 422, "passphrase-decryption-failed")
    assert "phrase secrète" in body["message"]["fr"]
    assert "passphrase" in body["message"]["en"]

    missing = bob.post("/api/import", files=_upload(locked))
    _assert_problem(missing, 400, "passphrase-required")

    parts = locked.decode().split(".")
    parts[3] = parts[3][:10] + ("A" if parts[3][10] != "A" else "B") + parts[3][11:]
    tampered = bob.post(
        "/api/import", files=_upload(".".join(parts).encode()), data={"passphrase": PASS}
    )
    _assert_problem(tampered, 422, "passphrase-decryption-failed")

    assert _empty(bob)
    assert bob.get("/api/identities").json() == identities
    assert bob.get(f"/api/credentials/{cid}").status_code == 404


@pytest.mark.parametrize(
    ("header", "status", "code"),
    [
        ({"alg": "none", "enc": "A256GCM"}, 400, "unsupported-algorithm"),
        ({"alg": "dir", "enc": "A256GCM"}, 400, "unsupported-algorithm"),
        ({"alg": "PBES2-HS512+A256KW", "enc": "A256CBC-HS512"}, 400, "unsupported-algorithm"),
        (
            {"alg": "PBES2-HS512+A256KW", "enc": "A256GCM", "p2c": 2**40, "p2s": "A" * 22},
            400,
            "passphrase-iterations-refused",
        ),
        (
            {"alg": "PBES2-HS512+A256KW", "enc": "A256GCM", "p2c": 1000, "p2s": "A" * 22},
            400,
            "passphrase-iterations-refused",
        ),
    ],
    ids=["none", "dir", "cbc", "huge-p2c", "low-p2c"],
)
def test_refused_encryption_settings(
    alice: Holder, header: dict[str, Any], status: int, code: str
) -> None:
    resp = alice.post("/api/import", files=_upload(_forged(header)), data={"passphrase": PASS})
    _assert_problem(resp, status, code)
    assert _empty(alice)


@pytest.mark.parametrize(
    "data", [b"eyJub3QganNvbg.a.b.c.d", b"eyJ\xff\xfe", b"{garbage"], ids=["hdr", "utf8", "json"]
)
def test_garbage_protected_file(alice: Holder, data: bytes) -> None:
    resp = alice.post("/api/import", files=_upload(data), data={"passphrase": PASS})
    _assert_problem(resp, 400, "malformed-jwe")
    assert _empty(alice)


def test_oversized_protected_file(alice: Holder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portability, "MAX_ARCHIVE_BYTES", 1000)
    resp = alice.post(
        "/api/import", files=_upload(b"eyJ" + b"A" * 20_000), data={"passphrase": PASS}
    )
    _assert_problem(resp, 413, "payload-too-large")
    assert _empty(alice)


@pytest.mark.parametrize("short", ["", "court", "elevenchars"])
def test_short_passphrase_is_refused_in_plain_words(alice: Holder, short: str) -> None:
    resp = alice.post("/api/export", json={"passphrase": short})
    body = _assert_problem(resp, 400, "passphrase-too-short")
    assert "12" in body["message"]["en"]
    assert "12" in body["message"]["fr"]


def test_protected_export_needs_auth(wallet: TestClient, alice: Holder) -> None:
    wallet.cookies.clear()
    assert wallet.post("/api/export", json={"passphrase": PASS}).status_code == 401
    resp = wallet.post(
        "/archive/export",
        data={"passphrase": PASS, "passphrase_confirm": PASS},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert resp.headers["location"].startswith("/signin")
    sign_in(wallet, alice)
    no_csrf = wallet.post(
        "/archive/export",
        data={"passphrase": PASS, "passphrase_confirm": PASS},
        headers={"Accept": "text/html"},
    )
    assert no_csrf.status_code == 403


def test_messages_are_in_both_catalogues() -> None:
    from servicekit.i18n import catalogue
    from wallet.i18n import LOCALES

    used = {*portability.MESSAGES.values(), portability.CONFIRMATION_MISMATCH_MESSAGE}
    for lang in ("fr", "en"):
        assert used - set(catalogue(LOCALES, lang)) == set()
    assert str(pj.MIN_PASSPHRASE_CHARS) in portability.MESSAGES["passphrase-too-short"]


def test_history_page_protected_export_and_import_fr_en(
    wallet: TestClient, alice: Holder, bob: Holder, kit: IssuerKit
) -> None:
    alice.import_credential(kit.ldp(alice.did, name="Trésorière"))
    sign_in(wallet, alice)
    en = page(wallet, "/history", "en")
    assert "Protect the archive with a passphrase" in en
    assert 'name="passphrase_confirm"' in en
    fr = page(wallet, "/history", "fr")
    assert "Protéger l'archive par une phrase secrète" in fr
    token = csrf_of(fr)
    html = {"Accept": "text/html", "Accept-Language": "fr"}

    def export(p: str, c: str, lang: str = "fr") -> Any:
        return wallet.post(
            "/archive/export",
            data={"csrf_token": token, "passphrase": p, "passphrase_confirm": c},
            headers={**html, "Accept-Language": lang},
        )

    mismatch = export(PASS, PASS + "x")
    assert mismatch.status_code == 400
    assert "ne sont pas identiques" in mismatch.text
    short = export("court", "court", "en")
    assert short.status_code == 400
    assert "at least 12 characters" in short.text
    plain = export("", "")
    assert plain.status_code == 200
    assert plain.headers["content-type"] == "application/zip"
    locked = export(PASS, PASS)
    assert locked.status_code == 200
    assert locked.headers["content-type"] == "application/jose"
    assert locked.content.startswith(b"eyJ")

    sign_in(wallet, bob)
    token = csrf_of(page(wallet, "/history"))

    def upload(p: str, lang: str) -> Any:
        return wallet.post(
            "/archive/import",
            data={"csrf_token": token, "passphrase": p},
            files=_upload(locked.content),
            headers={**html, "Accept-Language": lang},
        )

    asked = upload("", "en")
    assert asked.status_code == 400
    assert "protected by a passphrase" in asked.text
    wrong = upload("pas la bonne phrase", "fr")
    assert wrong.status_code == 422
    assert "Cette phrase secrète n'ouvre pas l'archive" in wrong.text.replace("&#39;", "'")
    assert _empty(bob)
    done = upload(PASS, "fr")
    assert done.status_code == 200
    assert "Importé\u00a0: 1 badge," in done.text
    assert "Trésorière" in page(wallet, "/")
