"""Receiving: an OpenID4VCI 1.0 client for the pre-authorized code flow.

Implements the wallet side of OpenID4VCI 1.0 (Final): §4.1 Credential Offer (by value and by
reference), §12.2 issuer metadata (``credential_issuer`` must equal the offer's, byte for
byte), RFC 8414 authorization server metadata, §6 Token Request (``pre-authorized_code``,
``tx_code``, RFC 8707 ``resource``, no ``client_id``), §7 Nonce Endpoint, §8 Credential
Request with a ``jwt`` key proof (Appendix F.1), and RFC 9449 DPoP on the token and
credential requests when the authorization server requires it (a key per offer, server
nonces, ``ath``). What arrives is verified with the shared ``verify_credential()`` before
anything is stored; each credential of an offer is kept or reported on its own. Every
request goes through the fetcher.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.orm import Session

from shared.encoding.json_limits import parse_json
from shared.errors import (
    InvalidInputError,
    NotFoundError,
    OfferExpiredError,
    OfferUnknownError,
    OfferUsedError,
    UpstreamError,
    VcError,
)
from shared.keys.keypair import PrivateKey
from shared.net.fetch import HttpFetcher, HttpResponse
from shared.protocols.dpop import (
    DPOP_ALGS,
    DPOP_HEADER,
    DPOP_NONCE_HEADER,
    USE_DPOP_NONCE,
    build_dpop_proof,
    choose_dpop_alg,
    header_value,
    wants_new_nonce,
)
from shared.protocols.oid4vci import (
    PRE_AUTHORIZED_GRANT,
    CredentialOffer,
    build_proof_jwt,
    parse_credential_offer,
    well_known_url,
)
from shared.verify.context import VerifyContext
from wallet.db.models import PendingExchange
from wallet.errors import OfferRefusedError, TxCodeWrongError
from wallet.service import history, identities, trust
from wallet.service.accounts import Principal, new_id, now
from wallet.service.identities import HolderKey
from wallet.service.importing import bound_identity, check_size, verify_for_storage
from wallet.service.states import PendingKind
from wallet.service.storage import CredentialView, store_credential, summarize

OFFER_SCHEMES = ("openid-credential-offer", "haip")
ALG_KEY_TYPES = {"EdDSA": "Ed25519", "Ed25519": "Ed25519", "ES256": "P-256"}


# --------------------------------------------------------------------------- offer


def parse_offer_link(link: str) -> tuple[dict[str, Any] | None, str | None]:
    """(offer by value, offer URI) from a link, a wallet ``/receive`` URL or offer JSON."""
    text = link.strip()
    if text.startswith("{"):
        try:
            return parse_json(text), None
        except InvalidInputError as err:
            raise InvalidInputError(f"the offer is not JSON: {err.detail}") from err
    parts = urlsplit(text)
    if not parts.scheme:
        raise InvalidInputError("that is not a credential offer link")
    params = parse_qs(parts.query)
    if "credential_offer" in params:
        try:
            return parse_json(params["credential_offer"][0]), None
        except InvalidInputError as err:
            raise InvalidInputError("credential_offer is not JSON") from err
    if "credential_offer_uri" in params:
        return None, params["credential_offer_uri"][0]
    if parts.scheme in OFFER_SCHEMES:
        raise InvalidInputError(
            "the offer link has neither credential_offer nor credential_offer_uri"
        )
    # a bare URL: the offer itself is served there
    return None, text


# Problem codes an issuer answers on its credential_offer_uri (ours: issuer/service/oid4vci.py)
_OFFER_GONE: dict[str, type[VcError]] = {
    "offer-used": OfferUsedError,
    "offer-expired": OfferExpiredError,
}


def fetch_offer_by_reference(fetcher: HttpFetcher, uri: str) -> Any:
    """§4.1.3: GET the offer; a 404 is an unknown offer, a 410 a used or expired one."""
    # refuses file://, private addresses, http outside dev
    resp = fetcher.request(
        "GET", uri, headers={"Accept": "application/json"}, accept_status=(200, 404, 410)
    )
    if resp.status == 404:
        raise OfferUnknownError(f"{uri} knows no such offer")
    if resp.status == 410:
        try:
            body = resp.json()
        except InvalidInputError:
            body = {}
        code = str(body.get("type", "") if isinstance(body, dict) else "").rpartition("#")[2]
        raise _OFFER_GONE.get(code, OfferExpiredError)(f"{uri}: the offer can no longer be used")
    return resp.json()


def resolve_offer(fetcher: HttpFetcher, link: str) -> CredentialOffer:
    value, uri = parse_offer_link(link)
    if uri is not None:
        value = fetch_offer_by_reference(fetcher, uri)
    try:
        return parse_credential_offer(value)
    except InvalidInputError as err:
        raise OfferRefusedError(f"the credential offer is not valid: {err.detail}") from err


def fetch_issuer_metadata(fetcher: HttpFetcher, issuer: str) -> dict[str, Any]:
    """§12.2.2: GET the well-known metadata; its ``credential_issuer`` must equal ours."""
    metadata = fetcher.fetch_json(well_known_url(issuer, "openid-credential-issuer"))
    if not isinstance(metadata, dict):
        raise OfferRefusedError("the issuer metadata is not a JSON object")
    if metadata.get("credential_issuer") != issuer:
        # §12.2.4: "MUST be identical to the Credential Issuer's identifier"
        raise OfferRefusedError(
            "the issuer metadata names another credential_issuer than the offer "
            f"({metadata.get('credential_issuer')!r} ≠ {issuer!r})"
        )
    if not isinstance(metadata.get("credential_endpoint"), str):
        raise OfferRefusedError("the issuer metadata has no credential_endpoint")
    if not isinstance(metadata.get("credential_configurations_supported"), dict):
        raise OfferRefusedError("the issuer metadata has no credential_configurations_supported")
    return metadata


def fetch_authorization_server(
    fetcher: HttpFetcher, issuer_metadata: dict[str, Any], offer: CredentialOffer
) -> dict[str, Any]:
    """RFC 8414 metadata of the authorization server that redeems the pre-authorized code."""
    grant = offer.raw.get("grants", {}).get(PRE_AUTHORIZED_GRANT, {})
    servers = issuer_metadata.get("authorization_servers") or [offer.credential_issuer]
    chosen = grant.get("authorization_server") if isinstance(grant, dict) else None
    server = chosen if isinstance(chosen, str) and chosen in servers else servers[0]
    errors = []
    for url in (
        well_known_url(server, "oauth-authorization-server"),
        server.rstrip("/") + "/.well-known/openid-configuration",
    ):
        try:
            metadata = fetcher.fetch_json(url)
        except UpstreamError as err:
            errors.append(err.detail)
            continue
        if isinstance(metadata, dict) and metadata.get("issuer") == server:
            return metadata
        errors.append(f"{url} names issuer {metadata.get('issuer')!r}, not {server!r}")
    if server == offer.credential_issuer and isinstance(issuer_metadata.get("token_endpoint"), str):
        return {"issuer": server, "token_endpoint": issuer_metadata["token_endpoint"]}
    raise OfferRefusedError("the authorization server metadata is unusable: " + "; ".join(errors))


def _display(entries: Any, lang: str) -> dict[str, Any]:
    if not isinstance(entries, list):
        return {}
    items = [e for e in entries if isinstance(e, dict)]
    for entry in items:
        if str(entry.get("locale", "")).lower().startswith(lang):
            return entry
    return items[0] if items else {}


def one_per_badge(config_ids: Iterable[str], configs: dict[str, Any]) -> list[str]:
    """The configurations to collect: one per badge.

    An offer may list the same badge in several formats (ldp_vc, jwt_vc_json, dc+sd-jwt); the
    person wants the badge once (and revoking it once must leave no copy that still verifies).
    Configurations with the same display entries are one badge; the first one the issuer
    lists is taken. Unknown configurations are kept, so preview_offer can refuse them.
    """
    seen: set[str] = set()
    chosen = []
    for cid in config_ids:
        config = configs.get(cid)
        meta = (config.get("credential_metadata") or config) if isinstance(config, dict) else {}
        display = meta.get("display") if isinstance(meta, dict) else None
        key = json.dumps(display, sort_keys=True) if display else f"id:{cid}"
        if key not in seen:
            seen.add(key)
            chosen.append(cid)
    return chosen


def preview_offer(
    session: Session, offer: CredentialOffer, metadata: dict[str, Any], lang: str = "fr"
) -> dict[str, Any]:
    """What the person sees before accepting: issuer, trust, credentials, tx_code."""
    configs = metadata["credential_configurations_supported"]
    items = []
    for cid in one_per_badge(offer.configuration_ids, configs):
        config = configs.get(cid)
        if not isinstance(config, dict):
            raise OfferRefusedError(
                f"the issuer does not describe credential configuration {cid!r}"
            )
        meta = config.get("credential_metadata") or config  # 1.0, or draft display at top level
        shown = _display(meta.get("display"), lang)
        claims = []
        for claim in meta.get("claims", []) if isinstance(meta.get("claims"), list) else []:
            if isinstance(claim, dict) and isinstance(claim.get("path"), list):
                label = _display(claim.get("display"), lang).get("name")
                claims.append(
                    {"path": claim["path"], "name": label or ".".join(map(str, claim["path"]))}
                )
        items.append(
            {
                "configuration_id": cid,
                "format": config.get("format"),
                "name": shown.get("name") or cid,
                "description": shown.get("description"),
                "claims": claims,
            }
        )
    issuer_display = _display(metadata.get("display"), lang)
    return {
        "credential_issuer": offer.credential_issuer,
        "issuer_name": issuer_display.get("name") or urlsplit(offer.credential_issuer).netloc,
        "trusted": trust.is_trusted(session, offer.credential_issuer),
        "credentials": items,
        "tx_code": offer.tx_code,
        "grant": "pre-authorized_code" if offer.pre_authorized_code else None,
    }


# --------------------------------------------------------------------------- pending


def open_offer(
    session: Session, who: Principal, fetcher: HttpFetcher, link: str, lang: str = "fr"
) -> dict[str, Any]:
    """Resolve an offer and keep it pending for the person's decision."""
    offer = resolve_offer(fetcher, link)
    if offer.pre_authorized_code is None:
        raise OfferRefusedError(
            "this offer needs the authorization code flow; Musette accepts pre-authorized offers"
        )
    metadata = fetch_issuer_metadata(fetcher, offer.credential_issuer)
    preview = preview_offer(session, offer, metadata, lang)
    pending_id = new_id()
    state = {"offer": offer.raw, "metadata": metadata, "preview": preview}
    session.add(
        PendingExchange(
            id=pending_id,
            account_id=who.account_id,
            kind=PendingKind.OFFER,
            created_at=now(),
            ct=who.vault.seal_json("pending", pending_id, state),
        )
    )
    return {"id": pending_id, **preview}


def load_pending(
    session: Session, who: Principal, pending_id: str, kind: PendingKind
) -> tuple[PendingExchange, dict[str, Any]]:
    row = session.get(PendingExchange, pending_id)
    if row is None or row.account_id != who.account_id or row.kind != kind:
        raise NotFoundError(f"no such pending {kind}")
    return row, who.vault.open_json("pending", row.id, row.ct)


def get_offer(session: Session, who: Principal, pending_id: str) -> dict[str, Any]:
    _, state = load_pending(session, who, pending_id, PendingKind.OFFER)
    return {"id": pending_id, **state["preview"]}


def decline_offer(session: Session, who: Principal, pending_id: str) -> None:
    row, _ = load_pending(session, who, pending_id, PendingKind.OFFER)
    session.delete(row)


# --------------------------------------------------------------------------- protocol


def _grant_refusal(error: str, text: str) -> type[VcError]:
    """The error a person can act on for an OAuth token error (used, expired, unknown, code)."""
    if error != "invalid_grant":
        return OfferRefusedError
    lowered = text.lower()
    if "too many" in lowered:
        return OfferRefusedError
    if "tx_code" in lowered:
        return TxCodeWrongError
    if "used" in lowered:
        return OfferUsedError
    if "expired" in lowered:
        return OfferExpiredError
    if "unknown" in lowered:
        return OfferUnknownError
    return OfferRefusedError


def _json_or_error(resp: HttpResponse, what: str) -> dict[str, Any]:
    try:
        body = resp.json()
    except InvalidInputError as err:
        raise OfferRefusedError(f"the {what} answer is not JSON") from err
    if not isinstance(body, dict):
        raise OfferRefusedError(f"the {what} answer is not a JSON object")
    if resp.status >= 400:
        error = body.get("error", "error")
        text = body.get("error_description") or ""
        # RFC 6749 §5.2 has one invalid_grant code; its description tells which case it is
        refusal = _grant_refusal(str(error), str(text))
        raise refusal(f"the issuer refused the {what}: {error} {text}".strip(), error=str(error))
    return body


@dataclass
class Dpop:
    """RFC 9449 for one offer: a key made for this exchange only (kept in memory while the
    offer is accepted, never stored) and the last ``DPoP-Nonce`` each server gave (the
    authorization server's and the credential issuer's nonces are separate, §8-9)."""

    key: PrivateKey
    nonces: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_server(cls, as_metadata: dict[str, Any]) -> Dpop | None:
        """A DPoP key when the server advertises ``dpop_signing_alg_values_supported``."""
        advertised = as_metadata.get("dpop_signing_alg_values_supported")
        alg = choose_dpop_alg(advertised)
        if advertised is not None and alg is None:
            raise OfferRefusedError(
                f"the issuer binds tokens with DPoP in {advertised}, which Musette cannot sign"
            )
        return cls(PrivateKey.generate(DPOP_ALGS[alg])) if alg else None

    def proof(self, method: str, url: str, access_token: str | None = None) -> str:
        return build_dpop_proof(
            self.key,
            method=method,
            url=url,
            issued_at=datetime.now(UTC),
            nonce=self.nonces.get(_origin(url)),
            access_token=access_token,
        )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _error_code(resp: HttpResponse) -> str | None:
    if resp.status < 400:
        return None
    try:
        body = resp.json()
    except InvalidInputError:
        return None
    return str(body.get("error")) if isinstance(body, dict) else None


def _send(
    fetcher: HttpFetcher,
    dpop: Dpop | None,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    access_token: str | None = None,
    **kwargs: Any,
) -> HttpResponse:
    """One request, with a DPoP proof when ``dpop``; asked for a nonce, once more with it."""
    for attempt in range(2):
        sent = dict(headers)
        if dpop is not None:
            sent[DPOP_HEADER] = dpop.proof(method, url, access_token)
        resp = fetcher.request(method, url, headers=sent, **kwargs)
        if dpop is None:
            return resp
        retry_nonce = wants_new_nonce(resp.status, resp.headers, _error_code(resp))
        fresh = header_value(resp.headers, DPOP_NONCE_HEADER)
        if fresh:  # RFC 9449 §8.2: a server may hand a new nonce in any answer
            dpop.nonces[_origin(url)] = fresh
        if retry_nonce is None or attempt:
            return resp
    return resp


def request_token(
    fetcher: HttpFetcher, as_metadata: dict[str, Any], offer: CredentialOffer, tx_code: str | None
) -> tuple[dict[str, Any], Dpop | None]:
    """§6.1 Token Request with the pre-authorized code (form-encoded, no client_id), with a
    DPoP proof (RFC 9449 §5) when the server advertises DPoP or asks for it."""
    endpoint = as_metadata.get("token_endpoint")
    if not isinstance(endpoint, str):
        raise OfferRefusedError("the authorization server has no token_endpoint")
    if offer.tx_code is not None and not tx_code:
        raise InvalidInputError(
            "this offer needs the transaction code (tx_code) the issuer sent you"
        )
    form = {
        "grant_type": PRE_AUTHORIZED_GRANT,
        "pre-authorized_code": str(offer.pre_authorized_code),
        "resource": offer.credential_issuer,  # RFC 8707: the credential issuer is the resource
    }
    if offer.tx_code is not None and tx_code:
        form["tx_code"] = tx_code
    dpop = Dpop.for_server(as_metadata)
    headers = {"Accept": "application/json"}
    resp = _send(
        fetcher, dpop, "POST", endpoint, headers=headers, data=form, accept_status=(200, 400)
    )
    if dpop is None and _error_code(resp) in {USE_DPOP_NONCE, "invalid_dpop_proof"}:
        # a server that requires DPoP without advertising it: the code is not spent yet
        dpop = Dpop(PrivateKey.generate(DPOP_ALGS["ES256"]))
        resp = _send(
            fetcher, dpop, "POST", endpoint, headers=headers, data=form, accept_status=(200, 400)
        )
    token = _json_or_error(resp, "token request")
    if not isinstance(token.get("access_token"), str):
        raise OfferRefusedError("the token response has no access_token")
    if str(token.get("token_type", "")).lower() == "dpop" and dpop is None:
        raise OfferRefusedError("the issuer answered a DPoP token to a request without DPoP")
    return token, dpop


def request_nonce(
    fetcher: HttpFetcher, metadata: dict[str, Any], token: dict[str, Any]
) -> str | None:
    """§7: a fresh ``c_nonce`` from the Nonce Endpoint (or the draft-era token response)."""
    endpoint = metadata.get("nonce_endpoint")
    if isinstance(endpoint, str):
        resp = fetcher.request(
            "POST", endpoint, headers={"Accept": "application/json"}, accept_status=(200, 400)
        )
        nonce = _json_or_error(resp, "nonce request").get("c_nonce")
        if not isinstance(nonce, str):
            raise OfferRefusedError("the nonce endpoint answered no c_nonce")
        return nonce
    nonce = token.get("c_nonce")
    return nonce if isinstance(nonce, str) else None


@dataclass(frozen=True)
class ProofPlan:
    identity: HolderKey
    use_jwk: bool


def plan_proof(
    session: Session, who: Principal, config: dict[str, Any], identity_id: str | None
) -> ProofPlan:
    """Which identity proves possession, and whether it is named by ``kid`` or ``jwk``."""
    methods = config.get("cryptographic_binding_methods_supported") or []
    algs = (config.get("proof_types_supported") or {}).get("jwt", {}).get(
        "proof_signing_alg_values_supported"
    ) or ["EdDSA", "ES256"]
    key_types = [ALG_KEY_TYPES[a] for a in algs if a in ALG_KEY_TYPES]
    if not key_types:
        raise OfferRefusedError(
            f"the issuer asks for key proofs in {algs}, which Musette cannot sign"
        )
    did_methods = [
        m.removeprefix("did:") for m in methods if isinstance(m, str) and m.startswith("did:")
    ]
    wanted_method = (
        next((m for m in ("jwk", "key") if m in did_methods), None) if did_methods else None
    )
    use_jwk = "jwk" in methods and not did_methods

    if identity_id:
        row = identities.get_identity(session, who, identity_id)
    else:
        row = identities.default_identity(session, who)
        method = row.did.split(":")[1]
        if row.key_type not in key_types or (wanted_method and method not in did_methods):
            candidates = [
                r
                for r in identities.list_identities(session, who)
                if r.pairwise_tag is None
                and r.key_type in key_types
                and (not did_methods or r.did.split(":")[1] in did_methods)
            ]
            row = (
                candidates[0]
                if candidates
                else identities.create_identity(
                    session, who, method=wanted_method or "jwk", key_type=key_types[0]
                )
            )
    if row.key_type not in key_types:
        raise OfferRefusedError(
            f"the issuer accepts {algs} key proofs; this identity is {row.key_type}"
        )
    return ProofPlan(identities.holder_key(who, row), use_jwk)


def request_credential(
    fetcher: HttpFetcher,
    metadata: dict[str, Any],
    token: dict[str, Any],
    configuration_id: str,
    plan: ProofPlan,
    nonce: str | None,
    dpop: Dpop | None = None,
) -> Any:
    """§8.2 Credential Request with one ``jwt`` proof; returns the first credential."""
    holder = plan.identity
    proof = build_proof_jwt(
        holder.key,
        audience=metadata["credential_issuer"],
        nonce=nonce,
        issued_at=datetime.now(UTC),
        kid=None if plan.use_jwk else holder.kid,
    )
    body: dict[str, Any] = {"proofs": {"jwt": [proof]}}
    identifiers = [
        ident
        for detail in token.get("authorization_details") or []
        if isinstance(detail, dict)
        and detail.get("credential_configuration_id") == configuration_id
        for ident in detail.get("credential_identifiers") or []
    ]
    if identifiers:
        body["credential_identifier"] = identifiers[0]
    else:
        body["credential_configuration_id"] = configuration_id
    access_token = str(token["access_token"])
    # RFC 9449 §7.1: a DPoP-bound token goes with the DPoP scheme and a proof holding its ath
    bound = dpop is not None and str(token.get("token_type", "")).lower() == "dpop"
    resp = _send(
        fetcher,
        dpop if bound else None,
        "POST",
        metadata["credential_endpoint"],
        json_body=body,
        headers={
            "Authorization": f"{'DPoP' if bound else 'Bearer'} {access_token}",
            "Accept": "application/json",
        },
        access_token=access_token,
        accept_status=(200, 202, 400),
    )
    answer = _json_or_error(resp, "credential request")
    if "transaction_id" in answer and "credentials" not in answer:
        raise OfferRefusedError(
            "the issuer deferred issuance; Musette does not support deferred issuance yet"
        )
    credentials = answer.get("credentials")
    if isinstance(credentials, list) and credentials and isinstance(credentials[0], dict):
        return credentials[0].get("credential")
    if "credential" in answer:  # draft-era single credential
        return answer["credential"]
    raise OfferRefusedError("the credential response carries no credential")


@dataclass(frozen=True)
class OfferFailure:
    """One credential of an offer that did not arrive, and why (a problem code and detail)."""

    configuration_id: str
    name: str
    code: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {
            "configuration_id": self.configuration_id,
            "name": self.name,
            "code": self.code,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class AcceptedOffer:
    """What an accepted offer gave: the credentials kept, and those that failed."""

    stored: list[CredentialView]
    failed: list[OfferFailure]


def _store_received(
    session: Session,
    who: Principal,
    ctx: VerifyContext,
    offer: CredentialOffer,
    preview: dict[str, Any],
    cid: str,
    credential: Any,
    *,
    sphere: str | None,
    tags: Iterable[str] | None,
    max_bytes: int,
) -> CredentialView:
    raw = credential if isinstance(credential, str) else json.dumps(credential, ensure_ascii=False)
    check_size(raw, max_bytes)
    report = verify_for_storage(raw, ctx)
    summary = summarize(
        report,
        sphere=sphere,
        tags=tags,
        source="offer",
        issuer_name=preview.get("issuer_name"),
        holder_identity=bound_identity(session, who, report),
    )
    summary["credential_issuer"] = offer.credential_issuer
    summary["configuration_id"] = cid
    summary["trusted_issuer"] = trust.is_trusted(session, offer.credential_issuer, report.issuer)
    view = store_credential(
        session, who, raw=raw, fmt=report.format, summary=summary, claims=report.credential
    )
    history.record(
        session,
        who,
        "received",
        {
            "issuer": offer.credential_issuer,
            "issuer_name": preview.get("issuer_name"),
            "credential_ids": [view.id],
            "title": summary["title"],
        },
    )
    return view


def accept_offer(
    session: Session,
    who: Principal,
    fetcher: HttpFetcher,
    ctx: VerifyContext,
    pending_id: str,
    *,
    tx_code: str | None = None,
    sphere: str | None = None,
    tags: Iterable[str] | None = None,
    identity_id: str | None = None,
    max_bytes: int,
) -> AcceptedOffer:
    """Run token → nonce → credential for each offered configuration; verify; store.

    Once the token is obtained the pre-authorized code is spent, so each credential is
    requested, verified and kept on its own: one that fails is reported in ``failed`` and
    the others are kept. When none arrives, the first failure is raised (and the offer stays
    pending, as before any credential was requested).
    """
    row, state = load_pending(session, who, pending_id, PendingKind.OFFER)
    offer = parse_credential_offer(state["offer"])
    metadata: dict[str, Any] = state["metadata"]
    preview: dict[str, Any] = state["preview"]
    names = {item["configuration_id"]: item["name"] for item in preview.get("credentials", [])}
    as_metadata = fetch_authorization_server(fetcher, metadata, offer)
    token, dpop = request_token(fetcher, as_metadata, offer, tx_code)
    configs = metadata["credential_configurations_supported"]
    stored: list[CredentialView] = []
    failed: list[OfferFailure] = []
    errors: list[VcError] = []
    for cid in one_per_badge(offer.configuration_ids, configs):
        try:
            plan = plan_proof(session, who, configs[cid], identity_id)
            nonce = request_nonce(fetcher, metadata, token)  # nonces are single use: one each
            credential = request_credential(fetcher, metadata, token, cid, plan, nonce, dpop)
            stored.append(
                _store_received(
                    session,
                    who,
                    ctx,
                    offer,
                    preview,
                    cid,
                    credential,
                    sphere=sphere,
                    tags=tags,
                    max_bytes=max_bytes,
                )
            )
        except VcError as err:
            errors.append(err)
            failed.append(OfferFailure(cid, str(names.get(cid) or cid), err.code, err.detail))
    if not stored and errors:
        raise errors[0]
    session.delete(row)
    return AcceptedOffer(stored, failed)


def receive(
    session: Session,
    who: Principal,
    fetcher: HttpFetcher,
    ctx: VerifyContext,
    link: str,
    *,
    tx_code: str | None = None,
    max_bytes: int,
    sphere: str | None = None,
) -> AcceptedOffer:
    """Open and accept in one go (command line, scripts)."""
    pending = open_offer(session, who, fetcher, link)
    return accept_offer(
        session,
        who,
        fetcher,
        ctx,
        pending["id"],
        tx_code=tx_code,
        max_bytes=max_bytes,
        sphere=sphere,
    )
