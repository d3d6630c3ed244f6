"""An organisation's name in a French sentence: "badge de l'Association Démo"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from issuer.i18n import translator
from issuer.service.outbox import offer_email
from shared.i18n import french_name_forms


@pytest.mark.parametrize(
    ("name", "the", "of", "to"),
    [
        ("Association Démo", "L'Association Démo", "de l'Association Démo", "à l'Association Démo"),
        ("Fondation Abbé", "La Fondation Abbé", "de la Fondation Abbé", "à la Fondation Abbé"),
        ("Club des Pins", "Le Club des Pins", "du Club des Pins", "au Club des Pins"),
        ("Emmaüs", "Emmaüs", "d'Emmaüs", "à Emmaüs"),
        ("Restos du Cœur", "Restos du Cœur", "de Restos du Cœur", "à Restos du Cœur"),
        ("", "", "de ", "à "),
    ],
)
def test_french_name_forms(name: str, the: str, of: str, to: str) -> None:
    assert french_name_forms(name) == {"the_org": the, "of_org": of, "to_org": to}


def test_the_offer_email_speaks_of_the_association_with_its_article() -> None:
    email = offer_email(
        translator("fr"),
        to="camille@example.org",
        org_name="Association Démo",
        badge="Bénévole",
        recipient_name="Camille",
        wallet_link="https://wallet.example/receive",
        offer_link="openid-credential-offer://x",
        needs_tx_code=True,
        sender_host="issuer.example",
        expires_at=datetime(2026, 12, 14, tzinfo=UTC),
    )
    assert email.subject == "Votre badge de l'Association Démo"
    assert "L'Association Démo vous délivre le badge « Bénévole »." in email.body
    assert "demandez-en un nouveau à l'Association Démo" in email.body
    english = offer_email(
        translator("en"),
        to="camille@example.org",
        org_name="Association Démo",
        badge="Volunteer",
        recipient_name="Camille",
        wallet_link="https://wallet.example/receive",
        offer_link="openid-credential-offer://x",
        needs_tx_code=False,
        sender_host="issuer.example",
    )
    assert english.subject == "Your badge from Association Démo"
