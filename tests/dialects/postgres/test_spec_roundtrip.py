"""The spec holds every PostgreSQL object the model does: snapshot writes it, the loader reads it
back, and snapshot → verify is clean, on the kitchen sink and on Django's contrib apps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

import schemavet
from schemavet.cli import main
from schemavet.errors import SpecError
from schemavet.model import NotNull
from schemavet.spec.load import parse_spec
from tests.dialects.postgres.conftest import Database

KITCHEN_SINK = (Path(__file__).parent / "kitchen_sink.sql").read_text()


def _snapshot_then_verify(url: str, spec: Path) -> str:
    result = CliRunner().invoke(main, ["snapshot", "--db", url, "-o", str(spec)])
    assert result.exit_code == 0, result.output
    verified = CliRunner().invoke(main, ["verify", "--db", url, "--spec", str(spec)])
    assert verified.exit_code == 0, verified.output
    return spec.read_text()


def test_the_kitchen_sink_round_trips(pg_database: Database, tmp_path: Path) -> None:
    pg_database.run(
        KITCHEN_SINK
        + """
        ALTER TABLE app.tenants ADD CONSTRAINT later_fk FOREIGN KEY (name) REFERENCES app.tenants (id)
          NOT VALID;
        ALTER TABLE app.users DISABLE TRIGGER users_touch;
        CREATE POLICY readers ON app.users AS RESTRICTIVE FOR SELECT TO PUBLIC USING (score > 0);
        ALTER TABLE app.cache ADD CONSTRAINT k_set CHECK (k <> '') NO INHERIT;
        """
    )
    text = _snapshot_then_verify(pg_database.url, tmp_path / "spec.yaml")
    for written in (
        "extensions: [pg_trgm]",
        "domains:",
        "sequences:",
        "touch(): {returns: trigger, language: plpgsql}",
        "partition_by: RANGE (at)",
        "partition_of: app.events",
        "unlogged: true",
        "exclusions:",
        "row_security: true",
        "force_row_security: true",
        "row_policies:",
        "permissive: false",
        "MATCH FULL",
        "DEFERRABLE INITIALLY DEFERRED",
        "valid: false",
        "no_inherit: true",
        "nulls_not_distinct: true",
        "include: [score]",
        "using: gin",
        "enabled: DISABLED",
        "materialized: true",
        "GENERATED ALWAYS AS IDENTITY",
    ):
        assert written in text, written
    assert "users_pkey" not in text and "users_tenant_id_fkey" not in text  # generated names left out


def test_a_table_options_spec_states_differs_from_the_database(pg_database: Database, tmp_path: Path) -> None:
    pg_database.run("CREATE TABLE t (id int PRIMARY KEY); ALTER TABLE t ENABLE ROW LEVEL SECURITY")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "engine: postgresql\ntables:\n  t:\n    columns: {id: int PRIMARY KEY}\n    unlogged: true\n"
    )
    findings = schemavet.verify(pg_database.url, spec).findings
    assert {(f.object, f.attribute, f.expected, f.actual) for f in findings} == {
        ("t", "unlogged", True, False),
        ("t", "row_security", False, True),
    }


SPEC = """
engine: postgresql
extensions: {pg_trgm: {description: trigram search}}
domains:
  email: {type: text, nullable: false, checks: [{expression: "VALUE LIKE '%@%'", valid: false}]}
  code: text
sequences:
  ticket: {type: integer, increment: 5, cycle: true, owned_by: t.id}
  plain:
functions:
  '"odd(name)"(integer, text)': {returns: trigger, language: plpgsql}
tables:
  t:
    columns:
      id:
        type: integer
        not_null: {name: t_id_present, no_inherit: true}
      ref: integer REFERENCES t(id) MATCH FULL
    unique:
      - {columns: [ref], nulls_not_distinct: true, deferrable: deferrable initially deferred}
    checks:
      - {expression: id > 0, valid: false, no_inherit: true}
    exclusions:
      - {definition: USING gist (id WITH =), name: t_x}
    indexes:
      t_cover: {columns: [ref], include: [id], nulls_not_distinct: true, unique: true}
    triggers:
      t_touch: {definition: BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch(), enabled: replica}
    row_policies:
      mine: {command: select, permissive: false, roles: [app], using: id > 0}
    partition_of: parent
    partition_bound: DEFAULT
views:
  v: {query: SELECT 1 AS one, materialized: true, indexes: {v_one: [one]}}
"""


def test_the_spec_reads_every_postgresql_object() -> None:
    schema = parse_spec(SPEC).schema
    public = schema.namespaces["public"]
    assert set(public.extensions) == {"pg_trgm"}
    assert public.domains["email"].checks[0].validated is False and not public.domains["email"].nullable
    assert public.domains["code"].type == "text"
    assert (public.sequences["ticket"].increment, public.sequences["ticket"].cycle) == (5, True)
    assert public.sequences["plain"].type == "bigint"
    function = public.functions['"odd(name)"(integer, text)']
    assert (function.name, function.arguments, function.language) == (
        '"odd(name)"',
        "integer, text",
        "plpgsql",
    )
    table = public.tables["t"]
    assert table.columns["id"].not_null == NotNull("t_id_present", no_inherit=True)
    assert table.foreign_keys[0].match == "FULL"
    assert (
        table.uniques[0].deferrable == "DEFERRABLE INITIALLY DEFERRED" and table.uniques[0].nulls_not_distinct
    )
    assert (table.checks[0].validated, table.checks[0].no_inherit) == (False, True)
    assert table.exclusions[0].name == "t_x"
    assert (table.indexes["t_cover"].include, table.indexes["t_cover"].nulls_not_distinct) == (("id",), True)
    assert table.triggers["t_touch"].enabled == "REPLICA"
    policy = table.policies["mine"]
    assert (policy.command, policy.permissive, policy.roles) == ("SELECT", False, ("app",))
    assert (table.options.partition_of, table.options.partition_bound) == ("parent", "DEFAULT")  # type: ignore[union-attr]
    view = public.views["v"]
    assert view.materialized and list(view.indexes) == ["v_one"]


@pytest.mark.parametrize(
    ("replace", "by", "says"),
    [
        ("    partition_bound: DEFAULT\n", "", '"partition_of" (its parent) and "partition_bound"'),
        ("MATCH FULL", "MATCH SOMETIMES", "SOMETIMES"),
        ("enabled: replica", "enabled: sometimes", '"enabled" of trigger "t_touch" should be one of'),
        ("command: select", "command: upsert", '"command" of row policy "mine" should be one of'),
        ("increment: 5", "increment: five", '"increment" of sequence "ticket" should be a whole number'),
        ("  '\"odd(name)\"(integer, text)'", "  odd", "should be written as its signature"),
        ("include: [id]", "includes: [id]", 'Unknown key "includes"'),
        ("row_policies:", "policies_rls:", 'Unknown key "policies_rls"'),
        ("  plain:\n", "  plain: {start: 1}\n", 'Unknown key "start"'),
    ],
)
def test_a_wrong_postgresql_entry_is_one_located_sentence(replace: str, by: str, says: str) -> None:
    assert replace in SPEC
    with pytest.raises(SpecError) as raised:
        parse_spec(SPEC.replace(replace, by, 1), "spec.yaml")
    assert says in str(raised.value) and "spec.yaml:" in str(raised.value)


# --- Django's contrib apps, migrated into PostgreSQL by Django itself -------------------------

_MIGRATE = """
import sys
import django
from django.conf import settings
from django.core.management import call_command

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": sys.argv[1],
                           "USER": sys.argv[2], "HOST": sys.argv[3], "PORT": sys.argv[4]}},
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.admin", "django.contrib.contenttypes",
                    "django.contrib.sessions", "django.contrib.messages"],
    USE_TZ=True,
)
django.setup()
call_command("migrate", verbosity=0, interactive=False)
"""


def test_djangos_contrib_apps_round_trip(pg_database: Database, tmp_path: Path) -> None:
    pytest.importorskip("django")
    params = psycopg.conninfo.conninfo_to_dict(pg_database.conninfo)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    migrate = [sys.executable, "-c", _MIGRATE, pg_database.name, str(params["user"]), str(params["host"])]
    proc = subprocess.run(
        [*migrate, str(params.get("port", "5432"))], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    text = _snapshot_then_verify(pg_database.url, tmp_path / "django.yaml")
    assert "auth_user_groups:" in text and "django_session:" in text
    assert "DEFERRABLE INITIALLY DEFERRED" in text  # Django's foreign keys
    pg_database.run("ALTER TABLE auth_user ALTER COLUMN email TYPE varchar(200)")
    findings = schemavet.verify(pg_database.url, tmp_path / "django.yaml").findings
    assert [(f.object, f.attribute) for f in findings] == [("auth_user.email", "type")]


def test_a_named_not_null_is_compared_only_where_the_spec_names_it(
    pg_database: Database, tmp_path: Path
) -> None:
    pg_database.run("CREATE TABLE t (a int CONSTRAINT a_present NOT NULL, b int NOT NULL)")
    text = _snapshot_then_verify(pg_database.url, tmp_path / "spec.yaml")
    assert "not_null: {name: a_present}" in text and "t_b_not_null" not in text
    pg_database.run(
        "ALTER TABLE t RENAME CONSTRAINT a_present TO a_there;"
        " ALTER TABLE t RENAME CONSTRAINT t_b_not_null TO b_there"
    )
    findings = schemavet.verify(pg_database.url, tmp_path / "spec.yaml").findings
    assert [(f.object, f.attribute) for f in findings] == [("t.a", "not_null")]
