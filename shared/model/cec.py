"""The vocabulary an association's volunteer badge uses for the Compte d'engagement citoyen.

Shared by the issuer (which writes it) and the wallet (which reads it to estimate rights):

* the association's numbers and facts, as OB 3.0 ``Profile.otherIdentifier`` entries
  (``IdentifierEntry``; ``identifierType`` is an extensible enumeration, OB 3.0 §B.1
  "IdentifierTypeEnum": extensions start with ``ext:``);
* the volunteer's role, a closed choice written in ``credentialSubject.role`` as one of the
  fixed labels below (in the badge's language), so any wallet shows words and ours reads
  the code back;
* the checks of RNA, SIREN and SIRET numbers (Luhn, with La Poste's SIRET exception).

Code du travail, art. L5151-9 (the roles and the association's conditions); CGI, art. 200,
1, b (the fields of activity). See docs/decisions/cec-rules.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

__all__ = [
    "FIELDS",
    "ID_DECLARED_ON",
    "ID_FIELD",
    "ID_RNA",
    "ID_SIREN",
    "ID_SIRET",
    "ROLES",
    "AssociationFacts",
    "association_facts",
    "association_identifiers",
    "check_rna",
    "check_siren_or_siret",
    "role_code",
    "role_label",
]

ID_RNA: Final = "ext:RNA"
ID_SIREN: Final = "ext:SIREN"
ID_SIRET: Final = "ext:SIRET"
#: not identifiers, but facts a CEC estimate needs, kept where OB 3.0 keeps organisation
#: data a verifier can read in every format (docs/decisions/cec-rules.md)
ID_DECLARED_ON: Final = "ext:AssociationDeclaredOn"
ID_FIELD: Final = "ext:AssociationField"

#: CGI art. 200, 1, b, as Code du travail L5151-9 refers to it: code → (fr, en)
FIELDS: Final[dict[str, tuple[str, str]]] = {
    "philanthropique": ("philanthropique", "philanthropic"),
    "educatif": ("éducatif", "educational"),
    "scientifique": ("scientifique", "scientific"),
    "social": ("social", "social"),
    "humanitaire": ("humanitaire", "humanitarian"),
    "sportif": ("sportif", "sports"),
    "familial": ("familial", "family"),
    "culturel": ("culturel", "cultural"),
    "patrimoine-artistique": (
        "mise en valeur du patrimoine artistique",
        "enhancing the artistic heritage",
    ),
    "environnement-naturel": (
        "défense de l'environnement naturel",
        "protecting the natural environment",
    ),
    "culture-francaise": (
        "diffusion de la culture, de la langue et des connaissances scientifiques françaises",
        "spreading French culture, language and scientific knowledge",
    ),
}

#: the volunteer's role: code → (fr label, en label), as written in credentialSubject.role
ROLES: Final[dict[str, tuple[str, str]]] = {
    "board": (
        "Membre de l'instance de direction (conseil d'administration, bureau…)",
        "Member of the board or direction",
    ),
    "supervision": ("Encadrement d'autres bénévoles", "Supervising other volunteers"),
    "other": ("Autre fonction bénévole", "Other volunteer role"),
}

_RNA = re.compile(r"W[0-9]{9}")
_DIGITS = re.compile(r"[0-9]+")
#: La Poste's SIRETs are checked by the sum of their digits, not Luhn (INSEE)
_LA_POSTE_SIREN = "356000000"


def role_label(code: str, lang: str = "fr") -> str:
    """The label written in ``credentialSubject.role`` for ``code``."""
    fr, en = ROLES[code]
    return en if lang == "en" else fr


def role_code(text: Any) -> str | None:
    """The role code of a ``credentialSubject.role`` (a label in either language, or the
    code itself); None when the role is not one of ours."""
    if not isinstance(text, str):
        return None
    wanted = text.strip()
    for code, labels in ROLES.items():
        if wanted == code or wanted in labels:
            return code
    return None


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def check_rna(value: str) -> str:
    """A normalised RNA number (``W`` and 9 digits).

    Raises:
        ValueError: not an RNA number.
    """
    text = value.strip().upper().replace(" ", "")
    if not _RNA.fullmatch(text):
        raise ValueError("an RNA number is W followed by 9 digits (W123456789)")
    return text


def check_siren_or_siret(value: str) -> tuple[str, str]:
    """(``ext:SIREN`` or ``ext:SIRET``, the normalised number): 9 or 14 digits, Luhn-checked.

    Raises:
        ValueError: not a valid SIREN or SIRET.
    """
    text = value.replace(" ", "").replace("\u00a0", "").strip()
    if not _DIGITS.fullmatch(text) or len(text) not in (9, 14):
        raise ValueError("a SIREN has 9 digits and a SIRET 14")
    ok = _luhn(text)
    if len(text) == 14 and text.startswith(_LA_POSTE_SIREN):
        ok = ok or sum(int(c) for c in text) % 5 == 0
    if not ok:
        raise ValueError(
            f"{text} is not a valid {'SIRET' if len(text) == 14 else 'SIREN'} (check digit)"
        )
    return (ID_SIRET if len(text) == 14 else ID_SIREN), text


def association_identifiers(
    *, rna: str | None, siren: str | None, declared_on: date | None, field: str | None
) -> list[dict[str, str]]:
    """The ``otherIdentifier`` entries of an association's issuer profile."""
    out: list[dict[str, str]] = []
    pairs: list[tuple[str, str | None]] = [(ID_RNA, rna)]
    if siren:
        pairs.append((check_siren_or_siret(siren)[0], siren))
    pairs += [(ID_DECLARED_ON, declared_on.isoformat() if declared_on else None), (ID_FIELD, field)]
    for kind, value in pairs:
        if value:
            out.append({"type": "IdentifierEntry", "identifier": value, "identifierType": kind})
    return out


@dataclass
class AssociationFacts:
    """What an issuer profile says of the association (every member may be missing)."""

    rna: str | None = None
    siren: str | None = None
    declared_on: date | None = None
    field: str | None = None


def _entries(value: Any) -> Iterable[Mapping[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return (i for i in items if isinstance(i, Mapping))


def association_facts(issuer: Any) -> AssociationFacts:
    """Read an issuer profile's ``otherIdentifier`` entries; odd values are ignored."""
    facts = AssociationFacts()
    if not isinstance(issuer, Mapping):
        return facts
    for entry in _entries(issuer.get("otherIdentifier")):
        kind, value = entry.get("identifierType"), entry.get("identifier")
        if not isinstance(value, str) or len(value) > 200:
            continue
        if kind == ID_RNA:
            facts.rna = value
        elif kind in (ID_SIREN, ID_SIRET):
            facts.siren = value
        elif kind == ID_DECLARED_ON:
            try:
                facts.declared_on = date.fromisoformat(value)
            except ValueError:
                continue
        elif kind == ID_FIELD and value in FIELDS:
            facts.field = value
    return facts
