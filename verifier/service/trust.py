"""The trust registry: which issuers this verifier knows, and under which name.

Entries are exact DIDs (``kind="did"``) or domains (``kind="domain"``: every did:web on that
host, and https issuer URLs on it). A credential's self-asserted issuer name is reported as
such, never as the registry's word.

Each entry may also say what kind of organisation the issuer is (``issuer_kind``: association,
platform, employer, school): a template can demand one, e.g. a rating only from a platform.
An entry of no stated kind (``None``) satisfies no such demand.

Import format: the Digital Credentials Consortium issuer registry JSON
(github.com/digitalcredentials/issuer-registry ``registry.json``):
``{"meta": {...}, "registry": {"<did>": {"name", "location"?, "url"?}}}`` (older files use
``entries`` instead of ``registry``).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from shared.errors import InvalidInputError, NotFoundError
from verifier.db.models import TrustedIssuer
from verifier.errors import ConflictError

KINDS = ("did", "domain")
#: what an issuer is (the same words as the issuer's organisation kinds)
ISSUER_KINDS = ("association", "platform", "employer", "school")
_DOMAIN = re.compile(
    r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$"
)
MAX_IMPORT_ENTRIES = 10_000


@dataclass(frozen=True)
class TrustEntry:
    id: str
    kind: str
    value: str
    name: str
    url: str | None
    source: str
    issuer_kind: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "value": self.value,
            "name": self.name,
            "url": self.url,
            "source": self.source,
            "issuer_kind": self.issuer_kind,
        }


def _entry(row: TrustedIssuer) -> TrustEntry:
    return TrustEntry(row.id, row.kind, row.value, row.name, row.url, row.source, row.issuer_kind)


def check_issuer_kind(issuer_kind: str | None) -> str | None:
    """An issuer kind from input: one of ISSUER_KINDS, or None ("" counts as none)."""
    if issuer_kind is None or issuer_kind == "":
        return None
    if issuer_kind not in ISSUER_KINDS:
        raise InvalidInputError(f"issuer_kind must be one of {list(ISSUER_KINDS)}")
    return issuer_kind


def issuer_host(issuer: str) -> str | None:
    """The host (with port) of a did:web or https issuer, lower-cased; else None."""
    if issuer.startswith("did:web:"):
        first = issuer.removeprefix("did:web:").split(":", 1)[0]
        return unquote(first).lower() or None
    if issuer.startswith(("https://", "http://")):
        return (urlsplit(issuer).netloc or "").lower() or None
    return None


@dataclass(frozen=True)
class TrustRegistry:
    """A snapshot of the registry, read once per verification."""

    entries: Sequence[TrustEntry]

    def lookup(self, issuer: str | None) -> TrustEntry | None:
        if not issuer:
            return None
        for entry in self.entries:
            if entry.kind == "did" and entry.value == issuer:
                return entry
        host = issuer_host(issuer)
        if host is None:
            return None
        for entry in self.entries:
            if entry.kind == "domain" and entry.value == host:
                return entry
        return None


def load_registry(session: Session) -> TrustRegistry:
    rows = session.scalars(select(TrustedIssuer).order_by(TrustedIssuer.created_at)).all()
    return TrustRegistry([_entry(r) for r in rows])


#: bumped by every change this process makes to the registry (so its own reads never lag)
_generation = 0
_recent: dict[str, tuple[float, int, TrustRegistry]] = {}
_recent_lock = threading.Lock()


def _changed(session: Session) -> None:
    session.info["trust_registry_changed"] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """Once a change is committed, no read from before it is reused by this process."""
    global _generation
    if session.info.pop("trust_registry_changed", False):
        with _recent_lock:
            _generation += 1
            _recent.clear()


def recent_registry(session: Session, database: str, max_age: float) -> TrustRegistry:
    """The registry as read at most ``max_age`` seconds ago by this process (API
    verifications, the same window as status lists: docs/decisions/status-freshness.md);
    a change made by this process is seen at once, one made by another instance within
    ``max_age``. ``max_age <= 0``: read now."""
    if max_age <= 0:
        return load_registry(session)
    now = time.monotonic()
    with _recent_lock:
        found = _recent.get(database)
        generation = _generation
    if found is not None and found[1] == generation and now - found[0] < max_age:
        return found[2]
    registry = load_registry(session)
    with _recent_lock:
        if _generation == generation:
            _recent[database] = (now, generation, registry)
    return registry


def list_entries(session: Session) -> list[TrustEntry]:
    return list(load_registry(session).entries)


def _validate(kind: str, value: str, name: str, url: str | None) -> tuple[str, str, str]:
    if kind not in KINDS:
        raise InvalidInputError(f"kind must be one of {list(KINDS)}")
    value = value.strip()
    name = name.strip()
    if not name or len(name) > 500:
        raise InvalidInputError("name must be 1 to 500 characters")
    if kind == "did":
        if not value.startswith("did:") or value.count(":") < 2 or len(value) > 2000:
            raise InvalidInputError(f"{value!r} is not a DID")
    else:
        value = value.lower()
        if not _DOMAIN.match(value):
            raise InvalidInputError(f"{value!r} is not a domain name (host[:port])")
    if url is not None and not url.startswith(("https://", "http://")):
        raise InvalidInputError("url must be an http(s) URL")
    return kind, value, name


def add_entry(
    session: Session,
    *,
    kind: str,
    value: str,
    name: str,
    url: str | None = None,
    source: str = "api",
    now: datetime,
    issuer_kind: str | None = None,
) -> TrustEntry:
    kind, value, name = _validate(kind, value, name, url)
    issuer_kind = check_issuer_kind(issuer_kind)
    if session.scalar(select(TrustedIssuer).where(TrustedIssuer.value == value)) is not None:
        raise ConflictError(f"{value} is already in the trust registry")
    row = TrustedIssuer(
        id=secrets.token_hex(8),
        kind=kind,
        value=value,
        name=name,
        url=url,
        source=source,
        issuer_kind=issuer_kind,
        created_at=now,
    )
    session.add(row)
    session.flush()
    _changed(session)
    return _entry(row)


def get_entry(session: Session, entry_id: str) -> TrustedIssuer:
    row = session.get(TrustedIssuer, entry_id)
    if row is None:
        raise NotFoundError(f"no trust registry entry {entry_id}")
    return row


def update_entry(
    session: Session,
    entry_id: str,
    *,
    name: str | None,
    url: str | None,
    issuer_kind: str | None = None,
) -> TrustEntry:
    """Rename, set the url or the issuer kind (None leaves a field as it is)."""
    row = get_entry(session, entry_id)
    _validate(row.kind, row.value, name if name is not None else row.name, url)
    if issuer_kind is not None:
        row.issuer_kind = check_issuer_kind(issuer_kind)
    if name is not None:
        row.name = name.strip()
    if url is not None:
        row.url = url
    session.flush()
    _changed(session)
    return _entry(row)


def delete_entry(session: Session, entry_id: str) -> None:
    session.delete(get_entry(session, entry_id))
    _changed(session)
    session.flush()


def parse_dcc_registry(document: Any) -> list[tuple[str, str, str | None]]:
    """(did, name, url) of every entry of a DCC issuer registry document."""
    if not isinstance(document, dict):
        raise InvalidInputError("a DCC issuer registry is a JSON object")
    entries = document.get("registry", document.get("entries"))
    if not isinstance(entries, dict):
        raise InvalidInputError("a DCC issuer registry has a 'registry' (or 'entries') object")
    if len(entries) > MAX_IMPORT_ENTRIES:
        raise InvalidInputError(f"more than {MAX_IMPORT_ENTRIES} entries")
    out = []
    for did, info in entries.items():
        if not isinstance(info, dict) or not isinstance(info.get("name"), str):
            raise InvalidInputError(f"entry {did!r} has no name")
        url = info.get("url")
        out.append((str(did), info["name"], url if isinstance(url, str) else None))
    return out


def import_dcc_registry(
    session: Session, document: Any, *, source: str, now: datetime
) -> dict[str, int]:
    """Add every DID of a DCC registry not already present; existing entries are kept."""
    added = skipped = 0
    known = {r.value for r in session.scalars(select(TrustedIssuer))}
    for did, name, url in parse_dcc_registry(document):
        if did in known:
            skipped += 1
            continue
        add_entry(session, kind="did", value=did, name=name, url=url, source=source, now=now)
        known.add(did)
        added += 1
    return {"added": added, "skipped": skipped}


def ensure_entries(
    session: Session,
    entries: Iterable[tuple[str, str, str, str | None]],
    *,
    source: str,
    now: datetime,
) -> None:
    """Idempotently add (kind, value, name, issuer_kind) entries (demo seeding); an existing
    entry of no stated issuer kind gets the one given."""
    for kind, value, name, issuer_kind in entries:
        row = session.scalar(select(TrustedIssuer).where(TrustedIssuer.value == value))
        if row is None:
            add_entry(
                session,
                kind=kind,
                value=value,
                name=name,
                source=source,
                now=now,
                issuer_kind=issuer_kind,
            )
        elif row.issuer_kind is None and issuer_kind is not None:
            row.issuer_kind = check_issuer_kind(issuer_kind)
