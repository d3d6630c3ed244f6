"""One deadline for the whole outbound fetch, not only a timeout per read.

Regression: the fetcher's timeout applied to each read, so a server dripping one
byte every few seconds held a worker for as long as it liked (up to the 1 MB cap).
"""

from __future__ import annotations

import pytest

from shared.errors import UpstreamError
from shared.net.fetch import HttpFetcher
from tests.slow_server import drip_server


@pytest.mark.parametrize("headers_first", [True, False], ids=["body-drip", "header-drip"])
def test_slow_drip_fetch_ends_at_the_deadline(headers_first: bool) -> None:
    # every read answers within 0.5 s, far below the 5 s read timeout: only the deadline ends it
    fetcher = HttpFetcher(allow_loopback=True, timeout=5.0, deadline=1.5)
    with drip_server(interval=0.2, headers_first=headers_first) as drip:
        with pytest.raises(UpstreamError, match="deadline") as caught:
            fetcher.fetch_json(drip.url)
        assert drip.connected.is_set()
    assert caught.value.extensions == {"reason": "deadline"}
    assert "1.5 s deadline" in caught.value.detail


def test_a_silent_server_is_a_read_timeout_not_the_deadline() -> None:
    """One read waiting longer than the per-read timeout, well before the deadline."""
    fetcher = HttpFetcher(allow_loopback=True, timeout=0.5, deadline=30.0)
    pattern = r"did not answer within 0\.5 s"
    # headers, then silence
    with drip_server(interval=60) as drip, pytest.raises(UpstreamError, match=pattern) as caught:
        fetcher.fetch_json(drip.url)
    assert caught.value.extensions == {}
