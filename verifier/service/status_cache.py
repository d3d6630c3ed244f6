"""The verifier's status list cache: ``shared.net.status_cache`` (the wallet uses it too)."""

from __future__ import annotations

from shared.net.status_cache import (
    CachingFetcher,
    RequestingFetcher,
    StatusListView,
    is_status_list,
    list_ttl_seconds,
)

__all__ = [
    "CachingFetcher",
    "RequestingFetcher",
    "StatusListView",
    "is_status_list",
    "list_ttl_seconds",
]
