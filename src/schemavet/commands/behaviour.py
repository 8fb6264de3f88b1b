"""What a database does, beyond what its catalog says: query plans, and foreign-key actions.

Each engine provides a planner and a prover from its own modules, registered here by engine
name as ``engines.py`` registers inspectors; this module runs them and turns what they report
into findings (``queries.py``, ``actions.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schemavet.compare.actions import Outcome, action_findings
from schemavet.compare.findings import Finding
from schemavet.compare.plans import Plan, Query, plan_findings
from schemavet.dialects.url import DatabaseURL
from schemavet.errors import SchemavetError
from schemavet.model import Schema


@dataclass(frozen=True)
class Behaviour:
    """An engine's planner (read-only) and foreign-key prover (``in_place``: the db is scratch)."""

    explain: Callable[[DatabaseURL, tuple[Query, ...]], list[Plan]]
    prove: Callable[[DatabaseURL, Schema, bool], list[Outcome]]


def check_behaviour(
    url: DatabaseURL,
    expected: Schema,
    queries: tuple[Query, ...],
    name_key: Callable[[str], str],
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
    behaviour = get_behaviour(url.engine)
    notes = checked if checked is not None else []
    findings = []
    if queries:
        findings += plan_findings(behaviour.explain(url, queries), name_key)
        notes.append(_count(len(queries), "query plan") + " checked")
    if prove_actions:
        outcomes = behaviour.prove(url, expected, in_place)
        findings += action_findings(outcomes)
        notes.append(_count(len(outcomes), "foreign-key action") + " tried")
    return findings


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _sqlite_explain(url: DatabaseURL, queries: tuple[Query, ...]) -> list[Plan]:
    from schemavet.dialects.sqlite.connect import open_readonly
    from schemavet.dialects.sqlite.plans import explain

    with open_readonly(url.location) as conn:
        return explain(conn, queries)


def _sqlite_prove(url: DatabaseURL, expected: Schema, in_place: bool) -> list[Outcome]:
    from schemavet.dialects.sqlite.prove import prove_copy, prove_in_place

    return prove_in_place(url.location, expected) if in_place else prove_copy(url.location, expected)


_BEHAVIOURS = {"sqlite": Behaviour(_sqlite_explain, _sqlite_prove)}


def get_behaviour(engine: str) -> Behaviour:
    """The planner and prover of ``engine``."""
    behaviour = _BEHAVIOURS.get(engine)
    if behaviour is None:
        raise SchemavetError(f"schemavet cannot check query plans or prove actions on {engine} yet")
    return behaviour
