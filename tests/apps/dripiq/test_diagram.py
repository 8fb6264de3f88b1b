"""dripiq's schema, read from its migrated database on the embedded server, as a Mermaid diagram
that Mermaid's own parser takes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from schemavet.cli import main
from tests.apps.dripiq.conftest import SCHEMA, Database
from tests.browser import parse_all
from tests.databases import _url


def test_the_migrated_database_passes_the_mermaid_parser(
    browser: Any, dripiq_db: Database, tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, ["diagram", "--db", _url(dripiq_db.conninfo)])
    assert result.exit_code == 0, result.output
    blocks = result.output.split("```mermaid\n")[1:]
    texts = [block.split("```")[0] for block in blocks]
    assert len(texts) == 1 and texts[0].startswith("erDiagram\n")
    with dripiq_db.connect() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s AND c.relkind IN ('r', 'p')",
                (SCHEMA,),
            )
        ]
    assert len(tables) > 5
    for table in tables:
        assert f"{table} {{" in texts[0] or f".{table}" in texts[0], table
    assert parse_all(browser, texts, tmp_path) == [None]
