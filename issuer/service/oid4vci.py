"""OpenID4VCI 1.0 for one organisation: metadata, offers, token, nonce, credential.

The Credential Issuer Identifier of an organisation is ``<base_url>/orgs/<slug>`` (no
trailing slash), and the organisation is its own authorization server (same ``issuer``
string), supporting only the pre-authorized code grant with anonymous access.

Configuration ids are ``<achievement>_<format>`` (``volunteer_ldp_vc``,
``volunteer_jwt_vc_json``, ``volunteer_sd_jwt``), so a wallet shows the achievement's own
name before accepting.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    String,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.db.models import (
    AccessToken,
    IssuedCredential,
    Nonce,
    Offer,
    Organisation,
    OrgKey,
    StatusAllocation,
)
from issuer.db.models import Achievement as AchievementRow
from issuer.schemas import FORMATS, OfferIn, SubjectIn
from issuer.service.achievements import get_achievement, list_achievements
from issuer.service.issuance import Holder, credential_value, issue_credential
from issuer.service.keys import IssuerKeyStore, signer_for
from issuer.service.orgs import get_org
from issuer.service.results import check_results
from issuer.service.states import OfferState
from issuer.service.status import LIST_SIZE, allocation_in_newest, purposes_for
from issuer.settings import PROOF_ALGS, IssuerSettings
from servicekit.db import UtcDateTime, insert_for, values_object
from shared.did.methods import verification_method_id
from shared.did.resolver import DidResolver
from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.errors import (
    InvalidInputError,
    NotFoundError,
    OfferExpiredError,
    OfferUnknownError,
    OfferUsedError,
    VcError,
)
from shared.keys import PublicKey
from shared.model import OB3_CONTEXT, VC_V2_CONTEXT
from shared.proofs.jose import jwk_thumbprint, parse_jws
from shared.proofs.sd_jwt_vc import OB3_VCT
from shared.protocols.oid4vci import (
    PRE_AUTHORIZED_GRANT,
    Oid4vciError,
    TxCode,
    build_credential_offer,
    credential_offer_link,
    parse_credential_request,
    validate_proof_jwt,
)

FORMAT_SUFFIX = {"ldp_vc": "ldp_vc", "jwt_vc_json": "jwt_vc_json", "dc+sd-jwt": "sd_jwt"}
SUFFIX_FORMAT = {v: k for k, v in FORMAT_SUFFIX.items()}
OB_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]


def configuration_id(achievement_slug: str, fmt: str) -> str:
    return f"{achievement_slug}_{FORMAT_SUFFIX[fmt]}"


def split_configuration_id(config_id: str) -> tuple[str, str] | None:
    for suffix, fmt in SUFFIX_FORMAT.items():
        if config_id.endswith("_" + suffix):
            return config_id[: -len(suffix) - 1], fmt
    return None


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --------------------------------------------------------------------------- metadata


def _display(row: AchievementRow) -> list[dict[str, Any]]:
    out = []
    for lang in ("fr", "en"):
        name = row.content["name"].get(lang) or row.content["name"].get(
            "en" if lang == "fr" else "fr"
        )
        entry: dict[str, Any] = {"name": name, "locale": lang}
        desc = row.content["description"].get(lang)
        if desc:
            entry["description"] = desc
        if row.image_url:
            entry["logo"] = {"uri": row.image_url, "alt_text": name}
        out.append(entry)
    return out


_CLAIM_NAMES = {
    ("achievement", "name"): ("Badge", "Badge"),
    ("role",): ("Rôle", "Role"),
    ("activityStartDate",): ("Début", "Start date"),
    ("activityEndDate",): ("Fin", "End date"),
    ("result",): ("Résultats", "Results"),
    ("narrative",): ("Récit", "Narrative"),
}


def _claims(fmt: str) -> list[dict[str, Any]]:
    claims = []
    for path, (fr, en) in _CLAIM_NAMES.items():
        if fmt == "dc+sd-jwt":
            full: list[str] = (
                list(path) if path[0] == "achievement" else ["credentialSubject", *path]
            )
        else:
            full = ["credentialSubject", *path]
        claims.append(
            {"path": full, "display": [{"name": fr, "locale": "fr"}, {"name": en, "locale": "en"}]}
        )
    return claims


def configuration(row: AchievementRow, fmt: str) -> dict[str, Any]:
    proof_types = {"jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGS)}}
    metadata = {"display": _display(row), "claims": _claims(fmt)}
    if fmt == "ldp_vc":
        return {
            "format": "ldp_vc",
            "scope": configuration_id(row.slug, fmt),
            "cryptographic_binding_methods_supported": ["did:key", "did:jwk"],
            "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
            "proof_types_supported": proof_types,
            "credential_definition": {"@context": [VC_V2_CONTEXT, OB3_CONTEXT], "type": OB_TYPES},
            "credential_metadata": metadata,
        }
    if fmt == "jwt_vc_json":
        return {
            "format": "jwt_vc_json",
            "scope": configuration_id(row.slug, fmt),
            "cryptographic_binding_methods_supported": ["did:key", "did:jwk"],
            "credential_signing_alg_values_supported": ["EdDSA"],
            "proof_types_supported": proof_types,
            "credential_definition": {"type": OB_TYPES},
            "credential_metadata": metadata,
        }
    return {
        "format": "dc+sd-jwt",
        "scope": configuration_id(row.slug, fmt),
        "cryptographic_binding_methods_supported": ["jwk"],
        "credential_signing_alg_values_supported": ["EdDSA"],
        "proof_types_supported": proof_types,
        "vct": OB3_VCT,
        "credential_metadata": metadata,
    }


def issuer_metadata(session: Session, org: Organisation, org_base: str) -> dict[str, Any]:
    configs = {
        configuration_id(row.slug, fmt): configuration(row, fmt)
        for row in list_achievements(session, org)
        for fmt in FORMATS
    }
    return {
        "credential_issuer": org_base,
        "credential_endpoint": f"{org_base}/credential",
        "nonce_endpoint": f"{org_base}/nonce",
        "display": [{"name": org.name, "locale": "fr"}, {"name": org.name, "locale": "en"}],
        "credential_configurations_supported": configs,
    }


def authorization_server_metadata(org_base: str) -> dict[str, Any]:
    return {
        "issuer": org_base,
        "token_endpoint": f"{org_base}/token",
        # RFC 8414 §2: REQUIRED and, for common validators (e.g. authlib), non-empty; there is
        # no authorization_endpoint and only the pre-authorized grant, so no client is sent to
        # one (docs/decisions/default-presentation-request.md, "Issuer metadata")
        "response_types_supported": ["code"],
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
    }


# --------------------------------------------------------------------------- offers


@dataclass(frozen=True)
class CreatedOffer:
    offer: Offer
    credential_offer_uri: str
    offer_uri: str
    wallet_link: str
    tx_code: str | None


def _code_for(master_secret: bytes, offer_id: str) -> str:
    """The pre-authorized code, derived from the offer id: only its hash is stored."""
    mac = hmac.new(master_secret, f"pre-authorized-code:{offer_id}".encode(), hashlib.sha256)
    return mac.hexdigest()


def _tx_hash(master_secret: bytes, offer_id: str, tx_code: str) -> str:
    return hmac.new(
        master_secret, f"tx-code:{offer_id}:{tx_code}".encode(), hashlib.sha256
    ).hexdigest()


def tx_code_matches(master_secret: bytes, offer: Offer, tx_code: str) -> bool:
    """Whether ``tx_code`` is the offer's code (constant-time; only its HMAC is stored)."""
    if offer.tx_code_hash is None:
        return False
    return hmac.compare_digest(offer.tx_code_hash, _tx_hash(master_secret, offer.id, tx_code))


def offer_urls(settings: IssuerSettings, org_base: str, offer_id: str) -> tuple[str, str, str]:
    """(credential_offer_uri, openid-credential-offer:// link, wallet https link)."""
    uri = f"{org_base}/offers/{offer_id}"
    wallet = credential_offer_link(uri, base=f"{settings.wallet_url.rstrip('/')}/receive")
    return uri, credential_offer_link(uri), wallet


def create_offer(
    session: Session,
    settings: IssuerSettings,
    master_secret: bytes,
    org: Organisation,
    org_base: str,
    data: OfferIn,
    *,
    actor: str,
    now: datetime,
    ttl: timedelta | None = None,
    batch_id: str | None = None,
    batch_line: int | None = None,
) -> CreatedOffer:
    """A pending offer with its pre-authorized code (and tx_code), flushed, not committed.

    ``ttl`` overrides ``settings.offer_ttl_seconds`` (a batch sent by email lives for days).
    """
    row = get_achievement(session, org, data.achievement)
    known = {rd["id"] for rd in row.content.get("result_descriptions", [])}
    unknown = set(data.subject.results) - known
    if unknown:
        raise InvalidInputError(f"results {sorted(unknown)} are not described by {row.slug}")
    check_results(row.content.get("result_descriptions", []), data.subject)
    offer_id = secrets.token_urlsafe(24)
    tx_code = None
    tx_hash = None
    if data.tx_code:
        tx_code = "".join(secrets.choice("0123456789") for _ in range(settings.tx_code_length))
        tx_hash = _tx_hash(master_secret, offer_id, tx_code)
    offer = Offer(
        id=offer_id,
        org_id=org.id,
        achievement_id=row.id,
        recipient_name=data.recipient.name,
        recipient_email=data.recipient.email,
        name_in_clear=data.recipient.name_in_clear,
        subject=data.subject.model_dump(mode="json"),
        configuration_ids=[configuration_id(row.slug, f) for f in dict.fromkeys(data.formats)],
        language=data.language,
        code_hash=_sha256(_code_for(master_secret, offer_id)),
        tx_code_hash=tx_hash,
        tx_attempts=0,
        state=OfferState.PENDING,
        status_purpose="suspension" if data.suspendable else "revocation",
        expires_at=now
        + (ttl if ttl is not None else timedelta(seconds=settings.offer_ttl_seconds)),
        created_at=now,
        created_by=actor,
        batch_id=batch_id,
        batch_line=batch_line,
    )
    session.add(offer)
    session.flush()
    uri, link, wallet = offer_urls(settings, org_base, offer_id)
    return CreatedOffer(offer, uri, link, wallet, tx_code)


def offer_document(
    session: Session,
    settings: IssuerSettings,
    master_secret: bytes,
    org: Organisation,
    org_base: str,
    offer_id: str,
    now: datetime,
) -> dict[str, Any]:
    offer = session.get(Offer, offer_id)
    return document_of(settings, master_secret, org.id, org_base, offer, now)


@dataclass(frozen=True)
class OfferFacts:
    """What an offer's document (§4.1) needs of its row."""

    id: str
    org_id: int
    state: str
    expires_at: datetime
    tx_code_hash: str | None
    configuration_ids: list[str]


#: the offer GET's one read, built once (the values bound at execution): the organisation's
#: id and the facts of its offer, as plain columns (no ORM objects to build)
_OFFER_FACTS = (
    select(
        Organisation.id.label("org"),
        Offer.id,
        Offer.org_id,
        Offer.state,
        Offer.expires_at,
        Offer.tx_code_hash,
        Offer.configuration_ids,
    )
    .select_from(Organisation)
    .outerjoin(
        Offer,
        and_(Offer.id == bindparam("b_offer_id", type_=String), Offer.org_id == Organisation.id),
    )
    .where(Organisation.slug == bindparam("b_slug", type_=String))
)


def org_and_offer(conn: Connection, slug: str, offer_id: str) -> tuple[int, OfferFacts | None]:
    """The id of the organisation ``slug`` and the facts of its offer ``offer_id`` (None:
    not one of its offers), in one query; NotFoundError for an unknown organisation, as
    :func:`get_org`."""
    found = conn.execute(_OFFER_FACTS, {"b_offer_id": offer_id, "b_slug": slug}).first()
    if found is None:
        raise NotFoundError(f"no organisation {slug}")
    if found.id is None:
        return found.org, None
    return found.org, OfferFacts(
        found.id,
        found.org_id,
        found.state,
        found.expires_at,
        found.tx_code_hash,
        found.configuration_ids,
    )


def document_of(
    settings: IssuerSettings,
    master_secret: bytes,
    org_id: int,
    org_base: str,
    offer: Offer | OfferFacts | None,
    now: datetime,
) -> dict[str, Any]:
    """The credential offer document (§4.1) of an offer read by the caller."""
    # three answers a person can act on: mistyped link, already accepted, ask for a new one
    if offer is None or offer.org_id != org_id:
        raise OfferUnknownError("this credential offer is unknown")
    if offer.state != OfferState.PENDING:
        raise OfferUsedError("this credential offer has already been used")
    if offer.expires_at <= now:
        raise OfferExpiredError("this credential offer has expired")
    tx = None
    if offer.tx_code_hash is not None:
        tx = TxCode(
            length=settings.tx_code_length,
            description="Code reçu de l'organisation / Code sent by the organisation",
        )
    return build_credential_offer(
        org_base,
        offer.configuration_ids,
        pre_authorized_code=_code_for(master_secret, offer.id),
        tx_code=tx,
    )


# --------------------------------------------------------------------------- token


def redeem_code(
    session: Session,
    settings: IssuerSettings,
    master_secret: bytes,
    org: Organisation,
    org_base: str,
    form: dict[str, str],
    now: datetime,
) -> dict[str, Any]:
    """Token endpoint (§6). Wrong tx_code tries are counted even when the call fails:
    the caller commits this session before answering the error (``TokenFailure``)."""
    code = _token_form_code(form, org_base)
    offer = session.scalars(select(Offer).where(Offer.code_hash == _sha256(code))).first()
    if offer is None or offer.org_id != org.id:
        raise Oid4vciError("invalid_grant", "the pre-authorized code is unknown")
    if offer.state != OfferState.PENDING:
        raise Oid4vciError("invalid_grant", "the pre-authorized code has already been used")
    if offer.expires_at <= now:
        raise Oid4vciError("invalid_grant", "the pre-authorized code has expired")
    if offer.tx_code_hash is not None:
        tx_code = form.get("tx_code")
        if not tx_code:
            raise Oid4vciError("invalid_request", "this offer needs a tx_code")
        tries = _take_tx_try(session, offer, settings.tx_code_max_attempts)
        if tries is None:
            raise Oid4vciError(
                "invalid_grant", "the pre-authorized code can no longer be used (too many tries)"
            )
        if not tx_code_matches(master_secret, offer, tx_code):
            if tries >= settings.tx_code_max_attempts:
                session.execute(
                    update(Offer)
                    .where(Offer.id == offer.id, Offer.state == OfferState.PENDING)
                    .values(state=OfferState.DEAD)
                )
            raise TokenFailure(Oid4vciError("invalid_grant", "the tx_code is wrong"))
    elif "tx_code" in form:
        # OpenID4VCI 1.0 §6.3: a tx_code the offer did not ask for is an invalid_request
        raise Oid4vciError(
            "invalid_request", "this offer has no tx_code: send the token request without one"
        )
    # single use even under concurrency: only one UPDATE sees state == pending
    result = session.execute(
        update(Offer)
        .where(Offer.id == offer.id, Offer.state == OfferState.PENDING)
        .values(state=OfferState.REDEEMED)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise Oid4vciError("invalid_grant", "the pre-authorized code has already been used")
    return _access_token(session, settings, offer.id, org.id, now)


def _token_form_code(form: dict[str, str], org_base: str) -> str:
    """The pre-authorized code of a token request, after the checks that need no database."""
    if form.get("grant_type") != PRE_AUTHORIZED_GRANT:
        raise Oid4vciError(
            "unsupported_grant_type", "only the pre-authorized code grant is supported"
        )
    code = form.get("pre-authorized_code")
    if not code:
        raise Oid4vciError("invalid_request", "pre-authorized_code is missing")
    resource = form.get("resource")
    if resource is not None and resource.rstrip("/") != org_base:
        raise Oid4vciError("invalid_target", f"resource must be {org_base}")
    return code


def redeem(
    session: Session,
    settings: IssuerSettings,
    master_secret: bytes,
    slug: str,
    org_base: str,
    form: dict[str, str],
    now: datetime,
) -> dict[str, Any]:
    """Token endpoint (§6) for the organisation ``slug``. The usual request (a pending,
    unexpired offer without tx_code) is one ``UPDATE … RETURNING`` that redeems the code
    (single use: only one UPDATE sees it pending), then the token's INSERT; anything else
    (an unknown organisation or code, a used or expired one, a tx_code) is answered by
    :func:`redeem_code`, reading what the UPDATE did not change, with the same errors."""
    try:
        code = _token_form_code(form, org_base)
    except Oid4vciError:
        oauth_org(session, slug)  # an unknown organisation is told first, as it always was
        raise
    # on PostgreSQL, the caller tried redeem_at_once already: no second UPDATE
    if "tx_code" not in form and session.get_bind().dialect.name != "postgresql":
        redeemed = session.execute(
            _REDEEM_USUAL.execution_options(synchronize_session=False),
            _redeem_values(code, slug, now),
        ).first()
        if redeemed is not None:
            return _access_token(session, settings, redeemed.id, redeemed.org_id, now)
    return redeem_code(
        session, settings, master_secret, oauth_org(session, slug), org_base, form, now
    )


def oauth_org(session: Session, slug: str) -> Organisation:
    """The organisation ``slug``, or the OAuth error an unknown one gets (404)."""
    try:
        return get_org(session, slug)
    except NotFoundError as err:
        raise Oid4vciError(
            "invalid_request", f"no credential issuer {slug}", http_status=404
        ) from err


#: ``UPDATE … RETURNING``: the code of a pending, unexpired offer without tx_code of the
#: organisation ``slug`` is redeemed (single use: only one UPDATE sees it pending); built
#: once, the code's hash, the slug and the moment bound at execution
_REDEEM_USUAL = (
    update(Offer)
    .where(
        Offer.code_hash == bindparam("b_code_hash", type_=String),
        Offer.org_id
        == select(Organisation.id)
        .where(Organisation.slug == bindparam("b_slug", type_=String))
        .scalar_subquery(),
        Offer.state == OfferState.PENDING,
        Offer.expires_at > bindparam("b_now", type_=UtcDateTime),
        Offer.tx_code_hash.is_(None),
    )
    .values(state=OfferState.REDEEMED)
    .returning(Offer.id, Offer.org_id)
)
_REDEEMED = _REDEEM_USUAL.cte("redeemed")
#: the same, and the access token's INSERT, in one PostgreSQL statement
_REDEEM_AT_ONCE = (
    postgresql.insert(AccessToken)
    .from_select(
        ["token_hash", "offer_id", "org_id", "expires_at"],
        select(
            bindparam("b_token_hash", type_=String),
            _REDEEMED.c.id,
            _REDEEMED.c.org_id,
            bindparam("b_expires_at", type_=UtcDateTime),
        ),
    )
    .add_cte(_REDEEMED)  # a data-modifying WITH must be at the top level
    .returning(AccessToken.offer_id)
)


def _redeem_values(code: str, slug: str, now: datetime) -> dict[str, Any]:
    return {"b_code_hash": _sha256(code), "b_slug": slug, "b_now": now}


def redeem_at_once(
    engine: Engine,
    settings: IssuerSettings,
    slug: str,
    org_base: str,
    form: dict[str, str],
    now: datetime,
) -> dict[str, Any] | None:
    """The usual token request on PostgreSQL in ONE statement, atomic on its own and run in
    autocommit (no BEGIN and COMMIT round trips): ``WITH redeemed AS (UPDATE … RETURNING)
    INSERT INTO access_tokens SELECT … FROM redeemed``. None (then :func:`redeem` answers,
    in a transaction): another database, a tx_code, a form :func:`redeem` refuses, or a code
    the UPDATE did not redeem (unknown, used, expired, of an offer with a tx_code)."""
    if engine.dialect.name != "postgresql" or "tx_code" in form:
        return None
    try:
        code = _token_form_code(form, org_base)
    except Oid4vciError:
        return None  # redeem tells it, after an unknown organisation
    token = secrets.token_urlsafe(32)
    values = {
        **_redeem_values(code, slug, now),
        "b_token_hash": _sha256(token),
        "b_expires_at": now + timedelta(seconds=settings.access_token_ttl_seconds),
    }
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        if conn.execute(_REDEEM_AT_ONCE, values).first() is None:
            return None
    return _token_answer(settings, token)


def _token_answer(settings: IssuerSettings, token: str) -> dict[str, Any]:
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": settings.access_token_ttl_seconds,
    }


def _access_token(
    session: Session, settings: IssuerSettings, offer_id: str, org_id: int, now: datetime
) -> dict[str, Any]:
    """A new access token for a just redeemed offer (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        AccessToken(
            token_hash=_sha256(token),
            offer_id=offer_id,
            org_id=org_id,
            expires_at=now + timedelta(seconds=settings.access_token_ttl_seconds),
        )
    )
    return _token_answer(settings, token)


def _take_tx_try(session: Session, offer: Offer, max_attempts: int) -> int | None:
    """Count one tx_code try BEFORE comparing the code, in one conditional UPDATE.

    The row is locked (PostgreSQL) or the database is (SQLite) until the transaction ends, so
    parallel guesses never read the same count: at most ``max_attempts`` codes are ever
    compared, then the offer is dead. None when no try is left (or the offer is gone).
    """
    return session.execute(
        update(Offer)
        .where(
            Offer.id == offer.id,
            Offer.state == OfferState.PENDING,
            Offer.tx_attempts < max_attempts,
        )
        .values(tx_attempts=Offer.tx_attempts + 1)
        .returning(Offer.tx_attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()


class TokenFailure(Exception):
    """An OAuth error whose side effects (a counted tx_code try) must be committed."""

    def __init__(self, error: Oid4vciError) -> None:
        super().__init__(error.detail)
        self.error = error


# --------------------------------------------------------------------------- nonce


#: expired used-nonce records are deleted at most this often per process and database
#: (not at every request); an expired nonce is refused by its own expiry meanwhile
NONCE_PURGE_EVERY = timedelta(minutes=1)
_next_nonce_purge: dict[str, datetime] = {}
_NONCE_BODY = 24  # expiry (8 bytes, seconds since the epoch) and 16 random bytes
_NONCE_MAC = 16


def _nonce_mac(master_secret: bytes, slug: str, body: bytes) -> bytes:
    label = f"c-nonce:{slug}:".encode()
    return hmac.new(master_secret, label + body, hashlib.sha256).digest()[:_NONCE_MAC]


def new_nonce(master_secret: bytes, settings: IssuerSettings, slug: str, now: datetime) -> str:
    """A ``c_nonce`` (OpenID4VCI 1.0 §7) that needs no database: its expiry and 16 random
    bytes, MACed with the master secret for this organisation, so that every instance can
    check it; its single use is recorded when a proof uses it (:func:`consume_nonce`)."""
    expires = int((now + timedelta(seconds=settings.nonce_ttl_seconds)).timestamp())
    body = expires.to_bytes(8, "big") + secrets.token_bytes(16)
    return b64url_encode(body + _nonce_mac(master_secret, slug, body))


def _nonce_expiry(
    master_secret: bytes, org: Organisation, nonce: str, now: datetime
) -> datetime | None:
    """When ``nonce`` expires, if this issuer made it for ``org`` and it has not expired
    (no database: its MAC and its expiry); else None."""
    try:
        raw = b64url_decode(nonce) if len(nonce) <= 64 else b""
    except VcError:
        return None
    if len(raw) != _NONCE_BODY + _NONCE_MAC:
        return None
    body, mac = raw[:_NONCE_BODY], raw[_NONCE_BODY:]
    if not hmac.compare_digest(mac, _nonce_mac(master_secret, org.slug, body)):
        return None
    expires_at = datetime.fromtimestamp(int.from_bytes(body[:8], "big"), UTC)
    return expires_at if expires_at > now else None


def _usable_nonce(
    session: Session,
    settings: IssuerSettings,
    master_secret: bytes,
    org: Organisation,
    nonce: str,
    now: datetime,
) -> datetime | None:
    """:func:`_nonce_expiry`; for a nonce that passes, the expired used-nonce records are
    first deleted, at most once per :data:`NONCE_PURGE_EVERY` (not at every request)."""
    expires_at = _nonce_expiry(master_secret, org, nonce, now)
    if expires_at is None:
        return None
    due = _next_nonce_purge.get(settings.database_url)
    if due is None or now >= due:
        _next_nonce_purge[settings.database_url] = now + NONCE_PURGE_EVERY
        session.execute(delete(Nonce).where(Nonce.expires_at <= now))
    return expires_at


def consume_nonce(
    session: Session,
    settings: IssuerSettings,
    master_secret: bytes,
    org: Organisation,
    nonce: str,
    now: datetime,
) -> bool:
    """True once for a nonce this issuer made for ``org``, unexpired: its use is recorded
    (``nonces`` holds the used ones until they expire), so a second use is refused."""
    expires_at = _usable_nonce(session, settings, master_secret, org, nonce, now)
    if expires_at is None:
        return False
    used = session.execute(  # RETURNING: the row, when this use was the first
        _use_nonce_statement(session),
        {"nonce_hash": _sha256(nonce), "org_id": org.id, "expires_at": expires_at},
    ).first()
    return used is not None


def _nonce_and_index_statement() -> Any:
    """PostgreSQL: the nonce's use recorded and, when it was the first, a status index taken
    in the newest lists, in one statement: ``WITH used AS (INSERT INTO nonces … ON CONFLICT
    DO NOTHING RETURNING …), taken AS (INSERT INTO status_allocations SELECT … WHERE EXISTS
    (SELECT FROM used) … RETURNING seq) SELECT (count of used), (seq of taken)``."""
    nonces = cast(Table, Nonce.__table__)
    used = (
        postgresql.insert(nonces)
        .values(
            nonce_hash=bindparam("nonce_hash", type_=String),
            org_id=bindparam("org_id"),
            expires_at=bindparam("expires_at", type_=UtcDateTime),
        )
        .on_conflict_do_nothing(index_elements=["nonce_hash"])
        .returning(nonces.c.nonce_hash)
        .cte("used")
    )
    taken = allocation_in_newest(
        postgresql.insert(cast(Table, StatusAllocation.__table__)),
        exists(select(used.c.nonce_hash)),
    ).cte("taken")
    return (
        select(
            select(func.count()).select_from(used).scalar_subquery().label("used"),
            select(taken.c.seq).scalar_subquery().label("seq"),
        )
        .add_cte(used)
        .add_cte(taken)  # data-modifying WITH clauses must be at the top level
    )


#: built once (the values bound at execution)
_NONCE_AND_INDEX = _nonce_and_index_statement()


def consume_nonce_taking_index(
    session: Session,
    settings: IssuerSettings,
    master_secret: bytes,
    org: Organisation,
    nonce: str,
    now: datetime,
    credential_id: str,
) -> tuple[bool, tuple[int, int] | None]:
    """:func:`consume_nonce`, and on PostgreSQL in the same statement (one round trip, not
    two) the status index of the credential ``credential_id`` when the nonce was fresh: its
    (seq, idx), or None (another database, a taken index, lists to create: then
    :func:`issuer.service.status.allocate_index` takes one). An index taken for a request
    that fails afterwards is rolled back with it, as the nonce's use is."""
    if session.get_bind().dialect.name != "postgresql":
        return consume_nonce(session, settings, master_secret, org, nonce, now), None
    expires_at = _usable_nonce(session, settings, master_secret, org, nonce, now)
    if expires_at is None:
        return False, None
    idx = secrets.randbelow(LIST_SIZE)
    found = session.execute(
        _NONCE_AND_INDEX,
        {
            "nonce_hash": _sha256(nonce),
            "org_id": org.id,
            "expires_at": expires_at,
            "idx": idx,
            "credential_id": credential_id,
        },
    ).one()
    if not found.used:
        return False, None
    return True, None if found.seq is None else (int(found.seq), idx)


#: the INSERT … ON CONFLICT DO NOTHING RETURNING recording a nonce's use, by dialect: built
#: once on the Core table (no ORM bulk-insert mode), the values bound at execution
_USE_NONCE: dict[str, Any] = {}


def _use_nonce_statement(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    statement = _USE_NONCE.get(dialect)
    if statement is None:
        table = Nonce.__table__
        statement = (
            insert_for(session, table)
            .on_conflict_do_nothing(index_elements=["nonce_hash"])
            .returning(table.c.nonce_hash)
        )
        _USE_NONCE[dialect] = statement
    return statement


# --------------------------------------------------------------------------- credential


@dataclass(frozen=True)
class CredentialGrant:
    """What the credential endpoint needs, read in one query: the organisation, the offer
    the access token grants, its achievement, the credentials already issued for it, and the
    organisation's active signing key: objects read for their values, out of the session
    (:func:`_detached`)."""

    org: Organisation
    offer: Offer
    achievement: AchievementRow | None
    issued: tuple[IssuedCredential, ...]
    signing_key: OrgKey | None


#: the entities :func:`load_grant` reads, in the order of its row's columns
_GRANT_ENTITIES: tuple[type[Any], ...] = (
    Organisation,
    OrgKey,
    AccessToken,
    Offer,
    AchievementRow,
    IssuedCredential,
)


def _grant_statement() -> tuple[Any, tuple[tuple[type[Any], tuple[str, ...], slice], ...]]:
    """The one read of :func:`load_grant` on the Core tables (plain rows: no ORM loading,
    no identity map), and where each entity's columns are in its row."""
    tables = [cast(Table, entity.__table__) for entity in _GRANT_ENTITIES]
    org, key, access, offer, achievement, issued = tables
    layout = []
    columns: list[Any] = []
    for table, entity in zip(tables, _GRANT_ENTITIES, strict=True):
        # its primary key first (NOT NULL: NULL there is an outer join that found nothing)
        ordered = [*table.primary_key.columns, *(c for c in table.columns if not c.primary_key)]
        names = tuple(column.key for column in ordered)
        layout.append((entity, names, slice(len(columns), len(columns) + len(names))))
        columns += [column.label(f"{table.name}_{column.key}") for column in ordered]
    statement = (
        select(*columns)
        .select_from(org)
        .outerjoin(key, and_(key.c.org_id == org.c.id, key.c.active.is_(True)))
        .outerjoin(
            access,
            and_(
                access.c.token_hash == bindparam("token_hash", type_=String),
                access.c.org_id == org.c.id,
            ),
        )
        .outerjoin(offer, offer.c.id == access.c.offer_id)
        .outerjoin(achievement, achievement.c.id == offer.c.achievement_id)
        .outerjoin(issued, issued.c.offer_id == offer.c.id)
        .where(org.c.slug == bindparam("slug", type_=String))
    )
    return statement, tuple(layout)


#: built once (the values are bound at execution)
_GRANT, _GRANT_LAYOUT = _grant_statement()


def _detached(entity: type[Any], names: tuple[str, ...], values: Any) -> Any:
    """An object of ``entity`` holding ``values``, that the session never sees
    (:func:`servicekit.db.values_object`); None: an outer join that found nothing (a NULL
    primary key, the first value)."""
    if values[0] is None:
        return None
    return values_object(entity, zip(names, values, strict=True))


def _entities(row: Any, first: int = 0) -> list[Any]:
    """The row's entities from the ``first`` one on (see :func:`_detached`)."""
    return [_detached(entity, names, row[span]) for entity, names, span in _GRANT_LAYOUT[first:]]


def load_grant(
    session: Session, slug: str, authorization: str | None, now: datetime
) -> CredentialGrant:
    """The organisation ``slug`` and what the bearer token grants, in one round trip (was
    six: organisation, token, offer, issued credentials twice, achievement; and the key);
    the errors are those of the reads one by one, in the same order."""
    scheme, _, token = (authorization or "").partition(" ")
    has_token = scheme.lower() in {"bearer", "dpop"} and bool(token)
    token_hash = _sha256(token.strip()) if has_token else ""
    rows = session.connection().execute(_GRANT, {"token_hash": token_hash, "slug": slug}).all()
    if not rows:
        raise Oid4vciError("invalid_request", f"no credential issuer {slug}", http_status=404)
    org, signing_key, access, offer, achievement, _ = _entities(rows[0])
    if not has_token:
        raise Oid4vciError("invalid_token", "an access token is required", http_status=401)
    if access is None or access.expires_at <= now:
        raise Oid4vciError(
            "invalid_token", "the access token is unknown or expired", http_status=401
        )
    if offer is None:
        raise Oid4vciError("invalid_token", "the access token has no offer", http_status=401)
    issued = {}
    for row in rows:
        (credential,) = _entities(row, 5)
        if credential is not None:
            issued[credential.id] = credential
    return CredentialGrant(org, offer, achievement, tuple(issued.values()), signing_key)


def _bound_thumbprint(row: IssuedCredential, resolver: DidResolver) -> str | None:
    """The JWK thumbprint of the key an issued credential is bound to (None: not found)."""
    try:
        if row.format == "dc+sd-jwt":
            cnf = parse_jws(row.document.split("~", 1)[0]).payload.get("cnf")
            jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
            return jwk_thumbprint(PublicKey.from_jwk(jwk)) if jwk is not None else None
        if row.subject_id:
            method = resolver.verification_method(verification_method_id(row.subject_id))
            return jwk_thumbprint(method.public_key)
    except VcError:
        return None
    return None


def _check_same_holder(
    resolver: DidResolver, issued: tuple[IssuedCredential, ...], key: PublicKey
) -> None:
    """Every credential of one offer goes to the key its first credential went to.

    The access token is a bearer token (§6.2): whoever copies it could otherwise ask for the
    offer's other formats bound to their own key. Our policy, in docs/threat-model.md.
    """
    bound = {_bound_thumbprint(row, resolver) for row in issued}
    if bound and jwk_thumbprint(key) not in bound:
        raise Oid4vciError(
            "invalid_proof",
            "this offer's credentials were issued to another key: prove possession of that key",
        )


def issue_from_request(
    session: Session,
    settings: IssuerSettings,
    store: IssuerKeyStore,
    resolver: DidResolver,
    grant: CredentialGrant,
    org_base: str,
    body: Any,
    now: datetime,
    *,
    master_secret: bytes,
) -> dict[str, Any]:
    """Credential endpoint (§8): check the request and proof, then issue."""
    org, offer = grant.org, grant.offer
    request = parse_credential_request(body, allow_single_proof=settings.accept_single_proof)
    config_id = request.configuration_id or request.credential_identifier
    assert config_id is not None  # parse_credential_request guarantees one of them
    if config_id not in offer.configuration_ids:
        if request.credential_identifier is not None:
            raise Oid4vciError("unknown_credential_identifier", f"{config_id} was not granted")
        raise Oid4vciError(
            "unknown_credential_configuration", f"{config_id} is not part of this offer"
        )
    parsed = split_configuration_id(config_id)
    if parsed is None:
        raise Oid4vciError("unknown_credential_configuration", f"{config_id} is unknown")
    slug, fmt = parsed
    if any(row.configuration_id == config_id for row in grant.issued):
        raise Oid4vciError("credential_request_denied", f"{config_id} has already been issued")
    credential_uuid = uuid.uuid4()
    taken: list[tuple[int, int] | None] = [None]

    def use_nonce(nonce: str) -> bool:
        fresh, taken[0] = consume_nonce_taking_index(
            session, settings, master_secret, org, nonce, now, credential_uuid.hex
        )
        return fresh

    proof = validate_proof_jwt(
        request.proof_jwts[0],
        audience=org_base,
        nonces=use_nonce,
        now=now,
        max_age=timedelta(seconds=settings.proof_max_age_seconds),
        algorithms=PROOF_ALGS,
        resolver=resolver,
    )
    _check_same_holder(resolver, grant.issued, proof.holder_key)
    achievement = grant.achievement
    if achievement is None or achievement.slug != slug:
        raise Oid4vciError("unknown_credential_configuration", f"{config_id} is unknown")
    holder = Holder(did=proof.holder_did, jwk=proof.jwk)
    if fmt == "dc+sd-jwt":
        holder = Holder(did=None, jwk=proof.jwk)
    signer = None if grant.signing_key is None else signer_for(store, org, grant.signing_key)
    # no SAVEPOINT: a failure here rolls the whole request back (its nonce use included)
    try:
        row = issue_credential(
            session,
            store,
            org,
            org_base,
            achievement,
            fmt=fmt,
            recipient_name=offer.recipient_name,
            recipient_email=offer.recipient_email,
            name_in_clear=offer.name_in_clear,
            subject=SubjectIn.model_validate(offer.subject),
            language=offer.language,
            holder=holder,
            now=now,
            actor=f"offer:{offer.id[:8]}",
            offer_id=offer.id,
            configuration_id=config_id,
            status_purposes=purposes_for(
                settings.ob3_status_purposes, suspendable=offer.status_purpose == "suspension"
            ),
            signer=signer,
            credential_uuid=credential_uuid,
            status_index=taken[0],
        )
    except IntegrityError as err:  # the same configuration issued at once by another request
        raise Oid4vciError(
            "credential_request_denied", f"{config_id} has already been issued"
        ) from err
    return {"credentials": [{"credential": credential_value(row)}]}
