"""SV101: DROP TABLE."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.lineage import loses_rows
from schemavet.lint.rebuild import is_rebuild_drop
from schemavet.lint.registry import Rule, register
from schemavet.lint.sql import dropped


@register
class SV101DropTable(Rule):
    """DROP TABLE deletes the table and every row in it.

    A table rebuilt in the same file (dropped, then another table renamed to its name) is
    left to the rebuild rules (SV106, SV401, SV402). A table created earlier in the same file
    (a staging table) holds no data of its own, and ``DROP TABLE IF EXISTS`` of a table that
    is not there drops nothing: neither is flagged. A table renamed in the file keeps its
    status (``ALTER TABLE users RENAME TO users_archive; DROP TABLE users_archive;`` is
    flagged), and a staging table filled from an existing table (``CREATE TABLE … AS
    SELECT``, ``INSERT INTO … SELECT``) is flagged once that table has been dropped, since its
    rows then exist nowhere else.

    **Anti-pattern**::

        DROP TABLE invoices;

    **Best practice**: stop writing to the table in one release, back it up or archive its
    rows, and drop it in a later migration with a noqa comment that says why it is safe::

        -- schemavet: noqa SV101 invoices archived to cold storage in 0041
        DROP TABLE invoices;
    """

    code = "SV101"
    name = "drop-table"
    hint = "Archive the rows first; once they are safe, silence with a noqa comment saying so."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for each table dropped for good (not rebuilt)."""
        if is_rebuild_drop(ctx.statement, ctx.file.statements):
            return
        for table in dropped(ctx.statement, "TABLE"):
            if not ctx.existed_before_file(table) and not loses_rows(
                table, ctx.statement, ctx.file.statements, ctx.file.tables_before
            ):
                continue  # a staging table whose rows exist elsewhere, or not there (IF EXISTS)
            yield self.on(ctx, ctx.statement, f'DROP TABLE "{table}" deletes the table and all its rows')
