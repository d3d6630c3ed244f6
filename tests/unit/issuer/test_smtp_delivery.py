"""Offer e-mails through a real SMTP server (aiosmtpd on loopback), and the outbox fallback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from issuer.service.outbox import OutboxEmail, deliver_email
from issuer.settings import IssuerSettings
from shared.errors import InvalidInputError

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
EMAIL = OutboxEmail(
    to="camille@example.org",
    subject="Votre badge de l'Association Démo",
    body="Bonjour Camille,\nhttps://wallet.example/receive?x=1\n",
    sender="Association Démo <no-reply@issuer.example>",
)


class Catcher:
    """Keeps what it accepts; answers ``reply`` to DATA (250 accepts, 5xx refuses)."""

    def __init__(self, reply: str = "250 OK") -> None:
        self.reply = reply
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.reply.startswith("250"):
            self.envelopes.append(envelope)
        return self.reply


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _authenticator(
    server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == b"musette" and auth_data.password == b"s3cret-relay"
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def relay() -> Iterator[tuple[Catcher, int]]:
    catcher = Catcher()
    port = _free_port()
    controller = Controller(
        catcher,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield catcher, port
    finally:
        controller.stop()


def _settings(tmp_path: Path, **smtp: Any) -> IssuerSettings:
    return IssuerSettings(dev=True, data_dir=str(tmp_path), smtp_security="none", **smtp)


def _outbox(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "outbox"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_configured_relay_gets_the_message_and_the_outbox_stays_empty(
    tmp_path: Path, relay: tuple[Catcher, int]
) -> None:
    catcher, port = relay
    settings = _settings(tmp_path, smtp_host="127.0.0.1", smtp_port=port)
    assert deliver_email(settings, EMAIL, NOW) == "sent"
    assert _outbox(tmp_path) == []
    [envelope] = catcher.envelopes
    assert envelope.rcpt_tos == ["camille@example.org"]
    assert isinstance(envelope.content, bytes)
    message = message_from_bytes(envelope.content)
    assert message["To"] == "camille@example.org"
    assert "Association" in str(message["From"])
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert "https://wallet.example/receive?x=1" in payload.decode()


def test_the_from_setting_replaces_the_organisation_sender(
    tmp_path: Path, relay: tuple[Catcher, int]
) -> None:
    catcher, port = relay
    settings = _settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_from="badges@federation.example"
    )
    assert deliver_email(settings, EMAIL, NOW) == "sent"
    assert catcher.envelopes[0].mail_from == "badges@federation.example"


def test_login_with_the_relay_password(tmp_path: Path, relay: tuple[Catcher, int]) -> None:
    catcher, port = relay
    settings = _settings(
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_username="musette",
        smtp_password="s3cret-relay",
    )
    assert deliver_email(settings, EMAIL, NOW) == "sent"
    assert len(catcher.envelopes) == 1


def test_a_wrong_password_falls_back_to_the_outbox(
    tmp_path: Path, relay: tuple[Catcher, int]
) -> None:
    catcher, port = relay
    settings = _settings(
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_username="musette",
        smtp_password="not-it",
    )
    assert deliver_email(settings, EMAIL, NOW) == "outbox"
    assert catcher.envelopes == []
    [path] = _outbox(tmp_path)
    assert b"camille@example.org" in path.read_bytes()


def test_a_refusing_relay_falls_back_to_the_outbox(
    tmp_path: Path, relay: tuple[Catcher, int]
) -> None:
    catcher, port = relay
    catcher.reply = "554 5.7.1 refused"
    settings = _settings(tmp_path, smtp_host="127.0.0.1", smtp_port=port)
    assert deliver_email(settings, EMAIL, NOW) == "outbox"
    assert len(_outbox(tmp_path)) == 1


def test_an_unreachable_relay_falls_back_to_the_outbox(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=_free_port(), smtp_timeout_seconds=2
    )
    assert deliver_email(settings, EMAIL, NOW) == "outbox"
    assert len(_outbox(tmp_path)) == 1


def test_starttls_against_a_relay_without_it_falls_back_to_the_outbox(
    tmp_path: Path, relay: tuple[Catcher, int]
) -> None:
    catcher, port = relay
    settings = IssuerSettings(
        dev=True, data_dir=str(tmp_path), smtp_host="127.0.0.1", smtp_port=port
    )  # default security: starttls, which this relay does not offer: nothing in clear
    assert deliver_email(settings, EMAIL, NOW) == "outbox"
    assert catcher.envelopes == []


def test_without_a_relay_the_message_is_written_to_the_outbox(tmp_path: Path) -> None:
    settings = IssuerSettings(dev=True, data_dir=str(tmp_path))
    assert deliver_email(settings, EMAIL, NOW) == "outbox"
    [path] = _outbox(tmp_path)
    assert message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"] == EMAIL.subject


@pytest.mark.parametrize(
    "to", ["not an address", "a@b.c\r\nBcc: victim@example.org", "x@y.z, other@example.org"]
)
def test_a_hostile_address_is_refused_before_anything_is_sent(
    tmp_path: Path, relay: tuple[Catcher, int], to: str
) -> None:
    catcher, port = relay
    settings = _settings(tmp_path, smtp_host="127.0.0.1", smtp_port=port)
    hostile = OutboxEmail(to=to, subject=EMAIL.subject, body=EMAIL.body, sender=EMAIL.sender)
    with pytest.raises(InvalidInputError):
        deliver_email(settings, hostile, NOW)
    assert catcher.envelopes == []
    assert _outbox(tmp_path) == []
