"""Who asks: the verifier as the consent screen shows it.

The name and logo the verifier gives in ``client_metadata`` (OpenID4VP 1.0 §5.1, with
RFC 7591 ``client_name`` and ``logo_uri``), and whether the wallet knows it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from shared.errors import VcError
from shared.net.fetch import HttpFetcher
from shared.protocols.oid4vp import DIRECT_POST_JWT, PREFIX_DECENTRALIZED_IDENTIFIER
from wallet.service.pending_presentation import VerifierView
from wallet.service.presentation_request import ResolvedRequest

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
