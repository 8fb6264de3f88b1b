"""What SQLite adds to a table or key, and how a spec writes it.

A table: ``WITHOUT ROWID``, ``STRICT``, or a virtual table's ``USING module(args)``. A primary
key: whether it is the rowid alias (``INTEGER PRIMARY KEY``; None in a spec means "derive it"),
``AUTOINCREMENT`` and a conflict clause; a UNIQUE constraint: its conflict clause.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from schemavet.dialect.base import OptionReader
from schemavet.model import Options, PrimaryKey, Table, Unique

OPTION_KEYS = frozenset({"without_rowid", "strict", "virtual"})


@dataclass(frozen=True)
class TableOptions(Options):
    """``WITHOUT ROWID``, ``STRICT``, or the module and arguments of a virtual table."""

    without_rowid: bool = field(default=False, metadata={"label": "WITHOUT ROWID"})
    strict: bool = field(default=False, metadata={"label": "STRICT"})
    virtual: str | None = None

    @property
    def is_virtual(self) -> bool:
        """True for a virtual table (``CREATE VIRTUAL TABLE … USING module``)."""
        return self.virtual is not None


@dataclass(frozen=True)
class KeyOptions(Options):
    """A primary key's AUTOINCREMENT, rowid alias (None: derive it) and conflict clause."""

    autoincrement: bool = False
    rowid_alias: bool | None = None
    on_conflict: str | None = None


@dataclass(frozen=True)
class UniqueOptions(Options):
    """A UNIQUE constraint's conflict clause (REPLACE, IGNORE …); None is the default."""

    on_conflict: str | None = None


_PLAIN_TABLE, _PLAIN_KEY, _PLAIN_UNIQUE = TableOptions(), KeyOptions(), UniqueOptions()


# One object per distinct value: the spec's and the database's tables then hold the very same
# options objects, and comparing two tables never has to look inside them.
@cache
def table_options_of(
    without_rowid: bool = False, strict: bool = False, virtual: str | None = None
) -> TableOptions:
    """The (shared) table options with these values."""
    return TableOptions(without_rowid, strict, virtual)


@cache
def key_options_of(autoincrement: bool, rowid_alias: bool | None, on_conflict: str | None) -> KeyOptions:
    """The (shared) primary-key options with these values."""
    return KeyOptions(autoincrement, rowid_alias, on_conflict)


@cache
def unique_options_of(on_conflict: str | None) -> UniqueOptions:
    """The (shared) UNIQUE options with this conflict clause."""
    return UniqueOptions(on_conflict)


def table_options(table: Table) -> TableOptions:
    """The table's SQLite options (the plain ones when it has none)."""
    options = table.options
    return options if isinstance(options, TableOptions) else _PLAIN_TABLE


def key_options(key: PrimaryKey | None) -> KeyOptions:
    """The primary key's SQLite options (the plain ones when it has none)."""
    options = key.options if key is not None else None
    return options if isinstance(options, KeyOptions) else _PLAIN_KEY


def unique_options(unique: Unique) -> UniqueOptions:
    """The UNIQUE constraint's SQLite options (the plain ones when it has none)."""
    options = unique.options
    return options if isinstance(options, UniqueOptions) else _PLAIN_UNIQUE


def read_options(entries: dict[str, Any], read: OptionReader) -> TableOptions:
    """A spec table's ``without_rowid``, ``strict`` and ``virtual`` entries."""
    if not entries.keys() & OPTION_KEYS:
        return _PLAIN_TABLE_SHARED
    virtual = read("virtual", "text") if "virtual" in entries else None
    return table_options_of(
        "without_rowid" in entries and bool(read("without_rowid", "flag")),
        "strict" in entries and bool(read("strict", "flag")),
        virtual,
    )


def dump_options(options: Options | None) -> dict[str, Any]:
    """The entries a snapshot writes (a plain table writes none)."""
    if not isinstance(options, TableOptions):
        return {}
    if options.virtual is not None:
        return {"virtual": options.virtual}
    return {"without_rowid": options.without_rowid or None, "strict": options.strict or None}


_PLAIN_TABLE_SHARED = table_options_of()
