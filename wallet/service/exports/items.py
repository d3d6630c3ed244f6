"""What one exported badge says: title, issuer, dates, proof strength and its live share URL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from shared.errors import InvalidInputError
from shared.verify.report import issuer_is_subject
from wallet.page_describe import as_ob3, describe
from wallet.service import sharing, storage
from wallet.service.accounts import Principal

Strength = Literal["issued", "endorsed", "self_declared"]

MAX_ITEMS = 50


@dataclass(frozen=True)
class ExportItem:
    """One badge as exports show it (already in the export's language)."""

    credential_id: str
    credential_uri: str | None
    title: str
    issuer_name: str
    issuer_id: str | None
    description: str | None
    issued: datetime | None
    activity_start: datetime | None
    activity_end: datetime | None
    strength: Strength
    share_url: str
    results: tuple[tuple[str, str], ...] = ()
    issuer_country: str | None = None  # ISO 3166-1 alpha-2, from the OB 3.0 issuer's address


def _id_of(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def issuer_country(credential: Mapping[str, Any]) -> str | None:
    """The OB 3.0 issuer Profile's `address.addressCountryCode` (ISO 3166-1 alpha-2)."""
    issuer = credential.get("issuer")
    address = issuer.get("address") if isinstance(issuer, Mapping) else None
    code = address.get("addressCountryCode") if isinstance(address, Mapping) else None
    return code.upper() if isinstance(code, str) and len(code) == 2 and code.isalpha() else None


def strength_of(credential: Mapping[str, Any]) -> Strength:
    """Self-declared when the issuer is the subject (the holder vouches for themself), endorsed
    when it carries OB 3.0 `endorsement`s (OB 3.0 §B.1.6 EndorsementCredential), else issued."""
    if issuer_is_subject(credential):
        return "self_declared"
    endorsements = credential.get("endorsement")
    if isinstance(endorsements, list) and endorsements:
        return "endorsed"
    return "issued"


def parse_ids(text: str) -> list[str]:
    """A comma- or space-separated list of credential ids, order kept, duplicates dropped."""
    ids: list[str] = []
    for part in text.replace(",", " ").split():
        if part not in ids:
            ids.append(part)
    if not ids:
        raise InvalidInputError("choose at least one credential to export")
    if len(ids) > MAX_ITEMS:
        raise InvalidInputError(f"at most {MAX_ITEMS} credentials per export")
    return ids


def collect(
    session: Session, who: Principal, ids: Sequence[str], lang: str, base_url: str
) -> list[ExportItem]:
    """The chosen credentials, each published at a fresh share link (the wallet keeps only a
    link's hash, so an earlier link cannot be shown again; each one is listed and revocable)."""
    items = []
    for credential_id in ids:
        view = storage.get_credential(session, who, credential_id)
        claims = (view.content or {}).get("claims")
        cred = as_ob3(claims, view.format)
        shown = describe(claims, view.format, lang)
        _, token = sharing.publish(session, who, view.id)
        results = tuple(
            (str(r["name"] or ""), str(r["value"]))
            for r in shown["results"]
            if r.get("value") is not None
        )
        items.append(
            ExportItem(
                credential_id=view.id,
                credential_uri=_id_of(cred),
                title=str(shown["name"] or view.summary.get("title") or view.id),
                issuer_name=str(
                    view.summary.get("issuer_name")
                    or shown["issuer_name"]
                    or shown["issuer_id"]
                    or ""
                ),
                issuer_id=shown["issuer_id"] or view.summary.get("issuer"),
                description=shown["description"],
                issued=shown["valid_from"],
                activity_start=shown["activity_start"],
                activity_end=shown["activity_end"],
                strength=strength_of(cred),
                share_url=f"{base_url.rstrip('/')}/s/{token}",
                results=results,
                issuer_country=issuer_country(cred),
            )
        )
    return items
