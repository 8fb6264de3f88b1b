"""Reading needs nothing but CONNECT and USAGE, writes nothing, and locks no table."""

from __future__ import annotations

from pathlib import Path

import psycopg

from schemavet.dialects.postgres.catalog import read_in_transaction
from schemavet.dialects.postgres.inspect import inspect_postgres
from tests.dialects.postgres.conftest import Database

KITCHEN_SINK = (Path(__file__).parent / "kitchen_sink.sql").read_text()
ROLE = "sv_least_privilege"

# the catalog rows a schema is made of (no statistics, no counters)
_DIGEST = """
SELECT md5(string_agg(row, E'\\n' ORDER BY row)) FROM (
  SELECT format('%s %s %s %s %s %s', oid, relname, relnamespace, relkind, relacl, reloptions) AS row
    FROM pg_class
  UNION ALL SELECT format('%s %s %s %s', attrelid, attname, atttypid, attnotnull) FROM pg_attribute
  UNION ALL SELECT format('%s %s %s', oid, conname, pg_get_constraintdef(oid)) FROM pg_constraint
  UNION ALL SELECT format('%s %s', indexrelid, indisvalid) FROM pg_index
  UNION ALL SELECT format('%s %s %s', oid, tgname, tgenabled) FROM pg_trigger
  UNION ALL SELECT format('%s %s', oid, polname) FROM pg_policy
  UNION ALL SELECT format('%s %s', oid, typname) FROM pg_type
  UNION ALL SELECT format('%s %s', oid, proname) FROM pg_proc
  UNION ALL SELECT format('%s %s %s', oid, nspname, nspacl) FROM pg_namespace
  UNION ALL SELECT format('%s %s %s %s', classid, objid, refobjid, deptype) FROM pg_depend
  UNION ALL SELECT format('%s %s', seqrelid, seqincrement) FROM pg_sequence
) AS catalog
"""


def test_a_role_with_only_connect_and_usage_reads_everything(pg_database: Database) -> None:
    pg_database.run(KITCHEN_SINK)
    pg_database.run(
        f"""
        DROP ROLE IF EXISTS {ROLE};
        CREATE ROLE {ROLE} LOGIN;
        REVOKE ALL ON DATABASE {pg_database.name} FROM PUBLIC;
        GRANT CONNECT ON DATABASE {pg_database.name} TO {ROLE};
        GRANT USAGE ON SCHEMA app, "Odd Schema" TO {ROLE};
        """
    )
    try:
        owner = inspect_postgres(pg_database.url)
        least = inspect_postgres(pg_database.url_as(ROLE))
        assert least == owner
        assert least.not_modelled == owner.not_modelled
        assert set(least.namespaces) == {"app", "Odd Schema", "public"}
        assert len(least.namespaces["app"].tables) == 6
    finally:
        pg_database.run(
            f'REVOKE ALL ON SCHEMA app, "Odd Schema" FROM {ROLE}; '
            f"REVOKE ALL ON DATABASE {pg_database.name} FROM {ROLE}; DROP ROLE {ROLE}"
        )


def test_reading_changes_nothing_in_the_catalog(pg_database: Database) -> None:
    pg_database.run(KITCHEN_SINK)
    before = pg_database.query(_DIGEST)
    inspect_postgres(pg_database.url)
    assert pg_database.query(_DIGEST) == before


def test_reading_locks_only_to_share_and_only_catalogs_and_what_views_read(pg_database: Database) -> None:
    """pg_get_viewdef takes the share lock a SELECT of the view would (on app.users here): it
    waits only behind an ACCESS EXCLUSIVE lock, and then no longer than the lock timeout."""
    pg_database.run(KITCHEN_SINK)
    with psycopg.connect(pg_database.conninfo, autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        read_in_transaction(conn)
        locks = conn.execute(
            "SELECT l.relation::regclass::text, l.mode, c.relnamespace = 'pg_catalog'::regnamespace "
            "FROM pg_locks AS l LEFT JOIN pg_class AS c ON c.oid = l.relation "
            "WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'"
        ).fetchall()
        conn.execute("ROLLBACK")
    assert locks, "the catalog reads hold their share locks until the transaction ends"
    assert {mode for _, mode, _ in locks} == {"AccessShareLock"}
    assert sorted(name for name, _, in_catalog in locks if not in_catalog) == ["app.users"]
