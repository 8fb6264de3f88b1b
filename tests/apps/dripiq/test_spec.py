"""schema/dripiq.yaml against the migrated database: clean (also for a least-privileged role, and
without touching the catalog), and each drift a finding that names the object, exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from psycopg.conninfo import conninfo_to_dict

from schemavet.cli import main
from tests.apps.dripiq.conftest import SCHEMA, Connection, Database
from tests.dialects.postgres.test_privileges import _DIGEST

SPEC = Path(__file__).resolve().parents[3] / "schema" / "dripiq.yaml"
ROLE = "dripiq_ci_reader"


def _verify(url: str, spec: Path = SPEC) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(main, ["verify", "--db", url, "--spec", str(spec), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.output)["findings"]


def test_the_migrated_database_verifies_clean_and_its_catalog_is_unchanged(
    dripiq_db: Database, conn: Connection
) -> None:
    before = conn.execute(_DIGEST).fetchall()
    assert _verify(dripiq_db.yoyo_url) == (0, [])
    assert conn.execute(_DIGEST).fetchall() == before


def test_a_role_with_only_connect_and_usage_verifies_clean(dripiq_db: Database, conn: Connection) -> None:
    database = conninfo_to_dict(dripiq_db.conninfo)["dbname"]
    conn.execute(
        f"DROP ROLE IF EXISTS {ROLE}; CREATE ROLE {ROLE} LOGIN;"
        f' REVOKE ALL ON DATABASE "{database}" FROM PUBLIC;'
        f'GRANT CONNECT ON DATABASE "{database}" TO {ROLE}; GRANT USAGE ON SCHEMA {SCHEMA} TO {ROLE}'
    )
    try:
        as_reader = Database(dripiq_db.conninfo + f" user={ROLE}")
        assert _verify(as_reader.yoyo_url) == (0, [])
        # the role reads the catalog, and nothing of the rows
        with as_reader.connect() as reader, pytest.raises(Exception, match="permission denied"):
            reader.execute(f"SELECT 1 FROM {SCHEMA}.tenants")
    finally:
        conn.execute(
            f'REVOKE ALL ON SCHEMA {SCHEMA} FROM {ROLE}; REVOKE ALL ON DATABASE "{database}" FROM {ROLE};'
            f"DROP ROLE {ROLE}"
        )


S = SCHEMA
# (case, the drift, the object a finding names, what a finding says)
DRIFTS = [
    (
        "foreign key action changed",
        f"ALTER TABLE {S}.contact_campaigns DROP CONSTRAINT contact_campaigns_sender_identity_id_fkey,"
        f" ADD FOREIGN KEY (sender_identity_id) REFERENCES {S}.email_sender_identities ON DELETE CASCADE",
        "contact_campaigns.sender_identity_id",
        "SET NULL",
    ),
    (
        "unique constraint dropped",
        f"ALTER TABLE {S}.outbound_messages DROP CONSTRAINT outbound_messages_tenant_dedupe_key_key",
        "outbound_messages",
        "dedupe_key",
    ),
    (
        "partial predicate changed",
        f"DROP INDEX {S}.idx_scheduled_actions_pending_run_at;"
        " CREATE INDEX idx_scheduled_actions_pending_run_at"
        f" ON {S}.scheduled_actions (status, run_at) WHERE status = 'failed'",
        "scheduled_actions.idx_scheduled_actions_pending_run_at",
        "failed",
    ),
    (
        "GIN index rebuilt as btree",
        f"DROP INDEX {S}.idx_contact_campaigns_plan_json;"
        f" CREATE INDEX idx_contact_campaigns_plan_json ON {S}.contact_campaigns (plan_json)",
        "contact_campaigns.idx_contact_campaigns_plan_json",
        "gin",
    ),
    (
        "column made nullable",
        f"ALTER TABLE {S}.outbound_messages ALTER dedupe_key DROP NOT NULL",
        "dedupe_key",
        "null",
    ),
    (
        "NOT VALID foreign key",
        f"ALTER TABLE {S}.message_events DROP CONSTRAINT message_events_message_id_fkey;"
        f" ALTER TABLE {S}.message_events ADD FOREIGN KEY (message_id) REFERENCES {S}.outbound_messages"
        " ON DELETE CASCADE NOT VALID",
        "message_events.message_id",
        "valid",
    ),
    (
        "a tenant_id that no longer cascades breaks the policy",
        f"ALTER TABLE {S}.leads DROP CONSTRAINT leads_tenant_id_fkey,"
        f" ADD FOREIGN KEY (tenant_id) REFERENCES {S}.tenants ON DELETE RESTRICT",
        "leads",
        "tenant_id cascades from tenants",
    ),
    (
        "a table without updated_at breaks the policy",
        f"ALTER TABLE {S}.webhook_deliveries DROP COLUMN updated_at",
        "webhook_deliveries",
        'has no column "updated_at"',
    ),
    (
        "a foreign key without an index breaks the policy",
        f"DROP INDEX {S}.idx_message_events_message_id",
        "message_events",
        "every foreign key is indexed",
    ),
    (
        "table in the wrong schema",
        f"ALTER TABLE {S}.send_rate_limits SET SCHEMA public",
        "send_rate_limits",
        "missing",
    ),
]


@pytest.mark.parametrize(("drift", "names", "says"), [d[1:] for d in DRIFTS], ids=[d[0] for d in DRIFTS])
def test_drift_exits_1_naming_the_object(
    dripiq_db: Database, conn: Connection, drift: str, names: str, says: str
) -> None:
    conn.execute(drift)
    code, findings = _verify(dripiq_db.yoyo_url)
    assert code == 1
    named = [f for f in findings if names in str(f["object"])]
    assert named, findings
    assert any(says in str(f["message"]) for f in named), [f["message"] for f in named]


def test_an_index_left_invalid_by_a_failed_concurrent_build_exits_1(
    dripiq_db: Database, conn: Connection
) -> None:
    conn.execute(
        f"DROP INDEX {S}.idx_message_events_tenant_event_at;"
        f" INSERT INTO {S}.tenants (id, name) VALUES ('t', 'T');"
        f" INSERT INTO {S}.users (id, tenant_id, email) VALUES ('u', 't', 'u@x');"
        f" INSERT INTO {S}.leads (id, tenant_id, name) VALUES ('l', 't', 'L');"
        f" INSERT INTO {S}.lead_point_of_contacts (id, tenant_id, lead_id, name) VALUES ('p', 't', 'l', 'P');"
        f" INSERT INTO {S}.contact_campaigns"
        " (id, tenant_id, lead_id, contact_id, channel, plan_json, plan_hash)"
        "  VALUES ('c', 't', 'l', 'p', 'email', '{}', 'h');"
        f" INSERT INTO {S}.outbound_messages (id, tenant_id, campaign_id, contact_id, channel, dedupe_key)"
        "  VALUES ('m', 't', 'c', 'p', 'email', 'd');"
        f" INSERT INTO {S}.message_events (id, tenant_id, message_id, type, event_at)"
        "  VALUES ('e1', 't', 'm', 'sent', '2024-01-01'), ('e2', 't', 'm', 'open', '2024-01-01')"
    )
    with pytest.raises(Exception, match="could not create unique index"):
        conn.execute(
            f"CREATE UNIQUE INDEX CONCURRENTLY idx_message_events_tenant_event_at"
            f" ON {S}.message_events (tenant_id, event_at DESC)"
        )
    code, findings = _verify(dripiq_db.yoyo_url)
    assert code == 1
    assert any(
        f["object"] == "dripiq_app.message_events.idx_message_events_tenant_event_at"
        and (f["attribute"], f["actual"]) == ("valid", False)
        for f in findings
    ), findings
