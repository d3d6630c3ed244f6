"""A memo of status list credentials already verified, shared by one service's verifications.

Implements nothing of a spec: an optimisation of Bitstring Status List v1.0 §3.2 step
"verify the status list credential", which a service would otherwise repeat for every
credential pointing at the same list.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass
class StatusListMemo:
    """Status list credentials this verifier has already verified, by content.

    A service verifying many credentials of one issuer fetches the same list (its fetcher
    caches it) and would verify the list's proof again each time. The memo remembers a
    *passed* verification of exactly that content for ``max_age``; a changed list (another
    digest), a failed one, or an old verdict is verified again. The list's validity window
    and the credential's bit are still read on every check. Share one memo per service, not
    between services that resolve DIDs differently.
    """

    max_age: timedelta = timedelta(minutes=5)
    max_entries: int = 256
    _verified: OrderedDict[str, datetime] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @staticmethod
    def key(list_credential: Any) -> str | None:
        """The content digest of a list credential (None when it is not JSON data)."""
        try:
            text = json.dumps(list_credential, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            return None
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def holds(self, key: str, now: datetime) -> bool:
        """True when this content verified less than ``max_age`` ago."""
        with self._lock:
            when = self._verified.get(key)
            if when is None or not when <= now < when + self.max_age:
                self._verified.pop(key, None)
                return False
            self._verified.move_to_end(key)
            return True

    def remember(self, key: str, now: datetime) -> None:
        """Record that this content verified at ``now``."""
        with self._lock:
            self._verified[key] = now
            self._verified.move_to_end(key)
            while len(self._verified) > self.max_entries:
                self._verified.popitem(last=False)
