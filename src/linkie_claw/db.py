"""One connection, either engine: SQLite (``sqlite3``) or PostgreSQL (psycopg 3).

The statements are written once, with ``?`` parameters; on PostgreSQL they are sent with
psycopg's ``%s``. A timestamp is Unix seconds in an INTEGER column on SQLite and a
``timestamptz`` on PostgreSQL; :meth:`Database.timestamp` gives the value each engine stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

Engine = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class Database:
    """A DB-API connection and the engine it talks to."""

    conn: Any
    engine: Engine

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows a statement returns."""
        return [tuple(row) for row in self._execute(sql, params).fetchall()]

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        return int(self._execute(sql, params).rowcount)

    def timestamp(self, moment: datetime) -> int | datetime:
        """``moment`` as this engine stores a timestamp."""
        return int(moment.timestamp()) if self.engine == "sqlite" else moment

    def moment(self, stored: int | datetime | None) -> datetime | None:
        """A stored timestamp back as an aware datetime."""
        if stored is None or isinstance(stored, datetime):
            return stored
        return datetime.fromtimestamp(stored, UTC)

    def _execute(self, sql: str, params: Sequence[Any]) -> Any:
        if self.engine == "postgresql":
            return self.conn.execute(postgres_parameters(sql), params)
        return self.conn.execute(sql, params)


def postgres_parameters(sql: str, style: str = "%s") -> str:
    """``?`` parameters as psycopg's ``%s`` (or ``$1``… with ``style="$"``); none of the
    statements here has a ``?`` or ``%`` inside a string literal."""
    if style == "%s":
        return sql.replace("?", "%s")
    parts = sql.split("?")
    return "".join(part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, start=1))
