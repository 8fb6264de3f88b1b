"""PostgreSQL query plans: can the planner use the index, asked with sequential scans discouraged.

An empty or small table is always read whole (a sequential scan is cheaper than any index), so
the plan of a query on ``check``'s scratch database or a test database says nothing about the
indexes as it stands. With ``enable_seqscan`` off, the planner still picks a sequential scan
when no index can serve the query, and an index otherwise: the plan answers whether an index
*can* serve it (sorts stay as costly as they are: ``sort: forbidden`` asks for index order).
An index scan with no index condition reads every entry (a planner told not to scan a table
walks an index whole instead): it counts as a scan of the table. Each query is planned as a generic
plan (``EXPLAIN
(GENERIC_PLAN)``, PostgreSQL 16 and later), its ``$1`` parameters unknown, in a read-only
transaction that is rolled back: nothing is written, and the settings end with it.
"""

from __future__ import annotations

import json
from typing import Any

from schemavet.compare.plans import PRIMARY_KEY, Plan, PlanStep, Query

_DISCOURAGE = (
    "SET TRANSACTION READ ONLY",
    "SET LOCAL enable_seqscan = off",
)
_PRIMARY_KEY_INDEXES = (
    "SELECT i.relname FROM pg_constraint AS c JOIN pg_class AS i ON i.oid = c.conindid WHERE c.contype = 'p'"
)
_INDEX_NODES = ("Index Scan", "Index Only Scan", "Bitmap Index Scan")


def explain(conn: Any, queries: tuple[Query, ...]) -> list[Plan]:
    """The plan of every query, or the first line of the error the server gave for it."""
    import psycopg

    plans = []
    with conn.transaction(force_rollback=True):
        for statement in _DISCOURAGE:
            conn.execute(statement)
        pk_indexes = {row[0] for row in conn.execute(_PRIMARY_KEY_INDEXES)}
        for query in queries:
            try:
                with conn.transaction():  # a savepoint: one query's error leaves the others
                    row = conn.execute("EXPLAIN (GENERIC_PLAN, FORMAT JSON) " + query.sql).fetchone()
            except psycopg.Error as e:
                plans.append(Plan(query, error=str(e).strip().splitlines()[0]))
                continue
            document = json.loads(row[0]) if isinstance(row[0], str) else row[0]
            plans.append(Plan(query, tuple(_steps(document[0]["Plan"], pk_indexes))))
    return plans


def _steps(node: dict[str, Any], pk_indexes: set[str]) -> list[PlanStep]:
    """The plan tree, depth first, as typed steps."""
    steps = [_step(node, pk_indexes)]
    for child in node.get("Plans", ()):
        steps += _steps(child, pk_indexes)
    return steps


def _step(node: dict[str, Any], pk_indexes: set[str]) -> PlanStep:
    kind = node["Node Type"]
    table = node.get("Relation Name")
    text = (
        kind
        + (f" on {table}" if table else "")
        + (f" using {node['Index Name']}" if "Index Name" in node else "")
    )
    if kind in _INDEX_NODES:
        index = node["Index Name"]
        # no condition: every entry read (what a planner told not to scan does instead)
        whole = "Index Cond" not in node
        text += " (every row: no index condition)" if whole else ""
        return PlanStep(text, table, PRIMARY_KEY if index in pk_indexes else index, full_scan=whole)
    if kind == "Seq Scan":
        return PlanStep(text, table, full_scan=True)
    if kind in ("Sort", "Incremental Sort"):
        return PlanStep(text, sort=True)
    return PlanStep(text, table)
