"""`musette wallet local` as a real subprocess, and a client for its one account.

The process runs the command line as a person would (``python -m musette.cli wallet local
--data DIR --port P``), in development mode only so that it may fetch this test run's
issuer and verifier on 127.0.0.1; its JSON log lines (MUSETTE_LOG_LEVEL=INFO) go to a file
that leak tests read.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

from tests.stack import free_port

ROOT = Path(__file__).parents[1]
START_TIMEOUT_S = 60
EMAIL = "moi@ma-musette.example"
PASSWORD = "ma musette sur mon ordinateur"


def local_command(data: Path, port: int, *extra: str) -> list[str]:
    """The command line that starts the local wallet."""
    return [
        sys.executable,
        "-m",
        "musette.cli",
        "wallet",
        "local",
        "--data",
        str(data),
        "--port",
        str(port),
        *extra,
    ]


def local_environment(dev: bool = True) -> dict[str, str]:
    """This process's environment, without its MUSETTE_* settings (the stack's), plus dev."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSETTE_")}
    env["PYTHONPATH"] = str(ROOT)
    env["MUSETTE_LOG_LEVEL"] = "INFO"
    env["MUSETTE_WALLET_RATE_LIMIT_SIGNIN"] = "10000/minute"
    if dev:
        env["MUSETTE_DEV"] = "1"
    return env


@dataclass
class LocalWallet:
    """One `musette wallet local` process on a folder; stop and start it again at will."""

    data: Path
    log: Path
    port: int = field(default_factory=free_port)
    dev: bool = True
    process: subprocess.Popen[bytes] | None = None
    printed: str = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                local_command(self.data, self.port),
                stdout=subprocess.PIPE,
                stderr=log,
                env=local_environment(self.dev),
                cwd=ROOT,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"musette wallet local stopped: {self.log.read_text()}")
            try:
                if httpx2.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            time.sleep(0.2)
        else:
            self.stop()
            raise AssertionError(f"musette wallet local did not start: {self.log.read_text()}")
        assert self.process.stdout is not None
        self.printed = self.process.stdout.readline().decode() + (
            self.process.stdout.readline().decode()
        )

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None


@contextlib.contextmanager
def running_local_wallet(folder: Path, *, dev: bool = True) -> Iterator[LocalWallet]:
    """A started local wallet on ``folder/musette``, its log in ``folder/wallet.log``."""
    wallet = LocalWallet(data=folder / "musette", log=folder / "wallet.log", dev=dev)
    wallet.start()
    try:
        yield wallet
    finally:
        wallet.stop()


def anonymous(base: str) -> httpx2.Client:
    """A client with the anonymous CSRF cookie and header that sign-up and sign-in ask for."""
    csrf = secrets.token_urlsafe(24)
    return httpx2.Client(
        base_url=base,
        cookies={"musette_wallet_csrf": csrf},
        headers={"X-CSRF-Token": csrf},
        timeout=30,
    )


def sign_up(base: str, email: str = EMAIL, password: str = PASSWORD) -> httpx2.Response:
    with anonymous(base) as client:
        return client.post("/api/accounts", json={"email": email, "password": password})


def token_client(base: str, email: str = EMAIL, password: str = PASSWORD) -> httpx2.Client:
    """Signed in with the account's password, then holding an API token (as tests/e2e do)."""
    with anonymous(base) as client:
        signed_in = client.post("/api/session", json={"email": email, "password": password})
        assert signed_in.status_code == 200, signed_in.text
        token = client.post(
            "/api/tokens",
            json={"name": "local"},
            headers={"X-CSRF-Token": signed_in.json()["csrf_token"]},
        )
        assert token.status_code == 201, token.text
    return httpx2.Client(
        base_url=base, headers={"Authorization": f"Bearer {token.json()['token']}"}, timeout=60
    )
