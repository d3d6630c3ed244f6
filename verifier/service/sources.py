"""What was submitted, and fetching a public share URL through the safe fetcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.encoding.json_limits import parse_json
from shared.errors import InvalidInputError, UpstreamError
from verifier.service.status_cache import RequestingFetcher
from verifier.service.verifying import Expectations, Policy, unwrap_share_document

ACCEPT = (
    "application/json, application/vc, application/vp, application/vc+jwt, "
    "application/dc+sd-jwt, application/jwt, image/png, image/svg+xml;q=0.8, */*;q=0.1"
)


@dataclass(frozen=True)
class Submission:
    data: Any
    #: json | token | upload | paste | url | oid4vp | vc-api
    source: str
    policy: Policy
    expect: Expectations


def fetch_share_url(fetcher: RequestingFetcher, url: str) -> Any:
    """GET a share URL (https only outside development; private addresses refused).

    Raises:
        InvalidInputError: not a URL.
        UpstreamError: the URL could not be fetched (502, the request cannot be served).
    """
    if not url.startswith(("https://", "http://")):
        raise InvalidInputError("the share URL must be an http(s) URL")
    response = fetcher.request("GET", url, headers={"Accept": ACCEPT})
    kind = next((v for k, v in response.headers.items() if k.lower() == "content-type"), "")
    body = response.body
    if "json" in kind or body.lstrip()[:1] in {b"{", b"["}:
        try:
            return unwrap_share_document(parse_json(body))
        except InvalidInputError as err:
            raise UpstreamError(f"{url} did not answer with valid JSON") from err
    return body
