"""PostgreSQL: 8 workers issue 2,000 credentials for one organisation; no index is handed out
twice and no record is lost. Also: one pre-authorized code raced by 8 wallets is redeemed once.

Runs when MUSETTE_TEST_POSTGRES_URL is set (CI sets it); each run uses its own schema.
"""

from __future__ import annotations

import os
import random
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from issuer.db.models import IssuedCredential, Offer, StatusAllocation
from issuer.demo import seed_demo
from issuer.main import open_resources
from issuer.schemas import OfferIn, SubjectIn
from issuer.service import status as status_service
from issuer.service.achievements import get_achievement
from issuer.service.issuance import Holder, issue_credential
from issuer.service.oid4vci import (
    TokenFailure,
    create_offer,
    redeem,
    redeem_at_once,
    redeem_code,
)
from issuer.service.orgs import get_org
from shared.protocols.oid4vci import Oid4vciError, parse_credential_offer

PG_URL = os.environ.get("MUSETTE_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="MUSETTE_TEST_POSTGRES_URL is not set")
WORKERS = 8
TOTAL = 2000
BASE = "http://testserver/orgs/demo-association"


class FewIndexes:
    """Draw indexes from a small range so that workers really collide and lists roll over."""

    def __init__(self, span: int) -> None:
        self.span = span
        self.rng = random.SystemRandom()

    def randbelow(self, n: int) -> int:
        return self.rng.randrange(min(n, self.span))


@pytest.mark.parametrize("span", [None, 3000], ids=["random", "forced-collisions"])
def test_concurrent_issuance_allocates_unique_indexes(
    pg_settings: Any, monkeypatch: pytest.MonkeyPatch, request: Any, span: int | None
) -> None:
    if span is not None:
        monkeypatch.setattr(status_service, "secrets", FewIndexes(span))
    seed_demo(pg_settings)
    res = open_resources(pg_settings)
    request.addfinalizer(res.dispose)
    issued: list[list[str]] = [[] for _ in range(WORKERS)]
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def worker(n: int) -> None:
        try:
            start.wait()
            for i in range(TOTAL // WORKERS):
                with res.sessions.begin() as session:
                    org = get_org(session, "demo-association")
                    row = issue_credential(
                        session,
                        res.key_store(session),
                        org,
                        BASE,
                        get_achievement(session, org, "volunteer"),
                        fmt="jwt_vc_json",
                        recipient_name=f"worker {n} #{i}",
                        recipient_email=None,
                        subject=SubjectIn(),
                        language="fr",
                        holder=Holder(did=None),
                        now=res.clock(),
                        actor=f"worker-{n}",
                    )
                    issued[n].append(row.id)
        except BaseException as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    ids = [i for chunk in issued for i in chunk]
    assert len(ids) == TOTAL
    with res.sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(IssuedCredential)) == TOTAL
        assert session.scalar(select(func.count()).select_from(StatusAllocation)) == TOTAL
        pairs = session.execute(
            select(IssuedCredential.status_seq, IssuedCredential.status_index)
        ).all()
        stored = set(session.scalars(select(IssuedCredential.id)))
    assert len(set(pairs)) == TOTAL  # no duplicate (list, index)
    assert stored == set(ids)  # no lost record
    if span is not None:
        assert len({seq for seq, _ in pairs}) >= 1


@pytest.mark.parametrize("path", ["route", "redeem_code"])
def test_pre_authorized_code_race_redeems_once(pg_settings: Any, request: Any, path: str) -> None:
    """The token endpoint's way (one autocommit statement, ``redeem_at_once``, then
    ``redeem`` for what it leaves) and the reads first (``redeem_code``, the way of offers
    with a tx_code): one token."""
    seed_demo(pg_settings)
    res = open_resources(pg_settings)
    request.addfinalizer(res.dispose)
    with res.sessions.begin() as session:
        org = get_org(session, "demo-association")
        created = create_offer(
            session,
            pg_settings,
            res.master_secret,
            org,
            BASE,
            OfferIn.model_validate({"achievement": "volunteer", "recipient": {"name": "R"}}),
            actor="t",
            now=res.clock(),
        )
    with res.sessions.begin() as session:
        from issuer.service.oid4vci import offer_document

        org = get_org(session, "demo-association")
        doc = offer_document(
            session, pg_settings, res.master_secret, org, BASE, created.offer.id, res.clock()
        )
    code = parse_credential_offer(doc).pre_authorized_code
    assert code is not None
    outcomes: list[str] = []
    start = threading.Barrier(WORKERS)

    def wallet() -> None:
        start.wait()
        form = {
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": code,
        }
        try:
            if path == "route" and redeem_at_once(
                res.engine, pg_settings, "demo-association", BASE, form, res.clock()
            ):
                outcomes.append("token")
                return
            with res.sessions.begin() as session:
                org = get_org(session, "demo-association")
                if path == "route":
                    redeem(
                        session,
                        pg_settings,
                        res.master_secret,
                        "demo-association",
                        BASE,
                        form,
                        res.clock(),
                    )
                else:
                    redeem_code(
                        session, pg_settings, res.master_secret, org, BASE, form, res.clock()
                    )
            outcomes.append("token")
        except (Oid4vciError, TokenFailure) as err:
            outcomes.append(getattr(err, "error", "failure"))

    threads = [threading.Thread(target=wallet) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("token") == 1
    assert outcomes.count("invalid_grant") == WORKERS - 1
    with res.sessions.begin() as session:
        assert session.get(Offer, created.offer.id).state == "redeemed"  # type: ignore[union-attr]
