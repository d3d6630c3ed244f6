"""`musette wallet local`: one person's wallet on their own machine, as a real process.

It receives from this repository's issuer and presents to its verifier in the three formats
(the session stack of tests/stack.py), over the same JSON API the hosted wallet has; it
takes one account only, listens on loopback only, keeps its folder owner-only, and keeps
what it holds across a restart (tests/interop/wallet_local_reference_test.py does the same
with the reference issuer and verifier).
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from musette.cli import main
from musette.cli_wallet_local import bind_address, default_data_folder, prepare_folder
from musette.up import UpConfig
from tests.e2e.test_journeys import (
    FORMATS,
    Clients,
    _issuer_client,
    _present,
    _verifier_client,
)
from tests.e2e.test_logs_hold_no_secrets import NAME, ROLE, credential_secrets
from tests.e2e.test_nothing_leaks import MIN_SECRET, private_keys
from tests.leaks import key_material, leaks
from tests.local_wallet import (
    EMAIL,
    PASSWORD,
    LocalWallet,
    anonymous,
    running_local_wallet,
    sign_up,
    token_client,
)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalWallet]:
    with running_local_wallet(tmp_path_factory.mktemp("local-wallet")) as wallet:
        yield wallet


@pytest.fixture(scope="module")
def clients(stack_config: UpConfig, local: LocalWallet) -> Iterator[Clients]:
    signed_up = sign_up(local.base)
    assert signed_up.status_code == 201, signed_up.text
    with (
        _issuer_client(stack_config) as issuer,
        token_client(local.base) as wallet,
        _verifier_client(stack_config) as verifier,
    ):
        yield Clients(stack_config, issuer, wallet, verifier)


def test_it_says_where_to_open_it(local: LocalWallet) -> None:
    assert f"open {local.base}/ in your browser" in local.printed
    assert f"ouvrez {local.base}/ dans votre navigateur" in local.printed
    assert str(local.data) in local.printed


@pytest.mark.parametrize("fmt", FORMATS)
def test_local_wallet_receives_from_our_issuer_and_presents_to_our_verifier(
    clients: Clients, fmt: str
) -> None:
    offer = clients.offer(fmt)
    (cred,) = clients.receive(offer["offer_uri"])
    stored = clients.wallet_credential(cred["id"])
    assert stored["format"] == fmt
    assert stored["issuer"] == clients.issuer_did
    assert stored["verified_at"]
    links, pending, answer, result = _present(clients, "any-badge", fmt, cred["id"])
    assert pending["verifier"]["client_id"] == links["client_id"]
    assert answer["status"] == 200, answer
    assert result["status"] == "answered"
    assert result["verified"] is True, result["result"]["problems"]


def test_a_second_sign_up_is_refused(clients: Clients, local: LocalWallet) -> None:
    refused = sign_up(local.base, "quelquun@autre.example")
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("#local-account-exists")
    with anonymous(local.base) as browser:
        page = browser.get("/signup", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/signin")
        signin = browser.get("/signin", headers={"Accept-Language": "fr"})
        assert "sert une seule personne" in signin.text
        assert 'href="/signup' not in signin.text
        form = browser.post(
            "/signup",
            data={
                "email": "autre@autre.example",
                "password": "un mot de passe long",
                "csrf_token": browser.headers["X-CSRF-Token"],
            },
            headers={"Accept-Language": "en"},
        )
        assert form.status_code == 409
        assert "This wallet already has its account" in form.text
    assert sign_up(local.base, EMAIL).status_code == 409  # its own email too: sign in


def test_nothing_in_clear_in_its_folder_nor_its_log(clients: Clients, local: LocalWallet) -> None:
    """Its database holds no credential text, claim value, password, token or key in clear
    (tests/leaks.py lists what may be), and its log none of them either."""
    offer = clients.offer("dc+sd-jwt")
    clients.receive(offer["offer_uri"])
    held = clients.wallet.get("/api/credentials").json()["credentials"]
    found = [NAME, ROLE, PASSWORD, clients.wallet.headers["Authorization"][7:]]
    for item in held:
        found += credential_secrets(clients.wallet_credential(item["id"])["credential"])
    found += [m for k in private_keys(clients.wallet) for m in key_material(k)]
    found += key_material({"d": (local.data / "master.key").read_text().strip()})
    searched = [s for s in found if len(s) >= MIN_SECRET]
    assert len(held) >= 1
    assert len(searched) > 10
    problems = leaks(f"sqlite:///{local.data / 'wallet.db'}", searched)
    assert problems == [], "\n".join(problems)
    log = local.log.read_text()
    assert "musette.access" in log  # its request lines are there: the scan is of a real log
    in_log = sorted({s[:12] + "…" for s in searched if s in log})
    assert in_log == [], in_log


def test_the_folder_and_its_files_are_owner_only(clients: Clients, local: LocalWallet) -> None:
    assert clients.wallet.get("/api/credentials").status_code == 200  # it has written
    assert stat.S_IMODE(local.data.stat().st_mode) == 0o700
    files = [p for p in local.data.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"wallet.db", "master.key"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, (path, oct(path.stat().st_mode))
    assert stat.S_IMODE((local.data / "master.key").stat().st_mode) == 0o600


def test_a_restart_on_the_same_folder_keeps_what_it_holds(
    clients: Clients, local: LocalWallet
) -> None:
    (cred,) = clients.receive(clients.offer("jwt_vc_json")["offer_uri"])
    before = {c["id"] for c in clients.wallet.get("/api/credentials").json()["credentials"]}
    assert cred["id"] in before
    local.stop()
    local.start()
    with token_client(local.base) as wallet:  # the same password opens the same account
        after = {c["id"] for c in wallet.get("/api/credentials").json()["credentials"]}
        assert after == before
        assert wallet.get(f"/api/credentials/{cred['id']}").json()["verified_at"]
    assert sign_up(local.base, "autre@autre.example").status_code == 409
    # and the API token made before the restart still opens it (same port, same folder)
    assert clients.wallet.get("/api/credentials").status_code == 200


def test_a_fresh_folder_opens_on_the_sign_up_page(tmp_path: Path) -> None:
    """Without development mode too: http on 127.0.0.1 is what a local wallet is."""
    with running_local_wallet(tmp_path, dev=False) as wallet:
        first = httpx2.get(f"{wallet.base}/signin", follow_redirects=False)
        assert first.status_code == 303
        assert first.headers["location"].startswith("/signup")
        assert sign_up(wallet.base).status_code == 201
        with anonymous(wallet.base) as browser:
            signed_in = browser.post("/api/session", json={"email": EMAIL, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        cookie = signed_in.headers["set-cookie"]
        assert cookie.startswith("musette_wallet_session=")
        assert "secure" not in cookie.lower()  # http on loopback: a Secure cookie is lost
    assert "development mode is ON" not in wallet.log.read_text()


NOT_LOOPBACK = ["0.0.0.0", "192.168.1.20", "::", "example.org", "127.0.0.1.nip.io"]


@pytest.mark.parametrize("host", NOT_LOOPBACK)
def test_it_refuses_to_listen_beyond_this_computer(
    tmp_path: Path, host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "w"
    assert main(["wallet", "local", "--host", host, "--data", str(folder)]) == 2
    assert "127.0.0.1" in capsys.readouterr().err
    assert not folder.exists()  # refused before anything is written


@pytest.mark.parametrize(
    ("host", "bound"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "127.0.0.1"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("127.0.0.2", "127.0.0.2"),
        ("", None),
        ("0", None),
        ("::ffff:10.0.0.1", None),
        ("127.0.0.1 ", "127.0.0.1"),
        ("localhost.evil.example", None),
    ],
)
def test_bind_address(host: str, bound: str | None) -> None:
    assert bind_address(host) == bound


def test_the_default_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_data_folder() == tmp_path / "musette"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the spec: absolute paths only
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_data_folder() == tmp_path / ".local" / "share" / "musette"


def test_a_folder_others_can_read_is_narrowed_when_empty_and_refused_when_not(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "vide"
    empty.mkdir(mode=0o755)
    empty.chmod(0o755)
    assert prepare_folder(empty) is None
    assert stat.S_IMODE(empty.stat().st_mode) == 0o700
    full = tmp_path / "plein"
    full.mkdir()
    (full / "notes.txt").write_text("à moi")
    full.chmod(0o755)
    problem = prepare_folder(full)
    assert problem is not None
    assert "chmod 700" in problem
    assert stat.S_IMODE(full.stat().st_mode) == 0o755  # left as the person had it
