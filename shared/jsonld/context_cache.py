"""pyld's JSON-LD processor with context processing memoized across documents.

pyld 3.3 re-processes the same contexts for every document: a type-scoped context is
processed against a fresh clone of the active context, which never hits pyld's cache, and
every inline (scoped) context is JCS-canonicalized just to build a cache key. Almost all of
an OB 3.0 credential's expansion time goes there.

``ContextCachingProcessor`` overrides two pyld internals (pyld is pinned to 3.3.0, and
:mod:`shared.jsonld.pyld_compat` checks them at import):

* ``_process_context(active, local)`` is a pure function of the active context and the local
  context. pyld gives every frozen active context a unique ``_uuid``; the memo key is that
  uuid, the local context (URL string, tuple of URLs, or the identity of a context object,
  which the memo keeps alive so ``id()`` is never reused) and the other arguments.
* ``_expand_iri`` outside context processing is a pure function of the frozen active
  context and its arguments.

Only call it on documents whose contexts are all bundled URLs: then every context object it
sees comes from the immutable bundled files, and the caches stay bounded.
"""

from __future__ import annotations

from typing import Any, Final

from cachetools import LRUCache
from frozendict import frozendict
from pyld import jsonld

from shared.jsonld.pyld_compat import check_pyld_internals

check_pyld_internals()  # the overrides below must still override something: fail loudly

IRI_CACHE_SIZE: Final = 20_000


class ContextCachingProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with context processing memoized across documents.

    ``_process_context(active_ctx, local_ctx)`` is a pure function of the active context
    (identified by the ``_uuid`` pyld gives every frozen active context) and the local
    context. The memo holds a strong reference to each local context object so ``id()`` is
    never reused while its entry lives; the bundled contexts are never mutated.
    """

    def __init__(
        self,
        memo: LRUCache[tuple[Any, ...], tuple[Any, Any]],
        iri_memo: dict[tuple[Any, ...], Any],
        variant: str,
        on_property_dropped: Any,
    ) -> None:
        super().__init__(on_property_dropped=on_property_dropped)
        self._memo = memo
        self._iri_memo = iri_memo
        self._variant = variant

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        # Outside context processing (local_ctx is None), IRI expansion is a pure function
        # of the frozen active context and the arguments.
        if local_ctx is not None or not isinstance(value, str):
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        uid = active_ctx.get("_uuid") if isinstance(active_ctx, frozendict) else None
        if uid is None:
            return super()._expand_iri(active_ctx, value, base, vocab)
        key = (uid, value, base, vocab)
        try:
            return self._iri_memo[key]
        except KeyError:
            pass
        result = super()._expand_iri(active_ctx, value, base, vocab)
        if len(self._iri_memo) >= IRI_CACHE_SIZE:
            self._iri_memo.clear()
        self._iri_memo[key] = result
        return result

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        uid = active_ctx.get("_uuid") if isinstance(active_ctx, frozendict) else None
        if uid is None or cycles:
            return super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected=override_protected,
                propagate=propagate,
                validate_scoped=validate_scoped,
                cycles=cycles,
            )
        if isinstance(local_ctx, str):
            ctx_key: Any = local_ctx
        elif isinstance(local_ctx, list) and all(isinstance(c, str) for c in local_ctx):
            ctx_key = tuple(local_ctx)
        else:
            ctx_key = id(local_ctx)
        key = (
            self._variant,
            uid,
            ctx_key,
            override_protected,
            propagate,
            validate_scoped,
            options.get("base"),
            options.get("processingMode"),
        )
        hit = self._memo.get(key)
        if hit is not None and (isinstance(ctx_key, str | tuple) or hit[0] is local_ctx):
            return hit[1]
        result = super()._process_context(
            active_ctx,
            local_ctx,
            options,
            override_protected=override_protected,
            propagate=propagate,
            validate_scoped=validate_scoped,
            cycles=cycles,
        )
        if isinstance(result, frozendict):
            self._memo[key] = (local_ctx, result)
        return result
