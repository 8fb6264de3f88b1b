"""Samsara's schema as a Mermaid diagram: its spec and its migrated database pass Mermaid's own
parser, and its review page renders with the tables each migration changed highlighted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from schemavet.cli import main
from schemavet.commands.verify import drawn_schema
from schemavet.report.diagram import MERMAID_MAX_TEXT_SIZE, build_diagram
from tests.apps.samsara.conftest import MIGRATIONS, SPEC
from tests.browser import open_page, parse_all


def test_the_spec_and_the_database_pass_the_mermaid_parser(
    browser: Any, samsara_db: Path, tmp_path: Path
) -> None:
    texts = []
    for spec, db in ((str(SPEC), None), (None, str(samsara_db))):
        schema, _ = drawn_schema(spec, db)
        (part,) = build_diagram(schema).parts
        assert len(part.text) <= MERMAID_MAX_TEXT_SIZE
        texts.append(part.text)
    assert texts[0].count(" {\n") == len(drawn_schema(str(SPEC), None)[0].namespaces["main"].tables)
    assert parse_all(browser, texts, tmp_path) == [None, None]


def test_the_review_page_renders_each_migration_as_a_card(browser: Any, tmp_path: Path) -> None:
    page = tmp_path / "review.html"
    result = CliRunner().invoke(main, ["review", str(MIGRATIONS), "--format", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    loaded = open_page(browser, page)
    assert loaded.page.evaluate("document.body.dataset.rendered") == "done" and loaded.errors == []
    migrations = sorted(p.name for p in MIGRATIONS.glob("*.sql") if not p.name.endswith(".rollback.sql"))
    assert loaded.page.locator("section.card h2").all_inner_texts() == [
        str(MIGRATIONS / m) for m in migrations
    ]
    outreach = loaded.page.locator("section.card", has_text="0005.outreach.sql")
    added = outreach.locator("svg g.node.added .label.name").all_text_contents()
    assert sorted(added) == sorted(
        [
            "messages",
            "call_records",
            "transcripts",
            "outreach_templates",
            "outreach_sequences",
            "provider_credentials",
            "ats_mappings",
        ]
    )
    loaded.close()
