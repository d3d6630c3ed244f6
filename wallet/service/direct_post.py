"""The answer to the verifier's ``response_uri``: OpenID4VP 1.0 §8.2 ``direct_post``,
§8.3.1 ``direct_post.jwt`` (the response parameters encrypted, §8.3, to the key the verifier
puts in ``client_metadata.jwks``), and the §8.5 error answer when the person refuses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from shared.errors import VcError
from shared.net.fetch import HttpFetcher, HttpResponse
from shared.protocols.oid4vp import DIRECT_POST_JWT
from shared.protocols.response_encryption import encrypt_response
from wallet.errors import RequestRefusedError
from wallet.service.presentation_request import encryption_key

#: OpenID4VP 1.0 §8.5 (RFC 6749 §4.1.2.1): the person refused to share anything
ACCESS_DENIED = "access_denied"
#: the statuses a verifier answers a direct_post with (400: it refused the presentation)
ANSWER_STATUSES = (200, 201, 204, 400)


def _post_form(fetcher: HttpFetcher, response_uri: str, form: Mapping[str, str]) -> HttpResponse:
    return fetcher.request(
        "POST",
        response_uri,
        data=form,
        headers={"Accept": "application/json"},
        accept_status=ANSWER_STATUSES,
    )


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


def post_answer(
    fetcher: HttpFetcher,
    request: Mapping[str, Any],
    response_uri: str,
    vp_token: Mapping[str, Any],
) -> tuple[int, Any]:
    """Post ``vp_token`` to the verifier; its status and what it answered (JSON, or the
    start of its text)."""
    resp = _post_form(fetcher, response_uri, response_form(request, vp_token))
    try:
        answer_body: Any = resp.json() if resp.body else {}
    except VcError:
        answer_body = {"text": resp.body.decode("utf-8", "replace")[:2000]}
    return resp.status, answer_body


def post_refusal(fetcher: HttpFetcher, response_uri: str, state: str | None) -> bool:
    """Tell the verifier the person refused (``error=access_denied``, §8.5), so its page
    stops waiting. True when the verifier took the answer; one that cannot be reached is
    not an error (the refusal stands)."""
    form = {"error": ACCESS_DENIED, "error_description": "the holder declined the request"}
    if state is not None:
        form["state"] = state
    try:
        resp = _post_form(fetcher, response_uri, form)
    except VcError:
        return False
    return resp.status < 300
