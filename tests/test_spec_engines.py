"""A spec for several engines: objects marked ``engines: [...]`` exist on those engines only, and a
default, like a type, may be given per engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemavet import verify
from schemavet.errors import SpecError
from schemavet.spec.load import parse_spec
from tests.databases import Databases

_SPEC = """
engine: [sqlite, postgresql]
enums:
  mood:
    values: [happy, sad]
    engines: [postgresql]
domains:
  email: {type: text, checks: ["VALUE LIKE '%@%'"], engines: [postgresql]}
sequences:
  ticket_numbers: {type: bigint, engines: [postgresql]}
tables:
  notes:
    columns:
      id: TEXT PRIMARY KEY NOT NULL
      pinned:
        type: {sqlite: INTEGER, postgresql: boolean}
        nullable: false
        default: {sqlite: 0, postgresql: 'false'}
    checks:
      - expression: pinned IN (0, 1)
        engines: [sqlite]
    indexes:
      notes_pinned_idx: {columns: [pinned], engines: [sqlite]}
  only_on_postgresql:
    engines: [postgresql]
    columns:
      id: text PRIMARY KEY
"""

_DDL = {
    "sqlite": "CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, "
    "pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)));"
    "CREATE INDEX notes_pinned_idx ON notes (pinned);",
    "postgresql": "CREATE TYPE mood AS ENUM ('happy', 'sad');"
    "CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');"
    "CREATE SEQUENCE ticket_numbers;"
    "CREATE TABLE notes (id text PRIMARY KEY NOT NULL, pinned boolean NOT NULL DEFAULT false);"
    "CREATE TABLE only_on_postgresql (id text PRIMARY KEY);",
}


def test_each_engine_reads_its_own_objects() -> None:
    sqlite = parse_spec(_SPEC, engine="sqlite").schema.namespaces["main"]
    postgres = parse_spec(_SPEC, engine="postgresql").schema.namespaces["public"]
    assert (set(sqlite.tables), set(sqlite.enums)) == ({"notes"}, set())
    assert (set(postgres.tables), set(postgres.enums)) == ({"notes", "only_on_postgresql"}, {"mood"})
    assert (set(sqlite.domains), set(sqlite.sequences)) == (set(), set())
    assert (set(postgres.domains), set(postgres.sequences)) == ({"email"}, {"ticket_numbers"})
    assert [c.expression for c in sqlite.tables["notes"].checks] == ["pinned IN (0, 1)"]
    assert postgres.tables["notes"].checks == () and postgres.tables["notes"].indexes == {}
    assert (
        sqlite.tables["notes"].columns["pinned"].default,
        postgres.tables["notes"].columns["pinned"].default,
    ) == (
        "0",
        "false",
    )


def test_one_spec_verifies_on_each_engine(dialect: Databases, tmp_path: Path) -> None:
    database = dialect.make_db(_DDL[dialect.name])
    report = verify(database.url, _spec_file(tmp_path))
    assert report.ok, [f.message for f in report.findings]


def test_an_object_of_the_other_engine_in_the_database_is_a_finding(
    dialect: Databases, tmp_path: Path
) -> None:
    extra = {
        "sqlite": ("CREATE TABLE only_on_postgresql (id text PRIMARY KEY);", "only_on_postgresql"),
        "postgresql": ("CREATE INDEX notes_pinned_idx ON notes (pinned);", "notes_pinned_idx"),
    }
    ddl, stray = extra[dialect.name]
    database = dialect.make_db(_DDL[dialect.name] + ddl)
    report = verify(database.url, _spec_file(tmp_path))
    assert [stray in f.message for f in report.findings] == [True], [f.message for f in report.findings]


@pytest.mark.parametrize(
    ("marker", "message"),
    [("[mysql]", 'names engine "mysql"'), ("[]", "names no engine")],
)
def test_engines_must_be_the_spec_s_own(marker: str, message: str) -> None:
    text = _SPEC.replace("engines: [sqlite]\n    indexes", f"engines: {marker}\n    indexes")
    with pytest.raises(SpecError, match=message) as error:
        parse_spec(text, "spec.yaml", engine="sqlite")
    assert error.value.line == 1 + text[: text.index(f"engines: {marker}")].count("\n")


def _spec_file(directory: Path) -> str:
    path = directory / "spec.yaml"
    path.write_text(_SPEC)
    return str(path)


@pytest.mark.parametrize(
    ("section", "what"),
    [
        ("enums:\n  mood: [happy, sad]\n", "enums"),
        ("domains:\n  email: text\n", "domains"),
        ("sequences:\n  numbers: {type: bigint}\n", "sequences"),
        ("extensions: [citext]\n", "extensions"),
    ],
)
def test_an_engine_refuses_a_section_it_has_no_such_thing_as(section: str, what: str) -> None:
    """An enum in a SQLite-only spec could never verify: the spec says so where it is written."""
    text = "engine: sqlite\n" + section + "tables:\n  t:\n    columns: {id: INTEGER PRIMARY KEY}\n"
    with pytest.raises(SpecError, match=f"SQLite has no {what}") as error:
        parse_spec(text, "spec.yaml")
    assert error.value.line == 2
    assert parse_spec(text.replace("engine: sqlite", "engine: postgresql"), "spec.yaml").schema is not None
