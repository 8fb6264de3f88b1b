"""SQLite query plans: ``EXPLAIN QUERY PLAN`` on a read-only connection, read into plan steps.

Parameters are bound to NULL (the plan does not depend on their values without STAT4
statistics). A step names the table as the query does; an alias is mapped back to its table.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from schemavet.compare.plans import PRIMARY_KEY, Plan, PlanStep, Query
from schemavet.dialects.sqlite.expressions import fold
from schemavet.errors import SqlSyntaxError
from schemavet.sql.tokens import KEYWORDS, tokenize

_STEP = re.compile(
    r"^(?P<op>SCAN|SEARCH) (?P<table>.+?)"
    r"(?: USING (?:(?P<automatic>AUTOMATIC (?:PARTIAL )?(?:COVERING )?INDEX)"
    r"|(?:COVERING )?INDEX (?P<index>.+?)|(?P<pk>INTEGER PRIMARY KEY|PRIMARY KEY)))?"
    r"(?: \((?P<terms>.*)\))?$"
)
_SORT = re.compile(r"^USE TEMP B-TREE FOR ")
_NOT_TABLES = ("CONSTANT ROW",)
_PK_INDEXES = (
    "SELECT il.name FROM sqlite_master AS m JOIN pragma_index_list(m.name) AS il "
    "WHERE m.type = 'table' AND il.origin = 'pk'"
)


def explain(conn: sqlite3.Connection, queries: tuple[Query, ...]) -> list[Plan]:
    """The plan of every query, or the error SQLite gave for it."""
    pk_indexes = {fold(row[0]) for row in conn.execute(_PK_INDEXES)}
    return [_plan(conn, query, pk_indexes) for query in queries]


def _plan(conn: sqlite3.Connection, query: Query, pk_indexes: set[str]) -> Plan:
    try:
        parameters = null_parameters(query.sql)
        rows = conn.execute("EXPLAIN QUERY PLAN " + query.sql, parameters).fetchall()
    except (sqlite3.Error, SqlSyntaxError) as e:
        return Plan(query, error=str(e))
    aliases = table_aliases(query.sql)
    return Plan(query, tuple(step(str(row[3]), aliases, pk_indexes) for row in rows))


def step(text: str, aliases: dict[str, str], pk_indexes: set[str]) -> PlanStep:
    """One line of ``EXPLAIN QUERY PLAN`` output as a typed step."""
    if _SORT.match(text):
        return PlanStep(text, sort=True)
    match = _STEP.match(text)
    if match is None or match["table"] in _NOT_TABLES or match["table"].startswith("("):
        return PlanStep(text)
    table = aliases.get(fold(match["table"]), match["table"])
    index = match["index"]
    if match["pk"] or (index is not None and fold(index) in pk_indexes):
        index = PRIMARY_KEY
    full_scan = match["op"] == "SCAN" and index is None and not match["automatic"]
    return PlanStep(text, table, index, full_scan=full_scan, automatic=bool(match["automatic"]))


def null_parameters(sql: str) -> list[None] | dict[str, None]:
    """NULL for every parameter: a list for ``?`` and ``?NNN``, a mapping for named ones."""
    params = [t.text for t in tokenize(sql) if t.kind == "param"]
    named = {p[1:]: None for p in params if p[0] in ":@$"}
    if named:
        if len(named) != len({p for p in params}):
            raise SqlSyntaxError("it mixes named and numbered parameters")
        return named
    numbered = [int(p[1:]) for p in params if len(p) > 1]
    return [None] * max([len([p for p in params if p == "?"]), *numbered])


def table_aliases(sql: str) -> dict[str, str]:
    """``alias -> table`` for every ``FROM t [AS] a`` and ``JOIN t [AS] a`` in the query."""
    tokens = tokenize(sql)
    aliases: dict[str, str] = {}
    for i, token in enumerate(tokens[:-1]):
        if not (token.is_word("FROM", "JOIN", "UPDATE", "INTO") and _is_name(tokens[i + 1])):
            continue
        at = i + 2
        if at < len(tokens) and tokens[at].is_word("AS"):
            at += 1
        if at < len(tokens) and _is_name(tokens[at]):
            aliases[fold(tokens[at].name)] = tokens[i + 1].name
    return aliases


def _is_name(token: Any) -> bool:
    return bool(token.kind == "quoted" or (token.kind == "word" and token.upper not in KEYWORDS))
