"""migrations/dripiq under yoyo: each migration rolls back to the schema before it, and the
indexes built CONCURRENTLY outside a transaction come out valid."""

from __future__ import annotations

from typing import Any

from yoyo import get_backend

from tests.apps.dripiq.conftest import SCHEMA, Connection, Database

MIGRATION_IDS = [
    "0000.base",
    "0001.identities-campaigns",
    "0002.messaging",
    "0003.contacts-validation",
    "0004.concurrent-indexes",
]

CONCURRENT_INDEXES = {
    "idx_message_events_tenant_event_at": (
        "CREATE INDEX idx_message_events_tenant_event_at"
        " ON dripiq_app.message_events USING btree (tenant_id, event_at DESC)"
    ),
    "idx_outbound_messages_provider_message_id": (
        "CREATE INDEX idx_outbound_messages_provider_message_id"
        " ON dripiq_app.outbound_messages USING btree (provider, provider_message_id)"
    ),
    "idx_scheduled_actions_pending_run_at": (
        "CREATE INDEX idx_scheduled_actions_pending_run_at"
        " ON dripiq_app.scheduled_actions USING btree (status, run_at) WHERE (status = 'pending'::text)"
    ),
    "idx_contact_campaigns_plan_json": (
        "CREATE INDEX idx_contact_campaigns_plan_json ON dripiq_app.contact_campaigns USING gin (plan_json)"
    ),
}

# The schema as the catalog has it, every name and definition in dripiq_app.
_SNAPSHOT = {
    "schema": "SELECT nspname FROM pg_namespace WHERE nspname = %(schema)s",
    "relations": """
        SELECT c.relname, c.relkind, c.relpersistence FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(schema)s""",
    "columns": """
        SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND a.attnum > 0 AND NOT a.attisdropped""",
    "constraints": """
        SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid), con.convalidated,
               con.condeferrable, con.condeferred
        FROM pg_constraint con
        JOIN pg_namespace n ON n.oid = con.connamespace
        LEFT JOIN pg_class c ON c.oid = con.conrelid
        WHERE n.nspname = %(schema)s""",
    "indexes": """
        SELECT c.relname, i.relname, pg_get_indexdef(x.indexrelid), x.indisvalid, x.indisready
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class c ON c.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %(schema)s""",
    "functions": """
        SELECT p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %(schema)s""",
    "types": """
        SELECT t.typname, t.typtype FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = %(schema)s""",
    "triggers": """
        SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %(schema)s AND NOT t.tgisinternal""",
}


def snapshot(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """The dripiq_app part of the catalog, each kind of object as a sorted list of rows."""
    return {
        kind: sorted((tuple(r) for r in conn.execute(query, {"schema": SCHEMA})), key=repr)
        for kind, query in _SNAPSHOT.items()
    }


def changes(old: dict[str, list[tuple[Any, ...]]], new: dict[str, list[tuple[Any, ...]]]) -> dict[str, Any]:
    """What differs between two snapshots, by kind: the rows only in the old one, only in the new one."""
    diff = {}
    for kind in old:
        gone = [r for r in old[kind] if r not in new[kind]]
        added = [r for r in new[kind] if r not in old[kind]]
        if gone or added:
            diff[kind] = {"gone": gone, "added": added}
    return diff


def test_each_migration_rolls_back_to_the_schema_before_it(
    empty_db: Database, dripiq_migrations: Any
) -> None:
    with empty_db.connect() as conn, get_backend(empty_db.yoyo_url) as backend, backend.lock():
        before = [snapshot(conn)]  # before[i]: the schema before migration i
        pending = backend.to_apply(dripiq_migrations)
        assert [m.id for m in pending] == MIGRATION_IDS
        for migration in pending:
            backend.apply_one(migration)
            before.append(snapshot(conn))
            assert before[-1] != before[-2], f"{migration.id} changed nothing in the catalog"
        final = before[-1]

        applied = backend.to_rollback(dripiq_migrations)
        assert [m.id for m in applied] == MIGRATION_IDS[::-1]
        for migration in applied:
            backend.rollback_one(migration)
            assert changes(before[MIGRATION_IDS.index(migration.id)], snapshot(conn)) == {}, migration.id
        assert before[0]["schema"] == [] and snapshot(conn) == before[0]

        backend.apply_migrations(backend.to_apply(dripiq_migrations))
        assert changes(final, snapshot(conn)) == {}


def test_only_the_index_migration_runs_outside_a_transaction(dripiq_migrations: Any) -> None:
    for migration in dripiq_migrations:
        migration.load()
    transactional = {m.id: m.use_transactions for m in dripiq_migrations}
    assert transactional == {i: i != "0004.concurrent-indexes" for i in MIGRATION_IDS}


def test_concurrent_indexes_are_valid(conn: Connection) -> None:
    rows = conn.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisvalid, x.indisready, x.indislive
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE i.relname = ANY(%s) AND i.relnamespace = %s::regnamespace
        """,
        [list(CONCURRENT_INDEXES), SCHEMA],
    ).fetchall()
    assert {name: (definition, valid, ready, live) for name, definition, valid, ready, live in rows} == {
        name: (definition, True, True, True) for name, definition in CONCURRENT_INDEXES.items()
    }
