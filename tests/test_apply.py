"""``apply`` records each migration's content hash; ``verify --migrations`` compares them with the files."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from schemavet import apply, snapshot, verify
from schemavet.cli import main
from schemavet.errors import SchemavetError
from schemavet.migrations.bookkeeping import HASH_TABLE, open_backend
from schemavet.migrations.directory import in_yoyo_order, read_migration_dir
from schemavet.migrations.sums import content_sha256
from tests.conftest import RECRUITING_MIGRATIONS, RECRUITING_SPEC, digest


def _run(*args: Any) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _recorded(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute(f"SELECT migration_id, content_sha256 FROM {HASH_TABLE}"))
    finally:
        conn.close()


def _migrations(tmp_path: Path) -> Path:
    directory = tmp_path / "migrations"
    shutil.copytree(RECRUITING_MIGRATIONS, directory)
    return directory


def test_apply_records_the_content_hash_of_every_migration(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    code, out, _ = _run("apply", "--db", f"sqlite:///{db}", "--migrations", RECRUITING_MIGRATIONS)
    assert code == 0
    assert out.startswith(f"Applied 7 migrations to sqlite:///{db}: 0000.base, ")
    files = [p for p in RECRUITING_MIGRATIONS.glob("*.sql") if not p.name.endswith(".rollback.sql")]
    expected = {p.name.removesuffix(".sql"): content_sha256(str(p)) for p in files}
    assert _recorded(db) == expected
    assert verify(str(db), RECRUITING_SPEC, RECRUITING_MIGRATIONS).ok  # the table is bookkeeping, not schema
    assert HASH_TABLE not in snapshot(str(db))
    assert apply(str(db), RECRUITING_MIGRATIONS) == []  # nothing pending the second time


def test_verify_reports_a_migration_applied_from_other_contents(tmp_path: Path) -> None:
    directory = _migrations(tmp_path)
    db = tmp_path / "app.db"
    apply(str(db), directory)
    edited = directory / "0002.cv-queue.sql"
    edited.write_text(edited.read_text().replace("NOT NULL DEFAULT 'completed'", "NOT NULL DEFAULT 'queued'"))
    before = digest(db)
    code, out, _ = _run("verify", "--db", db, "--spec", RECRUITING_SPEC, "--migrations", directory)
    assert code == 1
    assert (
        'Migration "0002.cv-queue" was applied from other contents than its file has now: '
        "the database was built from different file contents"
    ) in out
    assert f"({edited})" in out
    assert digest(db) == before  # verify only reads
    assert _run("verify", "--db", db, "--spec", RECRUITING_SPEC)[0] == 0  # the schema itself still matches


def test_verify_reports_an_applied_migration_whose_file_is_gone(tmp_path: Path) -> None:
    directory = _migrations(tmp_path)
    db = tmp_path / "app.db"
    apply(str(db), directory)
    (directory / "0005.outreach.sql").unlink()
    (directory / "0005.outreach.rollback.sql").unlink()
    report = verify(str(db), RECRUITING_SPEC, directory)
    assert [f.message for f in report.findings] == [
        f'Migration "0005.outreach" was applied to the database but is no longer in "{directory}"'
    ]


def test_rolling_back_removes_the_recorded_hash(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    apply(str(db), RECRUITING_MIGRATIONS)
    last = in_yoyo_order(read_migration_dir(str(RECRUITING_MIGRATIONS)))[-1]
    backend = open_backend(f"sqlite:///{db}")
    try:
        with backend.lock():
            backend.rollback_one(last)
    finally:
        backend.connection.close()
    assert "0006.cv-queue-order" not in _recorded(db) and len(_recorded(db)) == 6
    assert apply(str(db), RECRUITING_MIGRATIONS) == ["0006.cv-queue-order"]
    assert "0006.cv-queue-order" in _recorded(db)


def test_a_database_migrated_by_plain_yoyo_has_nothing_to_compare(recruiting_db: Path) -> None:
    assert verify(str(recruiting_db), RECRUITING_SPEC, RECRUITING_MIGRATIONS).ok


def test_a_failing_migration_is_named(tmp_path: Path) -> None:
    directory = _migrations(tmp_path)
    (directory / "0007.broken.sql").write_text(
        "-- depends: 0006.cv-queue-order\nALTER TABLE nope ADD COLUMN x TEXT;\n"
    )
    code, _, err = _run("apply", "--db", tmp_path / "app.db", "--migrations", directory)
    assert code == 2
    assert 'Migration "0007.broken" failed to apply' in err
    assert "0007.broken" not in _recorded(tmp_path / "app.db")


def _stale_lock(db: Path, pid: int = 4242) -> None:
    """What a yoyo apply killed while it held the lock leaves behind: its row in yoyo_lock."""
    backend = open_backend(f"sqlite:///{db}")  # creates yoyo_lock, as yoyo does on connecting
    backend.connection.close()
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute(
            "INSERT INTO yoyo_lock (locked, ctime, pid) VALUES (1, '2025-01-02 03:04:05', ?)", (pid,)
        )
    finally:
        conn.close()


def test_a_stale_yoyo_lock_is_an_input_error_naming_the_lock(
    recruiting_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import schemavet.migrations.runner

    directory = _migrations(tmp_path)
    (directory / "0007.more.sql").write_text(
        "-- depends: 0006.cv-queue-order\nCREATE TABLE more (id INTEGER);\n"
    )
    _stale_lock(recruiting_db)
    before = digest(recruiting_db)
    monkeypatch.setattr(schemavet.migrations.runner, "LOCK_TIMEOUT", 0.3)  # yoyo's wait is 10 s
    code, out, err = _run("apply", "--db", recruiting_db, "--migrations", directory)
    assert code == 2, err
    assert err == (
        f'schemavet: error: "{recruiting_db}" is locked by yoyo (yoyo_lock holds the lock of process 4242, '
        "taken at 2025-01-02 03:04:05); nothing was applied: if no migration is running on it, "
        'remove the stale lock with "yoyo break-lock"\n'
    )
    assert digest(recruiting_db) == before
    with pytest.raises(SchemavetError, match="is locked by yoyo"):
        apply(str(recruiting_db), directory, lock_timeout=0.1)


def test_the_hash_recorded_is_of_the_text_yoyo_applied(tmp_path: Path) -> None:
    """A file edited after yoyo loaded it (during a long apply): the text that ran is recorded."""
    from schemavet.migrations.runner import apply_pending

    directory = _migrations(tmp_path)
    db = tmp_path / "app.db"
    listed = read_migration_dir(str(directory))
    in_yoyo_order(listed)  # yoyo loads every file to order them, as apply does
    edited = directory / "0006.cv-queue-order.sql"
    applied_text = content_sha256(str(edited))
    edited.write_text(edited.read_text() + "\nCREATE TABLE sneaked_in (id INTEGER);\n")
    backend = open_backend(f"sqlite:///{db}")
    try:
        apply_pending(backend, listed)
    finally:
        backend.connection.close()
    assert "sneaked_in" not in snapshot(str(db))  # yoyo applied what it had loaded ...
    assert _recorded(db)["0006.cv-queue-order"] == applied_text  # ... and that is what is recorded
    report = verify(str(db), RECRUITING_SPEC, directory)
    assert [f.object for f in report.findings] == ["0006.cv-queue-order"]
