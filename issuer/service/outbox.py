"""Emails to badge recipients, written to an outbox folder instead of being sent.

This environment has no SMTP server. ``record_email`` writes a complete RFC 5322 message
to ``<data_dir>/outbox/<time>-<id>.eml`` and logs one line; a deployment with a mail relay
would send the files of that folder (or replace this function). The console says so on
the page, so nobody believes an email left when it did not.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from shared.errors import InvalidInputError
from shared.i18n import Gettext, french_name_forms, local_date

LOG = logging.getLogger("musette.issuer.outbox")
EMAIL = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+")


@dataclass(frozen=True)
class OutboxEmail:
    to: str
    subject: str
    body: str
    sender: str


def parse_email_address(value: str) -> str:
    """A plausible single email address (trimmed), or InvalidInputError."""
    address = value.strip()
    if len(address) > 200 or not EMAIL.fullmatch(address):
        raise InvalidInputError("this is not an email address")
    return address


def record_email(data_dir: str | Path, email: OutboxEmail, now: datetime) -> Path:
    """Write the message to the outbox folder; the file's path."""
    message = EmailMessage()
    message["From"] = email.sender
    message["To"] = parse_email_address(email.to)
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now)
    message.set_content(email.body)
    folder = Path(data_dir) / "outbox"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    LOG.info("email to %s recorded in the outbox (no SMTP here): %s", message["To"], path)
    return path


def offer_email(
    t: Gettext,
    *,
    to: str,
    org_name: str,
    badge: str,
    recipient_name: str,
    wallet_link: str,
    offer_link: str,
    needs_tx_code: bool,
    sender_host: str,
    expires_at: datetime | None = None,
    language: str = "fr",
) -> OutboxEmail:
    """The message that gives a person the links to their badge offer, in ``t``'s language.

    ``expires_at`` is said when the offer lives long enough for a date to matter (a batch).
    """
    org = {"org": org_name, **french_name_forms(org_name)}  # "de l'Association Démo"
    lines = [
        t("Hello {name},", name=recipient_name),
        "",
        t("{org} gives you the badge “{badge}”.", badge=badge, **org),
        t("To keep it in your Musette wallet, open this link on your phone:"),
        wallet_link,
        "",
        t("If you use another wallet, open this link instead:"),
        offer_link,
        "",
    ]
    if expires_at is None:
        lines.append(
            t(
                "The link works once and expires soon; ask {org} for a new one if it has expired.",
                **org,
            )
        )
    else:
        lines.append(
            t(
                "The link works once, until {date}; ask {org} for a new one if it has expired.",
                date=local_date(expires_at, language),
                **org,
            )
        )
    if needs_tx_code:
        code_note = t("The wallet will ask for a code: {org} gives it to you separately.", **org)
        lines += ["", code_note]
    return OutboxEmail(
        to=to,
        subject=t("Your badge from {org}", **org),
        body="\n".join(lines) + "\n",
        sender=f"{org_name} <no-reply@{sender_host}>",
    )
