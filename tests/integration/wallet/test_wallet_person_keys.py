"""The person holds the keys (docs/decisions/person-held-keys.md): the server's
master key and the database open nothing without the password, the recovery code, a live
session cookie or an API token; password change, recovery with the kit and loss without it;
an account made before moves to its password at its next sign-in (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, event, select
from sqlalchemy.orm import Session

from servicekit.migrations import alembic_config
from tests.databases import DIALECTS, database_url
from tests.unit.wallet.fake_issuer import FakeIssuer
from tests.unit.wallet.fake_verifier import FakeVerifier
from tests.unit.wallet.testkit import PASSWORD, Holder, IssuerKit, sign_up, wallet_settings
from wallet.db.base import MIGRATIONS, make_engine
from wallet.db.models import (
    Account,
    ApiToken,
    EndorsementRequest,
    Identity,
    InboxItem,
    StoredCredential,
    WebSession,
)
from wallet.main import create_app
from wallet.service import accounts, inbox
from wallet.service.vault import (
    AccountVault,
    MasterKey,
    VaultError,
    _derive,
    open_sealed,
    recovery_key,
    unwrap_data_key,
)

NEW_PASSWORD = "another long password"


def db(wallet: TestClient) -> Any:
    return wallet.app.state.resources.sessions  # type: ignore[attr-defined]


def master_of(wallet: TestClient) -> MasterKey:
    return wallet.app.state.resources.master  # type: ignore[no-any-return,attr-defined]


def keys_the_operator_can_make(master: MasterKey) -> list[bytes]:
    """Every key derivable from the master secret alone, and the secret itself."""
    return [
        master.secret,
        master._kek(),
        _derive(master.secret, b"musette wallet lookup v1"),
        _derive(master.secret, b"musette wallet kek v1"),
    ]


def signed_in(wallet: TestClient, email: str, password: str) -> dict[str, str]:
    resp = wallet.post("/api/session", json={"email": email, "password": password})
    assert resp.status_code == 200, resp.text
    return {"X-CSRF-Token": resp.json()["csrf_token"]}


# ------------------------------------------------------------------ the operator reads nothing


def test_master_key_and_database_without_the_password_open_nothing(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    cid = alice.import_credential(kit.ldp(alice.did, name="Trésorière adjointe"))["id"]
    master = master_of(wallet)
    with db(wallet).begin() as session:
        account = session.get(Account, alice.account_id)
        credential = session.get(StoredCredential, cid)
        identity = session.scalars(
            select(Identity).where(Identity.account_id == alice.account_id)
        ).first()
        assert account is not None
        assert credential is not None
        assert identity is not None
        assert account.wrapped_key is None  # no copy under the master key at all
        wrapped = [account.password_wrapped_key, account.recovery_wrapped_key]
        wrapped += [r.key_ct for r in session.scalars(select(ApiToken))]
        wrapped += [r.key_ct for r in session.scalars(select(WebSession))]
        rows = [credential.summary_ct, credential.content_ct, identity.key_ct]
    # the old path: the master key unwrapping the account's data key
    for blob in wrapped:
        assert blob is not None
        with pytest.raises(VaultError):
            master.unwrap(alice.account_id, blob)
        for key in keys_the_operator_can_make(master):
            for purpose in ("password", "recovery", "session", "api-token"):
                with pytest.raises(VaultError):
                    unwrap_data_key(key, alice.account_id, blob, purpose)
    # nor the records themselves, with any key the master secret gives
    for key in keys_the_operator_can_make(master):
        vault = AccountVault(alice.account_id, key)
        with pytest.raises(VaultError):
            vault.open_json("content", cid, rows[1])
        with pytest.raises(VaultError):
            vault.open_bytes("identity", identity.id, rows[2])
    assert not any(b"Tr\xc3\xa9sori\xc3\xa8re" in row for row in rows)
    # the control: the password opens the same rows
    with db(wallet).begin() as session:
        who = accounts.authenticate(
            session,
            master,
            wallet.app.state.resources.hasher,  # type: ignore[attr-defined]
            alice.email,
            PASSWORD,
        )
        content = who.vault.open_json("content", cid, rows[1])
    assert content["claims"]["credentialSubject"]["achievement"]["name"] == "Trésorière adjointe"


# ------------------------------------------------------------- nothing happens without them


def test_receiving_and_presenting_need_the_person(
    wallet: TestClient, alice: Holder, issuer: FakeIssuer, verifier: FakeVerifier, kit: IssuerKit
) -> None:
    from tests.unit.wallet.fake_verifier import dcql

    offer = f"openid-credential-offer://?credential_offer_uri={quote(issuer.offer('volunteer_sd'), safe='')}"
    anonymous = wallet.post("/api/offers", json={"offer": offer})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    stale = wallet.post(
        "/api/offers", json={"offer": offer}, headers={"Authorization": "Bearer mwt_" + "x" * 43}
    )
    assert stale.status_code == 401
    assert issuer.token_requests == []
    preview = alice.post("/api/offers", json={"offer": offer}).json()
    accepted = alice.post(f"/api/offers/{preview['id']}/accept", json={})
    assert accepted.status_code == 201, accepted.text

    cid = alice.import_credential(kit.ldp(alice.did, name="Animateur"))["id"]
    link = verifier.request_link(dcql("ldp_vc", [["credentialSubject", "achievement", "name"]]))
    assert wallet.post("/api/presentations", json={"request": link}).status_code == 401
    opened = alice.post("/api/presentations", json={"request": link})
    assert opened.status_code == 201, opened.text
    assert opened.json()["queries"][0]["options"][0]["credential_id"] == cid
    answer = alice.post(f"/api/presentations/{opened.json()['id']}/consent", json={})
    assert answer.json()["response"]["verified"] is True


def test_the_command_line_needs_the_password_or_the_recovery_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from musette.cli import main

    monkeypatch.setenv("MUSETTE_DEV", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_MEMORY_KIB", "64")
    data = str(tmp_path / "var")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main(["wallet", "--data-dir", data, "account", "create", "c@example.org", "--json"]) == 0
    code = json.loads(capsys.readouterr().out)["recovery_code"]
    issuer = FakeIssuer()
    from tests.unit.wallet.testkit import serve

    with serve(issuer.app()) as base:
        issuer.base = base
        receive = ["wallet", "--data-dir", data, "receive", "--account", "c@example.org"]
        for stdin in ("", "a wrong password\n"):
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
            assert main([*receive, issuer.offer("volunteer_sd")]) != 0
            assert "password" in capsys.readouterr().err
        assert issuer.token_requests == []  # refused before anything reached the issuer
        monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
        assert main([*receive, issuer.offer("volunteer_sd")]) == 0
        monkeypatch.setattr("sys.stdin", io.StringIO(code + "\n"))
        assert main([*receive, "--recovery-code", issuer.offer("volunteer_ldp")]) == 0
        monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
        assert main([*receive, "--recovery-code", issuer.offer("volunteer_ldp")]) != 0
    assert len(capsys.readouterr().out.split()) == 2  # two credential ids


# ----------------------------------------------------------- password change, recovery, loss


def test_password_change_rewraps_and_keeps_the_contents(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    cid = alice.import_credential(kit.ldp(alice.did))["id"]
    other = TestClient(wallet.app)
    signed_in(other, alice.email, PASSWORD)
    csrf = signed_in(wallet, alice.email, PASSWORD)
    wrong = wallet.post(
        "/api/me/password",
        headers=csrf,
        json={"old_password": "not it at all", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 401
    changed = wallet.post(
        "/api/me/password",
        headers=csrf,
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 204, changed.text
    assert (
        wallet.post("/api/session", json={"email": alice.email, "password": PASSWORD}).status_code
        == 401
    )
    assert wallet.get(f"/api/credentials/{cid}").status_code == 200  # this session goes on
    assert other.get("/api/me").status_code == 401  # the other session is closed
    assert alice.get(f"/api/credentials/{cid}").status_code == 200  # API tokens keep working
    fresh = TestClient(wallet.app)
    signed_in(fresh, alice.email, NEW_PASSWORD)
    assert fresh.get(f"/api/credentials/{cid}").json()["id"] == cid


def test_recovery_with_the_kit_and_loss_without_it(wallet: TestClient, kit: IssuerKit) -> None:
    made = wallet.post("/api/accounts", json={"email": "r@example.org", "password": PASSWORD})
    code = made.json()["recovery_code"]
    assert len(code.replace("-", "")) == 32
    holder = sign_up_token(wallet, "r@example.org", PASSWORD, made.json())
    cid = holder.import_credential(kit.ldp(holder.did, name="Secouriste"))["id"]

    wallet.cookies.clear()
    body = {"email": "r@example.org", "new_password": NEW_PASSWORD}
    # without the kit: no way in (a wrong code, another account's code, a made-up one)
    other = wallet.post("/api/accounts", json={"email": "o@example.org", "password": PASSWORD})
    for wrong in (other.json()["recovery_code"], "AAAA-" * 7 + "AAAA", "not a code"):
        refused = wallet.post("/api/recover", json={**body, "recovery_code": wrong})
        assert refused.status_code == 401, refused.text
    master = master_of(wallet)
    with db(wallet).begin() as session:
        account = session.scalar(select(Account).where(Account.email == "r@example.org"))
        assert account is not None
        assert account.recovery_wrapped_key is not None
        for key in keys_the_operator_can_make(master):
            with pytest.raises(VaultError):
                unwrap_data_key(key, account.id, account.recovery_wrapped_key, "recovery")

    # with the kit (typed in lower case, without dashes)
    typed = code.replace("-", "").lower()
    recovered = wallet.post("/api/recover", json={**body, "recovery_code": typed})
    assert recovered.status_code == 200, recovered.text
    new_code = recovered.json()["recovery_code"]
    assert new_code != code
    assert holder.get("/api/me").status_code == 401  # every token closed
    assert (
        wallet.post(
            "/api/session", json={"email": "r@example.org", "password": PASSWORD}
        ).status_code
        == 401
    )
    signed_in(wallet, "r@example.org", NEW_PASSWORD)
    got = wallet.get(f"/api/credentials/{cid}")
    assert got.status_code == 200, got.text
    # the kit used is retired; the new one works
    wallet.cookies.clear()
    assert wallet.post("/api/recover", json={**body, "recovery_code": code}).status_code == 401
    with db(wallet).begin() as session:
        account = session.scalar(select(Account).where(Account.email == "r@example.org"))
        assert account is not None
        assert account.recovery_wrapped_key is not None
        unwrap_data_key(
            recovery_key(new_code, account.id), account.id, account.recovery_wrapped_key, "recovery"
        )


def test_a_new_kit_retires_the_old_one(wallet: TestClient, alice: Holder) -> None:
    csrf = signed_in(wallet, alice.email, PASSWORD)
    first = wallet.post("/api/me/recovery-kit", headers=csrf).json()["recovery_code"]
    second = wallet.post("/api/me/recovery-kit", headers=csrf).json()["recovery_code"]
    wallet.cookies.clear()
    body = {"email": alice.email, "new_password": NEW_PASSWORD}
    assert wallet.post("/api/recover", json={**body, "recovery_code": first}).status_code == 401
    assert wallet.post("/api/recover", json={**body, "recovery_code": second}).status_code == 200


def sign_up_token(wallet: TestClient, email: str, password: str, made: dict[str, Any]) -> Holder:
    csrf = signed_in(wallet, email, password)
    token = wallet.post("/api/tokens", json={"name": "t"}, headers=csrf).json()["token"]
    wallet.cookies.clear()
    return Holder(wallet, email, token, made["identity"]["did"], made["id"])


# -------------------------------------------------------------------------- pages fr and en


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_pages_of_the_keys(wallet: TestClient, lang: str) -> None:
    from tests.integration.wallet.test_wallet_pages import page

    words = {
        "fr": (
            "Votre kit de secours",
            "perdus pour de bon",
            "Mot de passe oublié\u00a0?",
            "Mot de passe et kit de secours",
            "vos clés d\u2019API fonctionnent toujours",
        ),
        "en": (
            "Your recovery kit",
            "lost for good",
            "Forgot your password?",
            "Password and recovery kit",
            "your API keys still work",
        ),
    }[lang]
    headers = {"Accept-Language": lang}
    assert words[1] in page(wallet, "/signup", lang)
    made = wallet.post(
        "/signup",
        headers=headers,
        follow_redirects=False,
        data={
            "email": f"p-{lang}@example.org",
            "password": PASSWORD,
            "csrf_token": wallet.cookies.get("musette_wallet_csrf"),
        },
    )
    assert made.status_code == 200
    assert words[0] in made.text
    assert 'download="musette-recovery-kit.txt"' in made.text
    code = made.text.split("data-recovery-code>", 1)[1].split("<", 1)[0]
    assert quote(code) in made.text  # the same code in the file
    keys = wallet.get("/account/keys", headers=headers)
    assert words[3] in keys.text
    csrf = keys.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    renewed = wallet.post("/account/recovery-kit", headers=headers, data={"csrf_token": csrf})
    assert renewed.status_code == 200
    assert code not in renewed.text
    new_code = renewed.text.split("data-recovery-code>", 1)[1].split("<", 1)[0]
    changed = wallet.post(
        "/account/password",
        headers=headers,
        data={"csrf_token": csrf, "old_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 200
    assert 'role="status"' in changed.text
    assert words[4] in changed.text  # docs/decisions/api-key-wording.md
    wallet.post("/signout", data={"csrf_token": csrf})
    assert words[2] in page(wallet, "/signin", lang)
    recover = {
        "email": f"p-{lang}@example.org",
        "new_password": PASSWORD,
        "csrf_token": wallet.cookies.get("musette_wallet_csrf"),
    }
    wrong = wallet.post("/recover", headers=headers, data={**recover, "recovery_code": code})
    assert wrong.status_code == 401
    assert 'role="alert"' in wrong.text
    ok = wallet.post("/recover", headers=headers, data={**recover, "recovery_code": new_code})
    assert ok.status_code == 200
    assert words[0] in ok.text
    assert wallet.get("/account/keys", headers=headers).status_code == 200  # signed in


# ---------------------------------------------------- endorsements delivered while away


@pytest.fixture(params=DIALECTS)
def any_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path, "inbox") as url:
        yield url


def test_an_endorsement_delivered_while_away_waits_sealed_in_the_inbox(
    any_database: str, make_wallet: Callable[..., TestClient], kit: IssuerKit
) -> None:
    from tests.integration.wallet.test_wallet_endorsement_delivery import endorsement
    from tests.integration.wallet.test_wallet_endorsements import experience, link

    wallet = make_wallet("inbox", database_url=any_database)
    made = wallet.post("/api/accounts", json={"email": "e@example.org", "password": PASSWORD})
    alice = sign_up_token(wallet, "e@example.org", PASSWORD, made.json())
    exp = experience(alice)
    request_id, token = link(alice, exp["id"])
    before = _stored(wallet, alice.account_id)
    # alice is away: no session, her token unused; a colleague's wallet delivers
    signed = endorsement(kit, alice.did)
    delivered = wallet.post(f"/api/endorse/{token}/deliver", json={"credential": signed})
    assert delivered.status_code in (200, 201), delivered.text
    master = master_of(wallet)
    with db(wallet).begin() as session:
        (item,) = session.scalars(select(InboxItem))
        assert item.account_id == alice.account_id
        assert b"remarquable" not in item.ct
        for key in keys_the_operator_can_make(master):
            with pytest.raises(VaultError):
                open_sealed(key, item.ct[32:], f"inbox:{item.account_id}:{item.kind}:{item.id}")
        assert _waiting(session, alice.account_id) == 1  # counted with the row
    # not in the vault: the server could not have sealed it there
    assert _stored(wallet, alice.account_id) == before
    # at her next sign-in it lands in her musette
    signed_in(wallet, "e@example.org", PASSWORD)
    (got,) = wallet.get(f"/api/experiences/{exp['id']}").json()["endorsements"]
    assert got["comment"] == "Travail remarquable."
    with db(wallet).begin() as session:
        assert session.scalars(select(InboxItem)).all() == []
        assert _waiting(session, alice.account_id) == 0
        row = session.get(EndorsementRequest, request_id)
        assert row is not None
        assert row.credential_id == got["credential_id"]
    assert len(_stored(wallet, alice.account_id)) == len(before) + 1


def _waiting(session: Session, account_id: str) -> int:
    account = session.get(Account, account_id)
    assert account is not None
    return account.inbox_pending


def test_a_signed_in_request_reads_the_inbox_only_when_something_waits(
    wallet: TestClient, alice: Holder, bob: Holder
) -> None:
    """The count on the account row (loaded to sign in anyway) spares the inbox query."""
    engine = db(wallet).kw["bind"]
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    def inbox_statements() -> list[str]:
        return [s for s in statements if re.search(r"\b(FROM|INTO|UPDATE)\s+inbox\b", s)]

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert alice.get("/api/me").status_code == 200
        assert statements, "the listener saw nothing: the test would pass whatever happens"
        assert inbox_statements() == []
        # something arrives for alice (as a delivery does): the next request moves it in
        res = wallet.app.state.resources  # type: ignore[attr-defined]
        with db(wallet).begin() as session:
            account = session.get(Account, alice.account_id)
            assert account is not None
            inbox.post(session, res.master, account, "note", {"hello": "there"})
        assert bob.get("/api/me").status_code == 200  # not bob's: bob's inbox stays unread
        statements.clear()
        assert alice.get("/api/me").status_code == 200
        assert any(s.lstrip().upper().startswith("SELECT") for s in inbox_statements())
        statements.clear()
        assert alice.get("/api/me").status_code == 200
        assert inbox_statements() == []  # drained: back to no look-up
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    with db(wallet).begin() as session:
        assert session.scalars(select(InboxItem)).all() == []
        assert _waiting(session, alice.account_id) == 0


@pytest.fixture
def postgres_database(tmp_path: Path) -> Iterator[str]:
    with database_url("postgresql", tmp_path, "race") as url:
        yield url


def test_a_delivery_landing_while_a_drain_runs_is_not_lost(
    postgres_database: str, make_wallet: Callable[..., TestClient]
) -> None:
    """Another instance delivers between the drain's look-up and its count: the count still
    says one waits, so the next request moves it in. PostgreSQL only: on SQLite writers take
    turns, and the drain's transaction already writes (the delivery would wait for it)."""
    wallet = make_wallet("race", database_url=postgres_database)
    alice = sign_up(wallet, "race@example.org")
    res = wallet.app.state.resources  # type: ignore[attr-defined]
    engine = db(wallet).kw["bind"]

    def deliver(n: int) -> None:
        with res.sessions.begin() as session:
            account = session.get(Account, alice.account_id)
            assert account is not None
            inbox.post(session, res.master, account, "note", {"n": n})

    delivered_meanwhile: list[int] = []

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not delivered_meanwhile and re.search(r"^\s*SELECT\b.*\bFROM inbox\b", statement, re.S):
            delivered_meanwhile.append(1)
            deliver(2)  # on its own connection, committed before the drain goes on

    deliver(1)
    event.listen(engine, "after_cursor_execute", after)
    try:
        with res.sessions.begin() as session:
            who = accounts.principal_for_api_token(session, res.master, alice.token)
            assert who is not None
            inbox.drain(session, who)
    finally:
        event.remove(engine, "after_cursor_execute", after)
    assert delivered_meanwhile, "the delivery did not happen during the drain"
    with db(wallet).begin() as session:
        waiting = session.scalars(select(InboxItem)).all()
        assert len(waiting) == 1
        assert _waiting(session, alice.account_id) == 1
    assert alice.get("/api/me").status_code == 200  # the next request moves it in
    with db(wallet).begin() as session:
        assert session.scalars(select(InboxItem)).all() == []
        assert _waiting(session, alice.account_id) == 0


def _stored(wallet: TestClient, account_id: str) -> list[str]:
    with db(wallet).begin() as session:
        rows = session.scalars(
            select(StoredCredential.id).where(StoredCredential.account_id == account_id)
        )
        return sorted(rows)


# ------------------------------------------------- accounts made before: moved at sign-in


@pytest.fixture(params=DIALECTS)
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path, "keys") as url:
        yield url


def test_an_account_made_before_moves_to_its_password_at_sign_in(
    old_database: str, tmp_path: Path, kit: IssuerKit, capsys: pytest.CaptureFixture[str]
) -> None:
    from argon2 import PasswordHasher

    # a wallet at revision 0004: the data key wrapped by the master key
    settings = wallet_settings(tmp_path / "w", database_url=old_database)
    master = MasterKey(b"m" * 32)
    settings = settings.model_copy(update={"master_secret": _b64(master.secret)})
    engine = make_engine(old_database)
    config = alembic_config(MIGRATIONS)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
    doc = kit.ldp("did:example:holder", name="Ancienne trésorière")
    account_id, cid = "a" * 32, "c" * 32
    wrapped = master.new_wrapped_data_key(account_id)
    vault = master.unwrap(account_id, wrapped)
    meta = MetaData()
    with engine.begin() as conn:
        meta.reflect(conn)
        conn.execute(
            meta.tables["accounts"]
            .insert()
            .values(
                id=account_id,
                email="old@example.org",
                wrapped_key=wrapped,
                password_hash=PasswordHasher(time_cost=1, memory_cost=64).hash(PASSWORD),
                created_at=_now(),
            )
        )
        conn.execute(
            meta.tables["credentials"]
            .insert()
            .values(
                id=cid,
                account_id=account_id,
                format="ldp_vc",
                created_at=_now(),
                summary_ct=vault.seal_json("summary", cid, {"title": "Ancienne trésorière"}),
                content_ct=vault.seal_json(
                    "content", cid, {"credential": json.dumps(doc), "claims": doc}
                ),
            )
        )
    engine.dispose()

    with TestClient(create_app(settings)) as wallet:
        with db(wallet).begin() as session:
            assert [a.email for a in accounts.legacy_accounts(session)] == ["old@example.org"]
        signed_in(wallet, "old@example.org", PASSWORD)
        listed = wallet.get("/api/credentials").json()["credentials"]
        assert [c["id"] for c in listed] == [cid]
        with db(wallet).begin() as session:
            assert accounts.legacy_accounts(session) == []
            account = session.get(Account, account_id)
            assert account is not None
            assert account.wrapped_key is None  # the master-wrapped copy is erased
            assert account.password_wrapped_key is not None
            with pytest.raises(VaultError):
                master.unwrap(account_id, account.password_wrapped_key)
        wallet.cookies.clear()
        again = TestClient(wallet.app)
        signed_in(again, "old@example.org", PASSWORD)
        assert again.get(f"/api/credentials/{cid}").status_code == 200


def test_what_waits_in_an_inbox_before_the_upgrade_is_counted(
    old_database: str, tmp_path: Path
) -> None:
    """Migration 0006 counts the rows already waiting, so they still land."""
    engine = make_engine(old_database)
    config = alembic_config(MIGRATIONS)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
    meta = MetaData()
    with engine.begin() as conn:
        meta.reflect(conn)
        for account_id, waiting in (("a" * 32, 2), ("b" * 32, 0)):
            conn.execute(
                meta.tables["accounts"]
                .insert()
                .values(
                    id=account_id,
                    email=f"{account_id[0]}@example.org",
                    password_hash="x",
                    created_at=_now(),
                )
            )
            for n in range(waiting):
                conn.execute(
                    meta.tables["inbox"]
                    .insert()
                    .values(
                        id=f"{account_id[0]}{n}",
                        account_id=account_id,
                        kind="endorsement",
                        created_at=_now(),
                        ct=b"sealed",
                    )
                )
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    try:
        with Session(engine) as session:
            assert _waiting(session, "a" * 32) == 2
            assert _waiting(session, "b" * 32) == 0
    finally:
        engine.dispose()


def _b64(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_the_operator_lists_the_accounts_still_under_the_master_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``musette wallet account legacy``: an account made before (its data key wrapped by the
    master key) is listed until its person opens it, here from the command line."""
    from musette.cli import main
    from wallet import settings_for_up
    from wallet.main import open_resources

    monkeypatch.setenv("MUSETTE_DEV", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_MEMORY_KIB", "64")
    data = tmp_path / "var"
    wallet = ["wallet", "--data-dir", str(data)]
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main([*wallet, "account", "create", "l@example.org", "--json"]) == 0
    capsys.readouterr()
    assert main([*wallet, "account", "legacy", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    # as the account was before this change: wrapped by the master key, no password wrapping
    settings = settings_for_up(data / "wallet", {}, True)
    with open_resources(settings) as res, res.sessions.begin() as session:
        account = accounts.find_account(session, "l@example.org")
        who = accounts.authenticate(
            session, res.master, res.hasher, account.email, "a long password"
        )
        account.wrapped_key = _master_wrap(res.master, who.vault)
        account.password_wrapped_key = account.kek_salt = account.kek_params = None
    assert main([*wallet, "account", "legacy", "--json"]) == 0
    assert [a["email"] for a in json.loads(capsys.readouterr().out)] == ["l@example.org"]
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main([*wallet, "rights", "--account", "l@example.org", "--json"]) == 0
    capsys.readouterr()
    assert main([*wallet, "account", "legacy", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def _master_wrap(master: MasterKey, vault: AccountVault) -> bytes:
    """The data key wrapped as MasterKey.new_wrapped_data_key wrapped it before."""
    from wallet.service.vault import seal

    return seal(master._kek(), vault.data_key, f"account:{vault.account_id}")


def test_a_damaged_inbox_item_does_not_lock_the_person_out(
    wallet: TestClient, alice: Holder
) -> None:
    from wallet.service.accounts import new_id, now

    with db(wallet).begin() as session:
        session.add(
            InboxItem(
                id=new_id(),
                account_id=alice.account_id,
                kind="endorsement",
                created_at=now(),
                ct=b"\x01" * 80,
            )
        )
        account = session.get(Account, alice.account_id)
        assert account is not None
        assert account.inbox_pending == 0
        account.inbox_pending = 1  # as a delivery counts it (inbox.post)
    assert alice.get("/api/me").status_code == 200
    assert alice.get("/api/credentials").status_code == 200
    with db(wallet).begin() as session:
        assert session.scalars(select(InboxItem)).all() == []
        assert _waiting(session, alice.account_id) == 0


def test_a_migrated_account_is_asked_to_make_its_kit(wallet: TestClient, alice: Holder) -> None:
    res = wallet.app.state.resources  # type: ignore[attr-defined]
    with db(wallet).begin() as session:
        who = accounts.authenticate(session, res.master, res.hasher, alice.email, PASSWORD)
        account = session.get(Account, alice.account_id)
        assert account is not None
        account.wrapped_key = _master_wrap(res.master, who.vault)
        account.password_wrapped_key = account.recovery_wrapped_key = None
    wallet.get("/signin")
    signed = wallet.post(
        "/signin",
        follow_redirects=False,
        data={
            "email": alice.email,
            "password": PASSWORD,
            "csrf_token": wallet.cookies.get("musette_wallet_csrf"),
        },
    )
    assert signed.headers["location"] == "/account/keys"
    keys = wallet.get("/account/keys", headers={"Accept-Language": "en"})
    assert "data-no-kit" in keys.text
    csrf = keys.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert wallet.post("/account/recovery-kit", data={"csrf_token": csrf}).status_code == 200
    assert "data-no-kit" not in wallet.get("/account/keys").text


def test_the_operator_erases_an_account_nobody_can_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from musette.cli import main

    monkeypatch.setenv("MUSETTE_DEV", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_MEMORY_KIB", "64")
    wallet = ["wallet", "--data-dir", str(tmp_path / "var")]
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n" * 2))
    assert main([*wallet, "account", "create", "lost@example.org"]) == 0
    assert main([*wallet, "account", "delete", "lost@example.org"]) == 2  # no --yes
    assert main([*wallet, "account", "delete", "lost@example.org", "--yes"]) == 0
    assert main([*wallet, "account", "delete", "lost@example.org", "--yes"]) != 0  # gone
    # the address is free again
    assert main([*wallet, "account", "create", "lost@example.org"]) == 0


def test_a_wrong_master_secret_is_refused_even_before_any_account(tmp_path: Path) -> None:
    """The start-up check no longer needs an account the master key opens (none does now): a
    value sealed under the secret at the first start tells a wrong one."""
    from shared.errors import InvalidInputError
    from wallet.main import open_resources

    first = wallet_settings(tmp_path / "w", master_secret=_b64(b"a" * 32))
    with open_resources(first):
        pass
    with open_resources(first):  # the same secret opens it again
        pass
    with (
        pytest.raises(InvalidInputError, match="same secret"),
        open_resources(first.model_copy(update={"master_secret": _b64(b"b" * 32)})),
    ):
        pass


def test_tokens_made_before_the_move_keep_working_once_used(
    wallet: TestClient, alice: Holder
) -> None:
    res = wallet.app.state.resources  # type: ignore[attr-defined]
    csrf = signed_in(wallet, alice.email, PASSWORD)
    unused = wallet.post("/api/tokens", json={"name": "unused"}, headers=csrf).json()["token"]
    wallet.cookies.clear()
    with db(wallet).begin() as session:  # as before this change: no copies, master-wrapped
        who = accounts.authenticate(session, res.master, res.hasher, alice.email, PASSWORD)
        account = session.get(Account, alice.account_id)
        assert account is not None
        account.wrapped_key = _master_wrap(res.master, who.vault)
        account.password_wrapped_key = None
        for row in session.scalars(select(ApiToken)):
            row.key_ct = None
    assert alice.get("/api/credentials").status_code == 200  # used while still legacy
    signed_in(wallet, alice.email, PASSWORD)  # the move
    wallet.cookies.clear()
    assert alice.get("/api/credentials").status_code == 200
    stale = wallet.get("/api/credentials", headers={"Authorization": f"Bearer {unused}"})
    assert stale.status_code == 401
