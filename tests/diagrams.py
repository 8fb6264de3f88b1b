"""Schemas for the diagram tests: a generated one of any size, and one of hostile names."""

from __future__ import annotations

from schemavet.model import Column, ForeignKey, Index, Namespace, PrimaryKey, Schema, Table, Unique


def generated_schema(tables: int, group: int = 30, engine: str = "sqlite", prefix: str = "") -> Schema:
    """``tables`` tables of eight columns in groups of ``group`` tables, each table of a group
    with a foreign key to the group's first (and every third to its predecessor too), so the
    groups are what foreign keys connect."""
    made: dict[str, Table] = {}
    for n in range(tables):
        name = f"{prefix}table_{n:04d}"
        columns = {"id": Column("id", "INTEGER", nullable=False)}
        columns.update({f"field_{c}": Column(f"field_{c}", "TEXT") for c in range(6)})
        keys: list[ForeignKey] = []
        head = n - n % group
        if n != head:
            columns["parent_id"] = Column("parent_id", "INTEGER", nullable=False)
            keys.append(ForeignKey(("parent_id",), f"{prefix}table_{head:04d}", ("id",), on_delete="CASCADE"))
        if n % 3 == 0 and n - 1 > head:
            columns["previous_id"] = Column("previous_id", "INTEGER")
            keys.append(
                ForeignKey(("previous_id",), f"{prefix}table_{n - 1:04d}", ("id",), on_delete="SET NULL")
            )
        made[name] = Table(name, columns, PrimaryKey(("id",)), tuple(keys))
    return Schema(engine, {"main": Namespace("main", made)})


# Names Mermaid's grammar cannot take as they are: spaces, quotes, parentheses, commas, percent,
# backslash, backticks, markup, entity codes, its keywords, non-ASCII (Latin, CJK, emoji).
HOSTILE_TABLES = (
    "order items",
    'say "hi"',
    "end",
    "class",
    "PK",
    "naïve café",
    "表格",
    "rocket 🚀",
    "a,b(c)",
    "100% \\ done",
    "tick`tock",
    "<b>bold</b>",
    "x#amp;y",
    "erDiagram",
)
HOSTILE_TYPES = (
    "character varying(255)",
    "NUMERIC(10, 2)",
    "DOUBLE PRECISION",
    "timestamp with time zone",
    "",
)


def hostile_schema() -> Schema:
    """A table for each hostile name, each with hostile column names and types and a foreign key
    to the previous one (alternately nullable and unique)."""
    tables: dict[str, Table] = {}
    previous: str | None = None
    for n, name in enumerate(HOSTILE_TABLES):
        columns = {
            "id": Column("id", "integer", nullable=False),
            name: Column(name, HOSTILE_TYPES[n % len(HOSTILE_TYPES)]),
            "PK": Column("PK", "text"),
            "ref": Column("ref", "integer", nullable=n % 2 == 0),
        }
        keys = (ForeignKey(("ref",), previous, ("id",), on_delete="SET NULL"),) if previous else ()
        uniques = (Unique(("ref",)),) if n % 3 == 0 else ()
        indexes = {"u": Index("u", ("PK",), unique=True)}
        tables[name] = Table(name, columns, PrimaryKey(("id",)), keys, uniques, indexes=indexes)
        previous = name
    return Schema("postgresql", {"public": Namespace("public", tables)})
