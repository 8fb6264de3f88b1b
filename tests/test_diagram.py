"""Mermaid diagrams of a schema: keys, cardinality, safe names, parts under Mermaid's size limit.

The texts here also pass Mermaid's own parser in a browser: tests/test_diagram_browser.py.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet.cli import main
from schemavet.model import Column, ForeignKey, Namespace, PrimaryKey, Schema, Table, Unique
from schemavet.report.diagram import MERMAID_MAX_TEXT_SIZE, TableRef, build_diagram, render_markdown
from tests.conftest import RECRUITING_SPEC, digest
from tests.diagrams import HOSTILE_TABLES, generated_schema, hostile_schema


def _schema(*tables: Table) -> Schema:
    return Schema("sqlite", {"main": Namespace("main", {t.name: t for t in tables})})


PARENT = Table("parent", {"id": Column("id", "INTEGER", nullable=False)}, PrimaryKey(("id",)))


def _child(nullable: bool, unique: bool, on_delete: str = "CASCADE") -> Table:
    columns = {
        "id": Column("id", "INTEGER", nullable=False),
        "parent_id": Column("parent_id", "INTEGER", nullable=nullable),
    }
    fk = ForeignKey(("parent_id",), "parent", ("id",), on_delete=on_delete)
    uniques = (Unique(("parent_id",)),) if unique else ()
    return Table("child", columns, PrimaryKey(("id",)), (fk,), uniques)


def _relationship(schema: Schema) -> str:
    (line,) = [line for line in build_diagram(schema).parts[0].text.splitlines() if " : " in line]
    return line.strip()


def test_cardinality_follows_nullability_and_uniqueness() -> None:
    assert _relationship(_schema(PARENT, _child(False, False))) == (
        'parent ||..o{ child : "parent_id: ON DELETE CASCADE"'
    )
    assert _relationship(_schema(PARENT, _child(True, False, "SET NULL"))).startswith("parent |o..o{ child")
    assert _relationship(_schema(PARENT, _child(False, True))).startswith("parent ||..o| child")
    assert _relationship(_schema(PARENT, _child(True, True, "NO ACTION"))) == (
        'parent |o..o| child : "parent_id: ON DELETE NO ACTION"'
    )


def test_a_key_in_the_primary_key_is_identifying_and_columns_carry_their_keys() -> None:
    columns = {"parent_id": Column("parent_id", "INTEGER", nullable=False), "n": Column("n", "INTEGER")}
    fk = ForeignKey(("parent_id",), "parent", ("id",))
    link = Table("link", columns, PrimaryKey(("parent_id", "n")), (fk,), (Unique(("n",)),))
    text = build_diagram(_schema(PARENT, link)).parts[0].text
    assert "parent ||--o{ link" in text  # part of a composite key: not unique alone
    assert "    INTEGER parent_id PK, FK\n" in text
    assert "    INTEGER n PK, UK\n" in text


def test_hostile_names_are_aliased_quoted_or_backticked() -> None:
    text = build_diagram(hostile_schema()).parts[0].text
    heads = re.findall(r"^  (\S+?)(?:\[\"(.*)\"\])? \{$", text, re.M)
    assert len(heads) == len(HOSTILE_TABLES)
    for entity_id, label in heads:
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", entity_id)
        assert entity_id.lower() not in {"end", "class", "pk", "erdiagram"}
        assert not set(label) & set('"%\\<>#\n')
    assert 't1["order items"]' in text
    assert 't2["say ＂hi＂"]' in text
    assert '["100％ ＼ done"]' in text and '["‹b›bold‹/b›"]' in text
    assert "`character varying(255)` `order items`" in text
    assert "`NUMERIC(10, 2)`" in text and "`tickˋtock`" in text
    assert "    text `PK` UK\n" in text  # a column called PK is not the PK keyword
    assert "    untyped " in text  # a column without a type


def test_a_foreign_key_to_a_table_outside_the_schema_points_at_an_empty_entity() -> None:
    fk = ForeignKey(("user_id",), "users", ("id",), ref_schema="auth")
    table = Table("posts", {"user_id": Column("user_id", "uuid")}, None, (fk,))
    text = build_diagram(_schema(table)).parts[0].text
    assert text.splitlines()[-1] == "  users"
    assert "users |o..o{ posts" in text


def test_a_schema_too_big_for_mermaid_is_split_into_parts_each_under_its_limit() -> None:
    diagram = build_diagram(generated_schema(300))
    assert diagram.split
    assert all(len(part.text) <= MERMAID_MAX_TEXT_SIZE for part in diagram.parts)
    drawn = [name for part in diagram.parts for name in part.tables]
    assert sorted(drawn) == [f"table_{n:04d}" for n in range(300)]
    # a foreign-key-connected group (30 tables) is never cut when it fits in a part
    for part in diagram.parts:
        groups = {int(name[-4:]) // 30 for name in part.tables}
        assert all(sum(1 for name in part.tables if int(name[-4:]) // 30 == g) == 30 for g in groups)


def test_a_group_bigger_than_a_part_is_cut_and_points_at_its_tables_in_other_parts() -> None:
    diagram = build_diagram(generated_schema(200, group=200), max_text_size=10_000)
    assert len(diagram.parts) > 3 and all(len(p.text) <= 10_000 for p in diagram.parts)
    later = diagram.parts[-1].text
    assert "\n  table_0000\n" in later  # the group's head, drawn in part 1, as an empty entity


def test_split_markdown_has_an_index_and_a_mermaid_block_per_part() -> None:
    diagram = build_diagram(generated_schema(300))
    text = render_markdown(diagram, "generated")
    assert text.count("```mermaid\nerDiagram\n") == len(diagram.parts)
    for n in range(1, len(diagram.parts) + 1):
        assert f"{n}. [Part {n}: group " in text and f'<a id="part-{n}"></a>' in text


def test_marks_become_classes_of_exactly_the_marked_tables() -> None:
    schema = _schema(PARENT, _child(False, False))
    text = build_diagram(schema, {TableRef("main", "child"): "changed"}).parts[0].text
    assert "  class child changed\n" in text and "classDef changed " in text
    assert "classDef added" not in text


def _run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_diagram_cli_draws_a_spec_or_a_database_without_writing_to_it(recruiting_db: Path) -> None:
    from_spec = _run("diagram", "--spec", str(RECRUITING_SPEC))
    assert from_spec.exit_code == 0, from_spec.output  # type: ignore[attr-defined]
    before = digest(recruiting_db)
    from_db = _run("diagram", "--db", str(recruiting_db))
    assert from_db.exit_code == 0 and digest(recruiting_db) == before  # type: ignore[attr-defined]
    for output in (from_spec, from_db):
        assert "```mermaid\nerDiagram\n" in output.output  # type: ignore[attr-defined]
        assert "projects ||..o{ messages" in output.output  # type: ignore[attr-defined]


def test_diagram_cli_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in (
        ("diagram",),
        ("diagram", "--spec", "a.yaml", "--db", "b.db"),
        ("diagram", "--spec", str(tmp_path / "missing.yaml")),
        ("diagram", "--db", str(tmp_path / "missing.db")),
    ):
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    assert not (tmp_path / "missing.db").exists()


def test_diagram_cli_refuses_to_write_over_the_database(recruiting_db: Path) -> None:
    before = digest(recruiting_db)
    result = _run("diagram", "--db", str(recruiting_db), "-o", str(recruiting_db))
    assert result.exit_code == 2 and digest(recruiting_db) == before  # type: ignore[attr-defined]


def test_a_sqlite_database_with_hostile_names_draws(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        'CREATE TABLE "order items" (id INTEGER PRIMARY KEY, "my col" "weird type(1, 2)");'
        'CREATE TABLE "end" (id INTEGER PRIMARY KEY,'
        ' item INTEGER UNIQUE REFERENCES "order items" ON DELETE CASCADE);'
    )
    conn.close()
    result = _run("diagram", "--db", str(path))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    text = result.output  # type: ignore[attr-defined]
    assert 't1["order items"] {' in text and 't2["end"] {' in text and "`weird type(1, 2)` `my col`" in text
    assert 't1 |o..o| t2 : "item: ON DELETE CASCADE"' in text


def test_several_schemas_are_qualified_and_split_by_schema_when_each_fits() -> None:
    app = generated_schema(12, group=12, prefix="app_").namespaces["main"]
    billing = generated_schema(12, group=12, prefix="billing_").namespaces["main"]
    head = billing.tables["billing_table_0000"]
    to_app = ForeignKey(("id",), "app_table_0000", ("id",), ref_schema="app")
    billing.tables["billing_table_0000"] = replace(head, foreign_keys=(to_app,))
    schema = Schema(
        "postgresql", {"app": replace(app, name="app"), "billing": replace(billing, name="billing")}
    )
    whole = build_diagram(schema).parts[0].text
    assert 't1["app.app_table_0000"]' in whole and "t1 ||--o| t13 :" in whole  # id is its key: one-to-one
    limit = len(whole) * 6 // 10
    diagram = build_diagram(schema, max_text_size=limit)
    assert [p.title for p in diagram.parts] == ["schema app", "schema billing"]
    assert all(len(p.text) <= limit for p in diagram.parts)
    # the cross-schema key points at the app table, drawn empty in billing's part
    assert diagram.parts[1].text.endswith('  t1["app.app_table_0000"]\n')
    markdown = render_markdown(diagram, "db")
    assert "1. [Part 1: schema app](#part-1): app\\.app\\_table\\_0000, " in markdown


def test_a_missing_browser_skips_loudly_and_fails_where_ci_requires_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests import browser

    monkeypatch.setenv("SCHEMAVET_CHROMIUM", "/nonexistent/chromium")
    assert browser.chromium_path() is None
    monkeypatch.delenv("SCHEMAVET_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="BROWSER TESTS NOT RUN"):
        next(browser.launch())
    monkeypatch.setenv("SCHEMAVET_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="browser tests cannot run: Debian's chromium"):
        next(browser.launch())


def test_the_review_page_card_has_losses_lint_with_lines_and_the_rebuilt_table_marked(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001.base.sql").write_text(
        "CREATE TABLE cvs (id INTEGER PRIMARY KEY, status TEXT);\n"
        "CREATE INDEX idx_cvs_status ON cvs (status);\n"
    )
    (migrations / "0002.rebuild.sql").write_text(
        "CREATE TABLE cvs_new (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT 'new');\n"
        "INSERT INTO cvs_new SELECT id, coalesce(status, 'new') FROM cvs;\n"
        "DROP TABLE cvs;\nALTER TABLE cvs_new RENAME TO cvs;\n"
    )
    page = tmp_path / "review.html"
    result = _run("review", str(migrations), "--format", "html", "-o", str(page))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    html = page.read_text()
    rebuild = html[html.index('data-migration="0002.rebuild"') :]
    assert '<section class="card failed"' in html[: html.index('data-migration="0002.rebuild"')][-60:]
    assert "! lost index idx_cvs_status on cvs (status) (dropped with rebuilt table cvs)" in rebuild
    assert f"{migrations / '0002.rebuild.sql'}:3:1 SV401 " in rebuild
    before, after = rebuild.split("<figcaption>After</figcaption>")
    assert "class cvs changed" in before and "class cvs changed" in after
    assert 'TEXT status "default, nullable changed"' in after and "default, nullable changed" in before
    assert "FAIL: reviewed 2 migrations" in html
