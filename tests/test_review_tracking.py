"""``review`` reads only what each step touched: every reading equals a whole inspection.

Each review case (``cases/review.yaml``), the lint pitfalls, Samsara's history, and the
histories of ``cases/review_tracking.yaml`` are reviewed with every tracked reading checked
against a whole inspection of the same database at the same step (tables, views and their
members in the same order), and the text and JSON reports compared with a review that
inspects the whole schema at every step.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemavet.commands.review import review
from schemavet.dialects.sqlite import rowcounts, tracking
from schemavet.model import Schema
from schemavet.report.review import render_json, render_text
from tests.conftest import RECRUITING_MIGRATIONS, ROOT

CASES = Path(__file__).parent / "cases"
HISTORIES = [
    *((c["name"], c["migrations"]) for c in yaml.safe_load((CASES / "review.yaml").read_text())),
    *((c["name"], c["migrations"]) for c in yaml.safe_load((CASES / "review_tracking.yaml").read_text())),
    ("the lint pitfalls", ROOT / "tests" / "lint" / "pitfalls"),
    ("the recruiting fixture", RECRUITING_MIGRATIONS),
]


def _directory(migrations: dict[str, str] | Path, tmp_path: Path) -> Path:
    if isinstance(migrations, Path):
        return migrations
    directory = tmp_path / "migrations"
    directory.mkdir()
    for name, content in migrations.items():
        (directory / name).write_text(content)
    return directory


def _order(schema: Schema) -> list[Any]:
    """The order of everything a dict holds in ``schema``: equality of dicts ignores it."""
    ns = schema.namespaces["main"]
    owners = [*ns.tables.values(), *ns.views.values()]
    return [list(ns.tables), list(ns.views)] + [
        [list(getattr(o, "columns", ())), list(getattr(o, "indexes", ())), list(o.triggers)] for o in owners
    ]


@pytest.mark.parametrize("history", HISTORIES, ids=[name for name, _ in HISTORIES])
def test_tracked_readings_equal_whole_inspections(
    history: tuple[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = str(_directory(history[1], tmp_path))
    tracked = review(directory)
    read = tracking.SchemaTracker.read
    readings = 0

    def checked(tracker: tracking.SchemaTracker) -> tracking.Reading:
        nonlocal readings
        reading, whole = read(tracker), read(tracking.SchemaTracker(tracker.conn))
        assert (reading.raw, reading.normal) == (whole.raw, whole.normal)
        assert (_order(reading.raw), _order(reading.normal)) == (_order(whole.raw), _order(whole.normal))
        assert (reading.owners, reading.referencing) == (whole.owners, whole.referencing)
        readings += 1
        return reading

    monkeypatch.setattr(tracking.SchemaTracker, "read", checked)
    assert review(directory) == tracked
    monkeypatch.setattr(
        tracking.SchemaTracker, "read", lambda tracker: read(tracking.SchemaTracker(tracker.conn))
    )
    monkeypatch.setattr(rowcounts, "tables_written", lambda *_: None)
    inspected = review(directory)

    assert readings == len(tracked)
    assert render_text(directory, tracked) == render_text(directory, inspected)
    assert render_json(directory, tracked) == render_json(directory, inspected)


def test_a_step_reads_only_the_tables_it_touched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    migrations = {
        "0000.base.sql": "".join(f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY);\n" for i in range(50))
    }
    migrations["0001.one.sql"] = "-- depends: 0000.base\nALTER TABLE t7 ADD COLUMN note TEXT;\n"
    migrations["0002.rows.sql"] = "-- depends: 0001.one\nINSERT INTO t9 (id) VALUES (1);\n"
    directory = _directory(migrations, tmp_path)
    inspect_sqlite, count = tracking.inspect_sqlite, rowcounts._count
    inspected: list[frozenset[str] | None] = []
    counted: list[list[str]] = []

    def spy(conn: sqlite3.Connection, only: frozenset[str] | None = None) -> Schema:
        inspected.append(only)
        return inspect_sqlite(conn, only)

    def count_spy(conn: sqlite3.Connection, names: list[str]) -> dict[str, int]:
        counted.append(names)
        return count(conn, names)

    monkeypatch.setattr(tracking, "inspect_sqlite", spy)
    monkeypatch.setattr(rowcounts, "_count", count_spy)
    effects = review(str(directory))

    assert inspected == [None, frozenset({"t7"})]
    assert [len(names) for names in counted] == [50, 1, 1]
    assert counted[1:] == [["t7"], ["t9"]]
    assert [r.as_dict() for r in effects[2].rows] == [{"table": "t9", "before": 0, "after": 1}]
