"""Every earlier Alembic revision of every service, with data in it, upgrades to head.

For each revision before head: migrate an empty database to it, put one representative row in
every table that exists then (foreign keys pointing at each other's rows, values of each
column's type, real JSON where a later migration reads it), upgrade to head through
``servicekit.migrations.upgrade_to_head`` (the path ``musette migrate`` takes), and check
that every row is still there with its values, except the columns a migration is declared to
rewrite, which are checked for what the rewrite must give. SQLite always, PostgreSQL when
MUSETTE_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Uuid,
    select,
)

from issuer.db.base import make_engine as issuer_engine
from issuer.db.migrate import MIGRATIONS as ISSUER_MIGRATIONS
from servicekit.migrations import alembic_config, schema_state, upgrade_to_head
from tests.databases import DIALECTS, database_url
from verifier.db.base import MIGRATIONS as VERIFIER_MIGRATIONS
from verifier.db.base import make_engine as verifier_engine
from verifier.service.retention import summary_of
from wallet.db.base import MIGRATIONS as WALLET_MIGRATIONS
from wallet.db.base import make_engine as wallet_engine

SERVICES: dict[str, tuple[Path, Callable[[str], Engine]]] = {
    "issuer": (ISSUER_MIGRATIONS, issuer_engine),
    "wallet": (WALLET_MIGRATIONS, wallet_engine),
    "verifier": (VERIFIER_MIGRATIONS, verifier_engine),
}
MOMENT = datetime(2026, 3, 4, 5, 6, 7)

#: a verification report as the verifier stored it before 0003 (which splits it in two)
OLD_REPORT = {
    "verified": False,
    "format": "jwt_vc_json",
    "issuer": "did:web:issuer.example",
    "checks": [
        {"name": "proof", "status": "passed", "reason": "signature valid"},
        {"name": "status", "status": "failed", "reason": "revoked"},
    ],
    "credential": {"credentialSubject": {"name": "Camille Martin"}},
}
#: (service, table, column) -> the value a row starts with, for columns a migration reads
REALISTIC: dict[tuple[str, str, str], Any] = {
    ("verifier", "verifications", "report"): json.dumps(OLD_REPORT),
}


def earlier_revisions(migrations: Path) -> list[str]:
    """Every revision but the head, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(migrations))
    (head,) = script.get_heads()
    return [rev.revision for rev in reversed(list(script.walk_revisions())) if rev.revision != head]


CASES = [
    (service, revision)
    for service, (migrations, _) in SERVICES.items()
    for revision in earlier_revisions(migrations)
]


def value_for(service: str, table: Table, column: Any, index: int) -> Any:
    """A value of ``column``'s type (short enough for its length)."""
    key = (service, table.name, column.name)
    if key in REALISTIC:
        return REALISTIC[key]
    kind = column.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):
        return 7 + index
    if isinstance(kind, Float | Numeric):
        return 1.5
    if isinstance(kind, DateTime):
        return MOMENT
    if isinstance(kind, Date):
        return date(2026, 3, 4)
    if isinstance(kind, LargeBinary):
        return b"\x00\x01row"
    if isinstance(kind, JSON):
        return {"kept": [1, "two"]}
    if isinstance(kind, Uuid):
        return uuid.UUID(int=index + 1)
    if isinstance(kind, String):
        text = f"{table.name[:6]}-{column.name}-{index}"
        return text[: kind.length] if kind.length else text
    raise AssertionError(f"no sample value for {table.name}.{column.name} ({kind!r})")


def populate(service: str, engine: Engine) -> dict[str, dict[str, Any]]:
    """One row per table (parents first), returned by table name."""
    meta = MetaData()
    rows: dict[str, dict[str, Any]] = {}
    with engine.begin() as conn:
        meta.reflect(conn)
        for index, table in enumerate(meta.sorted_tables):
            if table.name == "alembic_version":
                continue
            row: dict[str, Any] = {}
            for column in table.columns:
                fks = list(column.foreign_keys)
                if fks:
                    parent = fks[0].column
                    row[column.name] = rows[parent.table.name][parent.name]
                else:
                    row[column.name] = value_for(service, table, column, index)
            conn.execute(table.insert().values(row))
            rows[table.name] = row
    return rows


def expected_after(
    service: str, revision: str, table: str, column: str, before: dict[str, Any]
) -> Any:
    """What a column holds after the upgrade: its old value, or the declared rewrite."""
    if (service, table) == ("verifier", "verifications") and revision < "0003":
        # 0003: the whole report moves to full_report, report keeps its summary
        if column == "report":
            return json.dumps(summary_of(OLD_REPORT), ensure_ascii=False)
        if column == "full_report":
            return before["report"]
    return before[column]


def same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    if isinstance(a, str) and isinstance(b, str) and a.startswith("{"):
        return bool(json.loads(a) == json.loads(b))
    return bool(a == b)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("service", "revision"), CASES, ids=[f"{s}-{r}" for s, r in CASES])
def test_upgrade_with_data_from_every_earlier_revision(
    service: str, revision: str, dialect: str, tmp_path: Path
) -> None:
    migrations, make_engine = SERVICES[service]
    with database_url(dialect, tmp_path, f"up_{service}") as url:
        engine = make_engine(url)
        try:
            config = alembic_config(migrations)
            with engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
            assert schema_state(engine, migrations).current == (revision,)
            before = populate(service, engine)
            assert before, "no table to fill at this revision"

            upgrade_to_head(engine, migrations, service)

            assert schema_state(engine, migrations).at_head
            after = MetaData()
            with engine.connect() as conn:
                after.reflect(conn)
                for name, row in before.items():
                    assert name in after.tables, f"{name} was dropped by an upgrade"
                    table = after.tables[name]
                    key = [table.c[c.name] == row[c.name] for c in table.primary_key.columns]
                    found = conn.execute(select(table).where(*key)).mappings().all()
                    assert len(found) == 1, f"the {name} row is gone after the upgrade"
                    for column in table.columns:
                        if column.name not in row and column.name != "full_report":
                            continue  # a column added since: its default, whatever it is
                        want = expected_after(service, revision, name, column.name, row)
                        assert same(found[0][column.name], want), (name, column.name)
        finally:
            engine.dispose()
