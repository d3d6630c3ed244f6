"""Export everything to one ZIP archive, and import it into another Musette wallet.

Archive layout (``musette-wallet-export`` version 1)::

    manifest.json            format, version, date, account email, spheres
    credentials.json         one entry per credential: id, format, file, sphere, tags, dates…
    credentials/<id>.json    Data Integrity credentials (JSON), as received
    credentials/<id>.jwt     JWT credentials (vc+jwt, OB 3.0 VC-JWT), as received
    credentials/<id>.sdjwt   SD-JWT VCs, as received (every disclosure)
    credentials/<id>.png|svg the baked badge a credential came in, when it did
    history.json             the presentation and receipt log
    identities.json          holder identities WITH their private keys (JWK): keep it safe

With a passphrase, that ZIP is the payload of a standard JWE (RFC 7516, compact
serialization; shared.encoding.passphrase_jwe): key management ``PBES2-HS512+A256KW`` with
``p2c`` 600,000 and a random 16-byte ``p2s`` (RFC 7518 §4.8), content encryption
``A256GCM``, header ``cty: "zip"``. The file is ``musette-wallet.zip.jwe``, served as
``application/jose`` (the media type RFC 7515 §9.2.1 registers for compact JOSE
serializations). Any JOSE library opens it with the passphrase and finds the ZIP above;
see docs/wallet-export.md.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shared.encoding import passphrase_jwe
from shared.errors import InvalidInputError
from shared.keys import PrivateKey
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.report import CheckName
from wallet.db.models import HistoryEntry, StoredCredential
from wallet.errors import TooLargeError
from wallet.service import history, identities, storage
from wallet.service.accounts import Principal, now

FORMAT = "musette-wallet-export"
VERSION = 1
MAX_ARCHIVE_ENTRIES = 100_000
MAX_ARCHIVE_BYTES = 500_000_000
BAKED_EXT = {"image/png": "png", "image/svg+xml": "svg"}
#: the largest upload read: a passphrase-protected archive is base64url, a third larger
MAX_UPLOAD_BYTES = passphrase_jwe.max_token_bytes(MAX_ARCHIVE_BYTES)
ZIP_MEDIA_TYPE = "application/zip"
ZIP_FILENAME = "musette-wallet.zip"
#: RFC 7515 §9.2.1 registers application/jose for compact JWS and JWE
ENCRYPTED_MEDIA_TYPE = "application/jose"
ENCRYPTED_FILENAME = "musette-wallet.zip.jwe"


def export_archive(session: Session, who: Principal, *, passphrase: str | None = None) -> bytes:
    """The export: a ZIP, or with ``passphrase`` that ZIP locked in a JWE (PBES2, A256GCM)."""
    if passphrase is not None:
        passphrase_jwe.check_passphrase(passphrase)  # before any work
    archive = _zip_archive(session, who)
    if passphrase is None:
        return archive
    token = passphrase_jwe.encrypt_with_passphrase(archive, passphrase, cty="zip")
    return token.encode("ascii")


def _zip_archive(session: Session, who: Principal) -> bytes:
    buffer = io.BytesIO()
    views = storage.list_credentials(session, who, with_content=True)
    entries = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for view in reversed(views):  # oldest first
            assert view.content is not None
            name = f"credentials/{view.id}.{storage.FILE_EXTENSIONS[view.format]}"
            archive.writestr(name, view.raw)
            entry: dict[str, Any] = {
                "id": view.id,
                "format": view.format,
                "file": name,
                "created_at": view.created_at.isoformat(),
                "summary": view.summary,
            }
            if view.content.get("baked"):
                ext = BAKED_EXT.get(str(view.content.get("baked_media_type")), "bin")
                baked_name = f"credentials/{view.id}.{ext}"
                archive.writestr(baked_name, base64.b64decode(view.content["baked"]))
                entry["baked_file"] = baked_name
                entry["baked_media_type"] = view.content.get("baked_media_type")
            entries.append(entry)
        ids = [
            {
                **identities.identity_json(row),
                "private_jwk": identities.holder_key(who, row).key.to_jwk(),
                "pairwise_tag": row.pairwise_tag,
            }
            for row in identities.list_identities(session, who)
        ]
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": now().isoformat(),
            "account": {"email": who.email},
            "spheres": storage.spheres(session, who),
            "counts": {"credentials": len(entries)},
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        archive.writestr("credentials.json", json.dumps(entries, indent=2, ensure_ascii=False))
        archive.writestr(
            "history.json",
            json.dumps(list(reversed(history.entries(session, who))), indent=2, ensure_ascii=False),
        )
        archive.writestr("identities.json", json.dumps(ids, indent=2, ensure_ascii=False))
    return buffer.getvalue()


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError as err:
        raise InvalidInputError(f"the archive has no {name}") from err


def _read_json(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        return json.loads(_read(archive, name))
    except ValueError as err:  # not UTF-8, not JSON
        raise InvalidInputError(f"the archive's {name} is not JSON") from err


def import_archive(
    session: Session,
    who: Principal,
    data: bytes,
    ctx: VerifyContext,
    *,
    max_credential_bytes: int,
    passphrase: str | None = None,
) -> dict[str, Any]:
    """Import an export; every credential's proof is checked again before it is stored.

    A passphrase-protected export is opened first (``passphrase`` is then required); every
    check that can refuse the whole file runs before anything is written.
    """
    encrypted = passphrase_jwe.looks_like_jwe(data)
    if encrypted:
        data, _header = passphrase_jwe.decrypt_with_passphrase(
            data, passphrase or "", max_plaintext_bytes=MAX_ARCHIVE_BYTES
        )
    if len(data) > MAX_ARCHIVE_BYTES:
        raise TooLargeError("the archive is too large")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise InvalidInputError("this is not a Musette export (not a ZIP archive)") from err
    infos = archive.infolist()
    if len(infos) > MAX_ARCHIVE_ENTRIES or sum(i.file_size for i in infos) > MAX_ARCHIVE_BYTES:
        raise TooLargeError("the archive expands to too much data")
    manifest = _read_json(archive, "manifest.json")
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or manifest.get("version") != VERSION
    ):
        raise InvalidInputError("this is not a Musette wallet export (version 1)")
    # read every index before writing anything
    identity_items = _read_json(archive, "identities.json")
    credential_entries = _read_json(archive, "credentials.json")
    history_items = _read_json(archive, "history.json")
    if not all(isinstance(v, list) for v in (identity_items, credential_entries, history_items)):
        raise InvalidInputError("the archive's index files are not JSON arrays")

    identity_map: dict[str, str] = {}
    for item in identity_items:
        key = PrivateKey.from_jwk(item["private_jwk"])
        existing = identities.identity_by_did(session, who, item["did"])
        if existing is None:
            existing = identities.create_identity(
                session,
                who,
                method=item["method"],
                key_type=key.key_type,
                label=item.get("label", ""),
                key=key,
                pairwise_tag=item.get("pairwise_tag"),
            )
            if item.get("default"):
                identities.set_default(session, who, existing.id)
        identity_map[item["id"]] = existing.id

    imported, refused = [], []
    for entry in credential_entries:
        raw = _read(archive, entry["file"]).decode()
        if len(raw.encode()) > max_credential_bytes:
            refused.append({"id": entry.get("id"), "reason": "too large"})
            continue
        report = verify_credential(raw, ctx)
        proof = report.check(CheckName.PROOF)
        if proof is None or proof.status.value != "passed" or report.format != entry["format"]:
            refused.append({"id": entry.get("id"), "reason": "its proof does not verify"})
            continue
        summary = dict(entry["summary"])
        if summary.get("holder_identity") in identity_map:
            summary["holder_identity"] = identity_map[summary["holder_identity"]]
        baked = _read(archive, entry["baked_file"]) if entry.get("baked_file") else None
        cid = entry["id"] if session.get(StoredCredential, entry["id"]) is None else None
        view = storage.store_credential(
            session,
            who,
            raw=raw,
            fmt=entry["format"],
            summary=summary,
            baked=baked,
            baked_media_type=entry.get("baked_media_type"),
            credential_id=cid,
            created_at=datetime.fromisoformat(entry["created_at"]),
            claims=report.credential,
        )
        imported.append(view.id)

    events = 0
    for item in history_items:
        details = {k: v for k, v in item.items() if k not in {"id", "kind", "at"}}
        eid = item["id"] if session.get(HistoryEntry, item["id"]) is None else None
        history.record(
            session, who, item["kind"], details, entry_id=eid, at=datetime.fromisoformat(item["at"])
        )
        events += 1
    return {
        "imported": imported,
        "refused": refused,
        "history": events,
        "identities": len(identity_map),
        "encrypted": encrypted,
    }


#: what a person reads when an import or a protected export is refused, by problem code
#: (English message ids of the wallet's catalogue; the French is in locales/fr)
MESSAGES = {
    "passphrase-required": (
        "This archive is protected by a passphrase: type its passphrase and choose the file again."
    ),
    "passphrase-decryption-failed": (
        "This passphrase does not open the archive: it is not the right one, or the file was "
        "altered. Nothing was imported."
    ),
    "passphrase-iterations-refused": (
        "This protected archive uses encryption settings Musette refuses (too few or too many "
        "iterations, or another algorithm), so nothing was imported."
    ),
    "unsupported-algorithm": (
        "This protected archive uses encryption settings Musette refuses (too few or too many "
        "iterations, or another algorithm), so nothing was imported."
    ),
    "malformed-jwe": "This file is not a Musette archive, or the protected archive is damaged, so nothing was imported.",
    "payload-too-large": "This file is too large, so nothing was imported.",
    "passphrase-too-short": (
        "The passphrase must have at least 12 characters. A few unrelated words make a good one."
    ),
}
DEFAULT_IMPORT_MESSAGE = "This file is not a Musette export, so nothing was imported."
CONFIRMATION_MISMATCH_MESSAGE = "The two passphrases are not the same."


def message_for(code: str) -> str:
    """The plain-words message (a catalogue id) for a refused import or protected export."""
    return MESSAGES.get(code, DEFAULT_IMPORT_MESSAGE)
