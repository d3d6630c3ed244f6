"""DCQL: select credentials for a query (wallet) and check a response against it (verifier).

Implements: OpenID for Verifiable Presentations 1.0 (July 2025), §6 "Digital Credentials
Query Language (DCQL)", §7 "Claims Path Pointer", Appendix B.1.1 (W3C VC ``type_values``:
fully expanded type IRIs) and B.3 (SD-JWT VC ``vct_values``).
https://openid.net/specs/openid-4-verifiable-presentations-1_0.html#name-digital-credentials-query-l

Stable API:

* :func:`parse_dcql_query` validates an untrusted query (raises ``InvalidInputError``).
* :func:`match_dcql` (wallet): which of the holder's credentials answer which credential
  query, with the claim paths to disclose, and whether the whole query can be satisfied.
* :func:`check_dcql_response` (verifier): the problems of a response, by credential query id,
  including claim value constraints; an empty list means the response satisfies the query.
* :func:`candidate_from_credential` builds a :class:`CandidateCredential` from a W3C
  credential (expanding its types with the bundled JSON-LD contexts) or SD-JWT VC claims.

``trusted_authorities`` is accepted but not evaluated: none of its types (``aki``,
``etsi_tl``, ``openid_federation``) applies to DID issuers; verifiers use their own registry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from pyld import jsonld

from shared.errors import InvalidInputError, VcError
from shared.jsonld import make_document_loader

__all__ = [
    "W3C_FORMATS",
    "CandidateCredential",
    "ClaimPath",
    "CredentialQueryMatch",
    "DcqlMatch",
    "DcqlProblem",
    "candidate_from_credential",
    "check_dcql_response",
    "expand_credential_types",
    "match_dcql",
    "parse_dcql_query",
    "select_claims",
]

ClaimPath = tuple[str | int | None, ...]
#: W3C VC formats: ``meta.type_values`` are matched against expanded type IRIs.
W3C_FORMATS: Final = frozenset({"ldp_vc", "jwt_vc_json"})
SD_JWT_FORMAT: Final = "dc+sd-jwt"
KNOWN_FORMATS: Final = frozenset({*W3C_FORMATS, SD_JWT_FORMAT, "mso_mdoc"})
#: §6.1: "The value MUST be a non-empty string consisting of alphanumeric, underscore (_),
#: or hyphen (-) characters."
_ID: Final = re.compile(r"^[A-Za-z0-9_-]+$")
_MAX_QUERIES: Final = 50
_MAX_CLAIMS: Final = 200
_MAX_PATH: Final = 32


@dataclass(frozen=True, kw_only=True)
class CandidateCredential:
    """A credential as DCQL sees it.

    Attributes:
        id: the caller's handle for the credential (wallet record id, response index...).
        format: ``ldp_vc``, ``jwt_vc_json`` or ``dc+sd-jwt``.
        claims: the credential's claims: the W3C credential JSON, or the SD-JWT VC's
            claims with every disclosure applied (wallet) / the disclosed ones (verifier).
        types: W3C formats: the credential's expanded type IRIs (compact terms may be
            added too); see :func:`expand_credential_types`.
        vct: SD-JWT VC: the ``vct`` claim.
        holder_binding: whether the credential can be presented with cryptographic holder
            binding (a ``cnf`` key, or a subject DID the holder controls).
    """

    id: str
    format: str
    claims: Mapping[str, Any]
    types: tuple[str, ...] = ()
    vct: str | None = None
    holder_binding: bool = True


@dataclass(frozen=True)
class DcqlProblem:
    """One reason a response does not satisfy a query."""

    query_id: str | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {"credential_query_id": self.query_id, "detail": self.detail}


@dataclass(frozen=True)
class CredentialQueryMatch:
    """A candidate that answers a credential query, and the claims to disclose for it."""

    query_id: str
    credential_id: str
    #: the claim paths (as written in the query) to disclose; empty when the query has no
    #: ``claims`` (then only what the format always shows is disclosed)
    paths: tuple[ClaimPath, ...]
    #: the ``claim_sets`` option chosen (claim ids), None without ``claim_sets``
    claim_set: tuple[str, ...] | None = None


@dataclass(frozen=True)
class DcqlMatch:
    """What :func:`match_dcql` found.

    ``matches`` lists, per credential query id, every candidate that answers it (in the
    candidates' order); ``rejected`` says why each other candidate did not (per query id,
    candidate id -> reason). ``selected_query_ids`` are the queries to answer: all of them
    without ``credential_sets``, else the first satisfiable option of each set.
    ``satisfied`` is False when a required credential set (or, without sets, any query)
    cannot be answered.
    """

    satisfied: bool
    matches: Mapping[str, tuple[CredentialQueryMatch, ...]]
    rejected: Mapping[str, Mapping[str, str]]
    selected_query_ids: tuple[str, ...]
    problems: tuple[DcqlProblem, ...] = field(default=())


# ----------------------------------------------------------------------------- parsing


def _fail(detail: str) -> InvalidInputError:
    return InvalidInputError(f"invalid DCQL query: {detail}")


def _check_path(path: Any, where: str) -> ClaimPath:
    if not isinstance(path, list) or not path or len(path) > _MAX_PATH:
        raise _fail(f"{where}.path must be a non-empty array (at most {_MAX_PATH} items)")
    for part in path:
        if part is None or (isinstance(part, str) and part):
            continue
        if isinstance(part, int) and not isinstance(part, bool) and part >= 0:
            continue
        raise _fail(f"{where}.path items must be strings, non-negative integers or null")
    return tuple(path)


def _check_values(values: Any, where: str) -> None:
    if not isinstance(values, list) or not values:
        raise _fail(f"{where}.values must be a non-empty array")
    for value in values:
        if not isinstance(value, str | int | bool) or isinstance(value, float):
            raise _fail(f"{where}.values items must be strings, integers or booleans")


def _check_meta(query: Mapping[str, Any], where: str) -> None:
    meta = query.get("meta")
    fmt = query["format"]
    if not isinstance(meta, dict):
        raise _fail(f"{where}.meta is required and must be an object")
    if fmt in W3C_FORMATS:
        tv = meta.get("type_values")
        ok = isinstance(tv, list) and len(tv) > 0
        if ok and isinstance(tv, list):
            ok = all(
                isinstance(alt, list) and alt and all(isinstance(t, str) and t for t in alt)
                for alt in tv
            )
        if not ok:
            raise _fail(f"{where}.meta.type_values must be a non-empty array of string arrays")
    elif fmt == SD_JWT_FORMAT:
        vct = meta.get("vct_values")
        if not (isinstance(vct, list) and vct and all(isinstance(v, str) and v for v in vct)):
            raise _fail(f"{where}.meta.vct_values must be a non-empty array of strings")


def _check_credential_query(query: Any, index: int) -> str:
    where = f"credentials[{index}]"
    if not isinstance(query, dict):
        raise _fail(f"{where} must be an object")
    qid = query.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        raise _fail(f"{where}.id must be a non-empty string of letters, digits, _ and -")
    fmt = query.get("format")
    if not isinstance(fmt, str) or not fmt:
        raise _fail(f"{where}.format is required")
    for flag in ("multiple", "require_cryptographic_holder_binding"):
        if flag in query and not isinstance(query[flag], bool):
            raise _fail(f"{where}.{flag} must be a boolean")
    _check_meta(query, where)
    claims = query.get("claims")
    claim_ids: set[str] = set()
    if claims is not None:
        if not isinstance(claims, list) or not claims or len(claims) > _MAX_CLAIMS:
            raise _fail(f"{where}.claims must be a non-empty array")
        for j, claim in enumerate(claims):
            cw = f"{where}.claims[{j}]"
            if not isinstance(claim, dict):
                raise _fail(f"{cw} must be an object")
            _check_path(claim.get("path"), cw)
            if "values" in claim:
                _check_values(claim["values"], cw)
            if "id" in claim:
                cid = claim["id"]
                if not isinstance(cid, str) or not _ID.match(cid) or cid in claim_ids:
                    raise _fail(f"{cw}.id must be a unique string of letters, digits, _ and -")
                claim_ids.add(cid)
    sets = query.get("claim_sets")
    if sets is not None:
        if claims is None:
            raise _fail(f"{where}.claim_sets needs claims")
        if len(claim_ids) != len(claims):
            raise _fail(f"{where}: with claim_sets every claim needs an id")
        if not isinstance(sets, list) or not sets:
            raise _fail(f"{where}.claim_sets must be a non-empty array")
        for option in sets:
            if not isinstance(option, list) or not option:
                raise _fail(f"{where}.claim_sets options must be non-empty arrays")
            unknown = [c for c in option if c not in claim_ids]
            if unknown:
                raise _fail(f"{where}.claim_sets names unknown claim ids {unknown}")
    return qid


def parse_dcql_query(query: Any) -> dict[str, Any]:
    """Validate an untrusted DCQL query (OpenID4VP 1.0 §6.1-§6.3) and return it.

    Raises:
        InvalidInputError: the query is not well formed.
    """
    if not isinstance(query, dict):
        raise _fail("the query must be a JSON object")
    unknown = set(query) - {"credentials", "credential_sets"}
    if unknown:
        raise _fail(f"unknown members {sorted(unknown)}")
    credentials = query.get("credentials")
    if not isinstance(credentials, list) or not credentials or len(credentials) > _MAX_QUERIES:
        raise _fail("credentials must be a non-empty array")
    ids = [_check_credential_query(q, i) for i, q in enumerate(credentials)]
    if len(set(ids)) != len(ids):
        raise _fail("credential query ids must be unique")
    sets = query.get("credential_sets")
    if sets is not None:
        if not isinstance(sets, list) or not sets:
            raise _fail("credential_sets must be a non-empty array")
        for i, cset in enumerate(sets):
            if not isinstance(cset, dict) or not isinstance(cset.get("options"), list):
                raise _fail(f"credential_sets[{i}].options is required")
            if "required" in cset and not isinstance(cset["required"], bool):
                raise _fail(f"credential_sets[{i}].required must be a boolean")
            for option in cset["options"]:
                if not isinstance(option, list) or not option:
                    raise _fail(f"credential_sets[{i}] options must be non-empty arrays")
                missing = [o for o in option if o not in ids]
                if missing:
                    raise _fail(f"credential_sets[{i}] names unknown credential queries {missing}")
    return query


# ------------------------------------------------------------------ claims path pointer


class _PathError(Exception):
    pass


def select_claims(claims: Any, path: Sequence[str | int | None]) -> list[Any]:
    """Process a claims path pointer (OpenID4VP 1.0 §7.1) and return the selected values.

    An empty list means the path selects nothing (the claim is absent), including when a
    path step meets the wrong JSON type (the spec's "abort processing").
    """
    selected: list[Any] = [claims]
    for part in path:
        nxt: list[Any] = []
        for element in selected:
            if isinstance(part, str):
                if not isinstance(element, Mapping):
                    return []
                if part in element:
                    nxt.append(element[part])
            elif part is None:
                if not isinstance(element, list):
                    return []
                nxt.extend(element)
            else:
                if not isinstance(element, list):
                    return []
                if 0 <= part < len(element):
                    nxt.append(element[part])
        selected = nxt
        if not selected:
            return []
    return selected


def _same_value(a: Any, b: Any) -> bool:
    """Exact match of type and value (a boolean is not the integer 1)."""
    return type(a) is type(b) and a == b


def _claim_ok(claims: Mapping[str, Any], claim: Mapping[str, Any]) -> str | None:
    """None when the claim query matches ``claims``, else the reason."""
    path = tuple(claim["path"])
    found = select_claims(claims, path)
    if not found:
        return f"claim {_show(path)} is missing"
    values = claim.get("values")
    if values is None:
        return None
    if any(_same_value(v, f) for f in found for v in values):
        return None
    return f"claim {_show(path)} is not one of {values}"


def _show(path: ClaimPath) -> str:
    return json.dumps(list(path))


def _meta_reason(query: Mapping[str, Any], cand: CandidateCredential) -> str | None:
    if cand.format != query["format"]:
        return f"format {cand.format} is not {query['format']}"
    meta = query.get("meta") or {}
    if cand.format in W3C_FORMATS:
        have = set(cand.types)
        alternatives = meta.get("type_values", [])
        if not any(set(alt) <= have for alt in alternatives):
            return f"types {sorted(have)} match none of {alternatives}"
    elif cand.format == SD_JWT_FORMAT and cand.vct not in meta.get("vct_values", []):
        return f"vct {cand.vct!r} is not one of {meta.get('vct_values')}"
    if query.get("require_cryptographic_holder_binding", True) and not cand.holder_binding:
        return "the query requires cryptographic holder binding"
    return None


def _match_one(query: Mapping[str, Any], cand: CandidateCredential) -> CredentialQueryMatch | str:
    reason = _meta_reason(query, cand)
    if reason is not None:
        return reason
    claims = query.get("claims")
    qid = str(query["id"])
    if claims is None:
        return CredentialQueryMatch(qid, cand.id, ())
    sets = query.get("claim_sets")
    if sets is None:
        for claim in claims:
            reason = _claim_ok(cand.claims, claim)
            if reason is not None:
                return reason
        return CredentialQueryMatch(qid, cand.id, tuple(tuple(c["path"]) for c in claims))
    by_id = {c["id"]: c for c in claims}
    reasons = []
    for option in sets:  # §6.4.1: options in order of the Verifier's preference
        failed = [r for cid in option if (r := _claim_ok(cand.claims, by_id[cid])) is not None]
        if not failed:
            paths = tuple(tuple(by_id[cid]["path"]) for cid in option)
            return CredentialQueryMatch(qid, cand.id, paths, tuple(option))
        reasons.append(failed[0])
    return "no claim set is satisfied: " + "; ".join(reasons)


def _select_queries(
    query: Mapping[str, Any], answerable: set[str]
) -> tuple[bool, tuple[str, ...], list[DcqlProblem]]:
    ids = [str(q["id"]) for q in query["credentials"]]
    sets = query.get("credential_sets")
    if sets is None:  # §6.4.2: without credential_sets, every credential query is required
        missing = [i for i in ids if i not in answerable]
        problems = [DcqlProblem(i, "no credential answers this required query") for i in missing]
        return not missing, tuple(i for i in ids if i in answerable), problems
    selected: list[str] = []
    problems = []
    for n, cset in enumerate(sets):
        chosen = next((opt for opt in cset["options"] if set(opt) <= answerable), None)
        if chosen is None:
            if cset.get("required", True):
                problems.append(
                    DcqlProblem(None, f"credential set {n}: no option can be satisfied")
                )
            continue
        selected.extend(i for i in chosen if i not in selected)
    return not problems, tuple(selected), problems


def match_dcql(query: dict[str, Any], credentials: Sequence[CandidateCredential]) -> DcqlMatch:
    """Match a holder's credentials against a DCQL query (OpenID4VP 1.0 §6.4).

    Raises:
        InvalidInputError: the query is not well formed.
    """
    parse_dcql_query(query)
    matches: dict[str, tuple[CredentialQueryMatch, ...]] = {}
    rejected: dict[str, dict[str, str]] = {}
    for cq in query["credentials"]:
        qid = str(cq["id"])
        found: list[CredentialQueryMatch] = []
        rejected[qid] = {}
        for cand in credentials:
            result = _match_one(cq, cand)
            if isinstance(result, CredentialQueryMatch):
                found.append(result)
            else:
                rejected[qid][cand.id] = result
        matches[qid] = tuple(found)
    answerable = {qid for qid, found in matches.items() if found}
    satisfied, selected, problems = _select_queries(query, answerable)
    return DcqlMatch(satisfied, matches, rejected, selected, tuple(problems))


def check_dcql_response(
    query: dict[str, Any], presented: Mapping[str, Sequence[CandidateCredential]]
) -> list[DcqlProblem]:
    """Check verified presented credentials against the query that asked for them.

    ``presented`` maps each credential query id of the response to the verified
    credentials given for it (their disclosed claims, format, types / vct). Checks: every
    id is one the query defined; one credential per id unless ``multiple``; each credential
    has the requested format, types / vct and claims (``claim_sets``, ``values``); and the
    required queries (or ``credential_sets``) are answered. An empty list means satisfied.

    Raises:
        InvalidInputError: the query itself is not well formed.
    """
    parse_dcql_query(query)
    by_id = {str(q["id"]): q for q in query["credentials"]}
    problems: list[DcqlProblem] = []
    answered: set[str] = set()
    for qid, items in presented.items():
        cq = by_id.get(qid)
        if cq is None:
            problems.append(DcqlProblem(qid, "the query has no credential query with this id"))
            continue
        if not items:
            problems.append(DcqlProblem(qid, "no credential was presented for this id"))
            continue
        if len(items) > 1 and not cq.get("multiple", False):
            problems.append(
                DcqlProblem(qid, f"{len(items)} credentials for a single-credential query")
            )
            continue
        ok = True
        for item in items:
            result = _match_one(cq, item)
            if not isinstance(result, CredentialQueryMatch):
                problems.append(DcqlProblem(qid, result))
                ok = False
        if ok:
            answered.add(qid)
    _, _, missing = _select_queries(query, answered)
    problems.extend(missing)
    return problems


# ------------------------------------------------------------------------- candidates


@lru_cache(maxsize=1024)
def _expand_types(context_json: str, types_json: str) -> tuple[str, ...]:
    doc = {"@context": json.loads(context_json), "type": json.loads(types_json)}
    try:
        expanded = jsonld.expand(doc, {"documentLoader": make_document_loader()})
    except Exception as err:  # pyld wraps loader errors in its own JsonLdError
        raise InvalidInputError(f"the credential's types cannot be expanded: {err}") from err
    out: list[str] = []
    for node in expanded:
        if isinstance(node, dict):
            out.extend(t for t in node.get("@type", []) if isinstance(t, str))
    return tuple(out)


def expand_credential_types(credential: Mapping[str, Any]) -> tuple[str, ...]:
    """The credential's ``type`` values as expanded IRIs, through the bundled contexts only.

    In Open Badges 3.0, ``OpenBadgeCredential`` and ``AchievementCredential`` both expand to
    ``https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential``.

    Raises:
        InvalidInputError: a context is not bundled, or the types cannot be expanded.
    """
    context = credential.get("@context")
    types = credential.get("type")
    if context is None or types is None:
        return ()
    try:
        return _expand_types(json.dumps(context, sort_keys=True), json.dumps(types, sort_keys=True))
    except VcError:
        raise
    except (TypeError, ValueError) as err:
        raise InvalidInputError("the credential's @context or type is not JSON") from err


def candidate_from_credential(
    credential_id: str,
    fmt: str,
    claims: Mapping[str, Any],
    *,
    holder_binding: bool = True,
) -> CandidateCredential:
    """Build a candidate: W3C credentials get their expanded types (plus the compact terms),
    SD-JWT VC claims their ``vct``.

    Raises:
        InvalidInputError: the W3C credential's types cannot be expanded offline.
    """
    if fmt in W3C_FORMATS:
        compact = claims.get("type")
        compact_list = compact if isinstance(compact, list) else [compact]
        types = expand_credential_types(claims) + tuple(
            t for t in compact_list if isinstance(t, str)
        )
        return CandidateCredential(
            id=credential_id,
            format=fmt,
            claims=claims,
            types=tuple(dict.fromkeys(types)),
            holder_binding=holder_binding,
        )
    vct = claims.get("vct")
    return CandidateCredential(
        id=credential_id,
        format=fmt,
        claims=claims,
        vct=vct if isinstance(vct, str) else None,
        holder_binding=holder_binding,
    )
