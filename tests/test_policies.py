"""The foreign-keys-indexed policy reads index terms as column names, whatever the names hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import schemavet

_PARENT = "CREATE TABLE p (id INTEGER PRIMARY KEY);\n"
_CASES = [
    # (the child's column, the index's key, whether the policy holds)
    ('"a COLLATE b"', '"a COLLATE b"', True),
    ('"x DESC"', '"x DESC" DESC', True),
    ('"q""q"', '"q""q" COLLATE NOCASE', True),
    ("c", "lower(c), c", False),  # led by an expression, not the column
    ("c", "c, lower(c)", True),
]


@pytest.mark.parametrize("column, key, holds", _CASES, ids=[c[1] for c in _CASES])
def test_foreign_key_column_leading_an_index(
    make_db: Any, tmp_path: Path, column: str, key: str, holds: bool
) -> None:
    db = make_db(
        _PARENT
        + f"CREATE TABLE child (id INTEGER PRIMARY KEY, {column} INTEGER REFERENCES p(id));\n"
        + f"CREATE INDEX ix ON child ({key});\n"
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(schemavet.snapshot(str(db)) + "policies:\n  - rule: foreign-keys-indexed\n")

    report = schemavet.verify(str(db), spec)

    assert report.ok is holds, [f.message for f in report.findings]
    if not holds:
        assert {f.kind for f in report.findings} == {"policy"}
