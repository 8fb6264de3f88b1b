"""A newcomer's stumbles with rehearse, apply, the spec and the messages (issue #11), one test each."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet import rehearse
from schemavet.cli import main
from schemavet.errors import SpecError
from schemavet.spec.load import parse_spec
from tests.databases import run_sql

_INIT = (
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n"
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE);\n"
)
# the rebuild SQLite documents, but inside yoyo's transaction: with foreign keys on, the DROP
# would cascade into orders; yoyo's connections (and so apply) leave them off
_REBUILD = (
    "CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL DEFAULT '');\n"
    "INSERT INTO users_new SELECT id, coalesce(email, '') FROM users;\n"
    "DROP TABLE users;\nALTER TABLE users_new RENAME TO users;\n"
)


def _run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _prod(tmp_path: Path) -> tuple[Path, Path]:
    """A production database at 0001 with 3 orders, and the directory with 0002.rebuild pending."""
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001.init.sql").write_text(_INIT)
    db = tmp_path / "prod.db"
    assert _run("apply", "--db", db, "--migrations", migrations)[0] == 0
    run_sql(
        db, "INSERT INTO users VALUES (1, 'a'), (2, 'b'); INSERT INTO orders VALUES (1, 1), (2, 1), (3, 2);"
    )
    (migrations / "0002.rebuild.sql").write_text(_REBUILD)
    return db, migrations


def _orders(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM orders").fetchone()[0])
    finally:
        conn.close()


def test_rehearse_and_apply_agree_on_the_cascade_rebuild_and_name_the_migration(tmp_path: Path) -> None:
    db, migrations = _prod(tmp_path)
    code, out, _ = _run("rehearse", "--db", db, "--migrations", migrations)
    assert code == 0, out
    assert "LOST" not in out and " lost " not in out
    assert (
        'warning: Table "orders" would lose 3 of 3 rows through ON DELETE CASCADE if foreign keys are on '
        "(migration 0002.rebuild)"
    ) in out
    assert "(prod.db)" not in out and f"({db})" not in out
    assert _run("apply", "--db", db, "--migrations", migrations)[0] == 0
    assert _orders(db) == 3  # what the rehearsal said apply would do


def test_a_loss_names_its_migration_and_one_problem_is_singular(tmp_path: Path) -> None:
    db, migrations = _prod(tmp_path)
    (migrations / "0003.trim.sql").write_text("DELETE FROM orders WHERE id = 3;\n")
    rehearsal = rehearse(str(db), migrations)
    (finding,) = rehearsal.findings
    assert finding.message == 'Table "orders" lost 1 of its 3 rows (now 2) in migration "0003.trim"'
    assert finding.path == str(migrations / "0003.trim.sql")
    code, out, _ = _run("rehearse", "--db", db, "--migrations", migrations)
    assert code == 1 and out.rstrip().endswith("FAIL: 1 problem in the rehearsal")


def test_a_part_way_apply_says_what_was_committed(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001.init.sql").write_text("CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
    (migrations / "0002.broken.sql").write_text(
        "CREATE TABLE b (id INTEGER);\nINSERT INTO nope VALUES (1);\n"
    )
    code, _, err = _run("apply", "--db", tmp_path / "x.db", "--migrations", migrations)
    assert code == 2
    assert 'Migration "0002.broken" failed to apply: no such table: nope' in err
    assert (
        '"0002.broken" was rolled back; "0001.init" was applied and committed before it, and stays applied'
        in err
    )
    docs = (Path(__file__).parent.parent / "docs" / "cli.md").read_text()
    assert "failing migration. One sentence on stderr says what and where; nothing was written." not in docs


_TABLES = "tables:\n  users:\n    columns:\n      id: INTEGER\n      email: TEXT NOT NULL\n"


@pytest.mark.parametrize(
    ("addition", "line", "problem"),
    [
        ("    indexes:\n      users_email: [emial]\n", 7, 'Index "users_email" names column "emial"'),
        ("    primary_key: [uid]\n", 6, 'The primary key of "users" names column "uid"'),
        ("    unique: [[mail]]\n", 6, 'A UNIQUE constraint of "users" names column "mail"'),
        ("    checks: [length(emial) > 3]\n", 6, 'A CHECK of "users" names column "emial"'),
        (
            "    foreign_keys: [email REFERENCES accounts(email)]\n",
            6,
            'A foreign key of "users" references table "accounts", which the spec does not declare',
        ),
    ],
)
def test_the_spec_is_checked_against_itself(addition: str, line: int, problem: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse_spec(_TABLES + addition, "app.yaml")
    assert problem in str(raised.value)
    assert str(raised.value).endswith(f"(app.yaml:{line})")


def test_what_the_spec_may_use_without_declaring() -> None:
    parse_spec(
        _TABLES + '    indexes:\n      lower_email: ["lower(email)", "email COLLATE NOCASE DESC"]\n'
        "    foreign_keys: [email REFERENCES accounts(email)]\n"
        "    checks: [\"email <> 'x'\", ROWID > 0, \"typeof(_rowid_) = 'integer'\"]\nexternal: [accounts]\n",
        "app.yaml",
    )
    parse_spec(
        "engine: postgresql\ntables:\n  t:\n    columns:\n      id: integer PRIMARY KEY\n"
        "      a_id: integer REFERENCES audit.a(id)\n"
        "schemas:\n  audit:\n    tables:\n      a:\n        columns:\n          id: integer PRIMARY KEY\n",
        "pg.yaml",
    )


def test_names_differing_only_in_case_name_the_file(tmp_path: Path) -> None:
    spec = tmp_path / "case.yaml"
    spec.write_text(
        "tables:\n  authors:\n    columns:\n      id: INTEGER\n  Authors:\n    columns:\n      id: INTEGER\n"
    )
    code, _, err = _run("verify", "--db", tmp_path / "x.db", "--spec", spec)
    assert code == 2
    assert (
        'Table names "authors" and "Authors" differ only in case, '
        f"which SQLite does not distinguish ({spec}:5)" in err
    )


def test_policy_breaks_are_reported_once(tmp_path: Path) -> None:
    tables = "".join(
        f"CREATE TABLE c{i} (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id));\n" for i in range(20)
    )
    db = tmp_path / "app.db"
    run_sql(db, "CREATE TABLE p (id INTEGER PRIMARY KEY);\n" + tables)
    spec = tmp_path / "spec.yaml"
    assert _run("snapshot", "--db", db, "-o", spec)[0] == 0
    spec.write_text(spec.read_text() + "policies:\n- rule: foreign-keys-indexed\n")
    code, out, _ = _run("verify", "--db", db, "--spec", spec)
    assert code == 1
    assert out.count("breaks policy") == 20
    assert 'in the spec and the database: foreign key (p_id) of "c0"' in out


def test_snapshot_writes_sql_unfolded_and_named_keys_as_sql(tmp_path: Path) -> None:
    db = tmp_path / "long.db"
    run_sql(
        db,
        "CREATE TABLE users (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE a_rather_long_table_name_for_orders (id INTEGER PRIMARY KEY,"
        " the_user_identifier INTEGER, ghost_id INTEGER REFERENCES ghost(id),"
        " CONSTRAINT fk_orders_users FOREIGN KEY (the_user_identifier) REFERENCES users(id)"
        " ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED);\n"
        "CREATE INDEX a_partial_index ON a_rather_long_table_name_for_orders (the_user_identifier)"
        " WHERE the_user_identifier IS NOT NULL AND the_user_identifier > 100000 AND id < 999999999;\n",
    )
    code, text, _ = _run("snapshot", "--db", db)
    assert code == 0
    assert (
        "    - CONSTRAINT fk_orders_users FOREIGN KEY (the_user_identifier) REFERENCES users(id) "
        "ON DELETE SET NULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED\n"
    ) in text
    assert "WHERE" not in text and "AND id < 999999999}" in text  # one line
    assert "external:\n- ghost\n" in text
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    assert _run("verify", "--db", db, "--spec", spec)[:2] == (0, f"OK: {db} matches {spec}\n")


@pytest.mark.parametrize(
    ("check", "unknown"),
    [
        ("ratio >= 0::double precision AND ratio <= 1::double precision", None),
        ("stamp::timestamp with time zone > now() AND CAST(ratio AS numeric) < 2", None),
        ("status = ANY (ARRAY['a'::text, 'b'::text])", None),
        ("ratio::double precision > zone", "zone"),
        ("length(stauts) > 0", "stauts"),
    ],
)
def test_a_check_s_columns_are_told_from_types_and_functions(check: str, unknown: str | None) -> None:
    spec = (
        "engine: postgresql\ntables:\n  t:\n    columns:\n      ratio: double precision\n"
        f"      stamp: timestamptz\n      status: text\n    checks: [{json.dumps(check)}]\n"
    )
    if unknown is None:
        parse_spec(spec, "pg.yaml")
        return
    with pytest.raises(SpecError, match=f'names column "{unknown}"'):
        parse_spec(spec, "pg.yaml")
