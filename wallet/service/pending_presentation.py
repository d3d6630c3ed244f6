"""The state of a pending OpenID4VP presentation, typed: who asks, what matches, what the
person chose (:mod:`wallet.service.presenting` reads and writes it).

``to_json``/``from_json`` are the storage boundary: they write the keys the nested dicts of
earlier versions had, in the same cases, so rows sealed before still load
(tests/unit/wallet/test_pending_state.py; docs/decisions/typed-state.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.errors import InvalidInputError

ClaimPath = tuple[str | int | None, ...]


def _json_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInputError(f"{what} must be a JSON object")
    return value


@dataclass(frozen=True)
class VerifierView:
    """Who asks, as the consent screen shows it (see :func:`verifier_view`)."""

    client_id: str
    name: str | None
    names: dict[str, str]
    known: bool
    known_name: str | None
    logo: str | None
    response_host: str | None
    signed: bool
    encrypted: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "name": self.name,
            "names": dict(self.names),
            "known": self.known,
            "known_name": self.known_name,
            "logo": self.logo,
            "response_host": self.response_host,
            "signed": self.signed,
            "encrypted": self.encrypted,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VerifierView:
        """Rows written by older wallets may lack the later keys: they read as absent."""
        names = data.get("names")
        return cls(
            client_id=str(data.get("client_id", "")),
            name=data.get("name"),
            names=dict(names) if isinstance(names, dict) else {},
            known=bool(data.get("known", False)),
            known_name=data.get("known_name"),
            logo=data.get("logo"),
            response_host=data.get("response_host"),
            signed=bool(data.get("signed", False)),
            encrypted=bool(data.get("encrypted", False)),
        )


@dataclass(frozen=True)
class PendingPresentation:
    """A request opened and not yet answered, as kept (sealed) in its ``pending_exchanges``
    row: who asks, the checked request object, and what in the wallet matches it.

    ``to_json``/``from_json`` are the storage boundary; the stored shape is the one of the
    nested dicts written before this class existed (tests/unit/wallet/test_pending_state.py).
    """

    client_id: str
    #: the verifier's authorization request (request object claims), as checked
    request: dict[str, Any]
    verifier: VerifierView
    matching: Matching

    @property
    def nonce(self) -> str:
        return str(self.request["nonce"])

    @property
    def response_uri(self) -> str:
        return str(self.request["response_uri"])

    @property
    def state(self) -> str | None:
        """The request's ``state``, echoed in the answer (§8.2) when it is a string."""
        value = self.request.get("state")
        return value if isinstance(value, str) else None

    def view(self, pending_id: str) -> dict[str, Any]:
        """What the API and pages show of a pending request."""
        return {"id": pending_id, "verifier": self.verifier.to_json(), **self.matching.to_json()}

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "request": self.request,
            "verifier": self.verifier.to_json(),
            "matching": self.matching.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PendingPresentation:
        return cls(
            client_id=str(data["client_id"]),
            request=_json_object(data["request"], "the pending request"),
            verifier=VerifierView.from_json(_json_object(data["verifier"], "the verifier")),
            matching=Matching.from_json(_json_object(data["matching"], "the matching credentials")),
        )


@dataclass(frozen=True)
class ClaimChoice:
    """The person's choice for one credential query: which credential, and (SD-JWT) which
    claim paths to disclose (None: what the verifier asked for)."""

    credential_id: str | None = None
    disclose: tuple[ClaimPath, ...] | None = None

    @classmethod
    def from_json(cls, data: Any) -> ClaimChoice:
        """Read ``{"credential_id": …, "disclose": [[…], …]}`` (the API body, the summary
        page's hidden field); refuse any other shape."""
        if isinstance(data, ClaimChoice):
            return data
        if not isinstance(data, Mapping):
            raise InvalidInputError("each selection must be a JSON object")
        cid = data.get("credential_id")
        if cid is not None and not isinstance(cid, str):
            raise InvalidInputError("a selection's credential_id must be text")
        raw = data.get("disclose")
        if raw is None:
            return cls(cid, None)
        if not isinstance(raw, list) or not all(isinstance(p, list) for p in raw):
            raise InvalidInputError("a selection's disclose must be a list of claim paths")
        paths: list[ClaimPath] = []
        for path in raw:
            if not all(p is None or isinstance(p, str | int) for p in path):
                raise InvalidInputError("a claim path is made of names, indexes and null")
            paths.append(tuple(path))
        return cls(cid, tuple(paths))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.credential_id is not None:
            out["credential_id"] = self.credential_id
        if self.disclose is not None:
            out["disclose"] = [list(p) for p in self.disclose]
        return out


def parse_selections(selections: Any) -> dict[str, ClaimChoice]:
    """Per credential query id, the person's :class:`ClaimChoice` (hostile input refused)."""
    if selections is None:
        return {}
    if not isinstance(selections, Mapping):
        raise InvalidInputError("selections must be a JSON object")
    if not all(isinstance(k, str) for k in selections):
        raise InvalidInputError("selections are keyed by credential query id")
    return {k: ClaimChoice.from_json(v) for k, v in selections.items()}


@dataclass
class CandidateCredential:
    """One credential of the wallet that answers one credential query, and what sending it
    would disclose (``disclosed``; for SD-JWT, what may be ticked and what is always read)."""

    credential_id: str
    title: str | None
    issuer_name: str | None
    self_declared: bool
    format: str
    #: the claim paths the verifier asked for
    requested: list[list[Any]]
    #: revoked or suspended: listed, greyed out, never sent
    blocked: bool
    selective: bool
    disclosed: Any
    status: dict[str, Any] | None = None
    disclosable: list[list[Any]] | None = None
    always: Any = None
    claims: Any = None
    #: a whole copy of a badge also held as SD-JWT VC (docs/decisions/reveal-less.md)
    selective_copy: bool | None = None

    @property
    def badge(self) -> tuple[str | None, str | None]:
        """What makes two stored credentials copies of one badge: its issuer and title."""
        return self.issuer_name, self.title

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "credential_id": self.credential_id,
            "title": self.title,
            "issuer_name": self.issuer_name,
            "self_declared": self.self_declared,
            "format": self.format,
            "requested": self.requested,
            "blocked": self.blocked,
        }
        if self.status is not None:
            out["status"] = self.status
        out["selective"] = self.selective
        if self.disclosable is not None:
            out["disclosable"] = self.disclosable
        out["disclosed"] = self.disclosed
        if self.selective:
            out["always"] = self.always
            out["claims"] = self.claims
        if self.selective_copy is not None:
            out["selective_copy"] = self.selective_copy
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CandidateCredential:
        copy = data.get("selective_copy")
        return cls(
            credential_id=str(data["credential_id"]),
            title=data.get("title"),
            issuer_name=data.get("issuer_name"),
            self_declared=bool(data.get("self_declared", False)),
            format=str(data["format"]),
            requested=list(data.get("requested") or []),
            blocked=bool(data.get("blocked", False)),
            selective=bool(data.get("selective", False)),
            disclosed=data.get("disclosed"),
            status=data.get("status"),
            disclosable=data.get("disclosable"),
            always=data.get("always"),
            claims=data.get("claims"),
            selective_copy=None if copy is None else bool(copy),
        )


@dataclass(frozen=True)
class QueryMatch:
    """One DCQL credential query and the wallet's credentials that answer it, the one sent
    by default first."""

    id: str
    format: Any
    options: list[CandidateCredential]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "format": self.format,
            "options": [o.to_json() for o in self.options],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QueryMatch:
        return cls(
            id=str(data["id"]),
            format=data.get("format"),
            options=[CandidateCredential.from_json(o) for o in data.get("options") or []],
        )


@dataclass(frozen=True)
class SetOption:
    """One alternative of a credential set: credential queries answered together."""

    index: int
    query_ids: list[str]
    #: every query has a credential that may be sent
    available: bool
    #: every query has a credential to show (revoked or suspended ones included)
    listed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "query_ids": self.query_ids,
            "available": self.available,
            "listed": self.listed,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SetOption:
        available = bool(data.get("available", False))
        return cls(
            index=int(data.get("index", 0)),
            query_ids=[str(i) for i in data["query_ids"]],
            available=available,
            listed=bool(data.get("listed", available)),
        )


@dataclass(frozen=True)
class CredentialSetView:
    """One choice the request asks the person to make (OpenID4VP 1.0 §6.2)."""

    index: int
    required: bool
    purpose: str | None
    options: list[SetOption]
    available: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "required": self.required,
            "purpose": self.purpose,
            "options": [o.to_json() for o in self.options],
            "available": self.available,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CredentialSetView:
        options = [SetOption.from_json(o) for o in data.get("options") or []]
        return cls(
            index=int(data.get("index", 0)),
            required=bool(data.get("required", True)),
            purpose=data.get("purpose") if isinstance(data.get("purpose"), str) else None,
            options=options,
            available=bool(data.get("available", any(o.available for o in options))),
        )


@dataclass(frozen=True)
class Matching:
    """What in the wallet answers a request: per credential query, the candidates; the
    credential sets as choices; and what is sent if the person changes nothing."""

    satisfied: bool
    queries: list[QueryMatch]
    #: None for a request opened by a wallet that did not keep the sets
    sets: list[CredentialSetView] | None
    selected_query_ids: list[str]

    def query(self, query_id: str) -> QueryMatch | None:
        return next((q for q in self.queries if q.id == query_id), None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "satisfied": self.satisfied,
            "queries": [q.to_json() for q in self.queries],
        }
        if self.sets is not None:
            out["sets"] = [s.to_json() for s in self.sets]
        out["selected_query_ids"] = self.selected_query_ids
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Matching:
        sets = data.get("sets")
        return cls(
            satisfied=bool(data.get("satisfied", False)),
            queries=[QueryMatch.from_json(q) for q in data.get("queries") or []],
            sets=None if sets is None else [CredentialSetView.from_json(c) for c in sets],
            selected_query_ids=[str(i) for i in data.get("selected_query_ids") or []],
        )


def as_matching(matching: Matching | Mapping[str, Any]) -> Matching:
    """``matching`` typed (the pages and the CLI hand the JSON form)."""
    return matching if isinstance(matching, Matching) else Matching.from_json(matching)
