"""Import a credential file: JSON, JWT, SD-JWT, or an OB 3.0 baked PNG/SVG.

Nothing is stored unless the shared ``verify_credential()`` verifies it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.encoding.baked import extract_baked, is_png, is_svg
from shared.errors import InvalidInputError, VcError
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.report import VerificationReport
from wallet.db.models import Identity
from wallet.errors import TooLargeError
from wallet.service.accounts import Principal
from wallet.service.storage import CredentialView, refuse_unusable, store_credential, summarize


def check_size(data: bytes | str, limit: int) -> None:
    size = len(data.encode() if isinstance(data, str) else data)
    if size > limit:
        raise TooLargeError(
            f"the credential is {size} bytes; the wallet accepts at most {limit}", limit=limit
        )


def read_credential(data: bytes) -> tuple[str, bytes | None, str | None]:
    """(credential text, baked image or None, its media type) from file bytes."""
    if is_png(data) or is_svg(data):
        text = extract_baked(data)
        if text is None:
            raise InvalidInputError("this image carries no Open Badges credential")
        return text.strip(), data, "image/png" if is_png(data) else "image/svg+xml"
    try:
        return data.decode("utf-8").strip(), None, None
    except UnicodeDecodeError as err:
        raise InvalidInputError("the file is neither text nor a baked PNG/SVG badge") from err


def verify_for_storage(raw: str, ctx: VerifyContext) -> VerificationReport:
    report = verify_credential(raw, ctx)
    refuse_unusable(report)
    return report


def bound_identity(session: Session, who: Principal, report: VerificationReport) -> str | None:
    """The account identity the credential is about (subject id or SD-JWT cnf key), if any."""
    return bound_identity_of(session, who.account_id, report)


def bound_identity_of(session: Session, account_id: str, report: VerificationReport) -> str | None:
    """:func:`bound_identity` by account id (identities' DIDs are not encrypted): for a
    delivery while the person is away."""
    candidates = [report.subject] if report.subject else []
    cnf = (report.credential or {}).get("cnf")
    if isinstance(cnf, dict) and isinstance(cnf.get("jwk"), dict):
        from shared.did import did_jwk_from_public
        from shared.keys import PublicKey

        with contextlib.suppress(VcError):  # an unusable cnf key binds nothing
            candidates.append(did_jwk_from_public(PublicKey.from_jwk(cnf["jwk"])))
    for did in candidates:
        found = session.scalar(
            select(Identity.id).where(
                Identity.account_id == account_id, Identity.did == str(did).split("#")[0]
            )
        )
        if found is not None:
            return str(found)
    return None


def import_credential(
    session: Session,
    who: Principal,
    data: bytes,
    ctx: VerifyContext,
    *,
    max_bytes: int,
    sphere: str | None = None,
    tags: Iterable[str] | None = None,
    source: str = "file",
    issuer_name: str | None = None,
    extra: dict[str, Any] | None = None,
) -> CredentialView:
    check_size(data, max_bytes)
    raw, baked, media_type = read_credential(data)
    report = verify_for_storage(raw, ctx)
    summary = summarize(
        report,
        sphere=sphere,
        tags=tags,
        source=source,
        issuer_name=issuer_name,
        holder_identity=bound_identity(session, who, report),
    )
    summary.update(extra or {})
    return store_credential(
        session,
        who,
        raw=raw,
        fmt=report.format,
        summary=summary,
        baked=baked,
        baked_media_type=media_type,
        claims=report.credential,
    )
