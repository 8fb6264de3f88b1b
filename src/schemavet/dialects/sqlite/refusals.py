"""Tell RESTRICT from NO ACTION when SQLite refuses to delete or re-key a parent row.

RESTRICT refuses as the parent row changes, NO ACTION only at the end of the statement. So the
refused statement is run again with the parent's old key put back right after the row changes
(the deleted row inserted again, or the new key set back to the old one): NO ACTION then finds
the child's parent again at the end of the statement and lets it through, RESTRICT has refused
already.

The triggers that put the key back are made once, before the first probe, one per parent table
for DELETE and one per parent key for UPDATE, and stay dormant until :meth:`Refusals.arm` names
one in ``temp.schemavet_refusal`` (the probe's savepoint takes the name away again). A trigger
made and dropped per probe would change the schema each time, and each rollback of a schema
change makes SQLite reread the whole schema and recompile every statement: that made proving
actions quadratic in the number of tables.
"""

from __future__ import annotations

import sqlite3

from schemavet.compare.actions import DELETE, UPDATE
from schemavet.dialects.sqlite.expressions import fold
from schemavet.model import Table
from schemavet.sql.tokens import quote_identifier

_ARMED = "schemavet_refusal"  # the temporary table naming the trigger that is armed


class Refusals:
    """The dormant triggers of one connection, by (folded parent name, event, parent key)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.numbers: dict[tuple[str, str, tuple[str, ...]], int] = {}
        conn.execute(f"CREATE TEMP TABLE {_ARMED} (number INTEGER NOT NULL)")

    def prepare(self, parent: Table, refs: tuple[str, ...]) -> None:
        """Make the triggers for deleting a row of ``parent`` and for changing its ``refs`` columns."""
        for event, key in ((DELETE, ()), (UPDATE, refs)):
            slot = (fold(parent.name), event, key)
            if slot in self.numbers:
                continue
            number = len(self.numbers)
            try:
                self.conn.execute(_trigger(parent, event, refs, number))
            except sqlite3.Error:  # not a table a trigger can be made on: it refuses nothing for a key
                continue
            self.numbers[slot] = number

    def arm(self, parent: Table, refs: tuple[str, ...], event: str) -> bool:
        """Put the parent's key back right after the next ``event`` on ``parent``; False if none can."""
        number = self.numbers.get((fold(parent.name), event, () if event == DELETE else refs))
        if number is None:
            return False
        self.conn.execute(f"INSERT INTO temp.{_ARMED} (number) VALUES (?)", (number,))
        return True


def _trigger(parent: Table, event: str, refs: tuple[str, ...], number: int) -> str:
    """``CREATE TEMP TRIGGER`` for ``event`` on ``parent``, doing its work only when armed."""
    table = quote_identifier(parent.name)
    name = quote_identifier(f"{_ARMED}_{number}")
    when = f"(SELECT number FROM temp.{_ARMED}) = {number}"
    if event == DELETE:
        timing = f"AFTER DELETE ON main.{table}"
        body = _insert_again(parent)
    else:
        timing = f"AFTER UPDATE OF {', '.join(map(quote_identifier, refs))} ON main.{table}"
        body = _key_back(parent, refs)
    return f"CREATE TEMP TRIGGER {name} {timing} WHEN {when} BEGIN {body}; END"


def _insert_again(parent: Table) -> str:
    """Insert the deleted row again, every column it can be given as it was."""
    columns = [quote_identifier(name) for name, c in parent.columns.items() if c.generated is None]
    values = ", ".join(f"OLD.{c}" for c in columns)
    return f"INSERT INTO {quote_identifier(parent.name)} ({', '.join(columns)}) VALUES ({values})"


def _key_back(parent: Table, refs: tuple[str, ...]) -> str:
    """Set the new key of the changed row back to the old one."""
    columns = [quote_identifier(r) for r in refs]
    assignments = ", ".join(f"{c} = OLD.{c}" for c in columns)
    match = " AND ".join(f"{c} IS NEW.{c}" for c in columns)
    return f"UPDATE {quote_identifier(parent.name)} SET {assignments} WHERE {match}"
