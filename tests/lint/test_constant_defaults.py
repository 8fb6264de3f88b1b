"""SV202's idea of a constant default is SQLite's own: each default below is tried on a table
with a row (where SQLite refuses a non-constant one) and the rule must agree."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from schemavet.lint import lint_paths

DEFAULTS = [
    "1",
    "(1)",
    "(0)",
    "('x')",
    "x'00'",
    "(x'00')",
    "X'0A0b'",
    "-1",
    "(-1)",
    "- 1.5",
    "(-(-(1)))",
    "-'x'",
    "-x'01'",
    "((2))",
    "'x' COLLATE NOCASE",
    "('x' COLLATE NOCASE)",
    "(CAST('1' AS INTEGER))",
    "(CAST((1) AS TEXT))",
    "TRUE",
    "(FALSE)",
    "NULL",
    "(NULL)",
    "1e3",
    "(0x1F)",
    "CURRENT_TIMESTAMP",
    "(CURRENT_DATE)",
    "(1 + 1)",
    "(abs(1))",
    "(random())",
    "('a' || 'b')",
    "(CAST(1 + 1 AS TEXT))",
]


def _sqlite_accepts(default: str) -> bool:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE TABLE t (a)")
        conn.execute("INSERT INTO t VALUES (1)")
        conn.execute(f"ALTER TABLE t ADD COLUMN b DEFAULT {default}")
        return True
    except sqlite3.OperationalError as e:
        assert "non-constant default" in str(e), e
        return False
    finally:
        conn.close()


@pytest.mark.parametrize("default", DEFAULTS)
def test_sv202_agrees_with_sqlite(default: str, tmp_path: Path) -> None:
    (tmp_path / "0001.a.sql").write_text("CREATE TABLE t (a);\nINSERT INTO t VALUES (1);\n")
    (tmp_path / "0002.b.sql").write_text(f"ALTER TABLE t ADD COLUMN b DEFAULT {default};\n")
    flagged = bool(lint_paths([str(tmp_path)], select=["SV202"]))
    assert flagged == (not _sqlite_accepts(default))
