"""The person's credentials: stored encrypted, filed by sphere and tags, searched, deleted.

A stored credential has two ciphertexts: the *summary* (title, issuer, types, sphere, tags,
dates; small, decrypted to list and search) and the *content* (the credential exactly as
received, plus the baked image it came in, if any).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.errors import InvalidInputError, NotFoundError, VcError, VerificationError
from shared.protocols.dcql import expand_credential_types
from shared.verify.report import VerificationReport
from wallet.db.models import Share, StoredCredential
from wallet.service.accounts import Principal, new_id, now

STANDARD_SPHERES = ("work", "association", "personal")
MAX_TAGS = 20
MAX_LABEL = 60

#: verify report format → DCQL / OpenID4VP format identifier
DCQL_FORMATS = {
    "ldp_vc": "ldp_vc",
    "vc+jwt": "jwt_vc_json",
    "jwt_vc_json": "jwt_vc_json",
    "dc+sd-jwt": "dc+sd-jwt",
    "vc+sd-jwt": "dc+sd-jwt",
}
#: file extension of each stored format when exported
FILE_EXTENSIONS = {
    "ldp_vc": "json",
    "vc+jwt": "jwt",
    "jwt_vc_json": "jwt",
    "dc+sd-jwt": "sdjwt",
    "vc+sd-jwt": "sdjwt",
}


@dataclass
class CredentialView:
    """A stored credential, decrypted for its owner."""

    id: str
    format: str
    created_at: datetime
    summary: dict[str, Any]
    content: dict[str, Any] | None = None

    @property
    def raw(self) -> str:
        if self.content is None:
            raise InvalidInputError("content not loaded")
        return str(self.content["credential"])

    def to_json(self, *, with_content: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "format": self.format,
            "dcql_format": DCQL_FORMATS.get(self.format, self.format),
            "created_at": self.created_at.isoformat(),
            **self.summary,
        }
        if with_content and self.content is not None:
            out["credential"] = credential_value(self)
        return out


def credential_value(view: CredentialView) -> Any:
    """The credential as JSON (Data Integrity) or as its compact token (JWT, SD-JWT)."""
    raw = view.raw
    return json.loads(raw) if view.format == "ldp_vc" else raw


def normalize_sphere(value: str | None) -> str:
    sphere = (value or "").strip().lower()[:MAX_LABEL]
    if not sphere:
        raise InvalidInputError("a sphere needs a name")
    return sphere


def normalize_tags(values: Iterable[str] | None) -> list[str]:
    tags: list[str] = []
    for value in values or ():
        tag = str(value).strip()[:MAX_LABEL]
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidInputError(f"at most {MAX_TAGS} tags")
    return tags


def _text(value: Any, lang: str = "en") -> str | None:
    """A display string from a plain string or a language map."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in (lang, "en", "fr", *value.keys()):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def expand_types(credential: dict[str, Any]) -> list[str]:
    """The credential's types as expanded IRIs, using only the bundled JSON-LD contexts.

    OpenID4VP 1.0 (B.1.1): DCQL ``type_values`` are expanded IRIs; in the OB 3.0 context
    ``AchievementCredential`` expands to the ``OpenBadgeCredential`` IRI.
    """
    try:
        return list(expand_credential_types(credential))
    except VcError:  # a context that is not bundled: no IRIs, the credential is still kept
        return []


def guess_sphere(credential: dict[str, Any]) -> str:
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement") or credential.get("achievement")
    kind = achievement.get("achievementType") if isinstance(achievement, dict) else None
    if kind in {"CommunityService", "Membership"}:
        return "association"
    return "work"


def summarize(
    report: VerificationReport,
    *,
    sphere: str | None,
    tags: Iterable[str] | None,
    source: str,
    issuer_name: str | None = None,
    holder_identity: str | None = None,
) -> dict[str, Any]:
    """What the wallet keeps about a verified credential besides the credential itself."""
    cred = report.credential or {}
    subject = cred.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement") or cred.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    issuer = cred.get("issuer")
    issuer_obj = issuer if isinstance(issuer, dict) else {}
    issuer_display = issuer_name or _text(issuer_obj.get("name")) or report.issuer
    types = [str(t) for t in _as_list(cred.get("type"))]
    title = (
        _text(achievement.get("name"))
        or _text(cred.get("name"))
        or (types[-1] if types else None)
        or str(cred.get("vct") or "credential")
    )
    description = _text(cred.get("description")) or _text(achievement.get("description"))
    clean_tags = normalize_tags(tags)
    chosen_sphere = normalize_sphere(sphere) if sphere else guess_sphere(cred)
    words = [title, description, issuer_display, _text(cred.get("name")), *clean_tags]
    words += [
        _text(a.get("targetName"))
        for a in _as_list(achievement.get("alignment"))
        if isinstance(a, dict)
    ]
    return {
        "title": title,
        "description": description,
        "issuer": report.issuer,
        "issuer_name": issuer_display,
        "subject": report.subject,
        "types": types,
        "type_iris": expand_types(cred),
        "vct": cred.get("vct") if isinstance(cred.get("vct"), str) else None,
        "achievement_type": achievement.get("achievementType"),
        "valid_from": cred.get("validFrom") or cred.get("issuanceDate"),
        "valid_until": cred.get("validUntil") or cred.get("expirationDate"),
        "sphere": chosen_sphere,
        "tags": clean_tags,
        "source": source,
        "holder_identity": holder_identity,
        "verified_at": now().isoformat(),
        "search": " ".join(w.lower() for w in words if w),
    }


def store_credential(
    session: Session,
    who: Principal,
    *,
    raw: str,
    fmt: str,
    summary: dict[str, Any],
    baked: bytes | None = None,
    baked_media_type: str | None = None,
    credential_id: str | None = None,
    created_at: datetime | None = None,
    claims: dict[str, Any] | None = None,
) -> CredentialView:
    """Encrypt and keep a verified credential; ``claims`` is what verification decoded
    (the W3C credential, or the SD-JWT VC claims with every disclosure applied)."""
    if fmt not in DCQL_FORMATS:
        raise InvalidInputError(f"the wallet does not keep {fmt!r} documents")
    cid = credential_id or new_id()
    content: dict[str, Any] = {"credential": raw, "claims": claims}
    if baked is not None:
        content["baked"] = base64.b64encode(baked).decode()
        content["baked_media_type"] = baked_media_type
    row = StoredCredential(
        id=cid,
        account_id=who.account_id,
        format=fmt,
        created_at=created_at or now(),
        summary_ct=who.vault.seal_json("summary", cid, summary),
        content_ct=who.vault.seal_json("content", cid, content),
    )
    session.add(row)
    session.flush()
    return CredentialView(cid, fmt, row.created_at, summary, content)


def _view(who: Principal, row: StoredCredential, *, content: bool) -> CredentialView:
    summary = who.vault.open_json("summary", row.id, row.summary_ct)
    body = who.vault.open_json("content", row.id, row.content_ct) if content else None
    return CredentialView(row.id, row.format, row.created_at, summary, body)


def _row(session: Session, who: Principal, credential_id: str) -> StoredCredential:
    row = session.get(StoredCredential, credential_id)
    if row is None or row.account_id != who.account_id:
        # the same answer whether it does not exist or belongs to someone else
        raise NotFoundError("no such credential in this wallet")
    return row


def get_credential(session: Session, who: Principal, credential_id: str) -> CredentialView:
    return _view(who, _row(session, who, credential_id), content=True)


def list_credentials(
    session: Session,
    who: Principal,
    *,
    sphere: str | None = None,
    tag: str | None = None,
    query: str | None = None,
    fmt: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    with_content: bool = False,
) -> list[CredentialView]:
    """The account's credentials, newest first, filtered on the decrypted summaries."""
    statement = (
        select(
            StoredCredential.id,
            StoredCredential.format,
            StoredCredential.created_at,
            StoredCredential.summary_ct,
            *([StoredCredential.content_ct] if with_content else []),
        )
        .where(StoredCredential.account_id == who.account_id)
        .order_by(StoredCredential.created_at.desc(), StoredCredential.id)
    )
    if not (sphere or tag or query or fmt) and limit is not None:
        statement = statement.limit(limit).offset(offset)  # no filter on ciphertext: page in SQL
        offset = 0
    rows = session.execute(statement).all()
    words = [w for w in (query or "").lower().split() if w]
    sphere_name = normalize_sphere(sphere) if sphere else None
    out: list[CredentialView] = []
    skipped = 0
    for row in rows:
        if fmt and DCQL_FORMATS.get(row[1]) != fmt and row[1] != fmt:
            continue
        summary = who.vault.open_json("summary", row[0], row[3])
        if sphere_name and summary.get("sphere") != sphere_name:
            continue
        if tag and tag not in summary.get("tags", []):
            continue
        if words and not all(w in summary.get("search", "") for w in words):
            continue
        if skipped < offset:
            skipped += 1
            continue
        content = who.vault.open_json("content", row[0], row[4]) if with_content else None
        out.append(CredentialView(row[0], row[1], row[2], summary, content))
        if limit is not None and len(out) >= limit:
            break
    return out


def count_by_sphere(session: Session, who: Principal) -> dict[str, int]:
    counts: dict[str, int] = {}
    for view in list_credentials(session, who):
        counts[view.summary["sphere"]] = counts.get(view.summary["sphere"], 0) + 1
    return counts


def update_credential(
    session: Session,
    who: Principal,
    credential_id: str,
    *,
    sphere: str | None = None,
    tags: Iterable[str] | None = None,
) -> CredentialView:
    row = _row(session, who, credential_id)
    view = _view(who, row, content=False)
    summary = dict(view.summary)
    if sphere is not None:
        summary["sphere"] = normalize_sphere(sphere)
    if tags is not None:
        old = set(summary.get("tags", []))
        summary["tags"] = normalize_tags(tags)
        text = summary.get("search", "")
        summary["search"] = " ".join(
            [w for w in text.split() if w not in {t.lower() for t in old}]
            + [t.lower() for t in summary["tags"]]
        )
    row.summary_ct = who.vault.seal_json("summary", row.id, summary)
    view.summary = summary
    return view


def delete_credential(session: Session, who: Principal, credential_id: str) -> None:
    row = _row(session, who, credential_id)
    session.execute(delete(Share).where(Share.credential_id == row.id))
    session.delete(row)


def spheres(session: Session, who: Principal) -> list[str]:
    """The standard spheres, then the person's own ones in use."""
    used = sorted(set(count_by_sphere(session, who)) - set(STANDARD_SPHERES))
    return [*STANDARD_SPHERES, *used]


def refuse_unusable(report: VerificationReport) -> None:
    """Raise unless ``report`` is a verified credential (not a presentation)."""
    if report.format in {"ldp_vp", "vp+jwt", "jwt_vp_json"}:
        raise InvalidInputError("this is a presentation, not a credential")
    if not report.verified:
        failed = [f"{c.name}: {c.reason}" for c in report.checks if c.status.value == "failed"]
        raise VerificationError(
            "the credential does not verify, so it was not stored: " + "; ".join(failed),
            checks=[c.to_json() for c in report.checks],
        )
    if report.format not in DCQL_FORMATS:
        raise InvalidInputError(f"the wallet does not keep {report.format!r} documents")
