"""What the database holds and the model cannot (a rule, a composite type …) is never passed
silently: verify warns about each, and with ``--strict`` fails on it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from schemavet.cli import main

from .conftest import Database

_SCHEMA = """
CREATE TABLE items (id integer PRIMARY KEY, name text);
CREATE TABLE items_log (id integer, name text);
CREATE TYPE pair AS (a integer, b integer);
CREATE RULE items_logged AS ON INSERT TO items DO ALSO INSERT INTO items_log VALUES (NEW.id, NEW.name);
"""


def _spec(tmp_path: Path) -> str:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "engine: postgresql\ntables:\n"
        "  items:\n    columns:\n      id: integer NOT NULL PRIMARY KEY\n      name: text\n"
        "  items_log:\n    columns:\n      id: integer\n      name: text\n"
    )
    return str(spec)


def test_not_modelled_objects_are_warnings(pg_database: Database, tmp_path: Path) -> None:
    pg_database.run(_SCHEMA)
    result = CliRunner().invoke(main, ["verify", "--db", pg_database.url, "--spec", _spec(tmp_path)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert any('"public.pair"' in line for line in warnings), result.output
    assert any("items_logged" in line for line in warnings), result.output
    assert all("schemavet does not model it: it was not compared" in line for line in warnings)
    as_json = CliRunner().invoke(
        main, ["verify", "--db", pg_database.url, "--spec", _spec(tmp_path), "--format", "json"]
    )
    assert len(json.loads(as_json.output)["warnings"]) == len(warnings)


def test_strict_fails_on_them(pg_database: Database, tmp_path: Path) -> None:
    pg_database.run(_SCHEMA)
    args = ["verify", "--db", pg_database.url, "--spec", _spec(tmp_path), "--strict"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "items_logged" in result.output and "warning:" not in result.output
