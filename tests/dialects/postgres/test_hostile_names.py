"""Names with quotes, spaces, mixed case, non-ASCII letters and reserved words round-trip exactly."""

from __future__ import annotations

from pathlib import Path

import schemavet
from schemavet.dialects.postgres.inspect import inspect_postgres
from schemavet.dialects.postgres.normalize import normalize_postgres
from tests.dialects.postgres.conftest import Database

HOSTILE = '''
CREATE SCHEMA "Weird ""Schema""";
CREATE TYPE "Weird ""Schema""".":-)" AS ENUM ('a''b', 'A B', 'ä');
CREATE TABLE "Weird ""Schema"""."Mixed Case" (
  "select" int PRIMARY KEY,
  "Order" text,
  "with space" text,
  "quo""te" text,
  "ünï" text,
  "Mood" "Weird ""Schema""".":-)",
  CONSTRAINT "Check Me" CHECK ("Order" <> 'x')
);
CREATE TABLE "Weird ""Schema""".child (
  "Parent" int CONSTRAINT "FK ""1""" REFERENCES "Weird ""Schema"""."Mixed Case"
);
CREATE INDEX "Idx ""Q""" ON "Weird ""Schema"""."Mixed Case" ("Order" DESC, lower("with space"));
CREATE TABLE mixed ("ID" int, id int);
'''

SPEC = '''
engine: postgresql
tables:
  mixed:
    columns:
      ID: integer
      id: integer
schemas:
  'Weird "Schema"':
    enums:
      ':-)': ["a'b", "A B", "ä"]
    tables:
      Mixed Case:
        columns:
          select: integer PRIMARY KEY
          Order: text CHECK ("Order" <> 'x')
          with space: text
          quo"te: text
          ünï: text
          Mood: '"Weird ""Schema""".":-)"'
        indexes:
          Idx "Q": ['"Order" DESC', 'lower("with space")']
      child:
        columns:
          Parent: integer
        foreign_keys:
          - '"Parent" REFERENCES "Mixed Case"'
'''


def test_hostile_names_are_read_exactly(pg_database: Database) -> None:
    pg_database.run(HOSTILE)
    schema = inspect_postgres(pg_database.url)
    ns = schema.namespaces['Weird "Schema"']
    table = ns.tables["Mixed Case"]
    assert list(table.columns) == ["select", "Order", "with space", 'quo"te', "ünï", "Mood"]
    assert ns.enums[":-)"].values == ("a'b", "A B", "ä")
    assert table.columns["Mood"].type == '"Weird ""Schema""".":-)"'
    assert table.checks[0].name == "Check Me"
    assert table.indexes['Idx "Q"'].columns == ('"Order" DESC', 'lower("with space")')
    assert ns.tables["child"].foreign_keys[0].name == 'FK "1"'
    assert ns.tables["child"].foreign_keys[0].ref_table == "Mixed Case"
    assert list(schema.namespaces["public"].tables["mixed"].columns) == ["ID", "id"]
    normal = normalize_postgres(schema)
    assert list(normal.namespaces['Weird "Schema"'].tables["Mixed Case"].columns) == list(table.columns)


def test_hostile_names_verify_against_a_spec(pg_database: Database, tmp_path: Path) -> None:
    pg_database.run(HOSTILE)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    report = schemavet.verify(pg_database.url, spec)
    assert [(f.kind, f.object, f.attribute) for f in report.findings] == []
