"""After the full journeys, the wallet's database and every service's logs hold nothing in
clear: no credential text, no claim value, no link token, no password, no key material.

The journeys of test_logs_hold_no_secrets.py (issuance in the three formats, a wrong
tx_code, presentation over OpenID4VP, POST /verifications) run again under the JSON logging
of ``musette serve``, plus a self-declared experience endorsed by a colleague through an
endorsement link, and a public share link. Then every table of the wallet database is read
row by row (tests/leaks.py: what may be in clear is listed there with the reason; every
other column must be ciphertext) and the captured logs are searched, for those secrets and
for the holders' private keys in base64url, base64 and hex (taken from their own exports).
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from typing import Any

import httpx2
import pytest

from musette.up import UpConfig
from tests.e2e.test_journeys import ORG, _new_wallet_account, _wallet_client
from tests.e2e.test_logs_hold_no_secrets import captured_logs, last_segment, run_journeys
from tests.leaks import IN_CLEAR, key_material, leaks, looks_sealed

__all__ = ["captured_logs"]  # the fixture, used by name

#: shorter values (a 6-digit tx_code) turn up by chance in timestamps and ciphertext
MIN_SECRET = 8
#: public words that run_journeys collects with the links' last segments: the organisation's
#: slug is in its credential issuer URL, which the trust registry names in clear
PUBLIC = {ORG}


def private_keys(wallet: httpx2.Client) -> list[dict[str, Any]]:
    """The holder's private JWKs, from the person's own export (identities.json)."""
    archive = wallet.get("/api/export")
    assert archive.status_code == 200, archive.text
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zf:
        identities = json.loads(zf.read("identities.json"))
    keys = [i["private_jwk"] for i in identities]
    assert keys, identities
    assert all("d" in k for k in keys)
    return keys


def endorse_and_share(config: UpConfig) -> tuple[list[str], list[dict[str, Any]]]:
    """A describes an experience, colleague B endorses it through the link, A publishes a
    badge: the words typed, the link tokens, and both holders' private keys."""
    tag = secrets.token_hex(6)
    typed = {
        "title": f"Cheffe de chœur {tag}",
        "organisation": f"Chorale des Quais {tag}",
        "description": f"Répétitions du jeudi {tag}",
        "comment": f"Elle dirige quarante choristes {tag}",
        "name": f"Bruno Colin {tag}",
    }
    with (
        _wallet_client(config) as alice,
        _new_wallet_account(config, f"collegue-{tag}@e2e.example") as bob,
    ):
        exp = alice.post(
            "/api/experiences",
            json={
                "title": typed["title"],
                "organisation": typed["organisation"],
                "start_date": "2024-09-01",
                "description": typed["description"],
            },
        )
        assert exp.status_code == 201, exp.text
        link = alice.post(f"/api/experiences/{exp.json()['id']}/requests")
        assert link.status_code == 201, link.text
        token = last_segment(link.json()["url"])
        assert token
        done = bob.post(
            f"/api/endorse/{token}", json={"comment": typed["comment"], "name": typed["name"]}
        )
        assert done.status_code == 201, done.text
        held = alice.get("/api/credentials").json()["credentials"]
        shared = alice.post(f"/api/credentials/{held[0]['id']}/shares")
        assert shared.status_code == 201, shared.text
        share_token = last_segment(shared.json()["url"])
        assert share_token
        keys = private_keys(alice) + private_keys(bob)
    return [*typed.values(), token, share_token], keys


def test_nothing_in_clear_in_the_wallet_database_nor_the_logs(
    stack_config: UpConfig, captured_logs: io.StringIO
) -> None:
    database = stack_config.data_dir / "wallet" / "wallet.db"
    if not database.exists():  # `make container-test` runs the wallet on PostgreSQL elsewhere
        pytest.skip("the wallet's database is not a file of this test run")
    found = run_journeys(stack_config)
    typed, keys = endorse_and_share(stack_config)
    master = (stack_config.data_dir / "wallet" / "master.key").read_text().strip()
    material = [m for k in keys for m in key_material(k)] + key_material({"d": master})
    searched = [s for s in [*found, *typed, *material] if len(s) >= MIN_SECRET and s not in PUBLIC]
    assert len(searched) > 20  # the scan is of real values, not of an empty list

    problems = leaks(f"sqlite:///{database}", searched)
    assert problems == [], "\n".join(problems)
    text = captured_logs.getvalue()
    assert '"logger": "musette.access"' in text or '"logger":"musette.access"' in text
    in_logs = sorted({s[:12] + "…" for s in searched if s in text})
    assert in_logs == [], f"found in the logs (first characters): {in_logs}"


def test_the_scanner_finds_what_it_looks_for(tmp_path: Any) -> None:
    """A database with a claim value in clear, a key in hex and a readable blob is caught."""
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'leaky.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE credentials (id TEXT, format TEXT, summary TEXT, "
                "content_ct BLOB, note TEXT)"
            )
        )
        conn.execute(
            sa.text("INSERT INTO credentials VALUES ('1', 'ldp_vc', :s, :c, :n)"),
            {"s": "Camille Martin", "c": b'{"proofValue": "z3abc"}', "n": "00ff" * 16},
        )
    engine.dispose()
    key = {"d": "AP8A_wD_AP8A_wD_AP8A_wD_AP8A_wD_AP8A_wD_AP8"}  # 00ff… in base64url
    problems = leaks(url, ["Camille Martin", *key_material(key)])
    assert any(p.startswith("credentials.summary holds Camille") for p in problems), problems
    assert any(p.startswith("credentials.note holds 00ff") for p in problems), problems
    assert any(p.startswith("credentials.content_ct is readable") for p in problems), problems
    assert any("credentials.note is in clear and not listed" in p for p in problems), problems
    assert not any(p.startswith("credentials.format") for p in problems)  # listed
    assert ("credentials", "format") in IN_CLEAR
    assert looks_sealed(b"\xff\xfe" * 20)
    assert not looks_sealed(b"short")
    assert not looks_sealed(b"a readable sentence, long enough to be a record")
