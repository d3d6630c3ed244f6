"""Build, sign and record one OB 3.0 credential in ldp_vc, jwt_vc_json or dc+sd-jwt.

The issuer is the organisation's DID (did:web, or did:key in development). The recipient's
name goes into ``credentialSubject.identifier`` as an OB 3.0 ``IdentityObject``
(``identityType`` ``name``): salted and hashed in ldp_vc and jwt_vc_json, whose contents
are all sent to every verifier, unless the offer asks for the name in clear; in clear in
dc+sd-jwt, where the holder chooses whether to disclose it. An email, when given, is always
salted and hashed (``emailAddress``), as OB 3.0 §"IdentityObject" recommends for personal
identifiers (shared.model.identity).
The holder's key, proven over OpenID4VCI, becomes ``credentialSubject.id`` (its DID), and
for SD-JWT also the ``cnf`` claim.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from issuer.db.models import Achievement as AchievementRow
from issuer.db.models import IssuedCredential, Organisation
from issuer.schemas import SubjectIn
from issuer.service.achievements import to_ob3
from issuer.service.keys import IssuerKeyStore, OrgSigner, active_signer
from issuer.service.results import check_results, is_rating, rating_valid_until
from issuer.service.status import (
    PURPOSES,
    SUPERSESSION,
    allocate_index,
    status_entries,
    status_json,
    supersede_previous,
)
from servicekit import metrics
from servicekit.db import values_object
from shared.errors import InvalidInputError
from shared.model import (
    AchievementSubject,
    Evidence,
    IdentifierEntry,
    IdentityObject,
    Profile,
    Result,
    build_achievement_credential,
)
from shared.model.base import as_list
from shared.model.cec import association_identifiers, role_label
from shared.model.identity import hashed_identity
from shared.model.vcdm2 import VC_V2, require_conforming_credential
from shared.proofs.data_integrity import RDFC, add_proof
from shared.proofs.sd_jwt_vc import issue_ob3_sd_jwt_vc
from shared.proofs.vc_jwt import envelope_vc_jwt, sign_vc_jwt

VC_JWT = "vc+jwt"


@dataclass(frozen=True)
class Holder:
    """The proven holder: a DID for credentialSubject.id, a JWK for SD-JWT cnf."""

    did: str | None
    jwk: dict[str, str] | None = None


#: :func:`issuer_profile`'s answers by the organisation's values they are made of (read
#: with each credential): changed values are another key; the models are frozen
_PROFILES: dict[tuple[Any, ...], Profile] = {}
_PROFILES_MAX = 256


def issuer_profile(org: Organisation) -> Profile:
    """The issuer as each credential names it; an association's CEC facts (RNA, SIREN or
    SIRET, declaration date, field) as OB 3.0 ``otherIdentifier`` entries (shared.model.cec).
    Built once per process for the same values."""
    key = (
        org.did,
        org.name,
        org.url,
        org.email,
        org.rna,
        org.siren,
        org.declared_on,
        org.activity_field,
    )
    found = _PROFILES.get(key)
    if found is None:
        entries = association_identifiers(
            rna=org.rna, siren=org.siren, declared_on=org.declared_on, field=org.activity_field
        )
        found = Profile(
            id=org.did,
            name=org.name,
            url=org.url,
            email=org.email,
            other_identifier=[IdentifierEntry.model_validate(e) for e in entries] or None,
        )
        if len(_PROFILES) >= _PROFILES_MAX:
            _PROFILES.clear()
        _PROFILES[key] = found
    return found


def build_subject(
    achievement_row: AchievementRow,
    org_base: str,
    subject: SubjectIn,
    *,
    recipient_name: str,
    recipient_email: str | None,
    holder_did: str | None,
    language: str = "fr",
    name_in_clear: bool = False,
) -> AchievementSubject:
    from issuer.service.achievements import achievement_url

    name = (
        IdentityObject(hashed=False, identity_hash=recipient_name, identity_type="name")
        if name_in_clear
        else IdentityObject(**hashed_identity(recipient_name, "name"))
    )
    identifiers = [name]
    if recipient_email:
        identifiers.append(IdentityObject(**hashed_identity(recipient_email, "emailAddress")))
    descriptions = achievement_row.content.get("result_descriptions", [])
    check_results(descriptions, subject)  # before writing any value out
    known = {rd["id"] for rd in descriptions}
    results = []
    url = achievement_url(org_base, achievement_row.slug)
    for rd_id, value in subject.results.items():
        if rd_id not in known:
            raise InvalidInputError(
                f"result {rd_id!r} is not described by achievement {achievement_row.slug}"
            )
        if not Decimal(value).is_finite():
            raise InvalidInputError(f"result {rd_id!r} must be a finite number")
        text = format(Decimal(value).normalize(), "f")
        results.append(Result(result_description=f"{url}#result-{rd_id}", value=text))
    try:
        return AchievementSubject(
            id=holder_did,
            identifier=identifiers,
            role=role_label(subject.cec_role, language) if subject.cec_role else subject.role,
            activity_start_date=subject.activity_start_date,
            activity_end_date=subject.activity_end_date,
            narrative=subject.narrative,
            result=results or None,
        )
    except ValueError as err:
        raise InvalidInputError(f"the subject data is not valid: {err}") from err


def sign_document(
    doc: dict[str, Any], fmt: str, signer: OrgSigner, holder: Holder, now: datetime
) -> str:
    """The signed credential as text: JSON for ldp_vc, compact JWT / SD-JWT otherwise."""
    require_conforming_credential(doc)  # nothing signed that VC DM 2.0 forbids
    if fmt == "ldp_vc":
        return json.dumps(
            add_proof(doc, signer.key.sign, signer.kid, created=now), ensure_ascii=False
        )
    if fmt == "jwt_vc_json":
        return sign_vc_jwt(doc, signer.key, signer.kid, profile="jwt_vc_json")
    if fmt == "dc+sd-jwt":
        return issue_ob3_sd_jwt_vc(
            doc, issuer_key=signer.key, kid=signer.kid, holder_jwk=holder.jwk, issued_at=now
        )
    raise InvalidInputError(f"format {fmt!r} is not issued here")


#: the INSERT of an issued credential, built once on the Core table (values bound at execution)
_INSERT_ISSUED = insert(cast(Table, IssuedCredential.__table__))


def issue_credential(
    session: Session,
    store: IssuerKeyStore,
    org: Organisation,
    org_base: str,
    achievement_row: AchievementRow,
    *,
    fmt: str,
    recipient_name: str,
    recipient_email: str | None,
    subject: SubjectIn,
    language: str,
    holder: Holder,
    now: datetime,
    actor: str,
    offer_id: str | None = None,
    configuration_id: str | None = None,
    with_status: bool = True,
    status_purposes: tuple[str, ...] = ("revocation",),
    name_in_clear: bool = False,
    signer: OrgSigner | None = None,
    credential_uuid: uuid.UUID | None = None,
    status_index: tuple[int, int] | None = None,
) -> IssuedCredential:
    """Allocate a status index, build, sign and record one credential; the name is hashed
    unless ``name_in_clear`` or the format lets the holder withhold it (dc+sd-jwt).
    ``signer``: the organisation's active key, when the caller read it already;
    ``status_index``: the (seq, idx) the caller allocated already for ``credential_uuid``."""
    cred_uuid = credential_uuid or uuid.uuid4()
    row_id = cred_uuid.hex
    achievement = to_ob3(org_base, achievement_row, language)
    descriptions = achievement_row.content.get("result_descriptions", [])
    rating = is_rating(descriptions, subject)
    if rating:
        status_purposes = (SUPERSESSION,)  # a newer rating replaces this one (status.py)
    entries = None
    seq = idx = None
    if with_status:
        seq, idx = status_index or allocate_index(session, org, row_id, now)
        entries = status_entries(org_base, seq, idx, status_purposes)
    subject_model = build_subject(
        achievement_row,
        org_base,
        subject,
        recipient_name=recipient_name,
        recipient_email=recipient_email,
        holder_did=holder.did,
        language=language,
        name_in_clear=name_in_clear or fmt == "dc+sd-jwt",
    )
    doc = build_achievement_credential(
        issuer_profile(org),
        achievement,
        subject_model,
        credential_id=f"urn:uuid:{cred_uuid}",
        valid_from=now,
        # a rating holds for a while after its period (issuer.service.results)
        valid_until=rating_valid_until(descriptions, subject),
        name=achievement.name,
        description=achievement.description,
        awarded_date=now,
        status=None,
        evidence=[Evidence(**e.model_dump(exclude_none=True)) for e in subject.evidence],
    )
    if entries is not None:
        doc["credentialStatus"] = status_json(entries)
    if signer is None:
        signer = active_signer(session, store, org)
    text = sign_document(doc, fmt, signer, holder, now)
    values: dict[str, Any] = {
        "id": row_id,
        "org_id": org.id,
        "offer_id": offer_id,
        "achievement_id": achievement_row.id,
        "configuration_id": configuration_id,
        "format": fmt,
        "subject_id": holder.did,
        "recipient_name": recipient_name,
        "document": text,
        "status_seq": seq,
        "status_index": idx,
        "revoked": False,
        "suspended": False,
        "status_purposes": ",".join(status_purposes) if with_status else None,
        "issued_at": now,
        "issued_by": actor,
    }
    # one row: the Core INSERT, not the unit of work's flush (the row object is returned
    # for its values, not attached to the session)
    session.execute(_INSERT_ISSUED, values)
    row = values_object(IssuedCredential, values.items())
    if rating and with_status:
        supersede_previous(session, org, row, actor=actor, now=now)
    metrics.credential_issued(fmt)
    return row


def credential_value(row: IssuedCredential) -> Any:
    """The credential as the credential endpoint returns it: an object or a string."""
    return json.loads(row.document) if row.format == "ldp_vc" else row.document


def sign_vc_api_credential(
    session: Session,
    store: IssuerKeyStore,
    org: Organisation,
    org_base: str,
    credential: dict[str, Any],
    *,
    with_status: bool,
    now: datetime,
    actor: str,
    securing: str = RDFC,
) -> tuple[IssuedCredential, dict[str, Any]]:
    """VC-API issue: sign a caller-built credential as the organisation.

    ``securing`` is a Data Integrity cryptosuite (``eddsa-rdfc-2022``, ``eddsa-jcs-2022``)
    or ``vc+jwt``: then the credential is a VC-JOSE-COSE §3.1.1 token, returned as an
    ``EnvelopedVerifiableCredential`` (VC DM 2.0 §4.13.1).
    """
    doc = dict(credential)
    if "proof" in doc:
        raise InvalidInputError("the credential to issue must not carry a proof")
    # An absent issuer is the organisation's; a present one (null included) is checked.
    doc.setdefault("issuer", org.did)
    cred_uuid = uuid.uuid4()
    doc.setdefault("id", f"urn:uuid:{cred_uuid}")
    doc.setdefault("validFrom", now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    # VC DM 2.0 §4: refused (400, naming the rule) before a status index is taken
    require_conforming_credential(doc)
    if securing == VC_JWT and as_list(doc.get("@context"))[:1] != [VC_V2]:
        # VC-JOSE-COSE §3.1.1: vc+jwt secures VC Data Model 2.0 credentials
        raise InvalidInputError(
            "options.format application/vc+jwt secures VC Data Model 2.0 credentials "
            f"only: the first @context must be {VC_V2}",
            option="format",
        )
    issuer = doc["issuer"]
    if (issuer.get("id") if isinstance(issuer, dict) else issuer) != org.did:
        raise InvalidInputError(f"issuer must be {org.did} (the organisation's DID)")
    seq = idx = None
    if with_status:
        seq, idx = allocate_index(session, org, cred_uuid.hex, now)
        entries = [e.to_json() for e in status_entries(org_base, seq, idx)]
        existing = doc.get("credentialStatus")
        prior = existing if isinstance(existing, list) else ([existing] if existing else [])
        doc["credentialStatus"] = [*prior, *entries]
    signer = active_signer(session, store, org)
    if securing == VC_JWT:
        token = sign_vc_jwt(doc, signer.key, signer.kid, profile="vc+jwt")
        signed, stored = envelope_vc_jwt(token), token
    else:
        signed = add_proof(doc, signer.key.sign, signer.kid, created=now, cryptosuite=securing)
        stored = json.dumps(signed, ensure_ascii=False)
    subject = doc.get("credentialSubject")
    row = IssuedCredential(
        id=cred_uuid.hex,
        org_id=org.id,
        format=VC_JWT if securing == VC_JWT else "ldp_vc",
        subject_id=subject.get("id") if isinstance(subject, dict) else None,
        document=stored,
        status_seq=seq,
        status_index=idx,
        revoked=False,
        suspended=False,
        status_purposes=",".join(PURPOSES) if with_status else None,
        issued_at=now,
        issued_by=actor,
    )
    session.add(row)
    session.flush()
    metrics.credential_issued("ldp_vc")
    return row, signed
