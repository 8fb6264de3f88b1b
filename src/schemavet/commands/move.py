"""``schemavet rehearse-move``: an app's rows copied into its translated schema on a scratch
database of the other engine, table by table, to see what would not go in and why.

The source database is opened read-only and never written; the target is a new scratch database
(the translated migrations applied to it by yoyo) that is dropped afterwards.
"""

from __future__ import annotations

import os

from schemavet.dialect import registry
from schemavet.dialect.moves import TableMove
from schemavet.dialect.url import parse_db_url
from schemavet.migrations.runner import apply_all


def rehearse_move(db: str, migrations: str, target: str, server: str | None = None) -> list[TableMove]:
    """Copy every row of ``db`` into the schema ``migrations`` build on ``target``; per table,
    what happened."""
    url = parse_db_url(db)
    source, destination = registry.get(url.engine), registry.get(target)
    with source.row_source(url.location) as rows, destination.scratch_database(server) as scratch:
        apply_all(scratch, os.fspath(migrations), scratch=True)
        return destination.load_rows(parse_db_url(scratch).location, rows)
