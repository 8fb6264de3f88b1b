"""The diagrams in a real browser: Mermaid's own parser (the vendored bundle) takes every text,
and the HTML pages render offline in headless Chromium with no console error, every table drawn,
and exactly the changed or drifted tables highlighted.

Needs Debian's chromium and Playwright (tests/browser.py): skipped loudly without them, failed
when ``SCHEMAVET_REQUIRE_BROWSER=1`` (as in CI).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from schemavet import snapshot
from schemavet.cli import main
from schemavet.commands.review import review
from schemavet.commands.verify import verify_with_schemas
from schemavet.compare.changes import ADDED, REMOVED
from schemavet.compare.outcomes import StepEffect
from schemavet.report.diagram import MERMAID_MAX_TEXT_SIZE, build_diagram
from schemavet.report.diagram import _quotable as shown
from schemavet.report.pages import diagram_page, review_page, verify_page
from tests.browser import open_page, parse_all
from tests.conftest import RECRUITING_MIGRATIONS, RECRUITING_SPEC
from tests.databases import Databases
from tests.diagrams import HOSTILE_TABLES, generated_schema, hostile_schema

# Each rendered entity: its label, and the mark classes Mermaid gave its node.
_ENTITIES = """(root) => Array.from(root.querySelectorAll('svg g.node')).map(node => {
    const name = node.querySelector('.label.name') || node.querySelector('.label');
    const marks = Array.from(node.classList).filter(c => !['node', 'default'].includes(c));
    return [name ? name.textContent : '', marks];
})"""


def test_generated_and_hostile_schemas_pass_the_mermaid_parser(browser: Any, tmp_path: Path) -> None:
    parts = build_diagram(generated_schema(300)).parts
    hostile = build_diagram(hostile_schema()).parts
    assert len(parts) > 1 and all(len(p.text) <= MERMAID_MAX_TEXT_SIZE for p in parts)
    texts = [p.text for p in (*parts, *hostile)]
    results = parse_all(browser, [*texts, "erDiagram\n  a {\n    x\n  }\n"], tmp_path)
    assert results[:-1] == [None] * len(texts)
    assert "Parse error" in str(results[-1])  # the parser does refuse what it cannot read


def _open(browser: Any, path: Path, html: str) -> Any:
    path.write_text(html, encoding="utf-8")
    loaded = open_page(browser, path)
    assert loaded.page.evaluate("document.body.dataset.rendered") == "done", loaded.errors
    assert loaded.errors == []
    assert loaded.requests == [path.resolve().as_uri()]  # nothing fetched: it renders offline
    return loaded


def test_the_diagram_page_renders_every_table_offline(browser: Any, tmp_path: Path) -> None:
    loaded = _open(browser, tmp_path / "hostile.html", diagram_page(build_diagram(hostile_schema()), "h"))
    labels = [
        label for label, _ in loaded.page.evaluate(_ENTITIES, loaded.page.locator("main").element_handle())
    ]
    assert sorted(labels) == sorted(shown(name) for name in HOSTILE_TABLES)
    loaded.close()


def test_a_split_diagram_page_renders_every_part(browser: Any, tmp_path: Path) -> None:
    diagram = build_diagram(generated_schema(20, group=5), max_text_size=2_500)
    assert len(diagram.parts) >= 3
    loaded = _open(browser, tmp_path / "big.html", diagram_page(diagram, "generated"))
    assert loaded.page.locator("nav.index li").count() == len(diagram.parts)
    labels = {
        label for label, _ in loaded.page.evaluate(_ENTITIES, loaded.page.locator("main").element_handle())
    }
    assert labels == {f"table_{n:04d}" for n in range(20)}
    loaded.close()


def _names(schema: Any) -> set[str]:
    return {t.name for ns in schema.namespaces.values() for t in ns.tables.values()} if schema else set()


def _expected_marks(effect: StepEffect) -> tuple[dict[str, str], dict[str, str]]:
    """Before: removed and changed tables; after: added and changed ones (tables only)."""
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for change in effect.changes:
        if change.table is None and change.object_type == "table" and change.action in (ADDED, REMOVED):
            (after if change.action == ADDED else before)[change.name] = change.action
    for table in [c.table for c in effect.changes if c.table is not None] + [x.table for x in effect.losses]:
        before.setdefault(table, "changed")  # a member of a table the step added is part of it
        after.setdefault(table, "changed")
    return (
        {k: v for k, v in before.items() if k in _names(effect.before)},
        {k: v for k, v in after.items() if k in _names(effect.after)},
    )


def _marks(loaded: Any, card: Any, side: int) -> tuple[set[str], dict[str, str]]:
    figure = card.locator(".pair > figure").nth(side)
    entities = loaded.page.evaluate(_ENTITIES, figure.element_handle())
    return {label for label, _ in entities}, {label: marks[0] for label, marks in entities if marks}


def test_the_review_page_highlights_exactly_the_changed_tables(browser: Any, tmp_path: Path) -> None:
    effects = review(RECRUITING_MIGRATIONS)
    loaded = _open(browser, tmp_path / "review.html", review_page("recruiting", effects))
    cards = loaded.page.locator("section.card")
    assert cards.count() == len(effects)
    checked = 0
    for n, effect in enumerate(effects):
        card = cards.nth(n)
        assert card.locator("h2").inner_text() == effect.path
        for change in effect.changes:
            assert card.get_by_text(f"{change.name}", exact=False).count() > 0
        if card.locator(".pair > figure").count() == 0:
            assert not effect.changes
            continue
        for side, (schema, expected) in enumerate(
            zip((effect.before, effect.after), _expected_marks(effect), strict=True)
        ):
            if not _names(schema):
                continue  # "No table."
            drawn, marked = _marks(loaded, card, side)
            assert _names(schema) <= drawn
            assert marked == expected, (effect.migration, side)
            checked += 1
    assert checked >= 6
    loaded.close()


def test_the_verify_page_highlights_exactly_the_drifted_tables(
    browser: Any, tmp_path: Path, recruiting_db: Path
) -> None:
    conn = sqlite3.connect(recruiting_db)
    conn.executescript(
        "DROP INDEX idx_cvs_status;"  # cvs drifted
        "DROP TABLE ats_mappings;"  # missing
        "CREATE TABLE stray (id INTEGER PRIMARY KEY, cv_id TEXT REFERENCES cvs(id));"  # unexpected
    )
    conn.close()
    report, expected, actual = verify_with_schemas(str(recruiting_db), RECRUITING_SPEC)
    assert not report.ok
    loaded = _open(browser, tmp_path / "verify.html", verify_page(report, expected, actual, "FAIL"))
    entities = loaded.page.evaluate(_ENTITIES, loaded.page.locator("main").element_handle())
    marked = {label: marks[0] for label, marks in entities if marks}
    assert marked == {"cvs": "drifted", "ats_mappings": "missing", "stray": "unexpected"}
    assert {label for label, _ in entities} >= {t.name for t in expected.namespaces["main"].tables.values()}
    loaded.close()


_BASE = """
CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE child (id INTEGER PRIMARY KEY,
                    parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE, note TEXT);
CREATE INDEX idx_child_parent ON child (parent_id);
CREATE TABLE gone (id INTEGER PRIMARY KEY);
CREATE TABLE "Odd Name" (id INTEGER PRIMARY KEY, "a b" TEXT);
"""
_DRIFTED = (
    _BASE.replace("name TEXT NOT NULL", "name TEXT")
    .replace("CREATE TABLE gone (id INTEGER PRIMARY KEY);", "CREATE TABLE stray (id INTEGER PRIMARY KEY);")
    .replace('"a b" TEXT)', '"a b" TEXT, extra INTEGER)')
)


def test_the_verify_command_page_marks_drifted_tables_and_columns_on_each_engine(
    browser: Any, dialect: Databases, tmp_path: Path
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(snapshot(dialect.make_db(_BASE).url))
    drifted = dialect.make_db(_DRIFTED)
    command = ["verify", "--db", drifted.url, "--spec", str(spec), "--format", "html"]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1, result.output
    loaded = _open(browser, tmp_path / "verify.html", result.output)
    entities = loaded.page.evaluate(_ENTITIES, loaded.page.locator("main").element_handle())
    marked = {label: marks[0] for label, marks in entities if marks}
    assert marked == {"parent": "drifted", "gone": "missing", "stray": "unexpected", "Odd Name": "drifted"}
    assert {label for label, _ in entities} == {"parent", "child", "gone", "stray", "Odd Name"}
    text = loaded.page.locator("main svg").all_text_contents()
    assert any("nullable differs" in t for t in text) and any("unexpected" in t for t in text)
    loaded.close()
