"""Query-plan checks: the hot queries a spec names, the plans they must have, and the findings.

The spec's ``queries:`` section (``spec/queries.py`` reads it) gives each query its SQL and
what its plan must show; an engine's planner (``sqlite/plans.py``) explains each query as
:class:`PlanStep` rows; :func:`plan_findings` compares the two. No dialect logic here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from schemavet.compare.findings import PLAN, Finding

PRIMARY_KEY = "primary key"


@dataclass(frozen=True)
class Query:
    """A named query: its SQL, the indexes its plan must use, and what it may do without one.

    ``uses`` names indexes (or ``primary key``) that must each appear in the plan; ``scan``
    allows a full scan of a table; ``sort`` allows a sort in a temporary structure (ORDER BY or
    GROUP BY not served by an index).
    """

    name: str
    sql: str
    uses: tuple[str, ...] = ()
    scan: bool = False
    sort: bool = True
    description: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PlanStep:
    """One step of a plan: the table it reads (as the query names it) and how.

    ``index`` is the index name, ``primary key``, or None; ``full_scan`` is a read of every row
    without an index; ``automatic`` an index the engine builds for this query alone; ``sort``
    a sort of the result in a temporary structure. ``text`` is the step as the engine says it.
    """

    text: str
    table: str | None = None
    index: str | None = None
    full_scan: bool = False
    automatic: bool = False
    sort: bool = False


@dataclass(frozen=True)
class Plan:
    """A query's plan, or the error the engine gave when asked to plan it."""

    query: Query
    steps: tuple[PlanStep, ...] = ()
    error: str | None = None

    @property
    def text(self) -> str:
        """The plan in one line, steps separated by ``; ``."""
        return "; ".join(step.text for step in self.steps)


def plan_findings(plans: list[Plan], name_key: Callable[[str], str]) -> list[Finding]:
    """A finding for every query whose plan breaks what the spec asks of it."""
    findings = []
    for plan in plans:
        problems = _problems(plan, name_key)
        if problems:
            findings.append(_finding(plan, "; ".join(problems) + _shown(plan)))
    return findings


def _shown(plan: Plan) -> str:
    return f" (plan: {plan.text})" if plan.error is None else ""


def _problems(plan: Plan, name_key: Callable[[str], str]) -> list[str]:
    if plan.error is not None:
        return [f"cannot be planned: {plan.error}"]
    query, problems = plan.query, []
    if not query.scan:
        problems += [f'scans table "{s.table}" without an index' for s in plan.steps if s.full_scan]
        problems += [
            f'builds a temporary automatic index on "{s.table}" (no index serves it)'
            for s in plan.steps
            if s.automatic
        ]
    if not query.sort:
        problems += [
            "sorts its rows in a temporary B-tree instead of reading them in index order"
            for s in plan.steps
            if s.sort
        ]
    used = {name_key(s.index) for s in plan.steps if s.index is not None}
    for index in query.uses:
        if name_key(index) not in used:
            found = ", ".join(f'"{s.index}"' for s in plan.steps if s.index) or "no index"
            problems.append(f'should use index "{index}", its plan uses {found}')
    return problems


def _finding(plan: Plan, detail: str) -> Finding:
    return Finding(
        PLAN,
        "query",
        plan.query.name,
        attribute="plan",
        expected=list(plan.query.uses) or None,
        actual=plan.text if plan.error is None else plan.error,
        line=plan.query.line,
        detail=detail,
    )
