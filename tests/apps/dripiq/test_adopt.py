"""adopt takes over a dripiq database that Drizzle migrated (its records in the drizzle schema,
no yoyo tables): the prefix of migrations/dripiq whose schema it has is found and marked; a
drifted one is refused and its catalog left exactly as it was."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from schemavet.commands.adopt import AdoptionRefused, adopt
from tests.apps.dripiq.conftest import MIGRATIONS
from tests.databases import Databases

POSTGRES = pytest.mark.parametrize("dialect", ["postgresql"], indirect=True)
_DRIZZLE = """
CREATE SCHEMA IF NOT EXISTS drizzle;
CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL,
  created_at bigint);
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES
  ('5c1d0e9a7b3f', 1730000000000), ('8e2f4a6c0d1b', 1731000000000), ('0a9b8c7d6e5f', 1732000000000);
"""
# the catalog as anyone can read it: relations, columns, constraints, indexes, schemas
_CATALOG = """
SELECT n.nspname::text, c.relname::text, c.relkind::text, a.attname::text, format_type(a.atttypid,
  a.atttypmod), a.attnotnull::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
UNION ALL SELECT 'constraint', conname::text, contype::text, pg_get_constraintdef(oid), NULL, NULL
  FROM pg_constraint
  WHERE connamespace NOT IN (SELECT oid FROM pg_namespace WHERE nspname LIKE 'pg\\_%' OR nspname =
    'information_schema')
UNION ALL SELECT 'schema', nspname::text, NULL, NULL, NULL, NULL FROM pg_namespace
ORDER BY 1, 2, 3, 4
"""


def _drizzle_made(dialect: Databases, count: int, drift: str = "") -> str:
    """A database the first ``count`` dripiq migrations made outside yoyo, with Drizzle's records."""
    files = sorted(p for p in Path(MIGRATIONS).glob("*.sql") if not p.name.endswith(".rollback.sql"))
    database = dialect.make_db()
    for path in files[:count]:
        database.run(path.read_text())
    database.run(_DRIZZLE + drift)
    return database.url


def _catalog(url: str) -> list[tuple[object, ...]]:
    from schemavet.dialects.postgres.connect import conninfo

    with psycopg.connect(conninfo(url)) as conn:
        return conn.execute(_CATALOG).fetchall()


@POSTGRES
def test_a_drizzle_database_is_adopted_at_its_prefix(dialect: Databases) -> None:
    url = _drizzle_made(dialect, 3)
    adoption = adopt(url, MIGRATIONS)
    assert adoption.marked == ("0000.base", "0001.identities-campaigns", "0002.messaging")
    assert adoption.pending == ("0003.contacts-validation", "0004.concurrent-indexes")
    from schemavet.dialects.postgres.connect import conninfo

    with psycopg.connect(conninfo(url)) as conn:
        marked = [row[0] for row in conn.execute("SELECT migration_id FROM _yoyo_migration ORDER BY 1")]
        drizzle = conn.execute("SELECT count(*) FROM drizzle.__drizzle_migrations").fetchone()
    assert marked == list(adoption.marked) and drizzle == (3,)


@POSTGRES
def test_a_drifted_drizzle_database_is_refused_catalog_for_catalog(dialect: Databases) -> None:
    url = _drizzle_made(dialect, 3, "ALTER TABLE dripiq_app.tenants ADD COLUMN plan text;")
    before = _catalog(url)
    with pytest.raises(AdoptionRefused, match="no prefix of the migrations") as refusal:
        adopt(url, MIGRATIONS)
    assert any("plan" in f.message for f in refusal.value.report.findings), [
        f.message for f in refusal.value.report.findings
    ]
    assert _catalog(url) == before
