"""The SQLite pitfalls of tests/lint/pitfalls: lint reports each at its file and line, and each
failure it predicts happens for real on a database that holds rows, with foreign keys on."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemavet.lint import lint_paths

HERE = Path(__file__).parent
PITFALLS = HERE / "pitfalls"
EXPECTED = yaml.safe_load((HERE / "pitfalls.yaml").read_text())


def test_lint_reports_each_pitfall_at_its_file_and_line() -> None:
    findings = lint_paths([str(PITFALLS)])
    found = sorted(f"{Path(d.path).name}:{d.line} {d.code}" for d in findings)
    assert found == sorted(EXPECTED["findings"])


def _apply(
    directory: Path, db: Path, seed: str, foreign_keys: bool, pitfall: str, rollback: bool = False
) -> Any:
    """Apply 0000.base with yoyo, seed rows, then run the pitfall through yoyo's own step runner
    (its transaction, its statement splitting) on a connection with foreign keys on or off
    (and then its rollback, with ``rollback``).

    ``apply_one`` would open a fresh connection (foreign keys off) for the migration; an app
    that migrates on its own connection, or SQLite built with foreign keys on by default, runs
    it as this does.
    """
    from yoyo import get_backend, read_migrations

    backend = get_backend(f"sqlite:///{db}")
    try:
        migrations = {m.id: m for m in read_migrations(str(directory))}
        with backend.lock():
            backend.apply_one(migrations["0000.base"])
            backend.connection.executescript(seed)
            backend.connection.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
            migration = migrations[pitfall.removesuffix(".sql")]
            migration.process_steps(backend, "apply")
            if rollback:
                migration.process_steps(backend, "rollback")
    finally:
        backend.connection.close()


def _directory(tmp_path: Path, pitfall: str) -> Path:
    directory = tmp_path / "migrations"
    directory.mkdir()
    for name in ("0000.base.sql", pitfall, pitfall.removesuffix(".sql") + ".rollback.sql"):
        if (PITFALLS / name).exists():
            shutil.copy(PITFALLS / name, directory / name)
    return directory


@pytest.mark.parametrize("proof", EXPECTED["proofs"], ids=lambda p: f"{p['file']}-{p.get('then', '')[:20]}")
def test_pitfall_fails_on_real_data(proof: dict[str, Any], tmp_path: Path) -> None:
    directory = _directory(tmp_path, proof["file"])
    db = tmp_path / "real.db"
    seed = EXPECTED["seed"] + proof.get("seed", "")
    if "raises" in proof and "then" not in proof:
        with pytest.raises(Exception, match=proof["raises"]):
            _apply(directory, db, seed, True, proof["file"])
        return
    _apply(directory, db, seed, proof.get("foreign_keys", True), proof["file"], proof.get("rollback", False))
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        if "then" in proof:
            with pytest.raises(sqlite3.Error, match=proof["raises"]):
                conn.execute(proof["then"])
        for query, value in proof.get("expect", {}).items():
            assert conn.execute(query).fetchone()[0] == value, query
    finally:
        conn.close()


@pytest.mark.parametrize(
    "proof", [p for p in EXPECTED["proofs"] if "raises" in p and "then" not in p], ids=lambda p: p["file"]
)
def test_pitfall_passes_where_ci_runs_it(proof: dict[str, Any], tmp_path: Path) -> None:
    """CI's database is empty with foreign keys off: most of these pitfalls pass there unseen."""
    directory = _directory(tmp_path, proof["file"])
    db = tmp_path / "ci.db"
    if proof.get("fails_in_ci"):
        with pytest.raises(Exception, match=proof["raises"]):
            _apply(directory, db, "", False, proof["file"])
    else:
        _apply(directory, db, "", False, proof["file"])
