"""Enveloped credentials and presentations: the secured token inside a ``data:`` URL.

Implements: VC DM 2.0 §4.13.1 "Enveloped Verifiable Credentials" and §4.13.2 "Enveloped
Verifiable Presentations" (https://www.w3.org/TR/vc-data-model-2.0/#enveloped-verifiable-
credentials): "The @context property of the object MUST be present and include a context
... that defines at least the id, type, and EnvelopedVerifiableCredential terms"; "The id
value of the object MUST be a data: URL [RFC2397] that expresses a secured verifiable
credential using an enveloping security scheme"; "The type value of the object MUST be
EnvelopedVerifiableCredential" (likewise for presentations). RFC 2397 §3 for the URL.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote

from shared.errors import MalformedCredentialError

ENVELOPED_VC: Final = "EnvelopedVerifiableCredential"
ENVELOPED_VP: Final = "EnvelopedVerifiablePresentation"
VC_V2: Final = "https://www.w3.org/ns/credentials/v2"

#: Media types of a secured credential we verify, and the engine's name for the token kind.
#: ``application/jwt`` (RFC 7519 §10.3.1) names any JWT: the token's own ``typ`` then says
#: whether it secures a credential (the W3C VC DM 2.0 test suite envelopes with it).
CREDENTIAL_MEDIA_TYPES: Final = {
    "application/vc+jwt": "jwt",  # VC-JOSE-COSE §3.1.1
    "application/jwt": "jwt",
    "application/vc+sd-jwt": "dc+sd-jwt",  # VC-JOSE-COSE §3.2.1
    "application/dc+sd-jwt": "dc+sd-jwt",  # SD-JWT VC §3.1
}
PRESENTATION_MEDIA_TYPES: Final = {
    "application/vp+jwt": "jwt",  # VC-JOSE-COSE §3.1.2
    "application/jwt": "jwt",
    "application/vp+sd-jwt": "dc+sd-jwt",  # VC-JOSE-COSE §3.2.2 (an SD-JWT with a KB-JWT)
}
#: Largest token taken out of a ``data:`` URL (1 MiB): far above any real JWT or SD-JWT,
#: and what keeps base64 decoding and signature checks bounded whatever the body limit.
MAX_ENVELOPED_TOKEN_CHARS: Final = 1024 * 1024
# RFC 2397: dataurl := "data:" [ mediatype ] [ ";base64" ] "," data
_MEDIA_TYPE: Final = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*"
)
_TOKEN_CHARS: Final = re.compile(r"[A-Za-z0-9_\-.~]+")


@dataclass(frozen=True, slots=True)
class Envelope:
    """What an enveloped object carries: its media type, the token, and its kind."""

    media_type: str
    token: str
    kind: str  # "jwt" or "dc+sd-jwt", as shared.verify.credential.detect_format names them


def enveloped_type(value: Any) -> str | None:
    """``EnvelopedVerifiableCredential`` / ``...Presentation`` when ``value`` claims to be one."""
    if not isinstance(value, dict):
        return None
    types = value.get("type")
    types = types if isinstance(types, list) else [types]
    for name in (ENVELOPED_VC, ENVELOPED_VP):
        if name in types:
            return name
    return None


def open_envelope(value: dict[str, Any], expected: str) -> Envelope:
    """Check an enveloped object against VC DM 2.0 §4.13.1/§4.13.2 and take its token out.

    ``expected`` is :data:`ENVELOPED_VC` or :data:`ENVELOPED_VP`: where a credential is
    expected, an enveloped presentation is refused, and the reverse.

    Raises:
        MalformedCredentialError: naming the rule broken (context, type, data: URL, media
            type, encoding, size).
    """
    noun = "credential" if expected == ENVELOPED_VC else "presentation"
    contexts = value.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    # "MUST be present and include a context ... that defines ... the id, type, and
    # Enveloped... terms": the base context is the one we know to define them.
    if not contexts or contexts[0] != VC_V2:
        raise MalformedCredentialError(
            f"an enveloped {noun} needs @context with {VC_V2} first (VC DM 2.0 §4.13)"
        )
    types = value.get("type")
    if types != expected and types != [expected]:
        raise MalformedCredentialError(
            f"the type of an enveloped {noun} must be {expected} (VC DM 2.0 §4.13), not {types!r}"
        )
    media_type, token = parse_data_url(value.get("id"))
    allowed = CREDENTIAL_MEDIA_TYPES if expected == ENVELOPED_VC else PRESENTATION_MEDIA_TYPES
    kind = allowed.get(media_type)
    if kind is None:
        raise MalformedCredentialError(
            f"the data: URL of an enveloped {noun} has media type {media_type or '(none)'!r}; "
            f"expected one of {', '.join(sorted(allowed))}"
        )
    return Envelope(media_type, token, kind)


def parse_data_url(ident: Any) -> tuple[str, str]:
    """The media type (lower case, without parameters) and the text of a ``data:`` URL.

    Spec: RFC 2397 §3. The data is percent-decoded, or base64-decoded after ``;base64``;
    either way it must be a token (base64url, ``.``, ``~``): a compact JWS or SD-JWT.

    Raises:
        MalformedCredentialError: not a string, not a data: URL, no comma, bad base64,
            a token of other characters, or one larger than :data:`MAX_ENVELOPED_TOKEN_CHARS`.
    """
    if not isinstance(ident, str) or ident[:5].lower() != "data:":
        raise MalformedCredentialError(
            "the id of an enveloped object must be a data: URL (RFC 2397)"
        )
    # base64 text is 4/3 of its bytes: past this length, no token could fit
    if len(ident) > MAX_ENVELOPED_TOKEN_CHARS * 4 // 3 + 1024:
        raise MalformedCredentialError(
            f"the data: URL is larger than {MAX_ENVELOPED_TOKEN_CHARS} characters"
        )
    header, sep, data = ident[5:].partition(",")
    if not sep:
        raise MalformedCredentialError("a data: URL needs a comma before its data (RFC 2397)")
    params = [p.strip() for p in header.split(";")]
    media_type = params[0].lower()
    if media_type and not _MEDIA_TYPE.fullmatch(media_type):
        raise MalformedCredentialError(f"{params[0]!r} is not a media type")
    if params[-1].lower() == "base64" and len(params) > 1:
        try:
            raw = base64.b64decode(unquote(data), validate=True)
            text = raw.decode("ascii")
        except (binascii.Error, ValueError) as err:
            raise MalformedCredentialError("the data: URL's base64 data does not decode") from err
    else:
        try:
            text = unquote(data, errors="strict")
        except UnicodeDecodeError as err:
            raise MalformedCredentialError("the data: URL's data is not UTF-8") from err
    if len(text) > MAX_ENVELOPED_TOKEN_CHARS:
        raise MalformedCredentialError(
            f"the enveloped token is larger than {MAX_ENVELOPED_TOKEN_CHARS} characters"
        )
    if not _TOKEN_CHARS.fullmatch(text):
        raise MalformedCredentialError(
            "the data: URL does not hold a compact JWS or SD-JWT (base64url parts joined by "
            "'.' and '~')"
        )
    return media_type, text
