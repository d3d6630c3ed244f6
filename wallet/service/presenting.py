"""Presenting: an OpenID4VP 1.0 wallet (request resolution, DCQL, consent, direct_post).

Implements the wallet side of OpenID4VP 1.0 (July 2025): §5.10 ``request_uri`` (JAR,
RFC 9101), §5.9 client identifier prefixes ``redirect_uri:`` (unsigned requests; the response
goes back to that very URI), ``decentralized_identifier:`` (requests signed by a key of
the DID) and ``x509_san_dns:``/``x509_hash:`` (signed under an ``x5c`` chain to a configured
anchor, :mod:`wallet.service.x509_clients`), §6 DCQL (``shared.protocols.dcql``), §8.1
``vp_token`` (arrays per query id), §8.2 ``direct_post`` and §8.3.1 ``direct_post.jwt`` (the response encrypted, §8.3, to the key
the verifier puts in ``client_metadata.jwks``). Presentations are bound to the nonce and to the FULL client_id, prefix
included, as ``aud`` (VP JWT, KB-JWT) or ``domain`` (Data Integrity).
Nothing is sent unless the request is acceptable and the person consented.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.did import DidResolver
from shared.encoding.json_limits import parse_json
from shared.errors import InvalidInputError, NotFoundError, VcError
from shared.net.fetch import HttpFetcher
from shared.proofs.data_integrity import RDFC, add_proof
from shared.proofs.jose import check_jws_header, parse_jws, verify_jws
from shared.proofs.sd_jwt import (
    parse_disclosure,
    parse_sd_jwt,
    present_sd_jwt,
    process_disclosures,
)
from shared.proofs.vc_jwt import envelope_vc_jwt, sign_vp_jwt
from shared.protocols.dcql import candidate_from_credential, match_dcql, parse_dcql_query
from shared.protocols.oid4vp import (
    DIRECT_POST,
    DIRECT_POST_JWT,
    JSON_PARAMETERS,
    PREFIX_DECENTRALIZED_IDENTIFIER,
    PREFIX_REDIRECT_URI,
    PREFIX_X509_SAN_DNS,
    REQUEST_OBJECT_MEDIA_TYPE,
    decode_request_object,
)
from shared.protocols.response_encryption import encrypt_response, select_encryption_key
from shared.verify.context import VerifyContext
from wallet.db.models import PendingExchange
from wallet.errors import RequestRefusedError
from wallet.service import credential_status, history, identities, storage
from wallet.service.accounts import Principal, new_id, now
from wallet.service.identities import HolderKey
from wallet.service.pending_presentation import (
    CandidateCredential,
    ClaimChoice,
    CredentialSetView,
    Matching,
    PendingPresentation,
    QueryMatch,
    SetOption,
    VerifierView,
    as_matching,
    parse_selections,
)
from wallet.service.pending_presentation import ClaimPath as ClaimPath
from wallet.service.receiving import load_pending
from wallet.service.states import PendingKind
from wallet.service.vault import MasterKey
from wallet.service.x509_clients import X509_PREFIXES, verify_x509_request

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
REQUEST_SCHEMES = ("openid4vp", "haip", "eudi-openid4vp")
VP_LIFETIME = timedelta(minutes=5)


# --------------------------------------------------------------------------- request


def _params_of(link: str) -> dict[str, str]:
    parts = urlsplit(link.strip())
    if not parts.scheme:
        raise InvalidInputError("that is not a presentation request link")
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


@dataclass(frozen=True)
class ResolvedRequest:
    client_id: str
    claims: dict[str, Any]
    signed: bool
    request_uri: str | None


def _verify_signed_request(token: str, client_id: str, resolver: DidResolver) -> dict[str, Any]:
    """§5.9.3 decentralized_identifier: the request is signed by a key of the client's DID."""
    did = client_id.removeprefix(PREFIX_DECENTRALIZED_IDENTIFIER)
    try:
        jws = parse_jws(token)
        check_jws_header(jws.header)
    except VcError as err:
        raise RequestRefusedError(f"the signed request object is unusable: {err.detail}") from err
    kid = jws.header.get("kid")
    if not isinstance(kid, str) or kid.split("#", 1)[0] != did:
        # "the kid JOSE header parameter MUST be a DID URL referring to a verification
        # method in the Verifier's DID document"
        raise RequestRefusedError("the request object's kid is not a key of the client_id DID")
    try:
        method = resolver.verification_method(kid, controller=did)
        verify_jws(jws, method.public_key)
    except VcError as err:
        raise RequestRefusedError(
            f"the request object's signature does not verify: {err.detail}"
        ) from err
    return jws.payload


def resolve_request(
    fetcher: HttpFetcher,
    resolver: DidResolver,
    link: str,
    trust_anchors: Sequence[x509.Certificate] = (),
) -> ResolvedRequest:
    """Fetch and check an authorization request; raise RequestRefusedError if unacceptable.

    ``trust_anchors``: the X.509 roots ``x509_san_dns:``/``x509_hash:`` clients must chain to.
    """
    params = _params_of(link)
    client_id = params.get("client_id")
    if not client_id:
        raise RequestRefusedError("the request has no client_id")
    token: str | None = params.get("request")
    request_uri = params.get("request_uri")
    if token is None and request_uri is not None:
        method = params.get("request_uri_method", "get").lower()
        if method not in {"get", "post"}:
            raise RequestRefusedError("request_uri_method must be get or post")
        resp = fetcher.request(
            method.upper(),
            request_uri,
            headers={"Accept": REQUEST_OBJECT_MEDIA_TYPE},
            data={} if method == "post" else None,
        )
        token = resp.body.decode("utf-8", "replace").strip()
    if token is not None:
        try:
            header, claims = decode_request_object(token)
        except VcError as err:
            raise RequestRefusedError(f"the request object is malformed: {err.detail}") from err
        signed = header.get("alg") not in (None, "none")
    else:
        claims = dict(params)
        # by value (§5): JSON-valued parameters come JSON-encoded, client_metadata included
        for name in JSON_PARAMETERS:
            if isinstance(claims.get(name), str):
                try:
                    claims[name] = parse_json(claims[name])
                except InvalidInputError as err:
                    raise RequestRefusedError(f"{name} is not JSON") from err
        if "client_metadata" in claims and not isinstance(claims["client_metadata"], dict):
            raise RequestRefusedError("client_metadata must be a JSON object")
        signed = False

    # client identifier prefixes (§5.9) -------------------------------------------------
    if client_id.startswith(PREFIX_REDIRECT_URI):
        if signed:
            raise RequestRefusedError("a redirect_uri: client must not sign its request (§5.9.3)")
    elif client_id.startswith(PREFIX_DECENTRALIZED_IDENTIFIER):
        if not signed or token is None:
            raise RequestRefusedError("a decentralized_identifier: client must sign its request")
        claims = _verify_signed_request(token, client_id, resolver)
    elif client_id.startswith(X509_PREFIXES):
        if not signed or token is None:
            raise RequestRefusedError("an x509_san_dns:/x509_hash: client must sign its request")
        claims = verify_x509_request(token, client_id, trust_anchors)
    else:
        prefix = client_id.split(":", 1)[0] if ":" in client_id else client_id
        raise RequestRefusedError(
            f"client_id prefix {prefix!r} is not supported (redirect_uri:, "
            "decentralized_identifier:, x509_san_dns:, x509_hash:)"
        )
    if claims.get("client_id") != client_id:
        # §5.10: the client_id of the request object must be the one of the link
        raise RequestRefusedError("the request object's client_id is not the link's client_id")
    check_request(claims, client_id)
    return ResolvedRequest(client_id, claims, signed, request_uri)


def check_request(claims: Mapping[str, Any], client_id: str) -> None:
    if claims.get("response_type") != "vp_token":
        raise RequestRefusedError("only response_type vp_token is supported")
    mode = claims.get("response_mode")
    if mode not in {DIRECT_POST, DIRECT_POST_JWT}:
        raise RequestRefusedError(
            f"response_mode {mode!r} is not supported (direct_post, direct_post.jwt)"
        )
    if mode == DIRECT_POST_JWT:
        encryption_key(claims)  # refuse now, before the person is asked anything
    if not isinstance(claims.get("nonce"), str) or not claims["nonce"]:
        raise RequestRefusedError("the request has no nonce")
    response_uri = claims.get("response_uri")
    if not isinstance(response_uri, str) or not response_uri:
        raise RequestRefusedError("a direct_post request needs a response_uri")
    check_response_uri(client_id, response_uri)
    if "dcql_query" not in claims:
        raise RequestRefusedError(
            "the request has no dcql_query (presentation_definition is not supported)"
        )
    try:
        parse_dcql_query(claims["dcql_query"])
    except VcError as err:
        raise RequestRefusedError(f"the DCQL query is not valid: {err.detail}") from err


def encryption_key(claims: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The verifier's key and the ``enc`` to encrypt a direct_post.jwt answer with (§8.3)."""
    try:
        return select_encryption_key(claims.get("client_metadata"))
    except VcError as err:
        raise RequestRefusedError(
            f"the verifier asks for an encrypted answer (direct_post.jwt), but {err.detail}"
        ) from err


def response_form(request: Mapping[str, Any], vp_token: Mapping[str, Any]) -> dict[str, str]:
    """The body posted to ``response_uri``: the response parameters themselves (§8.2), or,
    with direct_post.jwt, one ``response`` field holding them encrypted (§8.3.1)."""
    params: dict[str, Any] = {"vp_token": dict(vp_token)}
    if isinstance(request.get("state"), str):
        params["state"] = request["state"]
    if request.get("response_mode") == DIRECT_POST_JWT:
        key, enc = encryption_key(request)
        try:
            return {"response": encrypt_response(params, key, enc=enc)}
        except VcError as err:
            raise RequestRefusedError(
                f"the answer could not be encrypted to the verifier: {err.detail}"
            ) from err
    form = {"vp_token": json.dumps(params["vp_token"], separators=(",", ":"))}
    if "state" in params:
        form["state"] = params["state"]
    return form


def check_response_uri(client_id: str, response_uri: str) -> None:
    """Where the answer may go, given who asks.

    ``redirect_uri:<uri>``: the response_uri must be that URI (§5.9.3: the client identifier
    *is* the response URI). ``decentralized_identifier:did:web:<host>``: the response_uri must
    be on that host. Other DIDs name no host: their signature covers the response_uri, and
    the consent screen shows its host.
    """
    target = urlsplit(response_uri)
    if target.scheme not in {"https", "http"}:
        raise RequestRefusedError("the response_uri must be an https URL")
    if client_id.startswith(PREFIX_REDIRECT_URI):
        allowed = client_id.removeprefix(PREFIX_REDIRECT_URI)
        if response_uri != allowed:
            raise RequestRefusedError(
                f"the response_uri ({target.netloc}) is not the client_id's URI "
                f"({urlsplit(allowed).netloc}); the presentation would go elsewhere"
            )
        return
    if client_id.startswith(PREFIX_X509_SAN_DNS):
        # §5.9.3: the FQDN of the response URI must be the client identifier's DNS name
        name = client_id.removeprefix(PREFIX_X509_SAN_DNS).lower()
        if (target.hostname or "").lower() != name:
            raise RequestRefusedError(
                f"the response_uri is on {target.netloc}, but the client_id names {name}"
            )
        return
    did = client_id.removeprefix(PREFIX_DECENTRALIZED_IDENTIFIER)
    if did.startswith("did:web:"):
        host = did.removeprefix("did:web:").split(":", 1)[0].replace("%3A", ":").replace("%3a", ":")
        if target.netloc.lower() != host.lower():
            raise RequestRefusedError(
                f"the response_uri is on {target.netloc}, but the client_id {did} is {host}"
            )


# --------------------------------------------------------------------------- matching


def disclosable_paths(sd_jwt: str) -> list[ClaimPath]:
    """Every claim path the holder may choose to disclose in an SD-JWT (RFC 9901)."""
    parsed = parse_sd_jwt(sd_jwt)
    payload = parse_jws(parsed.issuer_jwt).payload
    alg = str(payload.get("_sd_alg", "sha-256"))
    by_digest = {d.digest(alg): d for d in (parse_disclosure(x) for x in parsed.disclosures)}
    out: list[ClaimPath] = []

    def walk(value: Any, path: ClaimPath) -> None:
        if isinstance(value, dict):
            for digest in value.get("_sd", []):
                found = by_digest.get(digest)
                if found is not None and found.name is not None:
                    out.append((*path, found.name))
                    walk(found.value, (*path, found.name))
            for key, item in value.items():
                if key not in {"_sd", "_sd_alg"}:
                    walk(item, (*path, key))
        elif isinstance(value, list):
            index = 0
            for item in value:
                digest = item.get("...") if isinstance(item, dict) and len(item) == 1 else None
                if isinstance(digest, str):
                    found = by_digest.get(digest)
                    if found is None:
                        continue  # a decoy: not an issued element
                    out.append((*path, index))
                    walk(found.value, (*path, index))
                else:
                    walk(item, (*path, index))
                index += 1

    walk(payload, ())
    return out


def disclosed_claims(sd_jwt: str, paths: Sequence[ClaimPath]) -> dict[str, Any]:
    """Exactly what the verifier would read if ``paths`` are disclosed."""
    presented = parse_sd_jwt(present_sd_jwt(sd_jwt, disclose=list(paths)))
    payload = parse_jws(presented.issuer_jwt).payload
    return process_disclosures(payload, [parse_disclosure(d) for d in presented.disclosures])


def _path_json(path: Sequence[Any]) -> list[Any]:
    return list(path)


def _may_answer(summary: Mapping[str, Any], fmt: str, query: Mapping[str, Any]) -> bool:
    """Cheap pre-filter on the decrypted summary (format, vct, types) before the content."""
    if storage.DCQL_FORMATS.get(fmt) != query.get("format"):
        return False
    found = query.get("meta")
    meta: Mapping[str, Any] = found if isinstance(found, dict) else {}
    if "vct_values" in meta:
        return summary.get("vct") in meta["vct_values"]
    if "type_values" in meta:
        types = set(summary.get("type_iris") or []) | set(summary.get("types") or [])
        return any(isinstance(v, list) and set(v) <= types for v in meta["type_values"])
    return True


def _blocked(statuses: Mapping[str, credential_status.StatusFlag], credential_id: str) -> bool:
    flag = statuses.get(credential_id)
    return flag is not None and flag.blocked


def _candidates(
    session: Session, who: Principal, queries: Sequence[Mapping[str, Any]]
) -> list[storage.CredentialView]:
    return [
        storage.get_credential(session, who, v.id)
        for v in storage.list_credentials(session, who)
        if any(_may_answer(v.summary, v.format, q) for q in queries)
    ]


def match_request(
    session: Session,
    who: Principal,
    claims: Mapping[str, Any],
    status_ctx: VerifyContext | None = None,
) -> dict[str, Any]:
    """:func:`match_credentials` as JSON."""
    return match_credentials(session, who, claims, status_ctx).to_json()


def match_credentials(
    session: Session,
    who: Principal,
    claims: Mapping[str, Any],
    status_ctx: VerifyContext | None = None,
) -> Matching:
    """For each credential query: the matching credentials and what each would disclose.

    With ``status_ctx``, each candidate's status is read from its issuer's list: a revoked or
    suspended credential is still listed (with ``blocked`` and its ``status``, so the person
    sees why) but does not count towards answering the request.
    """
    query = claims["dcql_query"]
    views = {v.id: v for v in _candidates(session, who, query["credentials"])}
    statuses = credential_status.check_all(views.values(), status_ctx) if status_ctx else {}
    candidates = []
    for view in views.values():
        assert view.content is not None
        body = view.content.get("claims") or {}
        try:
            candidates.append(
                candidate_from_credential(view.id, storage.DCQL_FORMATS[view.format], body)
            )
        except VcError:
            continue
    found = match_dcql(query, candidates)
    usable = [c for c in candidates if not _blocked(statuses, c.id)]
    usable_match = match_dcql(query, usable) if len(usable) < len(candidates) else found
    queries = []
    for cq in query["credentials"]:
        qid = str(cq["id"])
        options = []
        for match in found.matches.get(qid, ()):
            view = views[match.credential_id]
            assert view.content is not None
            selective = storage.DCQL_FORMATS[view.format] == "dc+sd-jwt"
            option = CandidateCredential(
                credential_id=view.id,
                title=view.summary.get("title"),
                issuer_name=view.summary.get("issuer_name"),
                self_declared=bool(view.summary.get("self_declared")),
                format=view.format,
                requested=[_path_json(p) for p in match.paths],
                blocked=_blocked(statuses, view.id),
                status=statuses[view.id].to_json() if view.id in statuses else None,
                selective=selective,
                # the whole credential, unless selectively disclosable
                disclosed=view.content.get("claims"),
            )
            if selective:
                option.disclosable = [_path_json(p) for p in disclosable_paths(view.raw)]
                option.disclosed = disclosed_claims(view.raw, match.paths)
                # what the verifier reads whatever is ticked, and every claim (for the labels)
                option.always = disclosed_claims(view.raw, ())
                option.claims = view.content.get("claims") or {}
            options.append(option)
        queries.append(QueryMatch(qid, cq.get("format"), options))
    # the credentials that may be sent first, so a default choice is never a blocked one;
    # then a selectively disclosable copy of a badge also held whole (docs/decisions/reveal-less.md)
    whole = _copies_held_whole([o for q in queries for o in q.options])
    for q in queries:
        q.options.sort(key=lambda o: (o.blocked, not (o.selective and o.badge in whole)))
    # a query whose every credential is revoked or suspended cannot be answered
    answerable = {q.id for q in queries if any(not o.blocked for o in q.options)}
    matched = {q.id for q in queries if q.options}  # shown, blocked ones greyed out
    sets = set_views(query, answerable, matched)
    out = Matching(usable_match.satisfied, queries, sets, [])
    out.selected_query_ids.extend(default_query_ids(out))
    return out


# --------------------------------------------------------------------------- credential sets


def credential_sets(dcql: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The choices a DCQL query asks the person to make (OpenID4VP 1.0 §6.2, §6.4.2).

    Each credential set is one choice: its ``options`` are alternatives (each a list of
    credential query ids answered together), ``required`` defaults to true. Without
    ``credential_sets`` every credential query is its own required set of one option.
    """
    sets = dcql.get("credential_sets")
    if not isinstance(sets, list):
        return [
            {"required": True, "purpose": None, "options": [[str(q["id"])]]}
            for q in dcql["credentials"]
        ]
    return [
        {
            "required": s.get("required", True) is not False,
            "purpose": s.get("purpose") if isinstance(s.get("purpose"), str) else None,
            "options": [[str(i) for i in option] for option in s["options"]],
        }
        for s in sets
    ]


def set_views(
    dcql: Mapping[str, Any], answerable: set[str], matched: set[str] | None = None
) -> list[CredentialSetView]:
    """Each credential set: its options, which may be sent (``available``) and which have
    credentials to show (``listed``: revoked or suspended ones included, not choosable)."""
    out = []
    for n, cset in enumerate(credential_sets(dcql)):
        options = [
            SetOption(
                index=k,
                query_ids=ids,
                available=set(ids) <= answerable,
                listed=set(ids) <= (answerable if matched is None else matched),
            )
            for k, ids in enumerate(cset["options"])
        ]
        out.append(
            CredentialSetView(
                index=n,
                required=cset["required"],
                purpose=cset["purpose"],
                options=options,
                available=any(o.available for o in options),
            )
        )
    return out


def _sets_view(
    dcql: Mapping[str, Any], answerable: set[str], matched: set[str] | None = None
) -> list[dict[str, Any]]:
    """:func:`set_views` as JSON."""
    return [s.to_json() for s in set_views(dcql, answerable, matched)]


def default_query_ids(matching: Matching | Mapping[str, Any]) -> list[str]:
    """What is sent when the person changes nothing: the verifier's preferred available
    option of each REQUIRED set, and nothing for optional sets."""
    typed = as_matching(matching)
    chosen: list[str] = []
    for cset in typed.sets or []:
        if not cset.required:
            continue
        option = _shows_less(typed, cset) or next((o for o in cset.options if o.available), None)
        if option is not None:
            chosen.extend(i for i in option.query_ids if i not in chosen)
    return chosen


def _shows_less(matching: Matching, cset: CredentialSetView) -> SetOption | None:
    """The set's available option whose credentials are all SD-JWT copies of badges another
    option would send whole (docs/decisions/reveal-less.md: the person reveals less unless they
    choose more)."""

    def firsts(option: SetOption) -> list[CandidateCredential]:
        found = [matching.query(q) for q in option.query_ids]
        return [q.options[0] for q in found if q is not None and q.options]

    available = [o for o in cset.options if o.available]
    whole = {c.badge for o in available for c in firsts(o) if not c.selective}
    for option in available:
        cards = firsts(option)
        if cards and all(c.selective and c.badge in whole for c in cards):
            return option
    return None


#: the most combinations of options check_selection tries (sets x options, in practice tiny)
MAX_COMBINATIONS = 4096


def check_selection(matching: Matching | Mapping[str, Any], query_ids: Sequence[str]) -> None:
    """Refuse an answer DCQL does not allow (§6.4.2): the chosen credential queries must be
    exactly the union of one option of each required set and at most one option of each
    optional set, so two alternatives of one set are never both sent.

    Raises:
        InvalidInputError: the selection is not one the request allows.
    """
    chosen = frozenset(query_ids)
    if not chosen:
        raise InvalidInputError("choose at least one credential to send, or refuse")
    per_set: list[list[frozenset[str]]] = []
    for cset in as_matching(matching).sets or []:
        full = [frozenset(o.query_ids) for o in cset.options if set(o.query_ids) <= chosen]
        if not full and cset.required:
            raise InvalidInputError(
                "the request needs one of " + ", ".join("+".join(o.query_ids) for o in cset.options)
            )
        per_set.append([*full, frozenset()] if not cset.required else full)
    if math.prod(len(f) for f in per_set) > MAX_COMBINATIONS:
        raise InvalidInputError("the request's credential sets are too many to check")
    if any(frozenset().union(*combo) == chosen for combo in itertools.product(*per_set)):
        return
    for options in per_set:
        answered = [o for o in options if o]
        maximal = [o for o in answered if not any(o < other for other in answered)]
        if len(maximal) > 1:
            raise InvalidInputError(
                "the request offers these as alternatives: choose one of "
                + ", ".join("+".join(sorted(o)) for o in maximal)
            )
    covered = frozenset().union(*(o for options in per_set for o in options))
    stray = sorted(chosen - covered) or sorted(chosen)
    raise InvalidInputError(f"the request does not ask for {', '.join(stray)} on its own")


def load_presentation(
    session: Session, who: Principal, pending_id: str
) -> tuple[PendingExchange, PendingPresentation]:
    row, state = load_pending(session, who, pending_id, PendingKind.REQUEST)
    return row, PendingPresentation.from_json(state)


# --------------------------------------------------------------------------- pending


#: the largest logo the wallet fetches for a consent screen
MAX_LOGO_BYTES = 100_000
LOGO_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif", "image/svg+xml")


def client_names(meta: Mapping[str, Any]) -> dict[str, str]:
    """``client_name`` and its language variants (``client_name#fr``, RFC 7591 §2.2), by
    language (``""`` for the untagged one), each cut to 200 characters."""
    names: dict[str, str] = {}
    for key, value in meta.items():
        if not isinstance(value, str) or not value.strip():
            continue
        if key == "client_name":
            names[""] = value.strip()[:200]
        elif key.startswith("client_name#"):
            names[key.split("#", 1)[1].split("-", 1)[0].lower()[:8]] = value.strip()[:200]
    return names


def fetch_logo(fetcher: HttpFetcher, uri: Any) -> str | None:
    """The verifier's ``logo_uri`` (RFC 7591 §2) as a ``data:`` URI, fetched once by the wallet
    (so the person's browser never calls the verifier), or None if unusable."""
    if not isinstance(uri, str) or urlsplit(uri).scheme not in {"https", "http"}:
        return None
    try:
        resp = fetcher.request("GET", uri, headers={"Accept": ", ".join(LOGO_TYPES)})
    except VcError:
        return None
    media = (resp.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media not in LOGO_TYPES or not resp.body or len(resp.body) > MAX_LOGO_BYTES:
        return None
    return f"data:{media};base64,{base64.b64encode(resp.body).decode('ascii')}"


def verifier_identifiers(client_id: str, response_uri: str) -> list[str]:
    """What a known-verifiers list may name: the DID of a signed request, or the origin the
    answer goes to (an unsigned ``redirect_uri:`` request can only answer there)."""
    parts = urlsplit(response_uri)
    out = [f"{parts.scheme}://{parts.netloc}"]
    if client_id.startswith(PREFIX_DECENTRALIZED_IDENTIFIER):
        out.insert(0, client_id.removeprefix(PREFIX_DECENTRALIZED_IDENTIFIER))
    return out


def verifier_view(
    resolved: ResolvedRequest,
    known: Mapping[str, str] | None = None,
    fetcher: HttpFetcher | None = None,
) -> VerifierView:
    """Who asks: the name and logo the verifier gives (``client_metadata``, OpenID4VP 1.0 §5.1,
    with RFC 7591 ``client_name`` and ``logo_uri``), and whether the wallet knows it."""
    meta = resolved.claims.get("client_metadata")
    meta = meta if isinstance(meta, dict) else {}
    names = client_names(meta)
    response_uri = str(resolved.claims["response_uri"])
    known = {k.rstrip("/"): v for k, v in (known or {}).items()}
    known_as = next(
        (known[i] for i in verifier_identifiers(resolved.client_id, response_uri) if i in known),
        None,
    )
    return VerifierView(
        client_id=resolved.client_id,
        name=names.get("") or next(iter(names.values()), None),
        names=names,
        known=known_as is not None,
        known_name=known_as,
        logo=fetch_logo(fetcher, meta.get("logo_uri")) if fetcher is not None else None,
        response_host=urlsplit(response_uri).netloc,
        signed=resolved.signed,
        encrypted=resolved.claims.get("response_mode") == DIRECT_POST_JWT,
    )


def _status_context(fetcher: HttpFetcher) -> VerifyContext:
    """Status lists read afresh for a presentation (docs/decisions/status-freshness.md)."""
    return credential_status.revalidating_context(fetcher, allow_http=fetcher.allow_loopback)


def open_request(
    session: Session,
    who: Principal,
    fetcher: HttpFetcher,
    resolver: DidResolver,
    link: str,
    known_verifiers: Mapping[str, str] | None = None,
    trust_anchors: Sequence[x509.Certificate] = (),
) -> dict[str, Any]:
    resolved = resolve_request(fetcher, resolver, link, trust_anchors)
    matching = match_credentials(session, who, resolved.claims, _status_context(fetcher))
    pending_id = new_id()
    pending = PendingPresentation(
        client_id=resolved.client_id,
        request=resolved.claims,
        verifier=verifier_view(resolved, known_verifiers, fetcher),
        matching=matching,
    )
    session.add(
        PendingExchange(
            id=pending_id,
            account_id=who.account_id,
            kind=PendingKind.REQUEST,
            created_at=now(),
            ct=who.vault.seal_json("pending", pending_id, pending.to_json()),
        )
    )
    return pending.view(pending_id)


def get_request(session: Session, who: Principal, pending_id: str) -> dict[str, Any]:
    _, pending = load_presentation(session, who, pending_id)
    return pending.view(pending_id)


#: OpenID4VP 1.0 §8.5 (RFC 6749 §4.1.2.1): the person refused to share anything
ACCESS_DENIED = "access_denied"


def decline_request(
    session: Session, who: Principal, pending_id: str, fetcher: HttpFetcher | None = None
) -> bool:
    """Forget the request; with ``fetcher``, tell the verifier the person refused (an
    ``error=access_denied`` answer to its response_uri, §8.5), so its page stops waiting.
    True when the verifier took the answer; a verifier that cannot be reached does not
    stop the refusal."""
    row, pending = load_presentation(session, who, pending_id)
    session.delete(row)
    if fetcher is None:
        return False
    form = {"error": ACCESS_DENIED, "error_description": "the holder declined the request"}
    if pending.state is not None:
        form["state"] = pending.state
    try:
        resp = fetcher.request(
            "POST",
            pending.response_uri,
            data=form,
            headers={"Accept": "application/json"},
            accept_status=(200, 201, 204, 400),
        )
    except VcError:
        return False
    return resp.status < 300


# --------------------------------------------------------------------------- presenting


def parse_claim_path(text: str) -> ClaimPath:
    """``credentialSubject.result.0.value`` → ("credentialSubject", "result", 0, "value");
    ``*`` selects every array element."""
    out: list[str | int | None] = []
    for part in text.split("."):
        if part in {"*", "[]"}:
            out.append(None)
        elif part.isdigit():
            out.append(int(part))
        elif part:
            out.append(part)
    if not out:
        raise InvalidInputError(f"{text!r} is not a claim path")
    return tuple(out)


def _holder_for(session: Session, who: Principal, view: storage.CredentialView) -> HolderKey:
    ident = view.summary.get("holder_identity")
    row = None
    if isinstance(ident, str):
        try:
            row = identities.get_identity(session, who, ident)
        except NotFoundError:
            row = None
    if row is None:
        subject = view.summary.get("subject")
        row = (
            identities.identity_by_did(session, who, str(subject).split("#")[0])
            if subject
            else None
        )
    return identities.holder_key(who, row or identities.default_identity(session, who))


def build_presentation(
    session: Session,
    who: Principal,
    view: storage.CredentialView,
    *,
    client_id: str,
    nonce: str,
    disclose: Sequence[ClaimPath],
    holder: HolderKey | None = None,
) -> Any:
    """One presentation of one credential, bound to ``nonce`` and the full ``client_id``."""
    fmt = storage.DCQL_FORMATS[view.format]
    issued = datetime.now(UTC)
    if fmt == "dc+sd-jwt":
        bound = _holder_for(session, who, view)  # the KB-JWT must be signed by the cnf key
        return present_sd_jwt(
            view.raw,
            disclose=list(disclose),
            holder_key=bound.key,
            audience=client_id,
            nonce=nonce,
            issued_at=issued,
        )
    key = holder or _holder_for(session, who, view)
    if fmt == "jwt_vc_json":
        if view.format == "vc+jwt":
            vp = {
                "@context": [VC_V2],
                "type": ["VerifiablePresentation"],
                "holder": key.did,
                "verifiableCredential": [envelope_vc_jwt(view.raw)],
            }
            profile = "vp+jwt"
        else:
            vp = {
                "@context": [VC_V1],
                "type": ["VerifiablePresentation"],
                "holder": key.did,
                "verifiableCredential": [view.raw],
            }
            profile = "jwt_vp_json"
        return sign_vp_jwt(
            vp,
            key.key,
            key.kid,
            profile=profile,  # type: ignore[arg-type]
            nonce=nonce,
            audience=client_id,
            issued_at=issued,
            expires_at=issued + VP_LIFETIME,
        )
    credential = json.loads(view.raw)
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else VC_V2
    vp = {
        "@context": [first],
        "type": ["VerifiablePresentation"],
        "holder": key.did,
        "verifiableCredential": [credential],
    }
    if key.key.key_type != "Ed25519":
        raise InvalidInputError("Data Integrity presentations need an Ed25519 identity (eddsa)")
    return add_proof(
        vp,
        key.key.sign,
        key.kid,
        cryptosuite=RDFC,
        proof_purpose="authentication",
        challenge=nonce,
        domain=client_id,
        created=issued,
    )


def _copies_held_whole(options: list[CandidateCredential]) -> set[tuple[str | None, str | None]]:
    """The badges held both whole (ldp_vc, jwt_vc_json) and in SD-JWT VC, whose SD-JWT copy
    is then chosen by default; each whole copy is marked ``selective_copy`` so the consent
    page can say a copy that shows less exists."""
    selective = {o.badge for o in options if o.selective and not o.blocked}
    both = {o.badge for o in options if not o.selective and o.badge in selective}
    for option in options:
        option.selective_copy = not option.selective and option.badge in both
    return both


@dataclass(frozen=True)
class PlannedAnswer:
    """One credential the person chose for one credential query, and exactly what the
    verifier will read from it (the consent summary is built from this, and so is the
    presentation)."""

    query_id: str
    view: storage.CredentialView
    selective: bool
    paths: tuple[ClaimPath, ...]
    disclosed: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "query_id": self.query_id,
            "credential_id": self.view.id,
            "title": self.view.summary.get("title"),
            "issuer_name": self.view.summary.get("issuer_name"),
            "format": self.view.format,
            "selective": self.selective,
            "claims": [list(p) for p in self.paths] if self.selective else "all",
            "disclosed": dict(self.disclosed),
        }


def plan_answer(
    session: Session,
    who: Principal,
    matching: Matching | Mapping[str, Any],
    selections: Mapping[str, Any] | None,
) -> list[PlannedAnswer]:
    """What would be sent for ``selections`` (per credential query id; empty: the default of
    each required credential set), checked against the request's credential sets.

    Raises:
        InvalidInputError: the selection is not one the request allows.
    """
    choices = parse_selections(selections)
    typed = as_matching(matching)
    if typed.sets is None:
        raise InvalidInputError("this request was opened by an older wallet: open it again")
    if not choices and not typed.satisfied:
        raise InvalidInputError("no credential in this wallet answers this request")
    by_query = {q.id: q for q in typed.queries}
    answered = list(choices) or list(typed.selected_query_ids)
    unknown = [qid for qid in answered if qid not in by_query]
    if unknown:
        raise InvalidInputError(f"the request has no credential query {unknown[0]!r}")
    check_selection(typed, answered)
    planned = []
    for qid in answered:
        query = by_query[qid]
        choice = choices.get(qid, ClaimChoice())
        options = {o.credential_id: o for o in query.options}
        first = query.options[0].credential_id if query.options else None
        cid = choice.credential_id if choice.credential_id is not None else first
        if cid is None or cid not in options:
            raise InvalidInputError(f"that credential does not answer query {qid!r}")
        option = options[cid]
        view = storage.get_credential(session, who, cid)
        chosen = choice.disclose
        paths = chosen if chosen is not None else tuple(tuple(p) for p in option.requested)
        if option.selective:
            disclosed: Mapping[str, Any] = disclosed_claims(view.raw, paths)
        else:  # a W3C credential cannot be cut: the verifier reads all of it
            disclosed = (view.content or {}).get("claims") or {}
        planned.append(PlannedAnswer(qid, view, option.selective, paths, disclosed))
    return planned


def preview_answer(
    session: Session,
    who: Principal,
    pending_id: str,
    selections: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The consent summary: who asks, and exactly what each chosen credential reveals."""
    _, pending = load_presentation(session, who, pending_id)
    planned = plan_answer(session, who, pending.matching, selections)
    return {
        "id": pending_id,
        "verifier": pending.verifier.to_json(),
        "answers": [p.to_json() for p in planned],
    }


def consent(
    session: Session,
    who: Principal,
    fetcher: HttpFetcher,
    master: MasterKey,
    pending_id: str,
    *,
    selections: Mapping[str, Any] | None = None,
    pairwise: bool = False,
) -> dict[str, Any]:
    """Build the presentations the person consented to, post them, log the disclosure.

    One answer per request, whichever instance gets the "send": the request's row is locked
    first (PostgreSQL), so a second send of it (a double click landing on another instance)
    waits for this one, then finds the request gone (not-found, as a send after it would).
    """
    session.execute(
        select(PendingExchange.id).where(PendingExchange.id == pending_id).with_for_update()
    )
    row, pending = load_presentation(session, who, pending_id)
    client_id = pending.client_id
    planned = plan_answer(session, who, pending.matching, selections)
    holder = None
    if pairwise:
        holder = identities.holder_key(
            who, identities.pairwise_identity(session, who, master, client_id)
        )
    vp_token: dict[str, list[Any]] = {}
    for answer in planned:
        # read again now: the issuer may have revoked it since the request was opened
        credential_status.refuse_blocked(
            answer.view, credential_status.check_status(answer.view, _status_context(fetcher))
        )
        presentation = build_presentation(
            session,
            who,
            answer.view,
            client_id=client_id,
            nonce=pending.nonce,
            disclose=answer.paths,
            holder=holder,
        )
        vp_token[answer.query_id] = [presentation]
    form = response_form(pending.request, vp_token)
    resp = fetcher.request(
        "POST",
        pending.response_uri,
        data=form,
        headers={"Accept": "application/json"},
        accept_status=(200, 201, 204, 400),
    )
    try:
        answer_body: Any = resp.json() if resp.body else {}
    except VcError:
        answer_body = {"text": resp.body.decode("utf-8", "replace")[:2000]}
    verifier = pending.verifier
    entry = history.record(
        session,
        who,
        "presented",
        {
            "verifier": client_id,
            "verifier_name": verifier.name,
            "verifier_known": verifier.known,
            "response_host": verifier.response_host,
            "credentials": [a.to_json() for a in planned],
            "pairwise_did": holder.did if holder else None,
            "verifier_status": resp.status,
        },
    )
    # SQLite has no row lock: of two sends in a race, the one that finds the row gone here
    # rolls back its history entry (its presentation was refused by the verifier as a replay)
    gone = session.execute(
        delete(PendingExchange)
        .where(PendingExchange.id == row.id)
        .execution_options(synchronize_session=False)
    )
    if getattr(gone, "rowcount", 0) != 1:
        raise NotFoundError("no such pending request")
    return {"status": resp.status, "response": answer_body, "history_id": entry["id"]}


def present(
    session: Session,
    who: Principal,
    fetcher: HttpFetcher,
    resolver: DidResolver,
    master: MasterKey,
    link: str,
    *,
    credential_id: str | None = None,
    disclose: Sequence[ClaimPath] | None = None,
    pairwise: bool = False,
) -> dict[str, Any]:
    """Resolve and answer in one go (command line; the person consented with ``--yes``)."""
    pending = open_request(session, who, fetcher, resolver, link)
    selections: dict[str, dict[str, Any]] = {}
    for query in pending["queries"]:
        ids = [o["credential_id"] for o in query["options"]]
        if credential_id and credential_id in ids:
            choice: dict[str, Any] = {"credential_id": credential_id}
            if disclose:
                choice["disclose"] = [list(p) for p in disclose]
            selections[query["id"]] = choice
    if credential_id and not selections:
        raise InvalidInputError("that credential does not answer this request")
    if not selections and not pending["satisfied"]:
        raise InvalidInputError("no credential in this wallet answers this request")
    if not selections and disclose:
        for qid in pending["selected_query_ids"]:
            query = next(q for q in pending["queries"] if q["id"] == qid)
            selections[qid] = {
                "credential_id": query["options"][0]["credential_id"],
                "disclose": [list(p) for p in disclose],
            }
    return consent(
        session, who, fetcher, master, pending["id"], selections=selections, pairwise=pairwise
    )
