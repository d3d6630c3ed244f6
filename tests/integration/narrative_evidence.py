"""Shared by the wallet and verifier tests. What the issuer wrote about the person (OB 3.0 ``narrative``) and the evidence it attached
are shown to the person (wallet credential page) and to the recruiter (verifier result page),
escaped, with links only to http(s) addresses."""

from __future__ import annotations

from typing import Any

from shared.proofs.data_integrity import JCS, add_proof
from tests.unit.wallet.testkit import IssuerKit

NARRATIVE = "Camille a encadré douze bénévoles <b>avec soin</b> & constance."
EVIDENCE = [
    {
        "id": "https://association.example/plannings/2026",
        "type": ["Evidence"],
        "name": "Plannings de la saison",
        "narrative": "Tenus chaque semaine.",
    },
    {"id": "javascript:alert(1)", "type": ["Evidence"], "name": "Compte rendu"},
]
WORDS = {
    "fr": ("Ce qu'en écrit l'émetteur", ("Preuve", "Preuves")),
    "en": ("What the issuer wrote", ("Evidence",)),
}


def badge(kit: IssuerKit, holder: str) -> dict[str, Any]:
    doc = kit.unsigned(holder)
    doc["credentialSubject"]["narrative"] = NARRATIVE
    doc["evidence"] = EVIDENCE
    return add_proof(doc, kit.key.sign, kit.kid, cryptosuite=JCS)


def assert_shown(html: str, lang: str) -> None:
    label, evidence_labels = WORDS[lang]
    assert label.replace("'", "&#39;") in html
    assert any(f"<dt>{word}</dt>" in html for word in evidence_labels)
    assert "Camille a encadré douze bénévoles &lt;b&gt;avec soin&lt;/b&gt; &amp; constance." in html
    assert "<b>avec soin</b>" not in html
    assert 'href="https://association.example/plannings/2026"' in html
    assert "Plannings de la saison" in html
    assert "Tenus chaque semaine." in html
    assert "Compte rendu" in html
    assert "javascript:" not in html
