"""tx_code attempts race: parallel wrong guesses are counted one by one, then the offer dies.

Regression: the token endpoint read ``tx_attempts``, added one and wrote it back,
so parallel wrong guesses wrote the same count (40 concurrent guesses got 19 evaluated).
Runs on SQLite always and on PostgreSQL when MUSETTE_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from issuer.db.models import Offer
from issuer.demo import seed_demo
from issuer.main import open_resources
from issuer.schemas import OfferIn
from issuer.service.oid4vci import TokenFailure, create_offer, offer_document, redeem_code
from issuer.service.orgs import get_org
from shared.protocols.oid4vci import PRE_AUTHORIZED_GRANT, Oid4vciError, parse_credential_offer
from tests.integration.issuer.conftest import make_settings
from tests.tx_codes import count_tx_code_comparisons

GUESSES = 20
BASE = "http://testserver/orgs/demo-association"


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    if request.param == "postgres":
        return request.getfixturevalue("pg_settings")
    return make_settings(tmp_path)


def test_tx_code_attempts_race(
    settings: Any, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_demo(settings)
    res = open_resources(settings)
    request.addfinalizer(res.dispose)
    with res.sessions.begin() as session:
        org = get_org(session, "demo-association")
        created = create_offer(
            session,
            settings,
            res.master_secret,
            org,
            BASE,
            OfferIn.model_validate(
                {"achievement": "volunteer", "recipient": {"name": "R"}, "tx_code": True}
            ),
            actor="t",
            now=res.clock(),
        )
        doc = offer_document(
            session, settings, res.master_secret, org, BASE, created.offer.id, res.clock()
        )
    code = parse_credential_offer(doc).pre_authorized_code
    right = created.tx_code
    assert code is not None
    assert right is not None
    wrong = "000000" if right != "000000" else "111111"

    compared = count_tx_code_comparisons(monkeypatch)
    lock = threading.Lock()
    outcomes: list[str] = []
    start = threading.Barrier(GUESSES)

    def guess(tx_code: str, wait: bool = True) -> str:
        if wait:
            start.wait()
        form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": tx_code}
        failure: Oid4vciError | None = None
        try:
            with res.sessions.begin() as session:
                org = get_org(session, "demo-association")
                try:
                    redeem_code(session, settings, res.master_secret, org, BASE, form, res.clock())
                except TokenFailure as err:  # committed, as the endpoint does
                    failure = err.error
        except Oid4vciError as err:
            failure = err
        return "token" if failure is None else failure.error

    def run() -> None:
        outcome = guess(wrong)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    allowed = settings.tx_code_max_attempts
    assert outcomes == ["invalid_grant"] * GUESSES  # every guess answered, none crashed
    assert len(compared) <= allowed  # at most the allowed number of guesses evaluated
    with res.sessions.begin() as session:
        offer = session.get(Offer, created.offer.id)
        assert offer is not None
        assert offer.tx_attempts == allowed
        assert offer.state == "dead"
    # dead: the right code is refused too, and not even compared
    before = len(compared)
    assert guess(right, wait=False) == "invalid_grant"
    assert len(compared) == before
