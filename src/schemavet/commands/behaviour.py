"""What a database does, beyond what its catalog says: query plans, and foreign-key actions.

Each dialect plans and proves with its own modules (:meth:`Dialect.explain`,
:meth:`Dialect.prove`); this module asks it and turns what it reports into findings
(:mod:`schemavet.compare.plans`, :mod:`schemavet.compare.actions`).
"""

from __future__ import annotations

from schemavet.compare.actions import action_findings
from schemavet.compare.findings import Finding
from schemavet.compare.plans import Query, plan_findings
from schemavet.dialect.base import Dialect
from schemavet.dialect.url import DatabaseURL
from schemavet.model import Schema


def check_behaviour(
    url: DatabaseURL,
    dialect: Dialect,
    expected: Schema,
    queries: tuple[Query, ...],
    prove_actions: bool = False,
    in_place: bool = False,
    checked: list[str] | None = None,
) -> list[Finding]:
    """Findings for the spec's query plans, and (with ``prove_actions``) its foreign-key actions.

    ``expected`` is the spec's normalized schema; ``in_place`` says ``url`` is a scratch
    database the proofs may write to (in savepoints rolled back) instead of a copy of it.
    What was checked is appended to ``checked`` ("16 query plans checked", …).
    """
    if not queries and not prove_actions:
        return []
    notes = checked if checked is not None else []
    findings = []
    if queries:
        findings += plan_findings(dialect.explain(url.location, queries), dialect.name_key)
        notes.append(_count(len(queries), "query plan") + " checked")
    if prove_actions:
        outcomes = dialect.prove(url.location, expected, in_place)
        findings += action_findings(outcomes)
        if outcomes:  # "0 foreign-key actions tried" says nothing a reader needs
            notes.append(_count(len(outcomes), "foreign-key action") + " tried")
    return findings


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
