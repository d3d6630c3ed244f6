"""RDF Dataset Canonicalization of JSON-LD documents, offline.

Implements: RDF Dataset Canonicalization (RDFC-1.0, W3C Recommendation 2024; identical to
URDNA2015) applied to the RDF dataset of a JSON-LD 1.1 document, serialized as canonical
N-Quads, as the ``eddsa-rdfc-2022`` cryptosuite needs
(https://www.w3.org/TR/vc-di-eddsa/#transformation-eddsa-rdfc-2022).

Contexts come only from :mod:`shared.jsonld.loader` (bundled, sha256-pinned).

Fast path: for documents whose ``@context`` values are all URLs (so every context is a
bundled one), expansion runs in :class:`~shared.jsonld.context_cache.ContextCachingProcessor`,
which keeps processed contexts and expanded IRIs across documents. Everything else is pyld
unchanged, so the output is byte-identical to plain pyld (checked by differential tests).
Documents with an inline ``@context`` object take the plain path with a per-call cache.

RDFC-1.0 runs with a work limit (:data:`MAX_N_DEGREE_HASHES`) against poison graphs.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Final

from cachetools import LRUCache
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from shared.encoding.json_limits import MAX_JSON_BYTES, MAX_JSON_DEPTH, check_json_limits
from shared.errors import MalformedCredentialError, VcError
from shared.jsonld.context_cache import ContextCachingProcessor
from shared.jsonld.loader import (
    OB303_CONTEXT_URL,
    Ob303Variant,
    make_document_loader,
    normalize_context_url,
)
from shared.jsonld.nquads_escape import install as _install_canonical_escaping

_install_canonical_escaping()  # RDFC-1.0 canonical literal escaping, see nquads_escape

# The options pyld's normalize() passes to to_rdf(); canonicalization itself runs in
# _GuardedURDNA2015 (pyld's URDNA2015 == RDFC-1.0, never its URGNA2012 default).
_TO_RDF_OPTIONS: Final[Mapping[str, Any]] = {
    "base": "",
    "extractAllScripts": True,
    "processingMode": "json-ld-1.1",
    "produceGeneralizedRdf": False,
}
#: Upper bound on "Hash N-Degree Quads" invocations for one dataset (each costs ~0.15 ms).
#: Credentials with distinguishable blank nodes need none; a chain of 64 look-alike blank
#: nodes (the depth limit) needs ~3,900; a crafted "poison" clique of 7 needs ~30,000, and
#: the count grows factorially from there.
MAX_N_DEGREE_HASHES: Final = 5_000
_PROCESSED_CACHE_SIZE: Final = 4096
_PLAIN_CACHE_SIZE: Final = 100

# Each resolver cache below belongs to one variant, so the loaders may mark documents cacheable.
_LOADERS: Final = {
    variant: make_document_loader(variant, cacheable=True) for variant in Ob303Variant
}


class _GuardedURDNA2015(URDNA2015):  # type: ignore[misc]
    """pyld's RDFC-1.0 with a work limit.

    Spec: RDFC-1.0 §4.4 (https://www.w3.org/TR/rdf-canon/#canon-algorithm): "implementations
    ... SHOULD provide a means of limiting ... Hash N-Degree Quads" against poison graphs.
    """

    def __init__(self) -> None:
        super().__init__()
        self._n_degree_calls = 0

    def hash_n_degree_quads(self, id_: Any, issuer: Any) -> Any:
        self._n_degree_calls += 1
        if self._n_degree_calls > MAX_N_DEGREE_HASHES:
            raise MalformedCredentialError(
                "RDF canonicalization gave up: the document's blank nodes need more than "
                f"{MAX_N_DEGREE_HASHES} N-degree hashes (RDFC-1.0 poison graph?)"
            )
        return super().hash_n_degree_quads(id_, issuer)


def _to_canonical_nquads(processor: Any, document: Any, resolver: Any, loader: Any) -> str:
    options = {**_TO_RDF_OPTIONS, "documentLoader": loader, "contextResolver": resolver}
    dataset = processor.to_rdf(document, options)
    return str(_GuardedURDNA2015().main(dataset, {"format": "application/n-quads"}))


class _FastPath:
    """Shared caches of the fast path; one lock, since pyld's caches are not thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.memo: LRUCache[tuple[Any, ...], tuple[Any, Any]] = LRUCache(_PROCESSED_CACHE_SIZE)
        self.iri_memo: dict[tuple[Any, ...], Any] = {}
        # Only bundled URLs and the scoped contexts inside them reach these caches.
        self.resolved: dict[Ob303Variant, dict[str, Any]] = {v: {} for v in Ob303Variant}

    def canonize(self, document: Any, variant: Ob303Variant, on_dropped: Any) -> str:
        loader = _LOADERS[variant]
        with self.lock:
            processor = ContextCachingProcessor(self.memo, self.iri_memo, variant.value, on_dropped)
            resolver = ContextResolver(self.resolved[variant], loader)
            return _to_canonical_nquads(processor, document, resolver, loader)

    def clear(self) -> None:
        with self.lock:
            self.memo.clear()
            self.iri_memo.clear()
            for cache in self.resolved.values():
                cache.clear()


_FAST = _FastPath()


def canonize_plain(
    document: Mapping[str, Any],
    *,
    ob303_variant: Ob303Variant = Ob303Variant.PINNED,
    safe_mode: bool = False,
) -> str:
    """Canonicalize with unmodified pyld and a fresh context cache (the reference path).

    Same contract as :func:`canonize`; slower. Used as the fallback and as the oracle the
    fast path is tested against.
    """
    check_json_limits(document, max_bytes=MAX_JSON_BYTES, max_depth=MAX_JSON_DEPTH)
    loader = _LOADERS[ob303_variant]
    resolver = ContextResolver(LRUCache(_PLAIN_CACHE_SIZE), loader)
    nquads = _run(
        lambda: _to_canonical_nquads(
            jsonld.JsonLdProcessor(on_property_dropped=_dropped_handler(safe_mode)),
            dict(document),
            resolver,
            loader,
        )
    )
    return _refuse_relative_iris(nquads) if safe_mode else nquads


def canonize(
    document: Mapping[str, Any],
    *,
    ob303_variant: Ob303Variant = Ob303Variant.PINNED,
    safe_mode: bool = False,
) -> str:
    """Return the RDFC-1.0 canonical N-Quads of a JSON-LD document.

    Spec: RDF Dataset Canonicalization, https://www.w3.org/TR/rdf-canon/#canon-algorithm
    (via JSON-LD 1.1 "Deserialize JSON-LD to RDF", https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm).

    Args:
        document: the JSON-LD document (not modified).
        ob303_variant: which copy of the OB 3.0.3 context the 3.0.3 URL resolves to.
        safe_mode: refuse a document with a property its contexts do not define instead of
            silently dropping it (such a property would not be covered by a signature).
            Same idea as jsonld.js ``safe: true``, limited to dropped properties.

    Raises:
        ContextNotAllowedError: the document names a context that is not bundled.
        MalformedCredentialError: the document is too large, too deep, not valid JSON-LD,
            or (``safe_mode``) has a property that no context defines.
    """
    check_json_limits(document, max_bytes=MAX_JSON_BYTES, max_depth=MAX_JSON_DEPTH)
    if not _contexts_are_urls(document):
        return canonize_plain(document, ob303_variant=ob303_variant, safe_mode=safe_mode)
    nquads = _run(
        lambda: _FAST.canonize(dict(document), ob303_variant, _dropped_handler(safe_mode))
    )
    return _refuse_relative_iris(nquads) if safe_mode else nquads


def _refuse_relative_iris(nquads: str) -> str:
    """Safe mode: a relative IRI (e.g. an undefined ``@type``) is data loss too.

    pyld resolves relative references against its DEFAULT_BASE_IRI where jsonld.js, in safe
    mode, raises "relative @type reference" (Data Integrity §2.5 wants a null base URL).
    """
    if f"<{jsonld.DEFAULT_BASE_IRI}" in nquads:
        raise MalformedCredentialError(
            "the document has a relative IRI (an undefined type or term?): it would not be "
            "signed losslessly (VC Data Integrity, 'Securing Data Losslessly')"
        )
    return nquads


def canonize_proof_configuration(
    proof_options: Mapping[str, Any],
    document_context: Any,
    *,
    ob303_variant: Ob303Variant = Ob303Variant.PINNED,
    safe_mode: bool = False,
) -> str:
    """Canonicalize a Data Integrity proof configuration.

    Spec: vc-di-eddsa, "Proof Configuration (eddsa-rdfc-2022)"
    https://www.w3.org/TR/vc-di-eddsa/#proof-configuration-eddsa-rdfc-2022 —
    "Set proofConfig.@context to unsecuredDocument.@context", then canonicalize with RDFC-1.0.
    ``proof_options`` must already lack ``proofValue``.
    """
    config = {k: v for k, v in proof_options.items() if k != "@context"}
    return canonize(
        {"@context": document_context, **config}, ob303_variant=ob303_variant, safe_mode=safe_mode
    )


def uses_ob303_context(document: Any) -> bool:
    """Tell whether any ``@context`` in the document (nested ones too) names OB 3.0.3.

    Only such documents are worth re-canonicalizing with the other OB 3.0.3 copy.
    """
    return any(normalize_context_url(url) == OB303_CONTEXT_URL for url in _context_urls(document))


def ob303_variants_to_try(document: Any) -> tuple[Ob303Variant, ...]:
    """Return the OB 3.0.3 context copies a verifier should canonicalize with, in order.

    The pinned copy always; the other copy too, but only when the document uses 3.0.3
    (otherwise both would give the same bytes).
    """
    if uses_ob303_context(document):
        return (Ob303Variant.PINNED, Ob303Variant.PINNED.alternate())
    return (Ob303Variant.PINNED,)


def clear_caches() -> None:
    """Drop the fast path's memoized contexts (tests; memory is bounded anyway)."""
    _FAST.clear()


def _ignore_dropped(term: Any) -> None:
    return None


def _refuse_dropped(term: Any) -> None:
    raise MalformedCredentialError(
        f"property {term!r} is not defined by the document's JSON-LD contexts "
        "and would not be covered by the signature",
        term=str(term),
    )


def _dropped_handler(safe_mode: bool) -> Any:
    return _refuse_dropped if safe_mode else _ignore_dropped


def _context_values(document: Any) -> list[Any]:
    found: list[Any] = []
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, value in item.items():
                if key == "@context":
                    found.append(value)
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _context_urls(document: Any) -> list[str]:
    urls: list[str] = []
    for value in _context_values(document):
        items = value if isinstance(value, list) else [value]
        urls.extend(item for item in items if isinstance(item, str))
    return urls


def _contexts_are_urls(document: Any) -> bool:
    for value in _context_values(document):
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in items):
            return False
    return True


def _run(operation: Any) -> str:
    try:
        result: str = operation()
    except jsonld.JsonLdError as err:
        cause = _domain_cause(err)
        if cause is not None:
            raise cause from None
        raise MalformedCredentialError(f"document is not valid JSON-LD: {_describe(err)}") from err
    except RecursionError as err:
        raise MalformedCredentialError("document is nested too deeply for JSON-LD") from err
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as err:
        # SPEC-DEVIATION(json-ld11-api#context-processing-algorithm): pyld 3.3 crashes on some
        # valid contexts, e.g. {"@vocab": null} ("del rval['@vocab']" with none set): such a
        # document is refused as unreadable here rather than answered with a 500.
        raise MalformedCredentialError(
            "the JSON-LD processor cannot read this document's @context "
            f"({type(err).__name__}: {err}); a {{'@vocab': null}} context is not supported"
            if "@vocab" in str(err)
            else f"the JSON-LD processor cannot read this document ({type(err).__name__}: {err})"
        ) from err
    return result


def _domain_cause(err: BaseException) -> VcError | None:
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, VcError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _describe(err: jsonld.JsonLdError) -> str:
    messages: list[str] = []
    current: BaseException | None = err
    while current is not None and len(messages) < 4:
        code = getattr(current, "code", None)
        text = str(getattr(current, "message", current)).splitlines()[0]
        messages.append(f"{text} ({code})" if code else text)
        current = current.__cause__
    return "; ".join(messages)
