"""Read PostgreSQL's catalog: one query per kind of object, all in one read-only snapshot.

Every query reads ``pg_catalog`` only (a role with nothing but CONNECT and USAGE sees it all,
where ``information_schema`` hides what the role does not own), and runs with ``search_path``
empty so that the server prints every name it puts in a type, default or expression qualified.
The only locks are AccessShare: on the catalogs, and (``pg_get_viewdef``) on the tables a view
reads, as a SELECT of the view would; they wait only behind an ACCESS EXCLUSIVE lock, and then
no longer than ``LOCK_TIMEOUT``. The queries are ``catalog/*.sql``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from schemavet.errors import DatabaseError

if TYPE_CHECKING:
    import psycopg

STATEMENT_TIMEOUT = "60s"
LOCK_TIMEOUT = "10s"

_BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
_SETTINGS = (
    "SELECT pg_catalog.set_config('search_path', '', true), "
    "pg_catalog.set_config('statement_timeout', %(statement_timeout)s, true), "
    "pg_catalog.set_config('lock_timeout', %(lock_timeout)s, true)"
)
# {{15:new|old}}: ``new`` on PostgreSQL 15 and later, ``old`` before (a column it lacks)
_VERSIONED = re.compile(r"\{\{(\d+):([^|}]*)\|([^}]*)\}\}")
_LIKE_SPECIAL = re.compile(r"([\\%_])")
_ROWS = list[tuple[Any, ...]]


@dataclass(frozen=True)
class Catalog:
    """The rows of each catalog query, as plain tuples (see ``catalog/<kind>.sql`` for columns)."""

    # in the order the server is asked for them (and the model is made of them): a table's own
    # kinds first, the heaviest of them as early as can be
    namespaces: _ROWS
    relations: _ROWS
    not_nulls: _ROWS
    columns: _ROWS
    constraints: _ROWS
    indexes: _ROWS
    triggers: _ROWS
    policies: _ROWS
    enums: _ROWS
    domains: _ROWS
    sequences: _ROWS
    functions: _ROWS
    extensions: _ROWS
    not_modelled: _ROWS


# every kind but the namespaces, which the others are filtered by
KINDS = tuple(f.name for f in fields(Catalog))[1:]
# the kinds asked for together: a table's columns, its other constraints, then all the rest
_STARTING_A_GROUP = ("constraints", "indexes")
GROUPS = tuple(
    KINDS[start:end]
    for start, end in itertools.pairwise((0, *(KINDS.index(kind) for kind in _STARTING_A_GROUP), len(KINDS)))
)


def read_catalog(conn: psycopg.Connection[Any], schemas: Sequence[str] = ()) -> Catalog:
    """Every kind of object in the schemas matching ``schemas`` (all when empty), in one transaction."""
    return Catalog(*read_kinds(conn, schemas))


def read_kinds(conn: psycopg.Connection[Any], schemas: Sequence[str] = ()) -> Iterator[_ROWS]:
    """:func:`read_catalog`'s rows, kind by kind in the order of :class:`Catalog`'s fields, each
    as soon as the server has sent it."""
    import psycopg

    try:
        conn.execute(_BEGIN)
        try:
            yield from kinds_in_transaction(conn, schemas)
        finally:
            conn.execute("ROLLBACK")  # read only: nothing to commit
    except psycopg.Error as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise DatabaseError(f"Cannot read the PostgreSQL catalog: {first}") from e


def read_in_transaction(conn: psycopg.Connection[Any], schemas: Sequence[str] = ()) -> Catalog:
    """The catalog read inside the transaction ``conn`` has open (settings are LOCAL to it)."""
    return Catalog(*kinds_in_transaction(conn, schemas))


def kinds_in_transaction(conn: psycopg.Connection[Any], schemas: Sequence[str] = ()) -> Iterator[_ROWS]:
    """The catalog's rows kind by kind, read inside the transaction ``conn`` has open (settings
    are LOCAL to it).

    The queries go in three groups (:data:`GROUPS`), each sent at once; a group's rows are made
    into Python values (and given) while the server is at work on the next group, so the
    server is never idle for long and the first kinds come long before the last.
    """
    version = conn.info.server_version
    with conn.pipeline() as pipeline:
        conn.execute(_SETTINGS, {"statement_timeout": STATEMENT_TIMEOUT, "lock_timeout": LOCK_TIMEOUT})
        namespaces = conn.execute(query("namespaces", version), {"patterns": like_patterns(schemas)})
        namespace_rows = namespaces.fetchall()
        yield namespace_rows
        parameters = {"namespaces": [oid for oid, _ in namespace_rows]}
        answered: list[psycopg.Cursor[Any]] = []
        for group in GROUPS:
            sent = [conn.cursor().execute(query(kind, version), parameters) for kind in group]
            for cursor in answered:
                yield cursor.fetchall()
            pipeline.sync()  # waits for the group just sent, and only for it
            answered = sent
        for cursor in answered:
            yield cursor.fetchall()


@cache
def query(kind: str, version: int) -> str:
    """The query for ``kind`` (a ``catalog/*.sql`` resource) as the server at ``version`` needs it."""
    text = files("schemavet.dialects.postgres").joinpath("catalog", f"{kind}.sql").read_text("utf-8")
    return _VERSIONED.sub(lambda m: m[2] if version >= int(m[1]) * 10000 else m[3], text)


def like_patterns(schemas: Sequence[str]) -> list[str]:
    """Schema names or shell-style patterns (``app_*``, ``tenant_?``) as LIKE patterns."""
    if not schemas:
        return ["%"]
    return [_LIKE_SPECIAL.sub(r"\\\1", name).replace("*", "%").replace("?", "_") for name in schemas]
