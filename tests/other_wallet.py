"""A wallet that does not check status: the running wallet's own presenting code, in process
on its data, building answers that a test then posts itself (used by e2e and browser tests).

Our wallet refuses to present a revoked or suspended badge; another wallet may not, and the
verifier must still say "revoked". This is that other wallet."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx2

from musette.up import UpConfig


@dataclass
class Answer:
    """A presentation the wallet's own code built for a request, not yet posted."""

    response_uri: str
    form: dict[str, str]

    def post(self) -> httpx2.Response:
        return httpx2.post(self.response_uri, data=self.form, timeout=30)


@contextmanager
def open_wallet(config: UpConfig) -> Iterator[Any]:
    """The running wallet's resources (its database and master key), in this process."""
    from wallet import settings_for_up
    from wallet.main import open_resources

    settings = settings_for_up(config.data_dir / "wallet", config.base_urls(), True)
    with open_resources(settings) as res:
        yield res


def build_answer(
    holder: Any,
    email: str,
    request_uri: str,
    credential_id: str | None = None,
    qid: str | None = None,
    *,
    audience: str | None = None,
    disclose: list[tuple[Any, ...]] | None = None,
    password: str = "un-mot-de-passe-solide",  # noqa: S107  (the browser journey's holder)
) -> Answer:
    """One presentation of ``credential_id`` (default: the account's only credential) for the
    request at ``request_uri``, answering query ``qid`` (default: the one of its format)."""
    from shared.did import DidResolver
    from wallet.service import accounts, presentation_formats, presentation_request, storage

    with holder.sessions.begin() as session:
        # the account opens with its password only (docs/decisions/person-held-keys.md)
        who = accounts.authenticate(session, holder.master, holder.hasher, email, password)
        resolver = DidResolver(holder.fetcher, allow_http=True)
        request = presentation_request.resolve_request(holder.fetcher, resolver, request_uri)
        if credential_id is None:
            (only,) = storage.list_credentials(session, who)
            credential_id = only.id
        view = storage.get_credential(session, who, credential_id)
        if qid is None:
            fmt = storage.DCQL_FORMATS[view.format]
            queries = request.claims["dcql_query"]["credentials"]
            qid = next(str(q["id"]) for q in queries if q.get("format") == fmt)
        presentation = presentation_formats.build_presentation(
            session,
            who,
            view,
            client_id=audience or request.client_id,
            nonce=request.claims["nonce"],
            disclose=disclose or [],  # SD-JWT: the achievement is never selectively disclosed
        )
    form = {"vp_token": json.dumps({qid: [presentation]}), "state": request.claims["state"]}
    return Answer(request.claims["response_uri"], form)
