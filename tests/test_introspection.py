"""Introspection reads every object kind, and snapshot -> verify round-trips with no findings."""

from __future__ import annotations

from pathlib import Path

import pytest

import schemavet
from schemavet.dialects.sqlite.normalize import normalize_sqlite
from schemavet.dialects.sqlite.options import key_options, table_options, unique_options
from tests.conftest import RECRUITING_SPEC

CASES = Path(__file__).parent / "cases"
KITCHEN_SINK = (CASES / "kitchen_sink.sql").read_text()


@pytest.fixture
def sink(make_db) -> Path:
    return make_db(KITCHEN_SINK)


def _round_trip(db: Path, tmp_path: Path) -> schemavet.Report:
    spec = tmp_path / "snapshot.yaml"
    spec.write_text(schemavet.snapshot(str(db)))
    return schemavet.verify(str(db), spec)


def test_kitchen_sink_round_trip(sink: Path, tmp_path: Path) -> None:
    report = _round_trip(sink, tmp_path)
    assert report.ok, [f.message for f in report.findings]


def test_hostile_schema_round_trip(make_db, tmp_path: Path) -> None:
    db = make_db((CASES / "hostile.sql").read_text())
    report = _round_trip(db, tmp_path)
    assert report.ok, [f.message for f in report.findings]


def test_recruiting_round_trip(recruiting_db: Path, tmp_path: Path) -> None:
    report = _round_trip(recruiting_db, tmp_path)
    assert report.ok, [f.message for f in report.findings]


def test_recruiting_snapshot_equals_the_canonical_spec(recruiting_db: Path, tmp_path: Path) -> None:
    spec = tmp_path / "snapshot.yaml"
    spec.write_text(schemavet.snapshot(str(recruiting_db)))
    expected = normalize_sqlite(schemavet.load_spec(RECRUITING_SPEC).schema)
    assert normalize_sqlite(schemavet.load_spec(spec).schema) == expected


def _main(db: Path) -> dict:
    return normalize_sqlite(schemavet.inspect(str(db))).namespaces["main"].tables


def test_kitchen_sink_facts(sink: Path) -> None:
    tables = _main(sink)
    parent, child = tables["parent table"], tables["child"]
    assert key_options(parent.primary_key).rowid_alias and key_options(parent.primary_key).autoincrement
    assert parent.columns["code"].collation == "NOCASE"
    assert {u.columns for u in parent.uniques} == {("code",), ("code", "region")}
    assert {u.name for u in parent.uniques} == {None, "uq_parent_code_region"}
    fks = {fk.columns: fk for fk in child.foreign_keys}
    assert fks[("parent_id",)].ref_columns == ("id",)  # implicit target resolved to the key
    assert (fks[("parent_id",)].on_delete, fks[("parent_id",)].on_update) == ("CASCADE", "RESTRICT")
    assert fks[("a", "b")].deferrable == "DEFERRABLE INITIALLY DEFERRED"
    assert fks[("a", "b")].name == "fk_child_pair"
    assert child.columns["total"].generated.stored
    assert not child.columns["label"].generated.stored
    assert child.columns["price"].default == "0.0"
    assert child.columns["flag"].default == "1"
    assert {c.name for c in child.checks} == {None, "ck_child_ab"}
    assert child.indexes["ix expr"].columns == ('lower("select-ish")', "price * 2 DESC")
    assert child.indexes["ix expr"].where == "price > 0"
    assert tables["parent table"].indexes["ux_parent_region"].columns == ("region COLLATE RTRIM",)
    assert table_options(tables["pair"]).without_rowid and tables["pair"].columns["x"].nullable is False
    assert table_options(tables["strict_things"]).strict
    assert table_options(tables["notes_fts"]).virtual == "fts5(title, body)"
    assert not any(name.startswith("notes_fts_") for name in tables)  # shadow tables


def test_views_and_triggers(sink: Path) -> None:
    ns = normalize_sqlite(schemavet.inspect(str(sink))).namespaces["main"]
    view = ns.views["child_totals"]
    assert view.columns == ("parent", "n")
    assert view.query == "SELECT parent_id, count(*) FROM child GROUP BY parent_id"
    assert "totals_insert" in view.triggers
    assert ns.tables["child"].triggers["child_touch"].definition.startswith("AFTER UPDATE OF price")


def test_yoyo_bookkeeping_is_ignored(recruiting_db: Path) -> None:
    assert not any("yoyo" in name for name in _main(recruiting_db))


# Only the items of a column list holding a word that can say more than the PRAGMAs are
# parsed (CHECK, COLLATE, AS, GENERATED, DEFERRABLE, CONSTRAINT, AUTOINCREMENT, CONFLICT,
# and ROWID/STRICT after the list). Such words in names, strings and comments are no facts.
WORDS_IN_THE_WAY = """
CREATE TABLE "as" ("check" TEXT, "collate" INT, note TEXT DEFAULT 'CHECK (x)', rowid_ref INT);
CREATE TABLE strict_log (
    id INTEGER PRIMARY KEY,  -- the rowid, STRICT or not, AS it says
    "without rowid" TEXT,
    body TEXT /* COLLATE NOCASE */
);
CREATE TABLE said (
    a INT,
    b TEXT COLLATE NOCASE,
    c INT CHECK (c > 0),
    d INT AS (a * 2) STORED,
    CONSTRAINT pk_said PRIMARY KEY (a) ON CONFLICT REPLACE,
    CONSTRAINT fk_said FOREIGN KEY (c) REFERENCES said (a) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (b) REFERENCES "as" ("check"),
    UNIQUE (b) ON CONFLICT IGNORE
) WITHOUT ROWID, STRICT;
"""


def test_only_what_the_create_text_says_is_read_from_it(make_db) -> None:
    tables = schemavet.inspect(str(make_db(WORDS_IN_THE_WAY))).namespaces["main"].tables
    for name in ("as", "strict_log"):
        table = tables[name]
        assert not table.checks and not table_options(table).without_rowid and not table_options(table).strict
        assert all(c.collation is None and c.generated is None for c in table.columns.values())
    assert key_options(tables["strict_log"].primary_key).rowid_alias
    said = tables["said"]
    assert table_options(said).without_rowid and table_options(said).strict
    assert said.columns["b"].collation == "NOCASE"
    assert [c.expression for c in said.checks] == ["c > 0"]
    assert said.columns["d"].generated.expression == "a * 2" and said.columns["d"].generated.stored
    pk = said.primary_key
    assert (pk.name, key_options(pk).on_conflict, key_options(pk).rowid_alias) == (
        "pk_said",
        "REPLACE",
        False,
    )
    fks = {fk.columns: fk for fk in said.foreign_keys}
    assert (fks[("c",)].name, fks[("c",)].deferrable) == ("fk_said", "DEFERRABLE INITIALLY DEFERRED")
    assert (fks[("b",)].name, fks[("b",)].deferrable) == (None, "NOT DEFERRABLE")
    assert [(u.columns, unique_options(u).on_conflict) for u in said.uniques] == [(("b",), "IGNORE")]


# NOT after a column's REFERENCES clause starts NOT DEFERRABLE or the next constraint, NOT NULL.
def test_not_null_after_references_is_no_deferrability(make_db) -> None:
    table = _main(make_db((CASES / "hostile.sql").read_text()))["rowid refs"]
    assert not table.columns["rowid"].nullable and not table.columns["b"].nullable
    fks = {fk.columns: fk.deferrable for fk in table.foreign_keys}
    assert fks == {("rowid",): "NOT DEFERRABLE", ("b",): "DEFERRABLE INITIALLY DEFERRED"}


# Two foreign keys on the same columns to the same table: the name and deferrability of one
# are not the other's. The plain ones say nothing beyond the PRAGMAs and are not parsed.
TWIN_KEYS = """
CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE, alt TEXT UNIQUE);
CREATE TABLE c (
    a INT REFERENCES p (code) ON DELETE SET NULL,
    FOREIGN KEY (a) REFERENCES p (id),
    CONSTRAINT fk_code FOREIGN KEY (a) REFERENCES p (code) ON DELETE CASCADE,
    FOREIGN KEY (a) REFERENCES p (alt) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT fk_key FOREIGN KEY (a) REFERENCES p
);
"""


def test_foreign_keys_on_the_same_columns_keep_their_own_names(make_db) -> None:
    child = schemavet.inspect(str(make_db(TWIN_KEYS))).namespaces["main"].tables["c"]
    facts = {(fk.ref_columns, fk.on_delete): (fk.name, fk.deferrable) for fk in child.foreign_keys}
    assert facts == {
        (("code",), "SET NULL"): (None, "NOT DEFERRABLE"),
        (("id",), "NO ACTION"): (None, "NOT DEFERRABLE"),
        (("code",), "CASCADE"): ("fk_code", "NOT DEFERRABLE"),
        (("alt",), "NO ACTION"): (None, "DEFERRABLE INITIALLY DEFERRED"),
        ((), "NO ACTION"): ("fk_key", "NOT DEFERRABLE"),
    }


# SQLite keeps one index for UNIQUEs on the same columns, with whichever conflict clause they
# give: the second, plain or named, does not take the first's away.
TWIN_UNIQUES = """
CREATE TABLE t (a INT UNIQUE ON CONFLICT IGNORE, b INT, CONSTRAINT u_a UNIQUE (a),
    UNIQUE (b) ON CONFLICT REPLACE, CONSTRAINT u_b UNIQUE (b), UNIQUE (b));
"""


def test_unique_constraints_on_the_same_columns_keep_their_conflict_clause(make_db) -> None:
    table = schemavet.inspect(str(make_db(TWIN_UNIQUES))).namespaces["main"].tables["t"]
    assert {(u.columns, u.name, unique_options(u).on_conflict) for u in table.uniques} == {
        (("a",), "u_a", "IGNORE"),
        (("b",), "u_b", "REPLACE"),
    }
