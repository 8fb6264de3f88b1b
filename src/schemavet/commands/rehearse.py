"""Rehearse the pending migrations on a copy of a real database, and report what they did to its data.

How a copy is made and measured is the dialect's (SQLite's: :mod:`schemavet.dialects.sqlite.rehearse`):
the original is never written, the migrations run as ``apply`` runs them, and every table's rows
are counted before and after.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from schemavet.compare.outcomes import Rehearsal, TableRows  # noqa: F401  (their home before)
from schemavet.dialect import registry
from schemavet.dialect.url import parse_db_url

Progress = Callable[[int, int], None]


def rehearse(
    db: str,
    migrations: str | os.PathLike[str],
    spec: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    keep: str | None = None,
    pages_per_step: int | None = None,
    adopt: bool = False,
) -> Rehearsal:
    """Apply the pending migrations to a copy of ``db`` and report what they did to its data.

    ``progress`` is called with the pages copied so far and the total, every ``pages_per_step``
    pages (the dialect's own step when None). ``keep`` names a new file to leave the rehearsed
    copy in; otherwise it is deleted. With ``adopt``, the copy of a legacy database is adopted
    first (see :mod:`schemavet.commands.adopt`), so the whole switch to yoyo is rehearsed.
    """
    dialect = registry.get(parse_db_url(db).engine)
    dialect.check_supports("rehearse")
    return dialect.rehearse(db, migrations, spec, progress, keep, pages_per_step, adopt)
