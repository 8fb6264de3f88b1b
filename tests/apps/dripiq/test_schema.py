"""The dripiq schema as the migrations build it: tables, unique keys, foreign keys, defaults.

Every test gets a new database with all of migrations/dripiq applied by yoyo, and writes the
same small graph of rows (one per table) before checking what PostgreSQL does with it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from tests.apps.dripiq.conftest import SCHEMA, Connection

BASE_TABLES = ["tenants", "users", "leads", "lead_point_of_contacts"]
CAMPAIGN_TABLES = [
    "email_sender_identities",
    "contact_campaigns",
    "campaign_plan_versions",
    "campaign_transitions",
    "scheduled_actions",
    "outbound_messages",
    "message_events",
    "webhook_deliveries",
    "inbound_messages",
    "communication_suppressions",
    "send_rate_limits",
    "email_validation_results",
    "contact_channels",
]

PLAN = Jsonb({"start": "n1", "nodes": {"n1": {"action": "send", "next": None}}})

# One row per table, parents first; every nullable foreign key is set, defaulted columns are left out.
SEED: list[tuple[str, dict[str, Any]]] = [
    ("tenants", {"id": "t1", "name": "Acme"}),
    ("users", {"id": "u1", "tenant_id": "t1", "email": "ann@acme.test"}),
    ("leads", {"id": "l1", "tenant_id": "t1", "name": "Globex"}),
    (
        "lead_point_of_contacts",
        {"id": "p1", "tenant_id": "t1", "lead_id": "l1", "name": "Hank", "email": "hank@globex.test"},
    ),
    (
        "email_sender_identities",
        {
            "id": "s1",
            "tenant_id": "t1",
            "user_id": "u1",
            "from_email": "ann@acme.test",
            "from_name": "Ann",
            "domain": "acme.test",
        },
    ),
    (
        "contact_campaigns",
        {
            "id": "c1",
            "tenant_id": "t1",
            "lead_id": "l1",
            "contact_id": "p1",
            "channel": "email",
            "plan_json": PLAN,
            "plan_hash": "h1",
            "sender_identity_id": "s1",
        },
    ),
    (
        "campaign_plan_versions",
        {
            "id": "v1",
            "tenant_id": "t1",
            "campaign_id": "c1",
            "version": "1.0",
            "plan_json": PLAN,
            "plan_hash": "h1",
            "created_by": "u1",
        },
    ),
    (
        "campaign_transitions",
        {
            "id": "tr1",
            "tenant_id": "t1",
            "campaign_id": "c1",
            "from_status": "draft",
            "to_status": "active",
            "created_by": "u1",
        },
    ),
    (
        "scheduled_actions",
        {
            "id": "a1",
            "tenant_id": "t1",
            "campaign_id": "c1",
            "action_type": "send",
            "run_at": datetime(2030, 1, 1, 9, tzinfo=UTC),
        },
    ),
    (
        "outbound_messages",
        {
            "id": "m1",
            "tenant_id": "t1",
            "campaign_id": "c1",
            "contact_id": "p1",
            "channel": "email",
            "sender_identity_id": "s1",
            "provider": "sendgrid",
            "provider_message_id": "sg-1",
            "dedupe_key": "c1:n1",
        },
    ),
    ("message_events", {"id": "e1", "tenant_id": "t1", "message_id": "m1", "type": "delivered"}),
    (
        "webhook_deliveries",
        {
            "id": "w1",
            "tenant_id": "t1",
            "provider": "sendgrid",
            "event_type": "delivered",
            "message_id": "m1",
            "payload": Jsonb([{"event": "delivered", "sg_message_id": "sg-1"}]),
        },
    ),
    (
        "inbound_messages",
        {"id": "i1", "tenant_id": "t1", "campaign_id": "c1", "contact_id": "p1", "channel": "email"},
    ),
    (
        "communication_suppressions",
        {"id": "x1", "tenant_id": "t1", "channel": "email", "address": "hank@globex.test"},
    ),
    (
        "send_rate_limits",
        {
            "id": "r1",
            "tenant_id": "t1",
            "channel": "email",
            "scope": "identity",
            "identity_id": "s1",
            "window_seconds": 3600,
            "max_sends": 50,
        },
    ),
    (
        "email_validation_results",
        {
            "id": "ev1",
            "tenant_id": "t1",
            "email": "hank@globex.test",
            "is_valid": True,
            "score": Decimal("0.97"),
        },
    ),
    (
        "contact_channels",
        {
            "id": "ch1",
            "tenant_id": "t1",
            "contact_id": "p1",
            "type": "email",
            "value": "hank@globex.test",
            "validation_result_id": "ev1",
        },
    ),
]
SEED_ID = {table: row["id"] for table, row in SEED}

# (table, constraint, columns): every UNIQUE constraint of the schema (primary keys aside).
UNIQUES = [
    ("email_sender_identities", "email_sender_identities_tenant_from_email_key", ["tenant_id", "from_email"]),
    (
        "contact_campaigns",
        "contact_campaigns_tenant_contact_channel_key",
        ["tenant_id", "contact_id", "channel"],
    ),
    ("campaign_plan_versions", "campaign_plan_versions_campaign_version_key", ["campaign_id", "version"]),
    ("outbound_messages", "outbound_messages_tenant_dedupe_key_key", ["tenant_id", "dedupe_key"]),
    (
        "communication_suppressions",
        "communication_suppressions_tenant_channel_address_key",
        ["tenant_id", "channel", "address"],
    ),
    (
        "send_rate_limits",
        "send_rate_limits_tenant_channel_scope_identity_key",
        ["tenant_id", "channel", "scope", "identity_id"],
    ),
    ("email_validation_results", "email_validation_results_tenant_email_key", ["tenant_id", "email"]),
    (
        "contact_channels",
        "contact_channels_tenant_contact_type_value_key",
        ["tenant_id", "contact_id", "type", "value"],
    ),
]

# (table, column, parent table, ON DELETE): every foreign key of the schema.
FOREIGN_KEYS = [
    *[(table, "tenant_id", "tenants", "CASCADE") for table in BASE_TABLES[1:] + CAMPAIGN_TABLES],
    ("lead_point_of_contacts", "lead_id", "leads", "CASCADE"),
    ("email_sender_identities", "user_id", "users", "CASCADE"),
    ("contact_campaigns", "lead_id", "leads", "CASCADE"),
    ("contact_campaigns", "contact_id", "lead_point_of_contacts", "CASCADE"),
    ("contact_campaigns", "sender_identity_id", "email_sender_identities", "SET NULL"),
    ("campaign_plan_versions", "campaign_id", "contact_campaigns", "CASCADE"),
    ("campaign_plan_versions", "created_by", "users", "SET NULL"),
    ("campaign_transitions", "campaign_id", "contact_campaigns", "CASCADE"),
    ("campaign_transitions", "created_by", "users", "SET NULL"),
    ("scheduled_actions", "campaign_id", "contact_campaigns", "CASCADE"),
    ("outbound_messages", "campaign_id", "contact_campaigns", "CASCADE"),
    ("outbound_messages", "contact_id", "lead_point_of_contacts", "CASCADE"),
    ("outbound_messages", "sender_identity_id", "email_sender_identities", "SET NULL"),
    ("message_events", "message_id", "outbound_messages", "CASCADE"),
    ("webhook_deliveries", "message_id", "outbound_messages", "SET NULL"),
    ("inbound_messages", "campaign_id", "contact_campaigns", "SET NULL"),
    ("inbound_messages", "contact_id", "lead_point_of_contacts", "SET NULL"),
    ("send_rate_limits", "identity_id", "email_sender_identities", "SET NULL"),
    ("contact_channels", "contact_id", "lead_point_of_contacts", "CASCADE"),
    ("contact_channels", "validation_result_id", "email_validation_results", "SET NULL"),
]
_DELETE_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def _table(name: str) -> sql.Composable:
    return sql.Identifier(SCHEMA, name)


def insert(conn: Connection, table: str, row: dict[str, Any]) -> None:
    conn.execute(
        sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            _table(table),
            sql.SQL(", ").join(map(sql.Identifier, row)),
            sql.SQL(", ").join(sql.Placeholder() * len(row)),
        ),
        list(row.values()),
    )


def seed(conn: Connection) -> None:
    with conn.transaction():
        for table, row in SEED:
            insert(conn, table, row)


def value_of(conn: Connection, table: str, row_id: str, column: str) -> Any:
    """The column's value in the row, or the string "no row"."""
    found = conn.execute(
        sql.SQL("SELECT {} FROM {} WHERE id = %s").format(sql.Identifier(column), _table(table)), [row_id]
    ).fetchone()
    return "no row" if found is None else found[0]


def _catalog_foreign_keys(conn: Connection) -> list[tuple[str, str, str, str]]:
    rows = conn.execute(
        """
        SELECT c.relname, a.attname, p.relname, con.confdeltype
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_class p ON p.oid = con.confrelid
        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ALL (con.conkey)
        WHERE con.contype = 'f' AND con.connamespace = %s::regnamespace
        """,
        [SCHEMA],
    ).fetchall()
    return sorted((table, column, parent, _DELETE_ACTIONS[action]) for table, column, parent, action in rows)


def test_every_table_is_in_the_app_schema(conn: Connection) -> None:
    tables = conn.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    ).fetchall()
    app = sorted(name for schema, name in tables if schema == SCHEMA)
    others = sorted(name for schema, name in tables if schema != SCHEMA)
    assert app == sorted(BASE_TABLES + CAMPAIGN_TABLES)
    assert all(name.startswith(("_yoyo", "yoyo")) for name in others), others  # only yoyo's own


def test_the_unique_constraints_are_the_listed_ones(conn: Connection) -> None:
    rows = conn.execute(
        """
        SELECT c.relname, con.conname,
               array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i)
                     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.i)
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
        WHERE con.contype = 'u' AND con.connamespace = %s::regnamespace
        """,
        [SCHEMA],
    ).fetchall()
    assert sorted(tuple(r) for r in rows) == sorted((t, n, cols) for t, n, cols in UNIQUES)


@pytest.mark.parametrize(("table", "constraint", "columns"), UNIQUES, ids=[u[1] for u in UNIQUES])
def test_unique_constraint_rejects_a_duplicate(
    conn: Connection, table: str, constraint: str, columns: list[str]
) -> None:
    seed(conn)
    others = [
        sql.Identifier(r[0])
        for r in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
            " AND NOT attisdropped AND attname <> 'id' ORDER BY attnum",
            [f"{SCHEMA}.{table}"],
        )
    ]
    # the seeded row again under another id: every column of the key is the same
    copy = sql.SQL("INSERT INTO {t} (id, {cols}) SELECT 'duplicate', {cols} FROM {t} WHERE id = %s").format(
        t=_table(table), cols=sql.SQL(", ").join(others)
    )
    assert all(value_of(conn, table, SEED_ID[table], c) is not None for c in columns)
    with pytest.raises(psycopg.errors.UniqueViolation) as raised:
        conn.execute(copy, [SEED_ID[table]])
    assert raised.value.diag.constraint_name == constraint


def test_the_foreign_keys_are_the_listed_ones(conn: Connection) -> None:
    assert _catalog_foreign_keys(conn) == sorted(FOREIGN_KEYS)


def test_every_foreign_key_has_an_index_starting_with_its_column(conn: Connection) -> None:
    leading = {
        (table, column)
        for table, column in conn.execute(
            """
            SELECT c.relname, a.attname FROM pg_index x
            JOIN pg_class c ON c.oid = x.indrelid
            JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
            WHERE c.relnamespace = %s::regnamespace AND x.indpred IS NULL AND x.indisvalid
            """,
            [SCHEMA],
        )
    }
    assert [(t, c) for t, c, _, _ in FOREIGN_KEYS if (t, c) not in leading] == []


@pytest.mark.parametrize(
    ("table", "column", "parent", "on_delete"),
    FOREIGN_KEYS,
    ids=[f"{t}.{c}-{a.replace(' ', '_').lower()}" for t, c, _, a in FOREIGN_KEYS],
)
def test_deleting_the_parent_row(
    conn: Connection, table: str, column: str, parent: str, on_delete: str
) -> None:
    # A row may also go down another cascade path from the same parent (a tenant's contact
    # channels go with its leads too); test_the_foreign_keys_are_the_listed_ones pins each
    # key's own ON DELETE action in the catalog.
    seed(conn)
    parent_id = value_of(conn, table, SEED_ID[table], column)
    assert parent_id is not None
    deleted = conn.execute(sql.SQL("DELETE FROM {} WHERE id = %s").format(_table(parent)), [parent_id])
    assert deleted.rowcount == 1
    expected = "no row" if on_delete == "CASCADE" else None
    assert value_of(conn, table, SEED_ID[table], column) == expected


def test_defaults(conn: Connection) -> None:
    seed(conn)
    insert(
        conn,
        "send_rate_limits",
        {"id": "r2", "tenant_id": "t1", "channel": "sms", "window_seconds": 60, "max_sends": 5},
    )
    wanted = {
        ("email_sender_identities", "s1", "validation_status"): "pending",
        ("email_sender_identities", "s1", "is_default"): False,
        ("contact_campaigns", "c1", "status"): "draft",
        ("contact_campaigns", "c1", "plan_version"): "1.0",
        ("scheduled_actions", "a1", "status"): "pending",
        ("scheduled_actions", "a1", "attempt_count"): 0,
        ("outbound_messages", "m1", "state"): "queued",
        ("outbound_messages", "m1", "retry_count"): 0,
        ("send_rate_limits", "r2", "scope"): "tenant",
        ("contact_channels", "ch1", "is_primary"): False,
        ("contact_channels", "ch1", "is_verified"): False,
    }
    assert {key: value_of(conn, *key) for key in wanted} == wanted
    for table, row in SEED:
        for column in ("created_at", "updated_at"):
            assert isinstance(value_of(conn, table, row["id"], column), datetime), (table, column)
