"""Run a coroutine to completion from a synchronous test, whatever the thread's state.

``asyncio.run`` refuses to start while the calling thread already runs an event loop, and
the browser tests' Playwright (its sync API) leaves one running in the main thread for the
rest of the session. A fresh thread has no loop: the coroutine gets its own there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["run_async"]

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` in a thread of its own; its result or its exception."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
